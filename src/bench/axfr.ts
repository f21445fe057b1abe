// `zonexfer bench axfr`: pull a zone from any primary M times (or for a duration) over N
// connections at once, verifying each transfer (TransferCheck: SOA first and last, RFC 5936 §2.2;
// IXFR framing, RFC 1995 §4; TSIG on every message, RFC 8945 §5.3.1) and that every transfer of a
// serial has the same record count; then report throughput and latency. Bounded: stops at the
// count or the duration, after --max-failures failures, or on SIGINT; each transfer has a timeout;
// nothing is retried.
//
// `--json` prints one object (field names are stable; rates are per second of `elapsed_s`, over
// completed transfers only; latencies in ms from the connect call):
//   format                 "zonexfer-bench/1"
//   mode                   "axfr" | "ixfr" (with --ixfr)
//   server, zone           "HOST:PORT", absolute zone name
//   tsig_key               key name, or null
//   ixfr_serial            the serial sent in the IXFR query, or null
//   concurrency            connections at once
//   limit                  {"transfers": M} or {"duration_s": S}
//   timeout_s              per-transfer timeout
//   stopped_by             "count" | "duration" | "failures" | "signal"
//   elapsed_s              first connect to last transfer end
//   transfers_ok, transfers_failed
//   transfers_per_s, records_per_s, bytes_per_s   (bytes: TCP payload incl. length prefixes)
//   records_per_transfer   records of the last completed transfer (all equal per serial, checked)
//   messages_per_transfer, bytes_per_transfer, signed_messages_per_transfer   (means)
//   serials                zone serials seen (more than one: the zone changed during the run)
//   kinds                  {"axfr": n} or for IXFR {"ixfr"|"ixfr-as-axfr"|"up-to-date": n}
//   ttfb_ms, complete_ms   {"p50", "p90", "p99", "max"}: time to first byte, time to complete
//   client                 {"cpu_s", "cpu_pct" (of one core), "event_loop_utilization" (0..1)}
//   errors                 [{"kind", "count", "example"}], kinds as in failure.ts

import { performance } from 'node:perf_hooks';
import { RRType, type DomainName } from '../wire/index.js';
import type { TsigKey } from '../tsig/index.js';
import { type Result, ok, err } from '../wire/result.js';
import {
  type Endpoint, formatEndpoint, parseCount, parseDuration, parseEndpoint, parseFlags, parseTsigSpec, parseZone,
} from './options.js';
import { type BenchIO, ErrorTally, Progress, percentileLine, si } from './report.js';
import { Samples, round3, roundPercentiles } from './stats.js';
import { READ_BUFFER_SIZE, type TransferResult, runTransfer } from './transfer.js';
import { ConsistencyCheck, type TransferKind } from './transfer-check.js';

/** AxfrOptions are the parsed flags of `bench axfr`. */
export interface AxfrOptions {
  readonly server: Endpoint;
  readonly zone: DomainName;
  readonly key: TsigKey | undefined;
  readonly concurrency: number;
  /** transfers (count mode) or durationMs (duration mode): exactly one is set. */
  readonly transfers: number | undefined;
  readonly durationMs: number | undefined;
  readonly ixfrSerial: number | undefined;
  readonly timeoutMs: number;
  readonly maxFailures: number;
  readonly json: boolean;
}

export const AXFR_USAGE = `Usage: zonexfer bench axfr --server HOST:PORT --zone NAME [options]

Pulls the zone again and again and reports transfers/s, records/s, bytes/s and latency.
  --server HOST:PORT     primary to pull from (port 53 when omitted)
  --zone NAME            zone to transfer
  --tsig ALG:NAME:SECRET sign queries and verify every response message (kdig -y syntax)
  --concurrency N        transfers at once, one TCP connection each (default 1)
  --transfers M          stop after M transfers (default 10) ...
  --duration D           ... or start transfers for D (e.g. 30s, 2m)
  --ixfr SERIAL          send IXFR with SERIAL in the authority SOA and check IXFR framing
  --timeout D            per-transfer timeout (default 60s)
  --max-failures N       stop starting transfers after N failures (default 10)
  --json                 print one JSON object (fields documented in src/bench/axfr.ts)
`;

const FLAGS = {
  server: 'value', zone: 'value', tsig: 'value', concurrency: 'value', transfers: 'value', duration: 'value', ixfr: 'value',
  timeout: 'value', 'max-failures': 'value', json: 'bool',
} as const;

