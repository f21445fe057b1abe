// Metrics: zonexfer's Prometheus series on a per-process prom-client Registry (never the global
// default), so a test can run several instances in one process. Two kinds of source:
//   - events, counted as they happen: transfers in/out, NOTIFY in/out, TSIG failures
//     (src/metrics/bind.ts subscribes to the engine's events);
//   - state, read only when scraped through collect(): the DNS server's DnsStats counters (no
//     per-query cost) and the served zones (serial, refresh age, expiry).
//
// Cardinality: series with `zone`/`zone_id` and `peer` grow with zones × peers × label values, a
// handful per configured (zone, peer) pair; an operator with very many zones pays for that in the
// scraper. Refused requests carry no peer (and no zone unless it is ours) since anyone can send
// them; the duration histogram has no zone or peer label at all (its buckets multiply the cost).
// See docs/operations.md for the list.

import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { DnsStatsSnapshot } from '../server/stats.js';

/** TransferSample is one finished AXFR/IXFR exchange (structurally the engine's TransferObserved). */
export interface TransferSample {
  readonly zoneId: string;
  readonly zone: string;
  readonly dir: 'in' | 'out';
  readonly type: 'AXFR' | 'IXFR';
  readonly peer: string;
  readonly result: string;
  readonly ms: number;
  readonly bytes: number;
  readonly records: number;
}

/** NotifySample is one NOTIFY received or sent. */
export interface NotifySample {
  readonly zoneId: string;
  readonly zone: string;
  readonly dir: 'in' | 'out';
  readonly peer: string;
  readonly result: string;
}

/** TsigFailureSample is one request whose TSIG did not verify. */
export interface TsigFailureSample {
  readonly error: string;
  readonly reason: string;
}

/** ZoneSample is one served zone when scraped. */
export interface ZoneSample {
  readonly id: string;
  readonly origin: string;
  readonly role: string;
  readonly serial: number;
  readonly expired: boolean;
  /** lastRefreshOk: ms time of the last successful refresh (secondaries), else undefined. */
  readonly lastRefreshOk: number | undefined;
}

export interface MetricsOptions {
  /** defaultMetrics: also export prom-client's process_* and nodejs_* series (default true). */
  readonly defaultMetrics?: boolean;
  /** now in ms, for the refresh age (default Date.now). */
  readonly now?: () => number;
}

/** DURATION_BUCKETS (seconds): a small IXFR to a 15-minute AXFR (the default overall timeout). */
const DURATION_BUCKETS = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900];

/** Metrics owns the registry and every zonexfer series. */
export class Metrics {
  readonly registry = new Registry();
  private dnsSource: (() => DnsStatsSnapshot) | undefined;
  private zoneSource: (() => Iterable<ZoneSample>) | undefined;
  private readonly transfers: Counter<'zone' | 'zone_id' | 'peer' | 'direction' | 'type' | 'result'>;
  private readonly transferBytes: Counter<'zone' | 'zone_id' | 'peer' | 'direction' | 'type'>;
  private readonly transferRecords: Counter<'zone' | 'zone_id' | 'peer' | 'direction' | 'type'>;
  private readonly transferSeconds: Histogram<'direction' | 'type' | 'result'>;
  private readonly notifies: Counter<'zone' | 'zone_id' | 'peer' | 'direction' | 'result'>;
  private readonly tsigFailures: Counter<'error' | 'reason'>;

