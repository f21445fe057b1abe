// The systems under test behind one interface: start({dir, port, zones, cpus}) → handle with
// {pid, port, logFile, stop()}. zonexfer runs from dist/ (npm run build); the peers come from
// bench/peers/peers.mjs, configured for one core (one UDP worker, one TCP worker, one server).
import { existsSync, mkdirSync, openSync, closeSync, readFileSync } from 'node:fs';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startKnot, startNsd, startNamed, haveBinary, findBinary, answersSoa } from '../peers/peers.mjs';
import { spawnTracked, track, execText, freePort, sleep } from './procs.mjs';

export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
let ZONEXFER_MAIN = join(REPO, 'dist', 'cli', 'main.js');

let NODE_ARGS = [];

/** setZonexferMain points the zonexfer system at another build's main.js (e.g. a baseline checkout). */
export function setZonexferMain(file) {
  ZONEXFER_MAIN = resolve(file);
}

/** setZonexferNodeArgs passes flags to node before main.js (e.g. --trace-gc, --cpu-prof, --max-semi-space-size=64). */
export function setZonexferNodeArgs(args) {
  NODE_ARGS = [...args];
}

/**
 * @typedef {{ origin: string, file: string }} BenchZone
 * @typedef {{ dir: string, port: number, zones: BenchZone[], cpus?: string, timeoutMs?: number,
 *   extraArgs?: string[], tsig?: import('../peers/peers.mjs').TsigKey }} StartOptions
 *   extraArgs: zonexfer only, more `serve` flags (e.g. --allow-transfer, --token, --database-url).
 *   tsig: peers only, {name, algorithm, secret}: transfers out need this key (peers.mjs).
 * @typedef {{ name: string, pid: number, port: number, logFile: string, stop: () => Promise<void>,
 *   apiPort?: number }} SystemHandle   apiPort: zonexfer only, its HTTP API on 127.0.0.1.
 * @typedef {{ name: string, peer: boolean, available: () => string|null,
 *   version: () => Promise<string>, start: (o: StartOptions) => Promise<SystemHandle> }} System
 *   available() returns null when the system can run here, else the reason it cannot.
 */

const abs = (origin) => (origin.endsWith('.') ? origin : `${origin}.`);
const bare = (origin) => (origin === '.' ? '.' : abs(origin).slice(0, -1));
const firstLine = (s) => (s.split('\n').find((l) => l.trim()) ?? '').trim();

