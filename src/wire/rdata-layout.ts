// Where domain names sit inside the RDATA of the types that may carry compressed names, so the
// reader can expand them and the writer can compress them. RFC 3597 §4: only the RFC 1035 types
// are compressed on output; RP, AFSDB, RT, SIG, PX, NXT, NAPTR and SRV are expanded on input but
// never compressed. Every other type is opaque octets here (presentation is src/zone's business).

import { RRType } from './constants.js';

/**
 * RdataToken: 'N' a name that may be compressed on output, 'D' a name expanded on input only,
 * 'C' a character-string (length octet + data), a number: that many fixed octets.
 * Octets after the last token are copied as they are.
 */
export type RdataToken = 'N' | 'D' | 'C' | number;

const T = RRType;

/** NAME_LAYOUT gives the token list for each type whose RDATA holds names subject to compression. */
export const NAME_LAYOUT: ReadonlyMap<number, readonly RdataToken[]> = new Map<number, readonly RdataToken[]>([
  [T.NS, ['N']], [T.MD, ['N']], [T.MF, ['N']], [T.CNAME, ['N']], [T.MB, ['N']], [T.MG, ['N']],
  [T.MR, ['N']], [T.PTR, ['N']], [T.SOA, ['N', 'N', 20]], [T.MINFO, ['N', 'N']], [T.MX, [2, 'N']],
  [T.RP, ['D', 'D']], [T.AFSDB, [2, 'D']], [T.RT, [2, 'D']], [T.PX, [2, 'D', 'D']],
  [T.SIG, [18, 'D']], [T.NXT, ['D']], [T.NAPTR, [2, 2, 'C', 'C', 'C', 'D']], [T.SRV, [6, 'D']],
]);

/** FIXED_LENGTH lists types whose RDATA has one valid length (RFC 1035 §3.4.1, RFC 3596 §2.2). */
export const FIXED_LENGTH: ReadonlyMap<number, number> = new Map([[T.A, 4], [T.AAAA, 16]]);

/** hasCompressibleNames is true for the RFC 1035 types whose names the writer compresses. */
export function hasCompressibleNames(type: number): boolean {
  const layout = NAME_LAYOUT.get(type);
  return layout !== undefined && layout.includes('N');
}