  constructor(o: MetricsOptions = {}) {
    const registers = [this.registry];
    const now = o.now ?? Date.now;
    if (o.defaultMetrics !== false) collectDefaultMetrics({ register: this.registry });
    this.transfers = new Counter({
      name: 'zonexfer_transfers_total',
      help: 'Zone transfers (one AXFR or IXFR exchange) by zone, peer, direction, type and result (success, failure, refused, aborted).',
      labelNames: ['zone', 'zone_id', 'peer', 'direction', 'type', 'result'],
      registers,
    });
    this.transferBytes = new Counter({
      name: 'zonexfer_transfer_bytes_total',
      help: 'Octets on the wire of completed zone transfers (TCP length prefixes included).',
      labelNames: ['zone', 'zone_id', 'peer', 'direction', 'type'],
      registers,
    });
    this.transferRecords = new Counter({
      name: 'zonexfer_transfer_records_total',
      help: 'Resource records on the wire of completed zone transfers (the SOA framing included).',
      labelNames: ['zone', 'zone_id', 'peer', 'direction', 'type'],
      registers,
    });
    this.transferSeconds = new Histogram({
      name: 'zonexfer_transfer_duration_seconds',
      help: 'Duration of zone transfers by direction, type and result (no zone label: bounded cost).',
      labelNames: ['direction', 'type', 'result'],
      buckets: DURATION_BUCKETS,
      registers,
    });
    this.notifies = new Counter({
      name: 'zonexfer_notifies_total',
      help: 'NOTIFY messages received (direction in) or sent to one peer (out), by result (success, failure, refused).',
      labelNames: ['zone', 'zone_id', 'peer', 'direction', 'result'],
      registers,
    });
    this.tsigFailures = new Counter({
      name: 'zonexfer_tsig_failures_total',
      help: 'Requests whose TSIG did not verify (RFC 8945 5.2), by answer (BADKEY, BADSIG, BADTIME, BADTRUNC, FORMERR) and reason.',
      labelNames: ['error', 'reason'],
      registers,
    });

    // DNS server counters: copied from DnsStats when scraped.
    const dns = () => this.dnsSource?.();
    new Counter({
      name: 'zonexfer_dns_queries_total',
      help: 'DNS requests received, by transport.',
      labelNames: ['transport'],
      registers,
      collect() {
        const s = dns();
        this.reset();
        if (s === undefined) return;
        this.inc({ transport: 'udp' }, s.queries.udp);
        this.inc({ transport: 'tcp' }, s.queries.tcp);
      },
    });
    new Counter({
      name: 'zonexfer_dns_responses_total',
      help: 'DNS responses sent, by rcode (transfer streams over TCP are counted in zonexfer_transfers_total instead).',
      labelNames: ['rcode'],
      registers,
      collect() {
        const s = dns();
        this.reset();
        if (s === undefined) return;
        for (const [rcode, n] of Object.entries(s.responses)) this.inc({ rcode }, n);
      },
    });
    const dnsCounter = (name: string, help: string, read: (s: DnsStatsSnapshot) => number) =>
      new Counter({
        name,
        help,
        registers,
        collect() {
          const s = dns();
          this.reset();
          if (s !== undefined) this.inc(read(s));
        },
      });
    dnsCounter('zonexfer_dns_dropped_total', 'DNS requests dropped without an answer (malformed, over the size limit).', (s) => s.dropped);
    dnsCounter('zonexfer_dns_truncated_total', 'DNS responses sent truncated (TC) over UDP.', (s) => s.truncated);
    dnsCounter('zonexfer_dns_internal_errors_total', 'DNS requests that hit an internal error (answered SERVFAIL).', (s) => s.internalErrors);
    dnsCounter('zonexfer_dns_tcp_rejected_total', 'DNS TCP connections refused by the connection limits.', (s) => s.tcp.rejected);
    dnsCounter('zonexfer_dns_tcp_evicted_total', 'Idle DNS TCP connections closed to admit new ones at the global limit.', (s) => s.tcp.evicted);
    new Gauge({
      name: 'zonexfer_dns_tcp_connections',
      help: 'DNS TCP connections open now.',
      registers,
      collect() {
        this.set(dns()?.tcp.open ?? 0);
      },
    });

    // Served zones: read from the engine when scraped.
    const zones = () => [...(this.zoneSource?.() ?? [])];
    new Gauge({
      name: 'zonexfer_zone_serial',
      help: 'SOA serial of the version each zone serves.',
      labelNames: ['zone', 'zone_id', 'role'],
      registers,
      collect() {
        this.reset();
        for (const z of zones()) this.set({ zone: z.origin, zone_id: z.id, role: z.role }, z.serial);
      },
    });
    new Gauge({
      name: 'zonexfer_zone_seconds_since_refresh',
      help: 'Seconds since the last successful refresh of each secondary zone (absent before the first one).',
      labelNames: ['zone', 'zone_id'],
      registers,
      collect() {
        this.reset();
        const t = now();
        for (const z of zones()) {
          if (z.lastRefreshOk !== undefined) this.set({ zone: z.origin, zone_id: z.id }, Math.max(0, (t - z.lastRefreshOk) / 1000));
        }
      },
    });
    new Gauge({
      name: 'zonexfer_zones',
      help: 'Zones served, by role.',
      labelNames: ['role'],
      registers,
      collect() {
        this.reset();
        const byRole = new Map<string, number>([['primary', 0], ['secondary', 0]]);
        for (const z of zones()) byRole.set(z.role, (byRole.get(z.role) ?? 0) + 1);
        for (const [role, n] of byRole) this.set({ role }, n);
      },
    });
    new Gauge({
      name: 'zonexfer_zones_expired',
      help: 'Secondary zones past their SOA EXPIRE without a successful refresh (answering SERVFAIL).',
      registers,
      collect() {
        this.set(zones().filter((z) => z.expired).length);
      },
    });
  }

  /** watchDns makes the DNS series read `source` when scraped (the running server's stats). */
  watchDns(source: () => DnsStatsSnapshot): void {
    this.dnsSource = source;
  }

  /** watchZones makes the zone series read `source` when scraped (engine.zoneStatus). */
  watchZones(source: () => Iterable<ZoneSample>): void {
    this.zoneSource = source;
  }

  /** transfer counts one transfer exchange. */
  transfer(s: TransferSample): void {
    const labels = { zone: s.zone, zone_id: s.zoneId, peer: s.peer, direction: s.dir, type: s.type };
    this.transfers.inc({ ...labels, result: s.result });
    if (s.bytes > 0) this.transferBytes.inc(labels, s.bytes);
    if (s.records > 0) this.transferRecords.inc(labels, s.records);
    this.transferSeconds.observe({ direction: s.dir, type: s.type, result: s.result }, s.ms / 1000);
  }

  /** notify counts one NOTIFY. */
  notify(s: NotifySample): void {
    this.notifies.inc({ zone: s.zone, zone_id: s.zoneId, peer: s.peer, direction: s.dir, result: s.result });
  }

  /** tsigFailure counts one request whose TSIG did not verify. */
  tsigFailure(s: TsigFailureSample): void {
    this.tsigFailures.inc({ error: s.error, reason: s.reason });
  }

  /** contentType is the exposition format's Content-Type (Prometheus text 0.0.4). */
  get contentType(): string {
    return this.registry.contentType;
  }

  /** render returns the exposition text of every series. */
  render(): Promise<string> {
    return this.registry.metrics();
  }
}
