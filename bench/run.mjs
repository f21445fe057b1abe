#!/usr/bin/env node
// zonexfer benchmark runner: `npm run bench` (builds dist/ first) or `node bench/run.mjs [flags]`.
// Discovers scenarios in bench/scenarios/*.mjs, runs the selected ones, and writes
// bench/results/<YYYY-MM-DD>-<host>[-quick].{md,json} plus an SVG chart per scenario.
// Everything listens on 127.0.0.1; only the processes started here are stopped (by PID).
import { readdirSync, readFileSync, rmSync, mkdirSync, existsSync } from 'node:fs';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import os from 'node:os';
import { findBinary } from './peers/peers.mjs';
import { SYSTEMS, REPO, setZonexferMain, setZonexferNodeArgs } from './lib/systems.mjs';
import { dnsperfVersion } from './lib/dnsperf.mjs';
import { execText, installSignalHandlers, niceAutogroup, setClockTicks, stopAll } from './lib/procs.mjs';
import { writeReport } from './lib/report.mjs';

const BENCH = join(REPO, 'bench');

const USAGE = `usage: node bench/run.mjs [flags]        (npm run bench -- [flags] builds dist/ first)

  --quick              short run: 1 repetition, short durations (the whole run < 3 min)
  --scenario NAME      run only this scenario (repeatable, or a comma list); default: all
  --systems LIST       only these systems, e.g. knotd,nsd (default: each scenario's list)
  --reps N             repetitions per system (default 3; --quick 1)
  --duration SECONDS   measuring time per repetition (queries: 15; --quick 5)
  --warmup SECONDS     unmeasured warm-up per system (queries: 3; --quick 1)
  --wait-quiet SECONDS before each repetition wait up to this long for the benchmark CPUs to be
                       < 10 % busy with other work (queries: 5; --quick 3; 0 = don't wait)
  --records N          zone size (queries: 100000; restart: 1000000, --quick 100000)
  --zones N            zone count: many-zones (10000; --quick 1000), restart (small zones
                       stored, 10000; --quick 1000)
  --queries N          lines in the dnsperf query file (queries: 100000)
  --seed TEXT          seed for the zone and queries (default "zonexfer")
  --edns               dnsperf sends EDNS0 (-e); default off
  --server-cpu LIST    taskset CPU list for the servers (default: 2nd allowed CPU)
  --client-cpu LIST    taskset CPU list for dnsperf (default: 1st allowed CPU)
  --no-pin             do not use taskset
  --nice N             run the servers and dnsperf at nice N (e.g. -10; negative needs root),
                       and this session's scheduler autogroup too, so other sessions' work on a
                       shared machine disturbs less; default: unchanged
  --zonexfer FILE      the zonexfer entry point to run (default dist/cli/main.js), e.g. a
                       baseline checkout's build
  --node-arg ARG       pass ARG to node before zonexfer's main.js (repeatable), e.g.
                       --node-arg=--trace-gc or --node-arg=--cpu-prof (output in the kept tmp dir)
  --out DIR            results directory (default bench/results)
  --keep-tmp           keep bench/results/tmp/<run> (zone, logs) even when all went well
  --list               list the scenarios and exit
  -h, --help           this text`;

function parseArgs(argv) {
  const o = { scenarios: [], overrides: {}, seed: 'zonexfer', edns: false, pin: true, keepTmp: false, quick: false, list: false, out: join(BENCH, 'results') };
  const num = (flag, v) => {
    const n = Number(v);
    if (v === undefined || !Number.isFinite(n) || n < 0) throw new Error(`${flag} needs a non-negative number`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const [flag, inline] = a.startsWith('--') && a.includes('=') ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a, undefined];
    const value = () => inline ?? argv[++i];
    switch (flag) {
      case '--quick': o.quick = true; break;
      case '--scenario': o.scenarios.push(...String(value() ?? '').split(',').filter(Boolean)); break;
      case '--systems': o.systems = String(value() ?? '').split(',').filter(Boolean); break;
      case '--reps': o.overrides.reps = Math.max(1, Math.round(num(flag, value()))); break;
      case '--duration': o.overrides.duration = num(flag, value()); break;
      case '--warmup': o.overrides.warmup = num(flag, value()); break;
      case '--wait-quiet': o.overrides.waitQuiet = num(flag, value()); break;
      case '--records': o.overrides.records = Math.round(num(flag, value())); break;
      case '--zones': o.overrides.zones = Math.round(num(flag, value())); break;
      case '--queries': o.overrides.queries = Math.round(num(flag, value())); break;
      case '--seed': o.seed = String(value()); break;
      case '--edns': o.edns = true; break;
      case '--server-cpu': o.serverCpu = String(value()); break;
      case '--client-cpu': o.clientCpu = String(value()); break;
      case '--no-pin': o.pin = false; break;
      case '--nice': {
        const n = Number(value());
        if (!Number.isInteger(n) || n < -20 || n > 19) throw new Error('--nice needs an integer from -20 to 19');
        o.overrides.nice = n;
        break;
      }
      case '--out': o.out = String(value()); break;
      case '--zonexfer': o.zonexferMain = String(value()); break;
      case '--node-arg': (o.nodeArgs ??= []).push(String(value())); break;
      case '--keep-tmp': o.keepTmp = true; break;
      case '--list': o.list = true; break;
      case '-h': case '--help': o.help = true; break;
      default: throw new Error(`unknown flag ${a}\n\n${USAGE}`);
    }
  }
  return o;
}