function tail(file, lines = 15) {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

/** fromPeer wraps a peers.mjs handle so stop() is also run by the runner's clean-up. */
function fromPeer(name, handle) {
  const untrack = track(`${name} (pid ${handle.pid})`, () => handle.stop());
  return { name, pid: handle.pid, port: handle.port, logFile: handle.logFile, stop: () => handle.stop().finally(untrack) };
}

/** @type {System} */
const zonexfer = {
  name: 'zonexfer',
  peer: false,
  available: () => (existsSync(ZONEXFER_MAIN) ? null : `${ZONEXFER_MAIN} not built (npm run build)`),
  async version() {
    // The checkout the entry point belongs to (dist/cli/main.js → ../..), else this repository.
    const candidate = resolve(dirname(ZONEXFER_MAIN), '..', '..');
    const root = existsSync(join(candidate, 'package.json')) ? candidate : REPO;
    let v = 'unknown';
    try {
      v = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version;
    } catch {
      // keep unknown
    }
    const rev = firstLine(await execText('git', ['-C', root, 'rev-parse', '--short', 'HEAD']));
    const dirty = (await execText('git', ['-C', root, 'status', '--porcelain', '--', 'src'])).trim() ? '+dirty' : '';
    return /^[0-9a-f]+$/.test(rev) ? `${v} (${rev}${dirty})` : v;
  },
  /** @param {StartOptions} o */
  async start({ dir, port, zones, cpus, timeoutMs = 120_000, extraArgs = [] }) {
    const why = zonexfer.available();
    if (why) throw new Error(why);
    mkdirSync(join(dir, 'data'), { recursive: true });
    const apiPort = await freePort();
    const logFile = join(dir, 'zonexfer.out');
    const args = [...NODE_ARGS, ZONEXFER_MAIN, 'serve', '--dns', `127.0.0.1:${port}`, '--api', `127.0.0.1:${apiPort}`, '--data', join(dir, 'data')];
    for (const z of zones) args.push('--zone-file', `${bare(z.origin)}=${resolve(z.file)}`);
    args.push(...extraArgs);
    let [file, argv] = [process.execPath, args];
    if (cpus !== undefined) [file, argv] = [findBinary('taskset') ?? 'taskset', ['-c', String(cpus), process.execPath, ...args]];
    const fd = openSync(logFile, 'a');
    const proc = spawnTracked('zonexfer', file, argv, { cwd: dir, stdio: ['ignore', fd, fd], env: { ...process.env, NODE_ENV: 'production' } });
    closeSync(fd);
    const deadline = Date.now() + timeoutMs;
    for (const z of zones) {
      for (;;) {
        if (proc.result) {
          const r = proc.result;
          const how = r.error ? r.error.message : `exit code ${r.code}, signal ${r.signal}`;
          const log = tail(logFile, 30);
          const why = log.split('\n').reverse().find((l) => /^\s*(\w*Error\b|error:|usage:|unknown |invalid )/i.test(l)) ?? log.split('\n').at(-1);
          throw new Error(`zonexfer exited before answering SOA (${how}): ${why.trim()}\nlog ${logFile}:\n${log}`);
        }
        if (await answersSoa(port, abs(z.origin))) break;
        if (Date.now() > deadline) {
          await proc.stop();
          throw new Error(`zonexfer did not answer SOA for ${abs(z.origin)} within ${timeoutMs / 1000} s; log ${logFile}:\n${tail(logFile)}`);
        }
        await sleep(200);
      }
    }
    return { name: 'zonexfer', pid: proc.child.pid, port, apiPort, logFile, stop: proc.stop };
  },
};

/** @type {System} */
const knotd = {
  name: 'knotd',
  peer: true,
  available: () => (haveBinary('knotd') ? null : 'knotd not installed (apt-get install knot)'),
  version: async () => firstLine(await execText(findBinary('knotd') ?? 'knotd', ['-V'])).replace(/^knotd \(Knot DNS\), version /, ''),
  async start({ dir, port, zones, cpus, timeoutMs = 120_000, tsig }) {
    // One worker per role: the whole daemon gets the same single core zonexfer (one thread of JS) gets.
    const serverConfig = ['udp-workers: 1', 'tcp-workers: 1', 'background-workers: 1'];
    return fromPeer('knotd', await startKnot({ dir, port, zones, cpus, timeoutMs, serverConfig, ...(tsig ? { tsig } : {}) }));
  },
};

/** @type {System} */
const nsd = {
  name: 'nsd',
  peer: true,
  available: () => (haveBinary('nsd') ? null : 'nsd not installed (apt-get install nsd)'),
  version: async () => firstLine(await execText(findBinary('nsd') ?? 'nsd', ['-v'])).replace(/^NSD version /, ''),
  // peers.mjs already sets `server-count: 1` (one serving process). Debian builds NSD with
  // response-rate limiting on by default, which drops most of a single client's queries: off.
  start: async ({ dir, port, zones, cpus, timeoutMs = 120_000, tsig }) =>
    fromPeer('nsd', await startNsd({ dir, port, zones, cpus, timeoutMs, serverConfig: ['rrl-ratelimit: 0', 'rrl-whitelist-ratelimit: 0'], ...(tsig ? { tsig } : {}) })),
};

/** @type {System} */
const named = {
  name: 'named',
  peer: true,
  available: () => (haveBinary('named') ? null : 'named not installed (apt-get install bind9)'),
  version: async () => firstLine(await execText(findBinary('named') ?? 'named', ['-v'])).replace(/^BIND /, '').split(' ')[0],
  // Not limited to one worker thread (that needs `named -n 1`, which peers.mjs does not pass), so
  // only taskset bounds it; no default scenario uses it yet.
  start: async ({ dir, port, zones, cpus, timeoutMs = 120_000, tsig }) => fromPeer('named', await startNamed({ dir, port, zones, cpus, timeoutMs, ...(tsig ? { tsig } : {}) })),
};

/** SYSTEMS by name. named is available to scenarios but not in the default query comparison. */
export const SYSTEMS = { zonexfer, knotd, nsd, named };
