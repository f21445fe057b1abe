// SVCB/HTTPS SvcParams (RFC 9460 §2.1, §7, Appendix A): `key[=value]` presentation, wire as
// sorted (key, length, value) triples. Keys: mandatory, alpn, no-default-alpn, port, ipv4hint,
// ech, ipv6hint, dohpath (RFC 9461), ohttp (RFC 9540) and keyNNNNN for any other.
// The same rule set (checkSvcParams) guards parsing and printing, so whatever parses also prints
// and whatever prints also parses. `keyNNNNN=value` always carries raw wire octets (§2.1).

import { base64Decode, base64Encode, formatIPv4, formatIPv6, parseIPv4, parseIPv6, parseUint } from './encoding.js';
import { Malformed, type OutToken, type Sink, type TokenCursor, type WireReader } from './io.js';
import { decodeEscaped, encodeEscaped, scanQuoted } from './tokens.js';

/** SVC_PARAM_KEYS maps RFC 9460 §14.3.2 registry names to key numbers. */
export const SVC_PARAM_KEYS: Readonly<Record<string, number>> = {
  mandatory: 0, alpn: 1, 'no-default-alpn': 2, port: 3, ipv4hint: 4, ech: 5, ipv6hint: 6, dohpath: 7, ohttp: 8,
};
const KEY_NAMES = new Map(Object.entries(SVC_PARAM_KEYS).map(([k, v]) => [v, k]));

function keyFromText(t: string): number | undefined {
  const lower = t.toLowerCase();
  // Own properties only: `constructor` or `__proto__` must not find Object.prototype members.
  const known = Object.hasOwn(SVC_PARAM_KEYS, lower) ? SVC_PARAM_KEYS[lower] : undefined;
  if (known !== undefined) return known;
  const m = /^key(\d{1,5})$/.exec(lower);
  return m === null ? undefined : parseUint(m[1]!, 0xffff);
}

function keyToText(k: number): string {
  return KEY_NAMES.get(k) ?? `key${k}`;
}

function latin1(b: Uint8Array): string {
  let s = '';
  for (const x of b) s += String.fromCharCode(x);
  return s;
}

/** splitValueList splits RFC 9460 Appendix A.1 value-list octets on unescaped commas. */
function splitValueList(b: Uint8Array): Uint8Array[] | undefined {
  const items: Uint8Array[] = [];
  let cur: number[] = [];
  for (let i = 0; i < b.length; i++) {
    const x = b[i]!;
    if (x === 0x5c) {
      if (i + 1 >= b.length) return undefined;
      cur.push(b[++i]!);
    } else if (x === 0x2c) {
      items.push(Uint8Array.from(cur));
      cur = [];
    } else {
      cur.push(x);
    }
  }
  items.push(Uint8Array.from(cur));
  return items;
}

/** checkSvcParams applies the RFC 9460 value rules to wire values; a message when one fails. */
export function checkSvcParams(params: ReadonlyMap<number, Uint8Array>): string | undefined {
  for (const [k, v] of params) {
    switch (k) {
      case 0: {
        // §8: a non-empty sorted list of distinct keys, not itself, each present in the RR.
        if (v.length < 2 || v.length % 2 !== 0) return 'mandatory needs at least one key';
        let last = -1;
        for (let i = 0; i < v.length; i += 2) {
          const key = (v[i]! << 8) | v[i + 1]!;
          if (key <= last) return 'mandatory keys must be distinct';
          if (key === 0) return 'mandatory must not list itself';
          if (!params.has(key)) return `mandatory key ${keyToText(key)} is missing from the record`;
          last = key;
        }
        break;
      }
      case 1: {
        if (v.length === 0) return 'alpn needs at least one protocol id';
        for (let i = 0; i < v.length; ) {
          const l = v[i]!;
          if (l === 0 || i + 1 + l > v.length) return 'bad alpn protocol id';
          i += 1 + l;
        }
        break;
      }
      case 2:
        if (v.length !== 0) return 'no-default-alpn takes no value';
        // §7.1.1: no-default-alpn without alpn is invalid.
        if (!params.has(1)) return 'no-default-alpn requires alpn';
        break;
      case 3:
        if (v.length !== 2) return 'port must be 2 octets';
        break;
      case 4:
        if (v.length === 0 || v.length % 4 !== 0) return 'bad ipv4hint';
        break;
      case 5:
        if (v.length === 0) return 'ech needs a value';
        break;
      case 6:
        if (v.length === 0 || v.length % 16 !== 0) return 'bad ipv6hint';
        break;
      case 8:
        if (v.length !== 0) return 'ohttp takes no value';
        break;
      case 65535:
        return 'key65535 is reserved';
    }
  }
  return undefined;
}

