// `zonexfer bench query`: a small UDP query load. Names come from one AXFR of the zone first (a
// uniform sample of up to 10 000 owners of A records, read only when sampled), or with --random
// (or when that AXFR fails) are invented under the zone (NXDOMAIN answers). Keeps --concurrency
// queries outstanding on one socket for --duration, each answer or --timeout freeing a slot; lost
// queries are counted, never resent. Reports QPS, latency percentiles and RCODEs.
//
// This is a smoke test, not a load generator: one Node socket tops out well below what an
// authoritative server answers. For serious query load use DNS-OARC dnsperf (Debian `dnsperf`):
//   zonexfer serve --dns 127.0.0.1:5300 --zone-file example.com=example.com.zone --allow-transfer 127.0.0.1/32
//   printf 'www.example.com A\nexample.com SOA\n' > queries.txt      # one "NAME TYPE" per line
//   dnsperf -s 127.0.0.1 -p 5300 -d queries.txt -l 30 -c 4 -T 2 -q 100
// and `npm run bench -- --scenario queries` runs that side by side with knotd and nsd (bench/).
//
// `--json` prints one object (stable field names; latencies in ms from send to answer):
//   format          "zonexfer-bench/1"
//   mode            "query"
//   server, zone    "HOST:PORT", absolute zone name
//   names           {"source": "axfr" | "random", "count": distinct names queried}
//   concurrency, duration_s, timeout_s
//   stopped_by      "duration" | "signal"
//   elapsed_s       first send to last answer or timeout
//   sent, answered, lost
//   qps             answered / elapsed_s
//   latency_ms      {"p50", "p90", "p99", "max"} over answered queries
//   rcodes          {"NOERROR": n, "NXDOMAIN": n, …}
//   errors          [{"kind", "count", "example"}] (the name-collecting AXFR, socket errors)

import { randomBytes, randomInt } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { isIPv6 } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { TsigKey } from '../tsig/index.js';
import { Flag, RRType, type DomainName, nameFromTrusted, rcodeOf, readName } from '../wire/index.js';
import { type Result, ok, err } from '../wire/result.js';
import { buildQuery } from '../xfr/in/client.js';
import { failure } from './failure.js';
import { type Endpoint, formatEndpoint, parseCount, parseDuration, parseEndpoint, parseFlags, parseTsigSpec, parseZone } from './options.js';
import { type BenchIO, ErrorTally, Progress, percentileLine, si } from './report.js';
import { Samples, round3, roundPercentiles } from './stats.js';
import { READ_BUFFER_SIZE, runTransfer } from './transfer.js';
import { rcodeName } from './transfer-check.js';

/** MAX_NAMES bounds the sample of names read from the AXFR. */
export const MAX_NAMES = 10_000;

/** QueryBenchOptions are the parsed flags of `bench query`. */
export interface QueryBenchOptions {
  readonly server: Endpoint;
  readonly zone: DomainName;
  readonly key: TsigKey | undefined;
  readonly durationMs: number;
  readonly concurrency: number;
  readonly timeoutMs: number;
  readonly random: boolean;
  readonly json: boolean;
}

export const QUERY_USAGE = `Usage: zonexfer bench query --server HOST:PORT --zone NAME [options]

A small UDP query load (A queries); for serious load use dnsperf (see src/bench/query.ts).
  --server HOST:PORT     server to query (port 53 when omitted)
  --zone NAME            zone whose names are queried
  --duration D           how long to send (default 10s)
  --concurrency N        queries outstanding at once (default 10)
  --timeout D            an unanswered query counts as lost after D (default 2s)
  --random               query invented names under the zone instead of names from an AXFR
  --tsig ALG:NAME:SECRET key for the AXFR that collects names (queries are unsigned)
  --json                 print one JSON object (fields documented in src/bench/query.ts)
`;

const FLAGS = { server: 'value', zone: 'value', tsig: 'value', duration: 'value', concurrency: 'value', timeout: 'value', random: 'bool', json: 'bool' } as const;

