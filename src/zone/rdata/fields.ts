// Field kinds: the building blocks the type table (schema.ts) lists per RR type, each with a
// parser (tokens → octets) and a strict formatter (octets → tokens) that throws Malformed on any
// octets it could not reproduce exactly. Citations sit with each kind.

import { type DomainName, nameToWire, typeFromString, typeToString } from '../../wire/index.js';
import {
  base32hexDecode,
  base32hexEncode,
  base64Decode,
  base64Encode,
  formatIPv4,
  formatIPv6,
  formatSigTime,
  hexDecode,
  hexEncode,
  parseIPv4,
  parseIPv6,
  parseSigTime,
  parseTtl,
  parseUint,
} from './encoding.js';
import { Malformed, type OutToken, type Sink, type TokenCursor, type WireReader, relativeTo } from './io.js';
import { decodeEscaped, encodeEscaped, encodePlainName } from './tokens.js';

/**
 * FieldKind names one RDATA field shape. Kinds ending in "rest" consume every remaining token
 * and must come last. `ttl` accepts BIND units; `serial` only digits (RFC 1035 §3.3.13).
 */
export type FieldKind =
  | 'u8'
  | 'u16'
  | 'u32'
  | 'serial'
  | 'ttl'
  | 'name'
  | 'ipv4'
  | 'ipv6'
  | 'cstr'
  | 'cstrs-rest'
  | 'b64-rest'
  | 'b64opt-rest'
  | 'hex-rest'
  | 'salt'
  | 'b32hash'
  | 'bitmap-rest'
  | 'time'
  | 'type'
  | 'alg'
  | 'certtype'
  | 'caatag'
  | 'octets-rest'
  | 'eui48'
  | 'eui64'
  | 'l64'
  | 'apl-rest';

/** DNSSEC algorithm mnemonics (RFC 4034 App. A.1, RFC 5155, RFC 5702, RFC 6605, RFC 8080). */
export const DNSSEC_ALGORITHMS: Readonly<Record<string, number>> = {
  RSAMD5: 1, DH: 2, DSA: 3, RSASHA1: 5, 'DSA-NSEC3-SHA1': 6, 'RSASHA1-NSEC3-SHA1': 7,
  RSASHA256: 8, RSASHA512: 10, 'ECC-GOST': 12, ECDSAP256SHA256: 13, ECDSAP384SHA384: 14,
  ED25519: 15, ED448: 16, INDIRECT: 252, PRIVATEDNS: 253, PRIVATEOID: 254,
};

/** CERT type mnemonics (RFC 4398 §2.1). */
export const CERT_TYPES: Readonly<Record<string, number>> = {
  PKIX: 1, SPKI: 2, PGP: 3, IPKIX: 4, ISPKI: 5, IPGP: 6, ACPKIX: 7, IACPKIX: 8, URI: 253, OID: 254,
};

function number(c: TokenCursor, what: string, max: number, mnemonics?: Readonly<Record<string, number>>): number {
  const t = c.bare(what);
  const upper = t.toUpperCase();
  const v = parseUint(t, max) ?? (mnemonics !== undefined && Object.hasOwn(mnemonics, upper) ? mnemonics[upper] : undefined);
  if (v === undefined) c.fail(`bad ${what} "${t}" (expected 0..${max})`);
  return v;
}

/** charString parses one character-string (RFC 1035 §3.3): at most 255 octets. */
function charString(c: TokenCursor, what: string, limit = 255): Uint8Array {
  const t = c.next(what);
  const r = decodeEscaped(t.text);
  if (!r.ok) c.fail(r.error);
  if (r.value.length > limit) c.fail(`${what} longer than ${limit} octets`);
  return r.value;
}

function restText(c: TokenCursor, what: string, min: number): string {
  const start = c.i;
  let s = '';
  while (c.more()) s += c.bare(what);
  if (c.i - start < min) c.next(what);
  return s;
}

