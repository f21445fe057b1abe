// `zonexfer bench notify`: send N NOTIFYs (RFC 1996 §3.7, no SOA in the answer section; TSIG-
// signed with --tsig, the answer verified) to a secondary and report how fast they are
// acknowledged. Each NOTIFY is sent once (no retransmission, unlike the engine's sender): a
// missing answer within --timeout is a failure, so the latencies are those of first answers.
// Note: a secondary that accepts a NOTIFY schedules an SOA query back to the zone's primary.
//
// `--json` prints one object (stable field names; latencies in ms from send to answer):
//   format          "zonexfer-bench/1"
//   mode            "notify"
//   target, zone    "HOST:PORT", absolute zone name
//   tsig_key        key name, or null
//   count, concurrency, timeout_s
//   elapsed_s       first send to last answer or timeout
//   sent, acked, failed
//   acks_per_s      acked / elapsed_s
//   ack_ms          {"p50", "p90", "p99", "max"} over acknowledged NOTIFYs
//   errors          [{"kind", "count", "example"}]: timeout, rcode (e.g. NOTAUTH, REFUSED), tsig, io

import { performance } from 'node:perf_hooks';
import { type NotifyError, describeNotifyError, sendNotify } from '../notify/index.js';
import type { TsigKey } from '../tsig/index.js';
import type { DomainName } from '../wire/index.js';
import { type Result, ok, err } from '../wire/result.js';
import { type BenchFailure, failure } from './failure.js';
import { type Endpoint, formatEndpoint, parseCount, parseDuration, parseEndpoint, parseFlags, parseTsigSpec, parseZone } from './options.js';
import { type BenchIO, ErrorTally, Progress, percentileLine, si } from './report.js';
import { Samples, round3, roundPercentiles } from './stats.js';
import { rcodeName } from './transfer-check.js';

/** NotifyOptions are the parsed flags of `bench notify`. */
export interface NotifyBenchOptions {
  readonly target: Endpoint;
  readonly zone: DomainName;
  readonly key: TsigKey | undefined;
  readonly count: number;
  readonly concurrency: number;
  readonly timeoutMs: number;
  readonly json: boolean;
}

export const NOTIFY_USAGE = `Usage: zonexfer bench notify --target HOST:PORT --zone NAME [options]

Sends NOTIFYs to a secondary and reports how fast they are acknowledged.
  --target HOST:PORT     secondary to notify (port 53 when omitted)
  --zone NAME            zone named in the NOTIFY
  --tsig ALG:NAME:SECRET sign each NOTIFY and verify each answer
  --count N              NOTIFYs to send (default 10)
  --concurrency N        NOTIFYs outstanding at once (default 1)
  --timeout D            wait per NOTIFY, sent once (default 2s)
  --json                 print one JSON object (fields documented in src/bench/notify.ts)
`;

const FLAGS = { target: 'value', zone: 'value', tsig: 'value', count: 'value', concurrency: 'value', timeout: 'value', json: 'bool' } as const;

/** parseNotifyArgs reads the flags of `bench notify`; one error line on bad input. */
export function parseNotifyArgs(args: readonly string[]): Result<NotifyBenchOptions, string> {
  const f = parseFlags(args, FLAGS);
  if (!f.ok) return f;
  const get = (k: string) => f.value.get(k);
  if (get('target') === undefined) return err('--target HOST:PORT is required');
  if (get('zone') === undefined) return err('--zone NAME is required');
  const target = parseEndpoint(get('target')!, 'target');
  if (!target.ok) return target;
  const zone = parseZone(get('zone')!, 'zone');
  if (!zone.ok) return zone;
  const key = get('tsig') === undefined ? undefined : parseTsigSpec(get('tsig')!, 'tsig');
  if (key !== undefined && !key.ok) return key;
  const count = parseCount(get('count') ?? '10', 'count', 1, 10_000_000);
  if (!count.ok) return count;
  const concurrency = parseCount(get('concurrency') ?? '1', 'concurrency', 1, 1024);
  if (!concurrency.ok) return concurrency;
  const timeout = parseDuration(get('timeout') ?? '2s', 'timeout');
  if (!timeout.ok) return timeout;
  return ok({
    target: target.value, zone: zone.value, key: key?.value, count: count.value, concurrency: concurrency.value, timeoutMs: timeout.value, json: get('json') !== undefined,
  });
}

