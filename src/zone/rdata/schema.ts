// The RDATA schema: one entry per RR type with a presentation form, listing its fields in wire
// order (kinds in fields.ts) or naming a custom codec. Types absent here (NULL, WKS, HIP, ...)
// only have the RFC 3597 `\#` form. Field lists follow the defining RFCs, cited per line.
// `portable: false` marks types some widely deployed readers (Knot DNS 3.2) do not know by name;
// the zone-file printer writes those as `TYPEnnn \# ...` by default so every reader loads them.

import { RRType as T } from '../../wire/index.js';
import type { FieldKind } from './fields.js';
import { type CustomCodec, IPSECKEY, LOC } from './special.js';

/** TypeSchema describes one type's RDATA presentation. */
export interface TypeSchema {
  readonly fields: readonly (FieldKind | 'svcparams')[] | CustomCodec;
  readonly portable: boolean;
}

const f = (...fields: (FieldKind | 'svcparams')[]): TypeSchema => ({ fields, portable: true });
const np = (s: TypeSchema): TypeSchema => ({ ...s, portable: false });

const DS = f('u16', 'alg', 'u8', 'hex-rest'); // RFC 4034 §5.3
const DNSKEY = f('u16', 'u8', 'alg', 'b64-rest'); // RFC 4034 §2.2
const TLSA = f('u8', 'u8', 'u8', 'hex-rest'); // RFC 6698 §2.2
const SVCB = f('u16', 'name', 'svcparams'); // RFC 9460 §2.1

/** SCHEMA maps an RR type number to its presentation schema. */
export const SCHEMA: ReadonlyMap<number, TypeSchema> = new Map<number, TypeSchema>([
  [T.A, f('ipv4')], // RFC 1035 §3.4.1
  [T.NS, f('name')], // RFC 1035 §3.3.11
  [T.CNAME, f('name')], // RFC 1035 §3.3.1
  [T.SOA, f('name', 'name', 'serial', 'ttl', 'ttl', 'ttl', 'ttl')], // RFC 1035 §3.3.13
  [T.PTR, f('name')], // RFC 1035 §3.3.12
  [T.HINFO, f('cstr', 'cstr')], // RFC 1035 §3.3.2
  [T.MINFO, f('name', 'name')], // RFC 1035 §3.3.7
  [T.MX, f('u16', 'name')], // RFC 1035 §3.3.9
  [T.TXT, f('cstrs-rest')], // RFC 1035 §3.3.14
  [T.RP, f('name', 'name')], // RFC 1183 §2.2
  [T.AFSDB, f('u16', 'name')], // RFC 1183 §1
  [T.RT, f('u16', 'name')], // RFC 1183 §3.3
  [T.KEY, f('u16', 'u8', 'alg', 'b64opt-rest')], // RFC 2535 §7.1 (key absent with NOKEY flags)
  [T.PX, np(f('u16', 'name', 'name'))], // RFC 2163 §4
  [T.AAAA, f('ipv6')], // RFC 3596 §2.4
  [T.LOC, { fields: LOC, portable: true }], // RFC 1876 §3
  [T.SRV, f('u16', 'u16', 'u16', 'name')], // RFC 2782
  [T.NAPTR, f('u16', 'u16', 'cstr', 'cstr', 'cstr', 'name')], // RFC 3403 §4.1
  [T.KX, f('u16', 'name')], // RFC 2230 §5
  [T.CERT, f('certtype', 'u16', 'alg', 'b64-rest')], // RFC 4398 §2.2
  [T.DNAME, f('name')], // RFC 6672 §2.5
  [T.APL, f('apl-rest')], // RFC 3123 §5
  [T.DS, DS],
  [T.SSHFP, f('u8', 'u8', 'hex-rest')], // RFC 4255 §3.2
  [T.IPSECKEY, { fields: IPSECKEY, portable: true }], // RFC 4025 §3
  [T.RRSIG, f('type', 'alg', 'u8', 'ttl', 'time', 'time', 'u16', 'name', 'b64-rest')], // RFC 4034 §3.2
  [T.NSEC, f('name', 'bitmap-rest')], // RFC 4034 §4.2
  [T.DNSKEY, DNSKEY],
  [T.DHCID, f('b64-rest')], // RFC 4701 §4
  [T.NSEC3, f('u8', 'u8', 'u16', 'salt', 'b32hash', 'bitmap-rest')], // RFC 5155 §3.3
  [T.NSEC3PARAM, f('u8', 'u8', 'u16', 'salt')], // RFC 5155 §4.3
  [T.TLSA, TLSA],
  [T.SMIMEA, TLSA], // RFC 8162 §2
  [T.CDS, DS], // RFC 7344 §3.1
  [T.CDNSKEY, DNSKEY], // RFC 7344 §3.2
  [T.OPENPGPKEY, f('b64-rest')], // RFC 7929 §2.3
  [T.CSYNC, f('u32', 'u16', 'bitmap-rest')], // RFC 7477 §2.2
  [T.ZONEMD, f('u32', 'u8', 'u8', 'hex-rest')], // RFC 8976 §2.3
  [T.SVCB, SVCB],
  [T.HTTPS, SVCB], // RFC 9460 §9
  [T.SPF, f('cstrs-rest')], // RFC 4408 §3.1.1
  [T.NID, f('u16', 'l64')], // RFC 6742 §2.1
  [T.L32, f('u16', 'ipv4')], // RFC 6742 §2.2
  [T.L64, f('u16', 'l64')], // RFC 6742 §2.3
  [T.LP, f('u16', 'name')], // RFC 6742 §2.4
  [T.EUI48, f('eui48')], // RFC 7043 §3
  [T.EUI64, f('eui64')], // RFC 7043 §4
  [T.URI, f('u16', 'u16', 'octets-rest')], // RFC 7553 §4
  [T.CAA, f('u8', 'caatag', 'octets-rest')], // RFC 8659 §4.1.1
  [T.TA, np(DS)], // DNSSEC Trust Authorities (IANA), DS layout
  [T.DLV, np(DS)], // RFC 4431 §2
]);

/**
 * isMetaType is true for types that never appear in zone data: OPT (RFC 6891 §6.1.1), type 0
 * and the Q/Meta range 128..255 (RFC 6895 §3.1: TKEY, TSIG, IXFR, AXFR, MAILB, MAILA, ANY).
 */
export function isMetaType(type: number): boolean {
  return type === 0 || type === T.OPT || (type >= 128 && type <= 255);
}