/** encodeBitmap writes an RFC 4034 §4.1.2 type bitmap: windows in order, no trailing zero octets. */
export function encodeBitmap(types: Iterable<number>, s: Sink): void {
  const sorted = [...new Set(types)].sort((a, b) => a - b);
  let i = 0;
  while (i < sorted.length) {
    const win = sorted[i]! >> 8;
    const octets = new Uint8Array(32);
    let max = 0;
    while (i < sorted.length && sorted[i]! >> 8 === win) {
      const low = sorted[i]! & 0xff;
      octets[low >> 3]! |= 0x80 >> (low & 7);
      max = Math.max(max, low >> 3);
      i++;
    }
    s.u8(win);
    s.u8(max + 1);
    s.bytes(octets.subarray(0, max + 1));
  }
}

/** decodeBitmap reads a type bitmap strictly (RFC 4034 §4.1.2); Malformed when not canonical. */
export function decodeBitmap(r: WireReader): number[] {
  const out: number[] = [];
  let last = -1;
  while (r.remaining > 0) {
    const win = r.u8();
    const len = r.u8();
    if (win <= last || len < 1 || len > 32) throw new Malformed('bad type bitmap window');
    const octets = r.bytes(len);
    if (octets[len - 1] === 0) throw new Malformed('trailing zero octet in type bitmap');
    for (let o = 0; o < len; o++) {
      const v = octets[o]!;
      for (let bit = 0; bit < 8; bit++) if (v & (0x80 >> bit)) out.push((win << 8) | (o << 3) | bit);
    }
    last = win;
  }
  return out;
}

function apl(c: TokenCursor, s: Sink): void {
  while (c.more()) {
    const t = c.bare('APL item');
    const m = /^(!?)(\d+):([^/]+)\/(\d+)$/.exec(t);
    if (m === null) c.fail(`bad APL item "${t}" (expected [!]afi:address/prefix)`);
    const afi = Number(m[2]);
    const addr = afi === 1 ? parseIPv4(m[3]!) : afi === 2 ? parseIPv6(m[3]!) : undefined;
    if (addr === undefined) c.fail(`bad APL address "${t}" (RFC 3123 §5: family 1 or 2)`);
    const prefix = Number(m[4]);
    if (prefix > addr.length * 8) c.fail(`APL prefix ${prefix} too long`);
    // RFC 3123 §4.1: trailing zero octets of the address are not sent.
    let len = addr.length;
    while (len > 0 && addr[len - 1] === 0) len--;
    s.u16(afi);
    s.u8(prefix);
    s.u8((m[1] === '!' ? 0x80 : 0) | len);
    s.bytes(addr.subarray(0, len));
  }
}

function formatApl(r: WireReader, out: OutToken[]): void {
  while (r.remaining > 0) {
    const afi = r.u16();
    const prefix = r.u8();
    const nl = r.u8();
    const len = nl & 0x7f;
    const size = afi === 1 ? 4 : afi === 2 ? 16 : 0;
    if (size === 0 || len > size || prefix > size * 8) throw new Malformed('bad APL item');
    const part = r.bytes(len);
    if (len > 0 && part[len - 1] === 0) throw new Malformed('APL address with trailing zero');
    const full = new Uint8Array(size);
    full.set(part);
    const addr = afi === 1 ? formatIPv4(full) : formatIPv6(full);
    out.push({ text: `${nl & 0x80 ? '!' : ''}${afi}:${addr}/${prefix}`, quoted: false });
  }
}