async function loadScenarios() {
  const dir = join(BENCH, 'scenarios');
  const files = readdirSync(dir).filter((f) => f.endsWith('.mjs')).sort();
  const list = [];
  for (const f of files) {
    const mod = await import(pathToFileURL(join(dir, f)).href);
    const s = mod.default;
    if (!s || typeof s.run !== 'function' || typeof s.name !== 'string') throw new Error(`bench/scenarios/${f}: default export needs {name, run()}`);
    list.push(s);
  }
  return list;
}

/** allowedCpus parses Cpus_allowed_list ("0-1,4") of this process. */
function allowedCpus() {
  try {
    const m = /Cpus_allowed_list:\s*(\S+)/.exec(readFileSync('/proc/self/status', 'utf8'));
    const out = [];
    for (const part of m[1].split(',')) {
      const [lo, hi] = part.split('-').map(Number);
      for (let c = lo; c <= (hi ?? lo); c++) out.push(c);
    }
    return out;
  } catch {
    return os.cpus().map((_, i) => i);
  }
}

function pinning(opts) {
  if (!opts.pin) return { cpus: {}, text: 'off (--no-pin)' };
  if (!findBinary('taskset')) return { cpus: {}, text: 'off: taskset not found (apt-get install util-linux)' };
  const allowed = allowedCpus();
  const server = opts.serverCpu ?? (allowed.length >= 2 ? String(allowed[1]) : undefined);
  const client = opts.clientCpu ?? (allowed.length >= 2 ? String(allowed[0]) : undefined);
  if (server === undefined || client === undefined) return { cpus: {}, text: `off: only ${allowed.length} CPU allowed` };
  return { cpus: { server, client }, text: `servers on CPU ${server}, load generator on CPU ${client} (taskset -c)` };
}

