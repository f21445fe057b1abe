// Scenario `queries`: authoritative UDP query throughput. dnsperf replays a seeded query mix
// (90 % existing name/type pairs, 10 % NXDOMAIN) against a seeded 100 000-record zone served by
// zonexfer, knotd and nsd in turn, each pinned to the same single core, dnsperf pinned to another.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import os from 'node:os';
import { generateZone, generateQueries } from '../lib/zones.mjs';
import { runDnsperf } from '../lib/dnsperf.mjs';
import { cpuSeconds, cpuJiffies, rssMiB, freePort, enforceAffinity, threadAffinities, reniceTree, parseCpuList, waitQuiet, foreignCpuSeconds, foreignDelta, isAlive } from '../lib/procs.mjs';
import { row, standardRatios } from '../lib/report.mjs';
import { fmtNumber, median, rotate } from '../lib/stats.mjs';

const ORIGIN = 'bench.example.';

export default {
  name: 'queries',
  title: 'Authoritative UDP query throughput',
  systems: ['zonexfer', 'knotd', 'nsd'],
  defaults: { reps: 3, duration: 15, warmup: 3, waitQuiet: 5, records: 100_000, queries: 100_000, nxFraction: 0.1, outstanding: 100 },
  quick: { reps: 1, duration: 5, warmup: 1, waitQuiet: 3 },

  /** estimateSeconds: measuring time only (start-up excluded), for the runner's plan line. */
  estimateSeconds: (p, systemCount) => systemCount * (p.warmup + p.reps * p.duration),
  /** worst case: every repetition also waits the full waitQuiet. */
  maxSeconds: (p, systemCount) => systemCount * (p.warmup + p.reps * (p.duration + p.waitQuiet + 1)),

  /**
   * @param {{ params: typeof this.defaults & { seed: string, edns: boolean }, tmp: string,
   *   cpus: { server?: string, client?: string }, systems: import('../lib/systems.mjs').System[],
   *   versions: Record<string, string>, log: (msg: string) => void }} ctx
   * @returns {Promise<import('../lib/report.mjs').ScenarioResult>}
   */
  async run(ctx) {
    const { params: p, tmp, cpus, log } = ctx;
    const startedAt = new Date().toISOString();
    const notes = [];

    // 1. Zone and query file, deterministic from the seed.
    mkdirSync(tmp, { recursive: true });
    const zoneFile = join(tmp, `${ORIGIN.slice(0, -1)}.zone`);
    const queryFile = join(tmp, 'queries.txt');
    let t = Date.now();
    const zoneArgs = { origin: ORIGIN, records: p.records, seed: p.seed };
    writeFileSync(zoneFile, generateZone(zoneArgs));
    writeFileSync(queryFile, generateQueries({ ...zoneArgs, count: p.queries, nxFraction: p.nxFraction }));
    log(`zone ${ORIGIN} (${p.records} records) and ${p.queries} queries written in ${((Date.now() - t) / 1000).toFixed(1)} s → ${tmp}`);

    // 2. Start every system (idle ones cost nothing; all are pinned to the same server core).
    const state = new Map(); // name → {system, handle, error, startSeconds, reps: []}
    for (const system of ctx.systems) {
      const s = { system, handle: null, error: null, startSeconds: null, reps: [], repErrors: [] };
      state.set(system.name, s);
      const why = system.available();
      if (why) {
        s.error = why;
        log(`${system.name}: ${why}`);
        continue;
      }
      try {
        const port = await freePort();
        t = Date.now();
        s.handle = await system.start({ dir: join(tmp, system.name), port, zones: [{ origin: ORIGIN, file: zoneFile }], cpus: cpus.server });
        s.startSeconds = (Date.now() - t) / 1000;
        if (await enforceAffinity(s.handle.pid, cpus.server)) log(`${system.name}: moved threads that had left CPU ${cpus.server} back`);
        reniceTree(s.handle.pid, p.nice);
        s.rssStartMiB = rssMiB(s.handle.pid);
        log(`${system.name}: pid ${s.handle.pid} answers on 127.0.0.1:${port} after ${s.startSeconds.toFixed(1)} s`);
      } catch (err) {
        s.error = err.message;
        log(`${system.name}: start failed: ${err.message.split('\n')[0]}`);
      }
    }

    const dnsperf = (s, seconds, tag) =>
      runDnsperf({ port: s.handle.port, queryFile, seconds, logFile: join(tmp, `dnsperf-${s.system.name}-${tag}.log`), cpus: cpus.client, outstanding: p.outstanding, edns: p.edns, nice: p.nice });
    // The CPUs this measurement owns: other processes' use of them is reported as "other load".
    const benchCpus = cpus.server && cpus.client ? [...new Set([...parseCpuList(cpus.server), ...parseCpuList(cpus.client)])] : undefined;

    try {
      // 3. Warm-up (caches, JIT); also a smoke test: a system that cannot answer is an error row.
      for (const s of state.values()) {
        if (!s.handle || p.warmup <= 0) continue;
        try {
          const w = await dnsperf(s, p.warmup, 'warmup');
          if (w.completed === 0) throw new Error(`no answers in the ${p.warmup} s warm-up (${w.lost} lost)`);
          log(`${s.system.name}: warm-up ${fmtNumber(w.qps)} QPS`);
        } catch (err) {
          s.error = `warm-up failed: ${err.message}`;
          log(`${s.system.name}: ${s.error}`);
        }
      }

      // 4. Repetitions, rotating the order so no system always runs first or last.
      const order = [...state.values()].filter((s) => s.handle);
      for (let rep = 0; rep < p.reps; rep++) {
        for (const s of rotate(order, rep)) {
          if (s.error) continue;
          // Daemons may re-pin threads they (re)create; check right before measuring.
          if (await enforceAffinity(s.handle.pid, cpus.server)) s.affinityFixes = (s.affinityFixes ?? 0) + 1;
          reniceTree(s.handle.pid, p.nice);
          if (p.waitQuiet > 0) {
            const busy = await waitQuiet(benchCpus, p.waitQuiet);
            if (busy >= 10) log(`the benchmark CPUs are still ${busy.toFixed(0)}% busy with other work after waiting ${p.waitQuiet} s; measuring anyway`);
          }
          const cpu0 = cpuSeconds(s.handle.pid);
          const m0 = cpuJiffies(benchCpus);
          const f0 = foreignCpuSeconds();
          const t0 = process.hrtime.bigint();
          try {
            const r = await dnsperf(s, p.duration, `rep${rep + 1}`);
            const wall = Number(process.hrtime.bigint() - t0) / 1e9;
            const m1 = cpuJiffies(benchCpus);
            const f1 = foreignCpuSeconds();
            const serverCpu = cpuSeconds(s.handle.pid) - cpu0;
            const serverCpuPct = (100 * serverCpu) / wall;
            // Other processes on a shared machine: the CPU time of every process not started by
            // this runner, but no more than the busy time of our CPUs that the server and dnsperf
            // did not use (processes elsewhere on a big machine do not disturb us). As a share of
            // the benchmark CPUs' capacity over the run.
            const nCpus = benchCpus?.length ?? os.cpus().length;
            const idleOurs = Math.max(0, m1.busy - m0.busy - serverCpu - r.clientCpuSeconds);
            const foreign = Math.min(foreignDelta(f0, f1), idleOurs);
            const otherLoadPct = (100 * foreign) / (wall * nCpus);
            const check = checkAnswers(r, p.nxFraction);
            // CPU per answered query: much less sensitive to other load than QPS.
            const cpuUsPerQuery = r.completed ? (1e6 * serverCpu) / r.completed : null;
            s.reps.push({ rep: rep + 1, ...r, serverCpuPct, cpuUsPerQuery, otherLoadPct, rssMiB: rssMiB(s.handle.pid), check });
            log(`rep ${rep + 1}/${p.reps} ${s.system.name.padEnd(8)} ${fmtNumber(r.qps).padStart(9)} QPS  server CPU ${serverCpuPct.toFixed(0)}% (${cpuUsPerQuery?.toFixed(1)} µs/query)  dnsperf CPU ${r.clientCpuPct?.toFixed(0) ?? '?'}%  other load ${otherLoadPct.toFixed(0)}%  lost ${r.lost}${check ? `  (${check})` : ''}`);
          } catch (err) {
            s.repErrors.push(`rep ${rep + 1}: ${err.message}`);
            log(`rep ${rep + 1}/${p.reps} ${s.system.name}: ${err.message}`);
          }
          if (!isAlive(s.handle.pid)) {
            s.error = `exited during repetition ${rep + 1}; log ${s.handle.logFile}`;
            log(`${s.system.name}: ${s.error}`);
          }
        }
      }
      for (const s of state.values()) {
        if (!s.handle) continue;
        s.rssMiB = rssMiB(s.handle.pid);
        s.affinity = threadAffinities(s.handle.pid);
      }
    } finally {
      for (const s of state.values()) if (s.handle) await s.handle.stop();
    }

    // 5. Rows, ratios, notes.
    const rows = [...state.values()].map((s) => {
      const values = s.reps.map((r) => r.qps);
      const error = s.error ?? (values.length === 0 ? s.repErrors[0] ?? 'no measurement' : null);
      const suspect = s.reps.filter((r) => r.check);
      if (suspect.length) notes.push(`${s.system.name}: answers look wrong in ${suspect.length} repetition(s): ${suspect[0].check}.`);
      const costs = s.reps.map((r) => r.cpuUsPerQuery).filter(Number.isFinite);
      const rising = costs.length > 1 && costs.every((c, i) => i === 0 || c >= costs[i - 1]) && costs.at(-1) >= 2 * costs[0];
      if (rising) {
        notes.push(`${s.system.name}: CPU per query rose steadily over the repetitions (${costs.map((c) => c.toFixed(1)).join(' → ')} µs): a leak, or work per query that grows with uptime?`);
      }
      if (s.affinityFixes) notes.push(`${s.system.name}: threads had left CPU ${cpus.server} before ${s.affinityFixes} repetition(s) and were moved back.`);
      if (s.repErrors.length && values.length) notes.push(`${s.system.name}: ${s.repErrors.length} repetition(s) failed: ${s.repErrors[0]}`);
      const cpuMed = median(s.reps.map((r) => r.serverCpuPct));
      const clientMed = median(s.reps.map((r) => r.clientCpuPct));
      const usMed = median(s.reps.map((r) => r.cpuUsPerQuery));
      const otherMax = s.reps.length ? Math.max(...s.reps.map((r) => r.otherLoadPct)) : null;
      if (otherMax !== null && otherMax > 10) {
        notes.push(
          p.nice !== undefined
            ? `${s.system.name}: other processes used up to ${otherMax.toFixed(0)}% of the benchmark CPUs during its runs (at nice ${p.nice} they mostly got what the benchmark left idle, but the machine was not quiet: treat the figures with care).`
            : `${s.system.name}: other processes used up to ${otherMax.toFixed(0)}% of the benchmark CPUs during its runs: the machine was not quiet, figures are unreliable (try --nice -10).`,
        );
      }
      const lost = s.reps.reduce((a, r) => a + r.lost, 0);
      const sent = s.reps.reduce((a, r) => a + r.sent, 0);
      const rc = s.reps.at(-1)?.rcodes;
      const completed = s.reps.at(-1)?.completed;
      return row(s.system.name, {
        version: ctx.versions[s.system.name],
        values,
        error,
        extra: error
          ? {}
          : {
              'server CPU %': cpuMed === null ? '' : cpuMed.toFixed(0),
              'server CPU µs/query': usMed === null ? '' : usMed.toFixed(1),
              'dnsperf CPU %': clientMed === null ? '' : clientMed.toFixed(0),
              'other load %': otherMax === null ? '' : otherMax.toFixed(0),
              'lost %': sent ? ((100 * lost) / sent).toFixed(2) : '',
              'NXDOMAIN %': rc && completed ? ((100 * (rc.NXDOMAIN ?? 0)) / completed).toFixed(1) : '',
              'start-up s': s.startSeconds?.toFixed(1) ?? '',
              'RSS MiB (loaded → end)': s.rssMiB ? `${s.rssStartMiB?.toFixed(0) ?? '?'} → ${s.rssMiB.toFixed(0)}` : '',
            },
        details: { startSeconds: s.startSeconds, rssStartMiB: s.rssStartMiB ?? null, rssMiB: s.rssMiB ?? null, threadAffinity: s.affinity ?? null, affinityFixes: s.affinityFixes ?? 0, repetitions: s.reps, repErrors: s.repErrors, error: s.error },
      });
    });
    const quiet = rows.every((r) => !(Number(r.extra?.['other load %']) > 10));
    for (const r of rows) {
      if (!quiet) break; // CPU shares mean nothing while something else competes for the cores
      const cpu = Number(r.extra?.['server CPU %']);
      if (Number.isFinite(cpu) && r.extra?.['server CPU %'] !== '' && cpu < 85) {
        notes.push(`${r.system} used only ${cpu}% of its core: it was not the bottleneck (or it waits on something else); its QPS understates it.`);
      }
      const client = Number(r.extra?.['dnsperf CPU %']);
      if (Number.isFinite(client) && r.extra?.['dnsperf CPU %'] !== '' && client > 90) {
        notes.push(`dnsperf used ${client}% of its core against ${r.system}: the client may be the bottleneck there.`);
      }
    }
    if (!cpus.server) notes.push('Not pinned (fewer than 2 CPUs or taskset missing): the server and dnsperf shared the CPUs.');
    if (ctx.skipped?.length) notes.push(...ctx.skipped);

    return {
      name: 'queries',
      title: this.title,
      description:
        `dnsperf replays ${fmtNumber(p.queries)} seeded queries (${Math.round(100 * (1 - p.nxFraction))} % existing name/type pairs incl. CNAME chains and referrals, ` +
        `${Math.round(100 * p.nxFraction)} % NXDOMAIN) over UDP${p.edns ? ' with EDNS' : ' without EDNS'} against a seeded ${fmtNumber(p.records)}-record zone ` +
        `(A, AAAA, TXT incl. >255-octet, MX, CNAME, delegations with DS, DNSKEY, RRSIG). Each server runs alone on one core ` +
        `(taskset; knotd with 1 UDP/TCP/background worker, nsd with server-count 1), dnsperf on another ` +
        `(-c 1 -T 1 -q ${p.outstanding}); ${p.reps} repetition(s) of ${p.duration} s after a ${p.warmup} s warm-up, order rotated. Value: dnsperf's queries per second, median.`,
      unit: 'QPS',
      higherIsBetter: true,
      baseline: 'zonexfer',
      params: { origin: ORIGIN, records: p.records, seed: p.seed, queries: p.queries, nxFraction: p.nxFraction, reps: p.reps, duration: p.duration, warmup: p.warmup, outstanding: p.outstanding, edns: p.edns, nice: p.nice ?? null, waitQuiet: p.waitQuiet, serverCpus: cpus.server ?? null, clientCpus: cpus.client ?? null },
      rows,
      ratios: standardRatios(rows, 'zonexfer', true),
      notes,
      startedAt,
      finishedAt: new Date().toISOString(),
    };
  },
};

/**
 * checkAnswers returns a reason when a run's answers do not look like the query mix (so a server
 * that is fast because it REFUSEs or drops is flagged), or null when they look right.
 */
export function checkAnswers(r, nxFraction) {
  if (r.completed === 0) return 'no answers';
  const nx = (r.rcodes.NXDOMAIN ?? 0) / r.completed;
  const ok = (r.rcodes.NOERROR ?? 0) / r.completed;
  const other = Object.entries(r.rcodes).filter(([k]) => k !== 'NOERROR' && k !== 'NXDOMAIN');
  if (other.length) return `unexpected rcodes ${other.map(([k, v]) => `${k} ${v}`).join(', ')}`;
  if (Math.abs(nx - nxFraction) > 0.03) return `NXDOMAIN ${(100 * nx).toFixed(1)} % (expected ≈${(100 * nxFraction).toFixed(0)} %)`;
  if (ok + nx < 0.99) return `NOERROR+NXDOMAIN only ${(100 * (ok + nx)).toFixed(1)} %`;
  if (r.lost > 0.01 * r.sent) return `${((100 * r.lost) / r.sent).toFixed(1)} % lost`;
  return null;
}