/** parseField reads one field of `kind` from the cursor into the sink. */
export function parseField(kind: FieldKind, c: TokenCursor, s: Sink): void {
  switch (kind) {
    case 'u8':
      return s.u8(number(c, '8-bit number', 0xff));
    case 'u16':
      return s.u16(number(c, '16-bit number', 0xffff));
    case 'u32':
    case 'serial':
      return s.u32(number(c, '32-bit number', 0xffffffff));
    case 'ttl': {
      const t = c.bare('TTL');
      const v = parseTtl(t);
      if (v === undefined) c.fail(`bad TTL "${t}"`);
      return s.u32(v);
    }
    case 'alg':
      return s.u8(number(c, 'algorithm', 0xff, DNSSEC_ALGORITHMS));
    case 'certtype':
      return s.u16(number(c, 'certificate type', 0xffff, CERT_TYPES));
    case 'name': {
      // Fast path: plain names go straight to wire octets; anything else takes c.name().
      const t = c.next('domain name');
      s.ensure(2 * 255 + 2);
      const end = encodePlainName(t.text, c.origin, s.buf, s.len);
      if (end >= 0) {
        s.len = end;
        return;
      }
      c.i--;
      return s.bytes(nameToWire(c.name()));
    }
    case 'ipv4': {
      const t = c.bare('IPv4 address');
      const a = parseIPv4(t);
      if (a === undefined) c.fail(`bad IPv4 address "${t}"`);
      return s.bytes(a);
    }
    case 'ipv6': {
      const t = c.bare('IPv6 address');
      const a = parseIPv6(t);
      if (a === undefined) c.fail(`bad IPv6 address "${t}"`);
      return s.bytes(a);
    }
    case 'cstr': {
      const b = charString(c, 'character-string');
      s.u8(b.length);
      return s.bytes(b);
    }
    case 'cstrs-rest': {
      if (!c.more()) c.next('character-string');
      while (c.more()) parseField('cstr', c, s);
      return;
    }
    case 'b64-rest':
    case 'b64opt-rest': {
      const start = c.i;
      const text = restText(c, 'base64 data', kind === 'b64-rest' ? 1 : 0);
      const b = base64Decode(text);
      if (b === undefined) c.fail('bad base64 data', start);
      return s.bytes(b);
    }
    case 'hex-rest': {
      const start = c.i;
      const text = restText(c, 'hex data', 1);
      const b = hexDecode(text);
      if (b === undefined || b.length === 0) c.fail('bad hex data', start);
      return s.bytes(b);
    }
    case 'salt': {
      // RFC 5155 §3.3: "-" is the empty salt.
      const t = c.bare('salt');
      const b = t === '-' ? new Uint8Array(0) : hexDecode(t);
      if (b === undefined || b.length > 255 || (t !== '-' && b.length === 0)) c.fail(`bad salt "${t}"`);
      s.u8(b.length);
      return s.bytes(b);
    }
    case 'b32hash': {
      const t = c.bare('next hashed owner name');
      const b = base32hexDecode(t);
      if (b === undefined || b.length === 0 || b.length > 255) c.fail(`bad base32hex hash "${t}"`);
      s.u8(b.length);
      return s.bytes(b);
    }
    case 'bitmap-rest': {
      const types: number[] = [];
      while (c.more()) {
        const t = c.bare('type');
        const v = typeFromString(t);
        if (v === undefined) c.fail(`unknown type "${t}" in type bitmap`);
        types.push(v);
      }
      return encodeBitmap(types, s);
    }
    case 'time': {
      const t = c.bare('time');
      const v = parseSigTime(t);
      if (v === undefined) c.fail(`bad time "${t}" (RFC 4034 §3.2: YYYYMMDDHHmmSS or seconds)`);
      return s.u32(v);
    }
    case 'type': {
      const t = c.bare('type');
      const v = typeFromString(t);
      if (v === undefined) c.fail(`unknown type "${t}"`);
      return s.u16(v);
    }
    case 'caatag': {
      // RFC 8659 §4.1.1: the tag is 1+ ASCII letters and digits.
      const t = c.bare('CAA tag');
      if (!/^[A-Za-z0-9]{1,255}$/.test(t)) c.fail(`bad CAA tag "${t}"`);
      s.u8(t.length);
      for (let i = 0; i < t.length; i++) s.u8(t.charCodeAt(i));
      return;
    }
    case 'octets-rest': {
      const b = charString(c, 'value', 65535);
      if (c.more()) c.fail('unexpected token after quoted value', c.i);
      return s.bytes(b);
    }
    case 'eui48':
    case 'eui64': {
      const n = kind === 'eui48' ? 6 : 8;
      const t = c.bare(kind.toUpperCase());
      const re = new RegExp(`^[0-9A-Fa-f]{2}(?:-[0-9A-Fa-f]{2}){${n - 1}}$`);
      if (!re.test(t)) c.fail(`bad ${kind.toUpperCase()} "${t}" (RFC 7043 §3.2: xx-xx-...)`);
      return s.bytes(hexDecode(t.replaceAll('-', ''))!);
    }
    case 'l64': {
      // RFC 6742 §2.1.2, §2.3.2: four colon-separated groups of up to four hex digits.
      const t = c.bare('locator');
      if (!/^[0-9A-Fa-f]{1,4}(?::[0-9A-Fa-f]{1,4}){3}$/.test(t)) c.fail(`bad 64-bit locator "${t}"`);
      for (const g of t.split(':')) s.u16(parseInt(g, 16));
      return;
    }
    case 'apl-rest':
      return apl(c, s);
  }
}

