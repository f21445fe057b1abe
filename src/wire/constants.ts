// Protocol constants under their RFC names: RR types, classes, opcodes, rcodes, header flags.
// Pure data, no logic. Sources: RFC 1035 §3.2, IANA "DNS Parameters" registry.

/** RRType maps mnemonic names to TYPE numbers (IANA registry). */
export const RRType = {
  A: 1, NS: 2, MD: 3, MF: 4, CNAME: 5, SOA: 6, MB: 7, MG: 8, MR: 9, NULL: 10, WKS: 11, PTR: 12,
  HINFO: 13, MINFO: 14, MX: 15, TXT: 16, RP: 17, AFSDB: 18, X25: 19, ISDN: 20, RT: 21, NSAP: 22,
  SIG: 24, KEY: 25, PX: 26, GPOS: 27, AAAA: 28, LOC: 29, NXT: 30, SRV: 33, NAPTR: 35, KX: 36,
  CERT: 37, DNAME: 39, OPT: 41, APL: 42, DS: 43, SSHFP: 44, IPSECKEY: 45, RRSIG: 46, NSEC: 47,
  DNSKEY: 48, DHCID: 49, NSEC3: 50, NSEC3PARAM: 51, TLSA: 52, SMIMEA: 53, HIP: 55, CDS: 59,
  CDNSKEY: 60, OPENPGPKEY: 61, CSYNC: 62, ZONEMD: 63, SVCB: 64, HTTPS: 65, SPF: 99, NID: 104,
  L32: 105, L64: 106, LP: 107, EUI48: 108, EUI64: 109, TKEY: 249, TSIG: 250, IXFR: 251,
  AXFR: 252, MAILB: 253, MAILA: 254, ANY: 255, URI: 256, CAA: 257, AVC: 258, DOA: 259,
  AMTRELAY: 260, RESINFO: 261, TA: 32768, DLV: 32769,
} as const;

export type RRTypeName = keyof typeof RRType;

const typeNames = new Map<number, string>(Object.entries(RRType).map(([k, v]) => [v, k]));

/** typeToString returns the mnemonic, or `TYPEnnn` (RFC 3597 §5) for types without one. */
export function typeToString(type: number): string {
  return typeNames.get(type) ?? `TYPE${type}`;
}

/** typeFromString parses a mnemonic or `TYPEnnn`; undefined when it is neither. */
export function typeFromString(text: string): number | undefined {
  const upper = text.toUpperCase();
  const known = (RRType as Record<string, number>)[upper];
  if (known !== undefined) return known;
  const m = /^TYPE(\d{1,5})$/.exec(upper);
  if (m?.[1] === undefined) return undefined;
  const n = Number(m[1]);
  return n <= 0xffff ? n : undefined;
}

/** RRClass: RFC 1035 §3.2.4 classes plus the QCLASS values of §3.2.5 and RFC 2136 NONE. */
export const RRClass = { IN: 1, CH: 3, HS: 4, NONE: 254, ANY: 255 } as const;

/** classToString returns the mnemonic or `CLASSnnn` (RFC 3597 §5). */
export function classToString(cls: number): string {
  for (const [k, v] of Object.entries(RRClass)) if (v === cls) return k;
  return `CLASS${cls}`;
}

/** classFromString parses a class mnemonic or `CLASSnnn`. */
export function classFromString(text: string): number | undefined {
  const upper = text.toUpperCase();
  const known = (RRClass as Record<string, number>)[upper];
  if (known !== undefined) return known;
  const m = /^CLASS(\d{1,5})$/.exec(upper);
  if (m?.[1] === undefined) return undefined;
  const n = Number(m[1]);
  return n <= 0xffff ? n : undefined;
}

/** Opcode: RFC 1035 §4.1.1, RFC 1996 (NOTIFY), RFC 2136 (UPDATE). */
export const Opcode = { Query: 0, IQuery: 1, Status: 2, Notify: 4, Update: 5, DSO: 6 } as const;

/** Rcode: RFC 1035 §4.1.1, RFC 2136, RFC 6891 (BADVERS), RFC 8945 (TSIG errors). */
export const Rcode = {
  NoError: 0, FormErr: 1, ServFail: 2, NXDomain: 3, NotImp: 4, Refused: 5, YXDomain: 6,
  YXRRSet: 7, NXRRSet: 8, NotAuth: 9, NotZone: 10, BadVers: 16, BadSig: 16, BadKey: 17,
  BadTime: 18, BadMode: 19, BadName: 20, BadAlg: 21, BadTrunc: 22, BadCookie: 23,
} as const;

/** Header flag bits within the 16-bit flags word (RFC 1035 §4.1.1, RFC 4035 §3.2 for AD/CD). */
export const Flag = {
  QR: 0x8000, AA: 0x0400, TC: 0x0200, RD: 0x0100, RA: 0x0080, AD: 0x0020, CD: 0x0010,
} as const;

/** opcodeOf extracts the opcode from a flags word. */
export function opcodeOf(flags: number): number {
  return (flags >>> 11) & 0xf;
}

/** rcodeOf extracts the 4-bit header rcode from a flags word. */
export function rcodeOf(flags: number): number {
  return flags & 0xf;
}

/** EDNS option codes used here (RFC 6891 §6.1.2, RFC 7873, RFC 7828). */
export const EdnsOption = { NSID: 3, ClientSubnet: 8, Cookie: 10, TcpKeepalive: 11, Padding: 12 } as const;

/** Maximum size of a DNS message over TCP (RFC 1035 §4.2.2 two-octet length). */
export const MAX_TCP_MESSAGE = 65535;
/** RFC 1035 §2.3.4: a UDP message without EDNS is at most 512 octets. */
export const MAX_UDP_CLASSIC = 512;