function valueOf(key: number, byName: boolean, raw: string | undefined): Uint8Array | string {
  const dec = decodeEscaped(raw ?? '');
  if (!dec.ok) return dec.error;
  const octets = dec.value;
  if (!byName) return octets;
  const needsValue = key !== 2 && key !== 8;
  if (!needsValue) return raw === undefined ? new Uint8Array(0) : `${keyToText(key)} takes no value`;
  if (raw === undefined || (octets.length === 0 && key !== 7)) return `${keyToText(key)} needs a value`;
  const text = latin1(octets);
  const out: number[] = [];
  switch (key) {
    case 0: {
      const keys: number[] = [];
      for (const part of text.split(',')) {
        const k = keyFromText(part);
        if (k === undefined) return `unknown key "${part}" in mandatory`;
        keys.push(k);
      }
      keys.sort((a, b) => a - b);
      for (const k of keys) out.push(k >> 8, k & 0xff);
      return Uint8Array.from(out);
    }
    case 1: {
      const ids = splitValueList(octets);
      if (ids === undefined) return 'bad escape in alpn value';
      for (const id of ids) {
        if (id.length === 0 || id.length > 255) return 'empty or oversized alpn protocol id';
        out.push(id.length, ...id);
      }
      return Uint8Array.from(out);
    }
    case 3: {
      const p = parseUint(text, 0xffff);
      if (p === undefined) return `bad port "${text}"`;
      return Uint8Array.of(p >> 8, p & 0xff);
    }
    case 4:
    case 6: {
      for (const part of text.split(',')) {
        const a = key === 4 ? parseIPv4(part) : parseIPv6(part);
        if (a === undefined) return `bad address "${part}" in ${keyToText(key)}`;
        out.push(...a);
      }
      return Uint8Array.from(out);
    }
    case 5: {
      const b = base64Decode(text);
      if (b === undefined) return 'bad base64 in ech';
      return b;
    }
    default:
      return octets;
  }
}

/** parseSvcParams reads the remaining tokens as SvcParams and writes them in key order. */
export function parseSvcParams(c: TokenCursor, s: Sink): void {
  const params = new Map<number, Uint8Array>();
  while (c.more()) {
    const tok = c.next('SvcParam');
    if (tok.quoted) c.fail('a SvcParam is key=value, not a quoted string');
    const eq = tok.text.indexOf('=');
    const keyText = eq < 0 ? tok.text : tok.text.slice(0, eq);
    let raw = eq < 0 ? undefined : tok.text.slice(eq + 1);
    if (raw !== undefined && raw.startsWith('"')) {
      if (scanQuoted(raw, 1) !== raw.length - 1) c.fail(`bad quoting in "${tok.text}"`);
      raw = raw.slice(1, -1);
    }
    const key = keyFromText(keyText);
    if (key === undefined) c.fail(`unknown SvcParamKey "${keyText}"`);
    if (params.has(key)) c.fail(`duplicate SvcParamKey "${keyText}"`);
    const v = valueOf(key, !/^key\d/i.test(keyText), raw);
    if (typeof v === 'string') c.fail(v);
    if (v.length > 0xffff) c.fail('SvcParam value too long');
    params.set(key, v);
  }
  const problem = checkSvcParams(params);
  if (problem !== undefined) c.fail(problem);
  for (const k of [...params.keys()].sort((a, b) => a - b)) {
    const v = params.get(k)!;
    s.u16(k);
    s.u16(v.length);
    s.bytes(v);
  }
}

function escapeListItem(id: Uint8Array): Uint8Array {
  const out: number[] = [];
  for (const x of id) {
    if (x === 0x2c || x === 0x5c) out.push(0x5c);
    out.push(x);
  }
  return Uint8Array.from(out);
}

/**
 * formatSvcParams prints SvcParams in wire order; Malformed when the rules above are broken.
 * `portable` spells keys newer than RFC 9460's own (dohpath, ohttp, ...) as keyNNNNN, which every
 * RFC 9460 reader accepts: Knot DNS 3.2 rejects `dohpath`, BIND 9.18 rejects `ohttp`.
 */
export function formatSvcParams(r: WireReader, out: OutToken[], portable = false): void {
  const params = new Map<number, Uint8Array>();
  let last = -1;
  while (r.remaining > 0) {
    const k = r.u16();
    const len = r.u16();
    // RFC 9460 §2.2: keys in strictly increasing order.
    if (k <= last) throw new Malformed('SvcParamKeys out of order');
    params.set(k, r.bytes(len));
    last = k;
  }
  if (checkSvcParams(params) !== undefined) throw new Malformed('bad SvcParams');
  for (const [k, v] of params) {
    let text: string;
    if (portable && k > 6) {
      out.push({ text: v.length === 0 ? `key${k}` : `key${k}="${encodeEscaped(v)}"`, quoted: false });
      continue;
    }
    switch (k) {
      case 0: {
        const names: string[] = [];
        for (let i = 0; i < v.length; i += 2) names.push(keyToText((v[i]! << 8) | v[i + 1]!));
        text = `mandatory=${names.join(',')}`;
        break;
      }
      case 1: {
        const ids: string[] = [];
        for (let i = 0; i < v.length; ) {
          const l = v[i]!;
          ids.push(encodeEscaped(escapeListItem(v.subarray(i + 1, i + 1 + l))));
          i += 1 + l;
        }
        text = `alpn="${ids.join(',')}"`;
        break;
      }
      case 2:
      case 8:
        text = keyToText(k);
        break;
      case 3:
        text = `port=${(v[0]! << 8) | v[1]!}`;
        break;
      case 4:
      case 6: {
        const size = k === 4 ? 4 : 16;
        const addrs: string[] = [];
        for (let i = 0; i < v.length; i += size) addrs.push(k === 4 ? formatIPv4(v, i) : formatIPv6(v, i));
        text = `${keyToText(k)}=${addrs.join(',')}`;
        break;
      }
      case 5:
        text = `ech=${base64Encode(v)}`;
        break;
      case 7:
        text = `dohpath="${encodeEscaped(v)}"`;
        break;
      default:
        // RFC 9460 §2.1: an empty value may be left out.
        text = v.length === 0 ? `key${k}` : `key${k}="${encodeEscaped(v)}"`;
    }
    out.push({ text, quoted: false });
  }
}
