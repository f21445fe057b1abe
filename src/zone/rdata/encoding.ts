// Text encodings of RDATA fields: decimal integers, TTLs with units, hex, base64 (RFC 4648 §4),
// base32hex (RFC 4648 §7, unpadded as in RFC 5155 §3.3), IPv4, IPv6 (RFC 4291 §2.2 in, RFC 5952
// out) and RRSIG times (RFC 4034 §3.2). Pure functions returning undefined on bad input.
// Deviation: RRSIG times print as the date in 1970..2106 that the 32-bit value names; BIND picks
// the date nearest "now", which would need a clock here (both reload to the same octets).

/** parseUint parses a plain decimal integer in [0, max]; no sign, no units. */
export function parseUint(text: string, max: number): number | undefined {
  if (text.length === 0 || text.length > 10) return undefined;
  let v = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i) - 0x30;
    if (c < 0 || c > 9) return undefined;
    v = v * 10 + c;
  }
  return v <= max ? v : undefined;
}

const TTL_UNIT: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400, w: 604800 };

/**
 * parseTtl parses a TTL: plain seconds or BIND units (`1h30m`, `1w`, `2D`), at most 2^32-1.
 * RFC 2308 §4 TTL text; units are the BIND extension every master-file reader accepts.
 */
export function parseTtl(text: string): number | undefined {
  const plain = parseUint(text, 0xffffffff);
  if (plain !== undefined) return plain;
  if (!/^(\d+[smhdwSMHDW])+$/.test(text)) return undefined;
  let total = 0;
  for (const m of text.matchAll(/(\d+)([smhdwSMHDW])/g)) {
    total += Number(m[1]) * TTL_UNIT[m[2]!.toLowerCase()]!;
  }
  return total <= 0xffffffff ? total : undefined;
}

const HEX_VAL = new Int8Array(128).fill(-1);
for (let i = 0; i < 10; i++) HEX_VAL[0x30 + i] = i;
for (let i = 0; i < 6; i++) {
  HEX_VAL[0x41 + i] = 10 + i;
  HEX_VAL[0x61 + i] = 10 + i;
}

/** hexDecode decodes an even-length hex string (either case). */
export function hexDecode(text: string): Uint8Array | undefined {
  if (text.length % 2 !== 0) return undefined;
  const out = new Uint8Array(text.length / 2);
  for (let i = 0; i < out.length; i++) {
    const a = HEX_VAL[text.charCodeAt(2 * i)] ?? -1;
    const b = HEX_VAL[text.charCodeAt(2 * i + 1)] ?? -1;
    if (a < 0 || b < 0) return undefined;
    out[i] = (a << 4) | b;
  }
  return out;
}

const HEX_DIGITS = '0123456789ABCDEF';

/** hexEncode renders octets as upper-case hex, the form BIND and Knot print. */
export function hexEncode(b: Uint8Array, start = 0, end = b.length): string {
  let s = '';
  for (let i = start; i < end; i++) s += HEX_DIGITS[b[i]! >> 4]! + HEX_DIGITS[b[i]! & 15]!;
  return s;
}

const B64_RE = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** base64Decode decodes padded base64 (RFC 4648 §4); whitespace must already be removed. */
export function base64Decode(text: string): Uint8Array | undefined {
  if (!B64_RE.test(text)) return undefined;
  const b = Buffer.from(text, 'base64');
  return new Uint8Array(b.buffer, b.byteOffset, b.length);
}

/** base64Encode renders octets as padded base64. */
export function base64Encode(b: Uint8Array, start = 0, end = b.length): string {
  return Buffer.from(b.buffer, b.byteOffset + start, end - start).toString('base64');
}

const B32HEX = '0123456789ABCDEFGHIJKLMNOPQRSTUV';

/** base32hexDecode decodes unpadded base32hex (RFC 4648 §7), either case; the spare bits must be 0. */
export function base32hexDecode(text: string): Uint8Array | undefined {
  const rem = text.length % 8;
  if (rem === 1 || rem === 3 || rem === 6) return undefined;
  const out = new Uint8Array(Math.floor((text.length * 5) / 8));
  let acc = 0;
  let bits = 0;
  let w = 0;
  for (let i = 0; i < text.length; i++) {
    const v = B32HEX.indexOf(text[i]!.toUpperCase());
    if (v < 0) return undefined;
    acc = ((acc << 5) | v) & 0xffff;
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      out[w++] = (acc >> bits) & 0xff;
    }
  }
  if ((acc & ((1 << bits) - 1)) !== 0) return undefined;
  return out;
}

/** base32hexEncode renders octets as unpadded upper-case base32hex. */
export function base32hexEncode(b: Uint8Array, start = 0, end = b.length): string {
  let s = '';
  let acc = 0;
  let bits = 0;
  for (let i = start; i < end; i++) {
    acc = ((acc << 8) | b[i]!) & 0xffff;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      s += B32HEX[(acc >> bits) & 31]!;
    }
  }
  if (bits > 0) s += B32HEX[(acc << (5 - bits)) & 31]!;
  return s;
}

