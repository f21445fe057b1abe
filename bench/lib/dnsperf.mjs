// Runs DNS-OARC dnsperf (Debian package `dnsperf`, 2.x) against 127.0.0.1 and parses its summary.
import { openSync, closeSync, readFileSync } from 'node:fs';
import { findBinary } from '../peers/peers.mjs';
import { spawnTracked, cpuSeconds, sleep } from './procs.mjs';

/**
 * @typedef {object} DnsperfResult
 * @property {number} qps            "Queries per second" (completed / run time).
 * @property {number} sent
 * @property {number} completed
 * @property {number} lost
 * @property {Record<string, number>} rcodes  e.g. {NOERROR: 9000, NXDOMAIN: 1000}
 * @property {number} runTime        seconds
 * @property {number|null} latencyAvgMs
 * @property {number|null} clientCpuPct  dnsperf's own CPU use over the run (sampled; ~100 = saturated).
 * @property {number} clientCpuSeconds
 * @property {string[]} args
 */

/** dnsperfVersion returns e.g. '2.10.0', or null when dnsperf is missing. */
export function dnsperfVersion(helpText) {
  const m = /Version\s+([\w.-]+)/.exec(helpText ?? '');
  return m ? m[1] : null;
}

/**
 * runDnsperf runs one dnsperf measurement. The output goes to `logFile` (timeouts are one line
 * each, so it is not kept in memory) and is parsed at the end.
 * @param {{ port: number, queryFile: string, seconds: number, logFile: string, cpus?: string,
 *   clients?: number, threads?: number, outstanding?: number, timeout?: number, edns?: boolean,
 *   nice?: number }} o   `nice`: run under `nice -n` (same priority as the servers).
 * @returns {Promise<DnsperfResult>}
 */
export async function runDnsperf({ port, queryFile, seconds, logFile, cpus, clients = 1, threads = 1, outstanding = 100, timeout = 2, edns = false, nice }) {
  const bin = findBinary('dnsperf');
  if (!bin) throw new Error('dnsperf is not installed (apt-get install dnsperf)');
  const args = ['-s', '127.0.0.1', '-p', String(port), '-d', queryFile, '-l', String(seconds), '-c', String(clients), '-T', String(threads), '-q', String(outstanding), '-t', String(timeout)];
  if (edns) args.push('-e');
  let [file, argv] = [bin, args];
  if (nice !== undefined) [file, argv] = [findBinary('nice') ?? 'nice', ['-n', String(nice), file, ...argv]];
  if (cpus !== undefined) [file, argv] = [findBinary('taskset') ?? 'taskset', ['-c', String(cpus), bin, ...args]];
  const fd = openSync(logFile, 'w');
  const proc = spawnTracked('dnsperf', file, argv, { stdio: ['ignore', fd, fd] });
  closeSync(fd);

  // dnsperf's CPU: sample its /proc counters until it exits (the last sample is < 200 ms old).
  const started = process.hrtime.bigint();
  let lastCpu = 0;
  let lastAt = started;
  const sampler = setInterval(() => {
    if (proc.result) return;
    const c = cpuSeconds(proc.child.pid);
    if (c > 0) {
      lastCpu = c;
      lastAt = process.hrtime.bigint();
    }
  }, 200);
  const guard = setTimeout(() => proc.stop(), (seconds + timeout + 20) * 1000);
  const result = await proc.exited;
  clearInterval(sampler);
  clearTimeout(guard);
  await sleep(0);

  const out = readFileSync(logFile, 'utf8');
  if (result.error) throw new Error(`dnsperf failed to start: ${result.error.message}`);
  const num = (re) => {
    const m = re.exec(out);
    return m ? Number(m[1]) : null;
  };
  const qps = num(/Queries per second:\s+([\d.]+)/);
  if (qps === null) {
    const tailLines = out.trimEnd().split('\n').slice(-5).join(' | ');
    throw new Error(`dnsperf exited with code ${result.code} signal ${result.signal} without a summary: ${tailLines}`);
  }
  const rcodes = {};
  const rcLine = /Response codes:\s*(.*)/.exec(out)?.[1] ?? '';
  for (const m of rcLine.matchAll(/([A-Z]+) (\d+) \(/g)) rcodes[m[1]] = Number(m[2]);
  const lat = num(/Average Latency \(s\):\s+([\d.]+)/);
  const elapsed = Number(lastAt - started) / 1e9;
  return {
    qps,
    sent: num(/Queries sent:\s+(\d+)/) ?? 0,
    completed: num(/Queries completed:\s+(\d+)/) ?? 0,
    lost: num(/Queries lost:\s+(\d+)/) ?? 0,
    rcodes,
    runTime: num(/Run time \(s\):\s+([\d.]+)/) ?? seconds,
    latencyAvgMs: lat === null ? null : lat * 1000,
    clientCpuPct: elapsed > 0.5 ? (100 * lastCpu) / elapsed : null,
    clientCpuSeconds: lastCpu,
    args: [file, ...argv],
  };
}
