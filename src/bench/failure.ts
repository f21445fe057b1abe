// BenchFailure: the closed set of ways one benchmark operation (a transfer, a NOTIFY, a query) can
// fail, with a detail line for the report. Failures are counted and reported, never retried.

/** BenchFailureKind names why an operation failed; the JSON report groups errors by it. */
export type BenchFailureKind =
  /** TCP connect refused, reset or unreachable. */
  | 'io'
  /** The per-operation timeout passed. */
  | 'timeout'
  /** The server closed the connection before the final SOA. */
  | 'closed'
  /** The server answered a non-zero RCODE (REFUSED, NOTAUTH, SERVFAIL, …). */
  | 'rcode'
  /** Octets that are not a DNS message, a wrong ID, or records where none may be. */
  | 'malformed'
  /** RFC 5936 §2.2: the first record is not the zone's SOA, or the last SOA differs. */
  | 'soa'
  /** RFC 1995 §4: the IXFR framing does not hold (wrong start serial, diffs that do not chain). */
  | 'ixfr'
  /** RFC 8945: a MAC does not verify, a message is unsigned where it must be signed, … */
  | 'tsig'
  /** The record count differs from an earlier transfer of the same serial. */
  | 'count';

/** BenchFailure is one failed operation. */
export interface BenchFailure {
  readonly kind: BenchFailureKind;
  readonly detail: string;
  /** rcode is the header RCODE for `kind: 'rcode'`. */
  readonly rcode?: number;
}

/** failure builds a BenchFailure. */
export function failure(kind: BenchFailureKind, detail: string, rcode?: number): BenchFailure {
  return rcode === undefined ? { kind, detail } : { kind, detail, rcode };
}