/** NotifyReport is the JSON object `--json` prints (see the file header). */
export interface NotifyReport {
  readonly format: 'zonexfer-bench/1';
  readonly mode: 'notify';
  readonly target: string;
  readonly zone: string;
  readonly tsig_key: string | null;
  readonly count: number;
  readonly concurrency: number;
  readonly timeout_s: number;
  readonly elapsed_s: number;
  readonly sent: number;
  readonly acked: number;
  readonly failed: number;
  readonly acks_per_s: number;
  readonly ack_ms: { p50: number; p90: number; p99: number; max: number };
  readonly errors: { kind: string; count: number; example: string }[];
}

function toFailure(e: NotifyError): BenchFailure {
  switch (e.kind) {
    case 'timeout':
      return failure('timeout', describeNotifyError(e));
    case 'rcode':
      return failure('rcode', `answered ${rcodeName(e.rcode)}`, e.rcode);
    case 'tsig':
      return failure('tsig', e.reason);
    case 'io':
      return failure('io', e.detail);
  }
}

/** runNotify runs `bench notify`; `signal` stops sending (outstanding NOTIFYs finish). */
export async function runNotify(o: NotifyBenchOptions, io: BenchIO, signal?: AbortSignal): Promise<NotifyReport> {
  const tally = new ErrorTally();
  const acks = new Samples();
  let sent = 0;
  const t0 = performance.now();
  const worker = async (): Promise<void> => {
    while (sent < o.count && signal?.aborted !== true) {
      sent++;
      const s = performance.now();
      const r = await sendNotify({ host: o.target.host, port: o.target.port, key: o.key }, o.zone, undefined, { tries: 1, firstTimeoutMs: o.timeoutMs });
      if (r.ok) acks.add(performance.now() - s);
      else tally.add(toFailure(r.error));
    }
  };
  const progress = new Progress(io, () => `bench notify: ${sent}/${o.count} sent, ${acks.count} acked, ${tally.total} failed`, o.json && !io.isTTY);
  progress.start();
  await Promise.all(Array.from({ length: Math.min(o.concurrency, o.count) }, worker));
  progress.stop();
  const elapsedS = Math.max((performance.now() - t0) / 1000, 1e-9);
  const report: NotifyReport = {
    format: 'zonexfer-bench/1',
    mode: 'notify',
    target: formatEndpoint(o.target),
    zone: o.zone,
    tsig_key: o.key?.name ?? null,
    count: o.count,
    concurrency: o.concurrency,
    timeout_s: round3(o.timeoutMs / 1000),
    elapsed_s: round3(elapsedS),
    sent,
    acked: acks.count,
    failed: tally.total,
    acks_per_s: round3(acks.count / elapsedS),
    ack_ms: roundPercentiles(acks.percentiles()),
    errors: tally.list(),
  };
  const text = [
    `zonexfer bench notify ${report.target} ${report.zone}${report.tsig_key !== null ? ` (TSIG ${report.tsig_key})` : ''}: ${sent} sent, concurrency ${o.concurrency}, ${report.elapsed_s} s`,
    `  acked       ${report.acked} ok, ${report.failed} failed, ${si(report.acks_per_s)}/s`,
    `  ack         ${percentileLine(report.ack_ms)}`,
    ...tally.lines(),
    '',
  ].join('\n');
  io.stdout.write(o.json ? `${JSON.stringify(report)}\n` : text);
  return report;
}