/** parseIPv4 parses a dotted quad; each part 0..255 without leading zeros (as inet_pton). */
export function parseIPv4(text: string): Uint8Array | undefined {
  const out = new Uint8Array(4);
  let part = 0;
  let v = 0;
  let digits = 0;
  for (let i = 0; i <= text.length; i++) {
    // The end of the text closes the last part like a dot would.
    const c = i < text.length ? text.charCodeAt(i) : 0x2e;
    if (c === 0x2e) {
      if (digits === 0 || part > 3) return undefined;
      out[part++] = v;
      v = 0;
      digits = 0;
      continue;
    }
    if (c < 0x30 || c > 0x39 || (digits > 0 && v === 0)) return undefined;
    v = v * 10 + (c - 0x30);
    if (++digits > 3 || v > 255) return undefined;
  }
  return part === 4 ? out : undefined;
}

/** formatIPv4 renders 4 octets at `o` as a dotted quad. */
export function formatIPv4(b: Uint8Array, o = 0): string {
  return `${b[o]}.${b[o + 1]}.${b[o + 2]}.${b[o + 3]}`;
}

/** parseIPv6 parses RFC 4291 §2.2 text, including `::` and a trailing dotted quad. */
export function parseIPv6(text: string): Uint8Array | undefined {
  if (text.length < 2 || text.length > 45) return undefined;
  const out = new Uint8Array(16);
  let head = text;
  let tailV4: Uint8Array | undefined;
  const lastColon = text.lastIndexOf(':');
  if (lastColon >= 0 && text.indexOf('.', lastColon) >= 0) {
    tailV4 = parseIPv4(text.slice(lastColon + 1));
    if (tailV4 === undefined) return undefined;
    head = text.slice(0, lastColon + 1) + '0:0';
  }
  const dbl = head.indexOf('::');
  if (dbl >= 0 && head.indexOf('::', dbl + 1) >= 0) return undefined;
  const parseGroups = (s: string): number[] | undefined => {
    if (s === '') return [];
    const r: number[] = [];
    let v = 0;
    let digits = 0;
    for (let i = 0; i <= s.length; i++) {
      const c = i < s.length ? s.charCodeAt(i) : 0x3a;
      if (c === 0x3a) {
        if (digits === 0) return undefined;
        r.push(v);
        v = 0;
        digits = 0;
        continue;
      }
      const d = HEX_VAL[c] ?? -1;
      if (d < 0 || ++digits > 4) return undefined;
      v = (v << 4) | d;
    }
    return r;
  };
  let groups: number[];
  if (dbl >= 0) {
    const left = parseGroups(head.slice(0, dbl));
    const right = parseGroups(head.slice(dbl + 2));
    if (left === undefined || right === undefined || left.length + right.length > 7) return undefined;
    groups = [...left, ...new Array<number>(8 - left.length - right.length).fill(0), ...right];
  } else {
    const all = parseGroups(head);
    if (all === undefined || all.length !== 8) return undefined;
    groups = all;
  }
  for (let i = 0; i < 8; i++) {
    out[2 * i] = groups[i]! >> 8;
    out[2 * i + 1] = groups[i]! & 0xff;
  }
  if (tailV4 !== undefined) out.set(tailV4, 12);
  return out;
}

/** formatIPv6 renders 16 octets at `o` in RFC 5952 §4 form: lower case, longest zero run as `::`. */
export function formatIPv6(b: Uint8Array, o = 0): string {
  const g: number[] = [];
  for (let i = 0; i < 8; i++) g.push((b[o + 2 * i]! << 8) | b[o + 2 * i + 1]!);
  let bestStart = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (g[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = (x: number): string => x.toString(16);
  if (bestStart < 0) return g.map(hex).join(':');
  return g.slice(0, bestStart).map(hex).join(':') + '::' + g.slice(bestStart + bestLen).map(hex).join(':');
}

const TWO32 = 0x100000000;

/**
 * parseSigTime parses an RRSIG time (RFC 4034 §3.2): exactly 14 digits are YYYYMMDDHHmmSS UTC,
 * taken modulo 2^32 (serial arithmetic); anything else is plain seconds since the epoch.
 */
export function parseSigTime(text: string): number | undefined {
  if (text.length !== 14) return parseUint(text, 0xffffffff);
  if (!/^\d{14}$/.test(text)) return undefined;
  const y = Number(text.slice(0, 4));
  const mo = Number(text.slice(4, 6));
  const d = Number(text.slice(6, 8));
  const h = Number(text.slice(8, 10));
  const mi = Number(text.slice(10, 12));
  const s = Number(text.slice(12, 14));
  if (y < 1970 || mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || s > 59) return undefined;
  const ms = Date.UTC(y, mo - 1, d, h, mi, s);
  if (new Date(ms).getUTCDate() !== d) return undefined;
  return (ms / 1000) % TWO32;
}

/** formatSigTime renders a 32-bit RRSIG time as YYYYMMDDHHmmSS (the date in 1970..2106). */
export function formatSigTime(t: number): string {
  const d = new Date(t * 1000);
  const p = (n: number, w = 2): string => String(n).padStart(w, '0');
  return (
    p(d.getUTCFullYear(), 4) + p(d.getUTCMonth() + 1) + p(d.getUTCDate()) + p(d.getUTCHours()) + p(d.getUTCMinutes()) + p(d.getUTCSeconds())
  );
}
