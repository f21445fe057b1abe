// Helpers shared by the transfer scenarios (axfr-out, axfr-in, ixfr, many-zones): the load client
// (`zonexfer bench axfr --json` from this checkout, pinned to the client CPU), memory sampling of a
// server's process tree (VmRSS while it works, VmHWM = the kernel's peak), and small formatters.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { findBinary } from '../peers/peers.mjs';
import { processTree, rssMiB, spawnTracked } from './procs.mjs';
import { REPO } from './systems.mjs';

/** The client always comes from this checkout (the same client for every server and baseline). */
export const CLIENT_MAIN = join(REPO, 'dist', 'cli', 'main.js');

/**
 * runAxfrClient runs `zonexfer bench axfr … --json` and resolves with its report object (see
 * src/bench/axfr.ts) plus `wallSeconds`. Throws with stderr when it prints no JSON. `nice` as in
 * dnsperf.mjs. Output (JSON + stderr) is kept in `logFile` when given.
 */
export async function runAxfrClient({ port, zone, tsig, concurrency = 1, transfers = 1, ixfrSerial, cpus, nice, timeoutS = 120, logFile }) {
  if (!existsSync(CLIENT_MAIN)) throw new Error(`${CLIENT_MAIN} not built (npm run build)`);
  const args = [CLIENT_MAIN, 'bench', 'axfr', '--server', `127.0.0.1:${port}`, '--zone', zone, '--concurrency', String(concurrency), '--transfers', String(transfers), '--timeout', `${timeoutS}s`, '--max-failures', '1', '--json'];
  if (tsig) args.push('--tsig', `${tsig.algorithm ?? 'hmac-sha256'}:${tsig.name}:${tsig.secret}`);
  if (ixfrSerial !== undefined) args.push('--ixfr', String(ixfrSerial));
  let [file, argv] = [process.execPath, args];
  if (nice !== undefined) [file, argv] = [findBinary('nice') ?? 'nice', ['-n', String(nice), file, ...argv]];
  if (cpus !== undefined) [file, argv] = [findBinary('taskset') ?? 'taskset', ['-c', String(cpus), file, ...argv]];
  const proc = spawnTracked('zonexfer bench axfr', file, argv, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NODE_ENV: 'production' } });
  let out = '';
  let err = '';
  proc.child.stdout.on('data', (d) => {
    out += d;
  });
  proc.child.stderr.on('data', (d) => {
    err += d;
  });
  const t0 = process.hrtime.bigint();
  // The tool bounds each transfer itself; this only catches a hung client.
  const guard = setTimeout(() => proc.stop(), (timeoutS * Math.ceil(transfers / concurrency) + 30) * 1000);
  const r = await proc.exited;
  clearTimeout(guard);
  const wallSeconds = Number(process.hrtime.bigint() - t0) / 1e9;
  if (logFile) writeFileSync(logFile, `${[file, ...argv].join(' ').replace(/(--tsig \S+:)\S+/, '$1…')}\n${out}\n${err}`);
  const line = out.split('\n').find((l) => l.startsWith('{'));
  if (!line) throw new Error(`zonexfer bench axfr printed no report (exit ${r.code}${r.signal ? `, ${r.signal}` : ''}): ${(err || out).trim().split('\n').slice(-2).join(' | ') || 'no output'}`);
  const report = JSON.parse(line);
  return { ...report, wallSeconds, exitCode: r.code };
}

/** describeAxfrFailure: one line for a report with failed transfers (first error kind). */
export function describeAxfrFailure(rep) {
  const e = rep.errors?.[0];
  return e ? `${rep.transfers_failed} transfer(s) failed: ${e.kind}${e.example ? ` (${e.example})` : ''}` : `${rep.transfers_failed} transfer(s) failed`;
}

/** hwmMiB: the sum of VmHWM (peak RSS) over `pid` and its descendants, in MiB. */
export function hwmMiB(pid) {
  let kib = 0;
  for (const p of processTree(pid)) {
    try {
      const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${p}/status`, 'utf8'));
      if (m) kib += Number(m[1]);
    } catch {
      // gone
    }
  }
  return kib / 1024;
}

/**
 * sampleRss samples rssMiB(pid) every `intervalMs` until stop(); stop() resolves {peakMiB, lastMiB,
 * samples}. The first sample is taken at once.
 */
export function sampleRss(pid, intervalMs = 100) {
  let peak = rssMiB(pid);
  let last = peak;
  let samples = 1;
  const timer = setInterval(() => {
    const v = rssMiB(pid);
    if (v > 0) {
      last = v;
      peak = Math.max(peak, v);
      samples++;
    }
  }, intervalMs);
  return {
    stop() {
      clearInterval(timer);
      const v = rssMiB(pid);
      if (v > 0) {
        last = v;
        peak = Math.max(peak, v);
      }
      return { peakMiB: peak, lastMiB: last, samples };
    },
  };
}

export const fmtMiB = (x) => (Number.isFinite(x) ? x.toFixed(0) : '–');
export const fmtMs = (x) => (!Number.isFinite(x) ? '–' : x >= 100 ? x.toFixed(0) : x.toFixed(1));
export const fmtSeconds = (ms) => (Number.isFinite(ms) ? (ms / 1000).toFixed(ms >= 10_000 ? 1 : 2) : '–');
export const sizeLabel = (n) => (n >= 1e6 && n % 1e6 === 0 ? `${n / 1e6}M` : n >= 1e3 && n % 1e3 === 0 ? `${n / 1e3}k` : String(n));

/** benchOrigin(1_000_000) → 'x1m.xfr.example.': one origin per zone size, shared by the transfer scenarios (and their zone cache). */
export const benchOrigin = (size) => `x${sizeLabel(size).toLowerCase()}.xfr.example.`;