/** parseAxfrArgs reads the flags of `bench axfr`; one error line on bad input. */
export function parseAxfrArgs(args: readonly string[]): Result<AxfrOptions, string> {
  const f = parseFlags(args, FLAGS);
  if (!f.ok) return f;
  const get = (k: string) => f.value.get(k);
  const serverText = get('server');
  const zoneText = get('zone');
  if (serverText === undefined) return err('--server HOST:PORT is required');
  if (zoneText === undefined) return err('--zone NAME is required');
  if (get('transfers') !== undefined && get('duration') !== undefined) return err('give --transfers or --duration, not both');
  const server = parseEndpoint(serverText, 'server');
  if (!server.ok) return server;
  const zone = parseZone(zoneText, 'zone');
  if (!zone.ok) return zone;
  const tsig = get('tsig');
  const key = tsig === undefined ? undefined : parseTsigSpec(tsig, 'tsig');
  if (key !== undefined && !key.ok) return key;
  const concurrency = parseCount(get('concurrency') ?? '1', 'concurrency', 1, 1024);
  if (!concurrency.ok) return concurrency;
  const duration = get('duration') === undefined ? undefined : parseDuration(get('duration')!, 'duration');
  if (duration !== undefined && !duration.ok) return duration;
  const transfers = duration !== undefined ? undefined : parseCount(get('transfers') ?? '10', 'transfers', 1, 100_000_000);
  if (transfers !== undefined && !transfers.ok) return transfers;
  const ixfr = get('ixfr') === undefined ? undefined : parseCount(get('ixfr')!, 'ixfr', 0, 0xffffffff);
  if (ixfr !== undefined && !ixfr.ok) return ixfr;
  const timeout = parseDuration(get('timeout') ?? '60s', 'timeout');
  if (!timeout.ok) return timeout;
  const maxFailures = parseCount(get('max-failures') ?? '10', 'max-failures', 1, 100_000_000);
  if (!maxFailures.ok) return maxFailures;
  return ok({
    server: server.value,
    zone: zone.value,
    key: key?.value,
    concurrency: concurrency.value,
    transfers: transfers?.value,
    durationMs: duration?.value,
    ixfrSerial: ixfr?.value,
    timeoutMs: timeout.value,
    maxFailures: maxFailures.value,
    json: get('json') !== undefined,
  });
}

/** AxfrReport is the JSON object `--json` prints (see the file header). */
export interface AxfrReport {
  readonly format: 'zonexfer-bench/1';
  readonly mode: 'axfr' | 'ixfr';
  readonly server: string;
  readonly zone: string;
  readonly tsig_key: string | null;
  readonly ixfr_serial: number | null;
  readonly concurrency: number;
  readonly limit: { transfers: number } | { duration_s: number };
  readonly timeout_s: number;
  readonly stopped_by: 'count' | 'duration' | 'failures' | 'signal';
  readonly elapsed_s: number;
  readonly transfers_ok: number;
  readonly transfers_failed: number;
  readonly transfers_per_s: number;
  readonly records_per_s: number;
  readonly bytes_per_s: number;
  readonly records_per_transfer: number;
  readonly messages_per_transfer: number;
  readonly bytes_per_transfer: number;
  readonly signed_messages_per_transfer: number;
  readonly serials: readonly number[];
  readonly kinds: Partial<Record<TransferKind, number>>;
  readonly ttfb_ms: { p50: number; p90: number; p99: number; max: number };
  readonly complete_ms: { p50: number; p90: number; p99: number; max: number };
  readonly client: { cpu_s: number; cpu_pct: number; event_loop_utilization: number };
  readonly errors: { kind: string; count: number; example: string }[];
}

/**
 * runAxfr runs `bench axfr` with parsed options: the report goes to io.stdout (text or JSON).
 * Resolves with the report; `signal` stops starting new transfers (in-flight ones finish).
 */