/** formatField reads one field of `kind` from the reader and appends its presentation tokens. */
export function formatField(kind: FieldKind, r: WireReader, out: OutToken[], origin: DomainName | undefined): void {
  const bare = (text: string): void => {
    out.push({ text, quoted: false });
  };
  switch (kind) {
    case 'u8':
    case 'alg':
      return bare(String(r.u8()));
    case 'u16':
    case 'certtype':
      return bare(String(r.u16()));
    case 'u32':
    case 'serial':
    case 'ttl':
      return bare(String(r.u32()));
    case 'name':
      return bare(relativeTo(r.name(), origin));
    case 'ipv4':
      return bare(formatIPv4(r.bytes(4)));
    case 'ipv6':
      return bare(formatIPv6(r.bytes(16)));
    case 'cstr': {
      const len = r.u8();
      out.push({ text: encodeEscaped(r.bytes(len)), quoted: true });
      return;
    }
    case 'cstrs-rest':
      if (r.remaining === 0) throw new Malformed('no character-string');
      while (r.remaining > 0) formatField('cstr', r, out, origin);
      return;
    case 'b64-rest':
    case 'b64opt-rest': {
      const b = r.rest();
      if (b.length === 0 && kind === 'b64-rest') throw new Malformed('empty base64 field');
      if (b.length > 0) bare(base64Encode(b));
      return;
    }
    case 'hex-rest': {
      const b = r.rest();
      if (b.length === 0) throw new Malformed('empty hex field');
      return bare(hexEncode(b));
    }
    case 'salt': {
      const len = r.u8();
      return bare(len === 0 ? '-' : hexEncode(r.bytes(len)));
    }
    case 'b32hash': {
      const len = r.u8();
      if (len === 0) throw new Malformed('empty hash');
      return bare(base32hexEncode(r.bytes(len)));
    }
    case 'bitmap-rest':
      for (const t of decodeBitmap(r)) bare(typeToString(t));
      return;
    case 'time':
      return bare(formatSigTime(r.u32()));
    case 'type':
      return bare(typeToString(r.u16()));
    case 'caatag': {
      const len = r.u8();
      const tag = r.bytes(len);
      let t = '';
      for (const b of tag) t += String.fromCharCode(b);
      if (!/^[A-Za-z0-9]{1,255}$/.test(t)) throw new Malformed('bad CAA tag');
      return bare(t);
    }
    case 'octets-rest':
      out.push({ text: encodeEscaped(r.rest()), quoted: true });
      return;
    case 'eui48':
    case 'eui64': {
      const b = r.bytes(kind === 'eui48' ? 6 : 8);
      return bare(Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('-'));
    }
    case 'l64': {
      const g: string[] = [];
      for (let i = 0; i < 4; i++) g.push(r.u16().toString(16).padStart(4, '0'));
      return bare(g.join(':'));
    }
    case 'apl-rest':
      return formatApl(r, out);
  }
}