function localDate(d = new Date()) {
  const p = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`;
}

async function environment(opts, pin) {
  const versions = {};
  for (const [name, sys] of Object.entries(SYSTEMS)) {
    if (sys.available() === null) versions[name] = await sys.version();
  }
  const dnsperf = findBinary('dnsperf');
  if (dnsperf) versions.dnsperf = dnsperfVersion(await execText(dnsperf, ['-h'])) ?? 'unknown';
  const cpus = os.cpus();
  return {
    date: new Date().toISOString(),
    hostname: os.hostname(),
    node: process.version,
    cpuModel: cpus[0]?.model?.trim() ?? 'unknown',
    cpuCount: cpus.length,
    platform: `${os.platform()} ${os.arch()}`,
    kernel: os.release(),
    memoryMiB: os.totalmem() / 2 ** 20,
    versions,
    pinning: pin.text,
    command: `node bench/run.mjs ${process.argv.slice(2).join(' ')}`.trim(),
  };
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  if (opts.help) {
    console.log(USAGE);
    return 0;
  }
  const all = await loadScenarios();
  if (opts.list) {
    for (const s of all) console.log(`${s.name.padEnd(12)} ${s.title ?? ''}  [${(s.systems ?? []).join(', ')}]`);
    return 0;
  }
  const unknown = opts.scenarios.filter((n) => !all.some((s) => s.name === n));
  if (unknown.length) throw new Error(`unknown scenario(s) ${unknown.join(', ')}; have ${all.map((s) => s.name).join(', ')}`);
  const selected = opts.scenarios.length ? all.filter((s) => opts.scenarios.includes(s.name)) : all;
  const badSystems = (opts.systems ?? []).filter((n) => !SYSTEMS[n]);
  if (badSystems.length) throw new Error(`unknown system(s) ${badSystems.join(', ')}; have ${Object.keys(SYSTEMS).join(', ')}`);

  if (opts.zonexferMain) setZonexferMain(opts.zonexferMain);
  if (opts.nodeArgs) setZonexferNodeArgs(opts.nodeArgs);
  installSignalHandlers();
  setClockTicks(Number((await execText('getconf', ['CLK_TCK'])).trim()));
  const pin = pinning(opts);
  if (opts.overrides.nice !== undefined) {
    // Per-thread nice (set by the scenarios) only ranks threads within one autogroup; raise ours too.
    const ag = niceAutogroup(opts.overrides.nice);
    pin.text += `; nice ${opts.overrides.nice}${ag ? ` (${ag})` : ''}`;
  }
  const env = await environment(opts, pin);
  const stem = `${localDate()}-${env.hostname.replace(/[^A-Za-z0-9.-]/g, '_')}${opts.quick ? '-quick' : ''}`;
  const runTmp = join(BENCH, 'results', 'tmp', `${stem}-${process.pid}`);
  const log = (msg) => console.log(`[${new Date().toISOString().slice(11, 19)}] ${msg}`);

  log(`zonexfer bench: ${selected.map((s) => s.name).join(', ')}${opts.quick ? ' (quick)' : ''}; ${env.cpuModel}, ${env.cpuCount} CPUs; pinning ${pin.text}`);
  log(`versions: ${Object.entries(env.versions).map(([k, v]) => `${k} ${v}`).join(', ')}; node ${env.node}`);

  const results = [];
  let anyError = false;
  for (const scenario of selected) {
    const params = { ...scenario.defaults, ...(opts.quick ? scenario.quick : {}), ...opts.overrides, seed: opts.seed, edns: opts.edns };
    const names = (scenario.systems ?? []).filter((n) => !opts.systems || opts.systems.includes(n));
    const skipped = [];
    const systems = [];
    for (const n of names) {
      const why = SYSTEMS[n].available();
      // A missing peer is left out (with a note); zonexfer itself always gets a row.
      if (why && SYSTEMS[n].peer) skipped.push(`${n} left out: ${why}.`);
      else systems.push(SYSTEMS[n]);
    }
    const est = scenario.estimateSeconds?.(params, systems.length);
    const max = scenario.maxSeconds?.(params, systems.length);
    const plan = est ? `; ${Math.round(est)} s of measuring${max ? `, at most ${Math.round(max)} s with waits` : ''} (+ start-up)` : '';
    log(`── scenario ${scenario.name}: ${systems.map((s) => s.name).join(', ')}${skipped.length ? ` (${skipped.join(' ')})` : ''}${plan}`);
    const tmp = join(runTmp, scenario.name);
    mkdirSync(tmp, { recursive: true });
    let result;
    try {
      result = await scenario.run({ params, tmp, cpus: pin.cpus, systems, versions: env.versions, log, skipped });
    } catch (err) {
      // The scenario itself broke (not one system): record it, keep going with the others.
      log(`scenario ${scenario.name} failed: ${err.stack ?? err}`);
      await stopAll();
      result = {
        name: scenario.name, title: scenario.title ?? scenario.name, description: 'The scenario failed before producing results.', unit: 'n/a',
        higherIsBetter: true, baseline: 'zonexfer', params, ratios: [], notes: [`scenario error: ${err.message}`],
        rows: systems.map((s) => ({ system: s.name, version: env.versions[s.name], values: [], median: null, error: `scenario failed: ${err.message}` })),
        startedAt: env.date, finishedAt: new Date().toISOString(),
      };
    }
    if (result.rows.some((r) => r.error)) anyError = true;
    results.push(result);
    for (const r of result.rows) log(`${scenario.name} ${r.system.padEnd(9)} ${r.error ? `error: ${r.error.split('\n')[0]}` : `median ${r.median?.toFixed(0)} ${result.unit}`}`);
    for (const q of result.ratios ?? []) log(`${scenario.name} ${q.label}: ${q.value === null ? '–' : q.value.toFixed(3)}`);
  }

  const written = writeReport({ dir: opts.out, stem, environment: env, scenarios: results });
  for (const f of written) log(`wrote ${relative(process.cwd(), f) || f}`);
  if (opts.keepTmp || anyError) log(`kept ${relative(process.cwd(), runTmp)} (zone, configs, daemon and dnsperf logs)`);
  else if (existsSync(runTmp)) rmSync(runTmp, { recursive: true, force: true });
  return 0;
}

main()
  .then(async (code) => {
    await stopAll();
    process.exitCode = code;
  })
  .catch(async (err) => {
    console.error(err?.message ?? err);
    await stopAll();
    process.exitCode = 1;
  });
