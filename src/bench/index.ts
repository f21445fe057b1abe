// `zonexfer bench`: load tools pointed at zonexfer or any other server: transfer throughput
// (axfr, with --ixfr for IXFR), NOTIFY acknowledgement latency (notify) and a small UDP query load
// (query). Every mode stops by itself (a count or a duration, a per-operation timeout, a failure
// cap) and on SIGINT; targets only the address given; never retries. Exit code: 0 when every
// operation succeeded, 1 when some failed, 2 on a usage error.

import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { AXFR_USAGE, parseAxfrArgs, runAxfr } from './axfr.js';
import { NOTIFY_USAGE, parseNotifyArgs, runNotify } from './notify.js';
import type { Endpoint } from './options.js';
import { QUERY_USAGE, parseQueryArgs, runQuery } from './query.js';
import type { BenchIO } from './report.js';

export type { BenchIO } from './report.js';
export type { AxfrReport } from './axfr.js';
export type { NotifyReport } from './notify.js';
export type { QueryReport } from './query.js';

export const BENCH_USAGE = `Usage: zonexfer bench <axfr|notify|query> [options]   (--help after a mode for its options)

  axfr     transfer throughput: pull a zone M times or for a duration, N at once, every transfer
           verified (SOA first/last, TSIG, equal record counts); --ixfr SERIAL for IXFR
  notify   send N NOTIFYs to a secondary, report acknowledgement latency
  query    a small UDP query load (A queries); dnsperf is the tool for serious query load
`;

const HELP = new Set(['-h', '--help', 'help']);

/** withInterrupt runs `f` with a signal that SIGINT aborts (the first ^C stops starting work). */
async function withInterrupt<T>(f: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const ac = new AbortController();
  const onInt = (): void => ac.abort();
  process.once('SIGINT', onInt);
  try {
    return await f(ac.signal);
  } finally {
    process.off('SIGINT', onInt);
  }
}

/**
 * resolved looks a host name up once, so no transfer or query pays for (or varies with) a lookup;
 * undefined (after one line on stderr) when it cannot be resolved.
 */
async function resolved(e: Endpoint, io: BenchIO): Promise<Endpoint | undefined> {
  if (isIP(e.host) !== 0) return e;
  try {
    return { host: (await lookup(e.host)).address, port: e.port };
  } catch (err) {
    io.stderr.write(`zonexfer bench: cannot resolve ${e.host}: ${(err as Error).message}\n`);
    return undefined;
  }
}

/**
 * runBench runs `zonexfer bench <mode> …` with `args` (after the word `bench`); resolves with the
 * exit code. Never throws for bad input or unreachable servers: those are reported.
 */
export async function runBench(args: readonly string[], io: BenchIO): Promise<number> {
  const [mode, ...rest] = args;
  const usageError = (usage: string, message: string): number => {
    io.stderr.write(`zonexfer bench: ${message}\n\n${usage}`);
    return 2;
  };
  const wantsHelp = rest.some((a) => HELP.has(a));
  const help = (usage: string): number => {
    io.stdout.write(usage);
    return 0;
  };
  switch (mode) {
    case 'axfr': {
      if (wantsHelp) return help(AXFR_USAGE);
      const o = parseAxfrArgs(rest);
      if (!o.ok) return usageError(AXFR_USAGE, o.error);
      const server = await resolved(o.value.server, io);
      if (server === undefined) return 1;
      const r = await withInterrupt((s) => runAxfr({ ...o.value, server }, io, s));
      return r.transfers_failed === 0 && r.transfers_ok > 0 ? 0 : 1;
    }
    case 'notify': {
      if (wantsHelp) return help(NOTIFY_USAGE);
      const o = parseNotifyArgs(rest);
      if (!o.ok) return usageError(NOTIFY_USAGE, o.error);
      const target = await resolved(o.value.target, io);
      if (target === undefined) return 1;
      const r = await withInterrupt((s) => runNotify({ ...o.value, target }, io, s));
      return r.failed === 0 && r.acked > 0 ? 0 : 1;
    }
    case 'query': {
      if (wantsHelp) return help(QUERY_USAGE);
      const o = parseQueryArgs(rest);
      if (!o.ok) return usageError(QUERY_USAGE, o.error);
      const server = await resolved(o.value.server, io);
      if (server === undefined) return 1;
      const r = await withInterrupt((s) => runQuery({ ...o.value, server }, io, s));
      return r.answered > 0 ? 0 : 1;
    }
    case undefined:
    case '-h':
    case '--help':
    case 'help':
      io.stdout.write(BENCH_USAGE);
      return mode === undefined ? 2 : 0;
    default:
      return usageError(BENCH_USAGE, `unknown mode "${mode}"`);
  }
}
