// DnsStats: plain counters the server bumps on the hot path (responses per rcode, drops, TC,
// TCP connection accounting). No I/O and no timers; the metrics exporter reads `snapshot()`.
// Rcode names follow RFC 1035 §4.1.1, RFC 2136, RFC 6891 (BADVERS) and RFC 8945.

/** RCODE_NAMES maps a 12-bit rcode to its IANA mnemonic (16 is BADVERS here: the server never
 * sends BADSIG outside a TSIG RR, RFC 8945 §3). */
const RCODE_NAMES: readonly string[] = [
  'NOERROR', 'FORMERR', 'SERVFAIL', 'NXDOMAIN', 'NOTIMP', 'REFUSED', 'YXDOMAIN', 'YXRRSET',
  'NXRRSET', 'NOTAUTH', 'NOTZONE', 'RCODE11', 'RCODE12', 'RCODE13', 'RCODE14', 'RCODE15',
  'BADVERS', 'BADKEY', 'BADTIME', 'BADMODE', 'BADNAME', 'BADALG', 'BADTRUNC', 'BADCOOKIE',
];

/** DnsStatsSnapshot is a copy of the counters with rcodes by name (only non-zero ones). */
export interface DnsStatsSnapshot {
  readonly queries: { readonly udp: number; readonly tcp: number };
  readonly responses: Readonly<Record<string, number>>;
  readonly dropped: number;
  readonly truncated: number;
  readonly transfers: number;
  readonly internalErrors: number;
  readonly tcp: {
    readonly accepted: number;
    readonly rejected: number;
    readonly open: number;
    readonly idleClosed: number;
    /** evicted: idle connections closed to admit a new one at the global cap (RFC 7766 §6.2.3). */
    readonly evicted: number;
  };
}

/** DnsStats holds mutable counters; fields are bumped directly by the server code. */
export class DnsStats {
  udpQueries = 0;
  tcpQueries = 0;
  dropped = 0;
  truncated = 0;
  transfers = 0;
  internalErrors = 0;
  tcpAccepted = 0;
  tcpRejected = 0;
  tcpOpen = 0;
  tcpIdleClosed = 0;
  tcpEvicted = 0;
  /** byRcode[rcode] counts responses sent with that full (extended) rcode; index ≥ 24 is 'other'. */
  readonly byRcode: number[] = new Array<number>(25).fill(0);

  /** response counts one response with the given full rcode. */
  response(rcode: number): void {
    this.byRcode[rcode < 24 ? rcode : 24]!++;
  }

  /** snapshot copies the counters for export. */
  snapshot(): DnsStatsSnapshot {
    const responses: Record<string, number> = {};
    for (let i = 0; i < this.byRcode.length; i++) {
      const n = this.byRcode[i]!;
      if (n > 0) responses[RCODE_NAMES[i] ?? 'OTHER'] = n;
    }
    return {
      queries: { udp: this.udpQueries, tcp: this.tcpQueries },
      responses,
      dropped: this.dropped,
      truncated: this.truncated,
      transfers: this.transfers,
      internalErrors: this.internalErrors,
      tcp: { accepted: this.tcpAccepted, rejected: this.tcpRejected, open: this.tcpOpen, idleClosed: this.tcpIdleClosed, evicted: this.tcpEvicted },
    };
  }
}

/** rcodeName renders a full rcode for logs. */
export function rcodeName(rcode: number): string {
  return RCODE_NAMES[rcode] ?? `RCODE${rcode}`;
}
