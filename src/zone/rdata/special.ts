// RDATA types whose layout is not a flat field list: LOC (RFC 1876), whose text form has optional
// parts and whose sizes are mantissa/exponent octets, and IPSECKEY (RFC 4025 §2), whose gateway
// field takes its shape from the gateway-type octet before it.
// Deviation (LOC): a size that is not m×10^e centimetres is truncated to one, as in RFC 1876's
// sample code and BIND; non-canonical size octets (0×10^e, e>0) print as `\#`.

import { nameToWire } from '../../wire/index.js';
import { base64Decode, base64Encode, formatIPv4, formatIPv6, parseIPv4, parseIPv6, parseUint } from './encoding.js';
import { Malformed, type OutToken, type Sink, type TokenCursor, type WireReader, relativeTo } from './io.js';
import type { DomainName } from '../../wire/index.js';

/** CustomCodec handles a whole RDATA where a field list cannot. */
export interface CustomCodec {
  parse(c: TokenCursor, s: Sink): void;
  format(r: WireReader, out: OutToken[], origin: DomainName | undefined): void;
}

/** parseFixed parses a decimal with at most `places` fraction digits into an integer of that scale. */
function parseFixed(text: string, places: number): number | undefined {
  const m = /^(-?)(\d{1,10})(?:\.(\d+))?$/.exec(text);
  if (m === null) return undefined;
  const frac = m[3] ?? '';
  if (frac.length > places) return undefined;
  const v = Number(m[2]) * 10 ** places + Number(frac.padEnd(places, '0') || '0');
  return m[1] === '-' ? -v : v;
}

const POW10 = [1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9];

/** RFC 1876 App. A precsize_aton: centimetres to the mantissa/exponent octet (truncating). */
function precisionOctet(cm: number): number {
  let e = 0;
  while (e < 9 && cm >= POW10[e + 1]!) e++;
  const m = Math.min(Math.floor(cm / POW10[e]!), 9);
  return (m << 4) | e;
}

function precisionText(octet: number): string {
  const m = octet >> 4;
  const e = octet & 15;
  if (m > 9 || e > 9 || (m === 0 && e !== 0)) throw new Malformed('bad LOC precision octet');
  return metres(m * POW10[e]!);
}

function metres(cm: number): string {
  const sign = cm < 0 ? '-' : '';
  const a = Math.abs(cm);
  const whole = Math.floor(a / 100);
  const frac = a % 100;
  return `${sign}${whole}${frac === 0 ? '' : '.' + String(frac).padStart(2, '0')}m`;
}

const LOC_EQUATOR = 2 ** 31;
const ALT_BASE = 10000000;

function parseCoordinate(c: TokenCursor, maxDeg: number, pos: string, neg: string): number {
  const parts: string[] = [];
  let hemi = '';
  while (parts.length < 4) {
    const t = c.bare('LOC coordinate').toUpperCase();
    if (t === pos || t === neg) {
      hemi = t;
      break;
    }
    parts.push(t);
  }
  if (hemi === '' || parts.length === 0 || parts.length > 3) c.fail(`bad LOC coordinate (expected d [m [s]] ${pos}|${neg})`);
  const deg = parseUint(parts[0]!, maxDeg);
  const min = parts.length > 1 ? parseUint(parts[1]!, 59) : 0;
  const sec = parts.length > 2 ? parseFixed(parts[2]!, 3) : 0;
  if (deg === undefined || min === undefined || sec === undefined || sec < 0 || sec >= 60000) c.fail('bad LOC degrees, minutes or seconds');
  const ms = deg * 3600000 + min * 60000 + sec;
  if (ms > maxDeg * 3600000) c.fail(`LOC coordinate beyond ${maxDeg} degrees`);
  return hemi === pos ? LOC_EQUATOR + ms : LOC_EQUATOR - ms;
}

function formatCoordinate(v: number, maxDeg: number, pos: string, neg: string): string {
  let ms = v - LOC_EQUATOR;
  const hemi = ms >= 0 ? pos : neg;
  ms = Math.abs(ms);
  if (ms > maxDeg * 3600000) throw new Malformed('LOC coordinate out of range');
  const deg = Math.floor(ms / 3600000);
  ms -= deg * 3600000;
  const min = Math.floor(ms / 60000);
  ms -= min * 60000;
  const sec = Math.floor(ms / 1000);
  return `${deg} ${min} ${sec}.${String(ms % 1000).padStart(3, '0')} ${hemi}`;
}