export async function runAxfr(o: AxfrOptions, io: BenchIO, signal?: AbortSignal): Promise<AxfrReport> {
  const qtype = o.ixfrSerial === undefined ? RRType.AXFR : RRType.IXFR;
  const tally = new ErrorTally();
  const consistency = new ConsistencyCheck();
  const ttfb = new Samples();
  const complete = new Samples();
  const kinds: Partial<Record<TransferKind, number>> = {};
  let started = 0;
  let okCount = 0;
  let records = 0;
  let bytes = 0;
  let messages = 0;
  let signed = 0;
  let lastRecords = 0;
  let stoppedBy: AxfrReport['stopped_by'] = o.transfers !== undefined ? 'count' : 'duration';
  const t0 = performance.now();
  const deadline = o.durationMs !== undefined ? t0 + o.durationMs : Infinity;
  const cpu0 = process.cpuUsage();
  const elu0 = performance.eventLoopUtilization();

  const mayStart = (): boolean => {
    if (signal?.aborted === true) {
      stoppedBy = 'signal';
      return false;
    }
    if (tally.total >= o.maxFailures) {
      stoppedBy = 'failures';
      return false;
    }
    if (o.transfers !== undefined) return started < o.transfers;
    return performance.now() < deadline;
  };

  const record = (r: TransferResult): void => {
    if (!r.ok) {
      tally.add(r.failure);
      return;
    }
    const bad = consistency.check(r.summary);
    if (bad !== undefined) {
      tally.add(bad);
      return;
    }
    okCount++;
    records += r.summary.records;
    bytes += r.bytes;
    messages += r.summary.messages;
    signed += r.summary.signedMessages;
    lastRecords = r.summary.records;
    kinds[r.summary.kind] = (kinds[r.summary.kind] ?? 0) + 1;
    ttfb.add(r.ttfbMs);
    complete.add(r.totalMs);
  };

  const target = {
    host: o.server.host,
    port: o.server.port,
    origin: o.zone,
    qtype,
    key: o.key,
    timeoutMs: o.timeoutMs,
    ...(o.ixfrSerial !== undefined ? { ixfrSerial: o.ixfrSerial } : {}),
  } as const;
  const worker = async (): Promise<void> => {
    const buffer = new Uint8Array(READ_BUFFER_SIZE);
    while (mayStart()) {
      started++;
      record(await runTransfer(target, buffer));
    }
  };

  const progress = new Progress(
    io,
    () => {
      const s = (performance.now() - t0) / 1000;
      const of = o.transfers !== undefined ? `/${o.transfers}` : '';
      return `bench ${qtype === RRType.IXFR ? 'ixfr' : 'axfr'} ${s.toFixed(1)}s: ${okCount}${of} ok, ${tally.total} failed, ${si(okCount / s)} xfr/s, ${si(records / s)} rec/s, ${si(bytes / s, 'B')}/s`;
    },
    o.json && !io.isTTY,
  );
  progress.start();
  const workers = Math.min(o.concurrency, o.transfers ?? o.concurrency);
  await Promise.all(Array.from({ length: workers }, worker));
  progress.stop();

  const elapsedS = Math.max((performance.now() - t0) / 1000, 1e-9);
  const cpu = process.cpuUsage(cpu0);
  const cpuS = (cpu.user + cpu.system) / 1e6;
  const elu = performance.eventLoopUtilization(elu0);
  const per = (v: number) => (okCount === 0 ? 0 : round3(v / okCount));
  const report: AxfrReport = {
    format: 'zonexfer-bench/1',
    mode: qtype === RRType.IXFR ? 'ixfr' : 'axfr',
    server: formatEndpoint(o.server),
    zone: o.zone,
    tsig_key: o.key?.name ?? null,
    ixfr_serial: o.ixfrSerial ?? null,
    concurrency: o.concurrency,
    limit: o.transfers !== undefined ? { transfers: o.transfers } : { duration_s: round3((o.durationMs ?? 0) / 1000) },
    timeout_s: round3(o.timeoutMs / 1000),
    stopped_by: stoppedBy,
    elapsed_s: round3(elapsedS),
    transfers_ok: okCount,
    transfers_failed: tally.total,
    transfers_per_s: round3(okCount / elapsedS),
    records_per_s: Math.round(records / elapsedS),
    bytes_per_s: Math.round(bytes / elapsedS),
    records_per_transfer: lastRecords,
    messages_per_transfer: per(messages),
    bytes_per_transfer: per(bytes),
    signed_messages_per_transfer: per(signed),
    serials: [...consistency.serials],
    kinds,
    ttfb_ms: roundPercentiles(ttfb.percentiles()),
    complete_ms: roundPercentiles(complete.percentiles()),
    client: { cpu_s: round3(cpuS), cpu_pct: Math.round((cpuS / elapsedS) * 1000) / 10, event_loop_utilization: round3(elu.utilization) },
    errors: tally.list(),
  };
  io.stdout.write(o.json ? `${JSON.stringify(report)}\n` : textReport(report, tally));
  return report;
}

function textReport(r: AxfrReport, tally: ErrorTally): string {
  const lim = 'transfers' in r.limit ? `${r.limit.transfers} transfers` : `${r.limit.duration_s} s`;
  const serial = r.serials.length === 0 ? '' : ` serial ${r.serials.join(', ')}`;
  const lines = [
    `zonexfer bench ${r.mode} ${r.server} ${r.zone}${serial}${r.tsig_key !== null ? ` (TSIG ${r.tsig_key})` : ''}: ${lim}, concurrency ${r.concurrency}, ${r.elapsed_s} s, stopped by ${r.stopped_by}`,
    `  transfers   ${r.transfers_ok} ok, ${r.transfers_failed} failed, ${si(r.transfers_per_s)}/s`,
    `  records     ${r.records_per_transfer} per transfer, ${si(r.records_per_s)}/s`,
    `  bytes       ${si(r.bytes_per_transfer, 'B')} per transfer, ${si(r.bytes_per_s, 'B')}/s`,
    `  messages    ${r.messages_per_transfer} per transfer${r.tsig_key !== null ? `, ${r.signed_messages_per_transfer} signed` : ''}`,
    `  first byte  ${percentileLine(r.ttfb_ms)}`,
    `  complete    ${percentileLine(r.complete_ms)}`,
    `  client      ${r.client.cpu_pct} % of one core, event loop ${Math.round(r.client.event_loop_utilization * 100)} % busy`,
    ...tally.lines(),
    '',
  ];
  if (r.transfers_ok === 0) lines.splice(2, 6);
  else if (Object.keys(r.kinds).some((k) => k !== 'axfr')) lines.splice(5, 0, `  kinds       ${Object.entries(r.kinds).map(([k, v]) => `${k} ${v}`).join(', ')}`);
  return lines.join('\n');
}