/** parseQueryArgs reads the flags of `bench query`; one error line on bad input. */
export function parseQueryArgs(args: readonly string[]): Result<QueryBenchOptions, string> {
  const f = parseFlags(args, FLAGS);
  if (!f.ok) return f;
  const get = (k: string) => f.value.get(k);
  if (get('server') === undefined) return err('--server HOST:PORT is required');
  if (get('zone') === undefined) return err('--zone NAME is required');
  const server = parseEndpoint(get('server')!, 'server');
  if (!server.ok) return server;
  const zone = parseZone(get('zone')!, 'zone');
  if (!zone.ok) return zone;
  const key = get('tsig') === undefined ? undefined : parseTsigSpec(get('tsig')!, 'tsig');
  if (key !== undefined && !key.ok) return key;
  const duration = parseDuration(get('duration') ?? '10s', 'duration');
  if (!duration.ok) return duration;
  const concurrency = parseCount(get('concurrency') ?? '10', 'concurrency', 1, 4096);
  if (!concurrency.ok) return concurrency;
  const timeout = parseDuration(get('timeout') ?? '2s', 'timeout');
  if (!timeout.ok) return timeout;
  return ok({
    server: server.value, zone: zone.value, key: key?.value, durationMs: duration.value, concurrency: concurrency.value, timeoutMs: timeout.value,
    random: get('random') !== undefined, json: get('json') !== undefined,
  });
}

/** QueryReport is the JSON object `--json` prints (see the file header). */
export interface QueryReport {
  readonly format: 'zonexfer-bench/1';
  readonly mode: 'query';
  readonly server: string;
  readonly zone: string;
  readonly names: { source: 'axfr' | 'random'; count: number };
  readonly concurrency: number;
  readonly duration_s: number;
  readonly timeout_s: number;
  readonly stopped_by: 'duration' | 'signal';
  readonly elapsed_s: number;
  readonly sent: number;
  readonly answered: number;
  readonly lost: number;
  readonly qps: number;
  readonly latency_ms: { p50: number; p90: number; p99: number; max: number };
  readonly rcodes: Record<string, number>;
  readonly errors: { kind: string; count: number; example: string }[];
}

/**
 * sampleNames pulls the zone once and returns a uniform sample (reservoir) of up to MAX_NAMES
 * distinct owners of A records; a name is decoded only when it enters the sample.
 */
async function sampleNames(o: QueryBenchOptions, tally: ErrorTally): Promise<DomainName[] | undefined> {
  const sample: DomainName[] = [];
  let seen = 0;
  const r = await runTransfer(
    {
      host: o.server.host, port: o.server.port, origin: o.zone, qtype: RRType.AXFR, key: o.key, timeoutMs: Math.max(o.timeoutMs, 60_000),
      onRecord: (msg, owner, type) => {
        if (type !== RRType.A) return;
        seen++;
        if (sample.length < MAX_NAMES) sample.push(readName(msg, owner));
        else {
          const j = randomInt(0, seen);
          if (j < MAX_NAMES) sample[j] = readName(msg, owner);
        }
      },
    },
    new Uint8Array(READ_BUFFER_SIZE),
  );
  if (!r.ok) {
    tally.add(failure(r.failure.kind, `AXFR for names: ${r.failure.detail}`, r.failure.rcode));
    return undefined;
  }
  const distinct = [...new Set(sample)];
  return distinct.length > 0 ? distinct : undefined;
}

function randomNames(zone: DomainName, n: number): DomainName[] {
  const suffix = zone === '.' ? '' : zone;
  return Array.from({ length: n }, () => nameFromTrusted(`zx-${randomBytes(6).toString('hex')}.${suffix}`));
}