function metresToken(c: TokenCursor, what: string, min: number, max: number): number {
  const t = c.bare(what);
  const v = parseFixed(t.endsWith('m') || t.endsWith('M') ? t.slice(0, -1) : t, 2);
  if (v === undefined || v < min || v > max) c.fail(`bad LOC ${what} "${t}"`);
  return v;
}

/** LOC: RFC 1876 §3 presentation `d [m [s]] N|S d [m [s]] E|W alt[m] [siz[m] [hp[m] [vp[m]]]]`. */
export const LOC: CustomCodec = {
  parse(c: TokenCursor, s: Sink) {
    const lat = parseCoordinate(c, 90, 'N', 'S');
    const lon = parseCoordinate(c, 180, 'E', 'W');
    const alt = metresToken(c, 'altitude', -ALT_BASE, 0xffffffff - ALT_BASE);
    // RFC 1876 §3 defaults: size 1m, horizontal precision 10000m, vertical precision 10m.
    const size = c.more() ? metresToken(c, 'size', 0, 9e9) : 100;
    const hp = c.more() ? metresToken(c, 'horizontal precision', 0, 9e9) : 1e6;
    const vp = c.more() ? metresToken(c, 'vertical precision', 0, 9e9) : 1e3;
    s.u8(0);
    s.u8(precisionOctet(size));
    s.u8(precisionOctet(hp));
    s.u8(precisionOctet(vp));
    s.u32(lat);
    s.u32(lon);
    s.u32(alt + ALT_BASE);
  },
  format(r, out) {
    if (r.u8() !== 0) throw new Malformed('LOC version is not 0');
    const size = precisionText(r.u8());
    const hp = precisionText(r.u8());
    const vp = precisionText(r.u8());
    const lat = formatCoordinate(r.u32(), 90, 'N', 'S');
    const lon = formatCoordinate(r.u32(), 180, 'E', 'W');
    const alt = r.u32() - ALT_BASE;
    const altText = `${alt < 0 ? '-' : ''}${Math.floor(Math.abs(alt) / 100)}.${String(Math.abs(alt) % 100).padStart(2, '0')}m`;
    for (const t of [...lat.split(' '), ...lon.split(' '), altText, size, hp, vp]) out.push({ text: t, quoted: false });
  },
};

/** IPSECKEY: RFC 4025 §2: precedence, gateway type, algorithm, gateway, optional base64 key. */
export const IPSECKEY: CustomCodec = {
  parse(c: TokenCursor, s: Sink) {
    const nums: number[] = [];
    for (const what of ['precedence', 'gateway type', 'algorithm']) {
      const t = c.bare(what);
      const v = parseUint(t, 255);
      if (v === undefined) c.fail(`bad ${what} "${t}"`);
      nums.push(v);
    }
    const gwType = nums[1]!;
    for (const v of nums) s.u8(v);
    const g = c.bare('gateway');
    if (gwType === 0) {
      if (g !== '.') c.fail('gateway type 0 needs "." as gateway (RFC 4025 §2.5)');
    } else if (gwType === 1 || gwType === 2) {
      const a = gwType === 1 ? parseIPv4(g) : parseIPv6(g);
      if (a === undefined) c.fail(`bad gateway address "${g}"`);
      s.bytes(a);
    } else if (gwType === 3) {
      c.i--;
      s.bytes(nameToWire(c.name('gateway')));
    } else {
      c.fail(`unknown gateway type ${gwType}`);
    }
    let b64 = '';
    const start = c.i;
    while (c.more()) b64 += c.bare('public key');
    const key = base64Decode(b64);
    if (key === undefined) c.fail('bad base64 public key', start);
    s.bytes(key);
  },
  format(r, out, origin) {
    const prec = r.u8();
    const gwType = r.u8();
    const alg = r.u8();
    let gw: string;
    if (gwType === 0) gw = '.';
    else if (gwType === 1) gw = formatIPv4(r.bytes(4));
    else if (gwType === 2) gw = formatIPv6(r.bytes(16));
    else if (gwType === 3) gw = relativeTo(r.name(), origin);
    else throw new Malformed('unknown IPSECKEY gateway type');
    for (const t of [String(prec), String(gwType), String(alg), gw]) out.push({ text: t, quoted: false });
    if (r.remaining > 0) out.push({ text: base64Encode(r.rest()), quoted: false });
  },
};