/** runQuery runs `bench query`; `signal` stops sending (outstanding queries finish or time out). */
export async function runQuery(o: QueryBenchOptions, io: BenchIO, signal?: AbortSignal): Promise<QueryReport> {
  const tally = new ErrorTally();
  let names = o.random ? undefined : await sampleNames(o, tally);
  const source: 'axfr' | 'random' = names === undefined ? 'random' : 'axfr';
  if (names === undefined) {
    if (!o.random) io.stderr.write('bench query: no names from an AXFR, querying invented names (NXDOMAIN)\n');
    names = randomNames(o.zone, 1000);
  }
  // One query per name, built once with ID 0; each send copies it and sets the ID.
  const templates = names.map((n) => Buffer.from(buildQuery(n, RRType.A, 0, undefined, 0).message));

  const latency = new Samples();
  const rcodes = new Map<number, number>();
  const sentAt = new Float64Array(0x10000);
  const inflight = new Set<number>();
  let nextId = randomInt(0, 0x10000);
  let sent = 0;
  let lost = 0;
  let stoppedBy: QueryReport['stopped_by'] = 'duration';
  const sock = createSocket(isIPv6(o.server.host) ? 'udp6' : 'udp4');
  // A connected socket: answers from any other address are dropped by the kernel.
  const connected = await new Promise<Error | undefined>((res) => {
    sock.once('error', res);
    sock.connect(o.server.port, o.server.host, () => {
      sock.off('error', res);
      res(undefined);
    });
  });
  if (connected !== undefined) tally.add(failure('io', connected.message));
  const t0 = performance.now();
  const deadline = t0 + o.durationMs;
  const progress = new Progress(
    io,
    () => {
      const s = (performance.now() - t0) / 1000;
      return `bench query ${s.toFixed(1)}s: ${sent} sent, ${latency.count} answered, ${lost} lost, ${si(latency.count / s)} QPS`;
    },
    o.json && !io.isTTY,
  );
  progress.start();

  const report = await new Promise<QueryReport>((resolve) => {
    let finished = false;
    const sending = (): boolean => {
      if (signal?.aborted === true) stoppedBy = 'signal';
      return connected === undefined && signal?.aborted !== true && performance.now() < deadline;
    };
    const send = (): void => {
      if (!sending()) return;
      if (inflight.size >= 0xffff) return;
      while (inflight.has(nextId)) nextId = (nextId + 1) & 0xffff;
      const id = nextId;
      nextId = (nextId + 1) & 0xffff;
      const q = Buffer.from(templates[sent % templates.length]!);
      q[0] = id >>> 8;
      q[1] = id & 0xff;
      inflight.add(id);
      sentAt[id] = performance.now();
      sent++;
      sock.send(q);
    };
    const settle = (): void => {
      if (finished || inflight.size > 0 || sending()) return;
      finished = true;
      clearInterval(sweep);
      sock.close();
      resolve(summarise());
    };
    sock.on('message', (buf) => {
      if (buf.length < 12) return;
      const id = (buf[0]! << 8) | buf[1]!;
      const flags = (buf[2]! << 8) | buf[3]!;
      if ((flags & Flag.QR) === 0 || !inflight.delete(id)) return;
      latency.add(performance.now() - sentAt[id]!);
      const rc = rcodeOf(flags);
      rcodes.set(rc, (rcodes.get(rc) ?? 0) + 1);
      send();
      settle();
    });
    sock.on('error', (e) => {
      tally.add(failure('io', e.message));
    });
    // Lost queries: freed after the timeout, their slot reused. Also ends the run when idle.
    const sweep = setInterval(() => {
      const limit = performance.now() - o.timeoutMs;
      for (const id of inflight) {
        if (sentAt[id]! > limit) continue;
        inflight.delete(id);
        lost++;
        send();
      }
      settle();
    }, Math.min(100, o.timeoutMs / 4));
    for (let i = 0; i < o.concurrency; i++) send();
  });

  function summarise(): QueryReport {
    const elapsedS = Math.max((performance.now() - t0) / 1000, 1e-9);
    return {
      format: 'zonexfer-bench/1',
      mode: 'query',
      server: formatEndpoint(o.server),
      zone: o.zone,
      names: { source, count: templates.length },
      concurrency: o.concurrency,
      duration_s: round3(o.durationMs / 1000),
      timeout_s: round3(o.timeoutMs / 1000),
      stopped_by: stoppedBy,
      elapsed_s: round3(elapsedS),
      sent,
      answered: latency.count,
      lost,
      qps: round3(latency.count / elapsedS),
      latency_ms: roundPercentiles(latency.percentiles()),
      rcodes: Object.fromEntries([...rcodes].sort((a, b) => a[0] - b[0]).map(([k, v]) => [rcodeName(k), v])),
      errors: tally.list(),
    };
  }
  progress.stop();
  const text = [
    `zonexfer bench query ${report.server} ${report.zone}: ${report.names.count} names (${source}), concurrency ${o.concurrency}, ${report.elapsed_s} s`,
    `  queries     ${report.sent} sent, ${report.answered} answered, ${report.lost} lost, ${si(report.qps)} QPS`,
    `  latency     ${percentileLine(report.latency_ms)}`,
    `  rcodes      ${Object.entries(report.rcodes).map(([k, v]) => `${k} ${v}`).join(', ') || 'none'}`,
    ...tally.lines(),
    '  (a smoke test: for serious query load use dnsperf, see src/bench/query.ts)',
    '',
  ].join('\n');
  io.stdout.write(o.json ? `${JSON.stringify(report)}\n` : text);
  return report;
}
