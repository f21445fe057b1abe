// Presentation tokens for RDATA: the token shape shared with the zone-file lexer, a tokenizer for
// the free-standing RDATA text of the records API, and the two escape decoders every field uses.
// RFC 1035 §5.1: `\X` and `\DDD` escapes, quoted character-strings, `;` comments, `( )` grouping.
// Deviation: text is a JS string, so a character above U+007F stands for its UTF-8 octets (what
// BIND and Knot see when they read a UTF-8 file as bytes).

import { type DomainName, type Result, describeNameError, err, labelsToName, nameToWire, ok, parseName, textToLabels } from '../../wire/index.js';

/**
 * RdataToken is one presentation token. `text` is the token as written with backslash escapes
 * kept and, for a quoted token, without its quotes. A quote that opens inside a bare token (the
 * RFC 9460 `alpn="h2,h3"` shape) is kept in `text`. `line`/`column` (1-based) locate it for errors.
 */
export interface RdataToken {
  readonly text: string;
  readonly quoted: boolean;
  readonly line?: number;
  readonly column?: number;
}

/**
 * tokenizeRdata splits free-standing RDATA text into tokens: whitespace and newlines separate,
 * unquoted parentheses are ignored (they only group lines), `;` starts a comment to the end of
 * the line. Fails on an unterminated quote or unbalanced parentheses.
 */
export function tokenizeRdata(text: string): Result<RdataToken[], string> {
  const out: RdataToken[] = [];
  let i = 0;
  let line = 1;
  let lineStart = 0;
  let depth = 0;
  const n = text.length;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 0x0a) {
      line++;
      i++;
      lineStart = i;
      continue;
    }
    if (c === 0x20 || c === 0x09 || c === 0x0d) {
      i++;
      continue;
    }
    if (c === 0x3b) {
      while (i < n && text.charCodeAt(i) !== 0x0a) i++;
      continue;
    }
    if (c === 0x28) {
      depth++;
      i++;
      continue;
    }
    if (c === 0x29) {
      if (depth === 0) return err(`unbalanced ")" at line ${line} column ${i - lineStart + 1}`);
      depth--;
      i++;
      continue;
    }
    const column = i - lineStart + 1;
    if (c === 0x22) {
      const end = scanQuoted(text, i + 1);
      if (end < 0) return err(`unterminated quoted string at line ${line} column ${column}`);
      out.push({ text: text.slice(i + 1, end), quoted: true, line, column });
      i = end + 1;
      continue;
    }
    const end = scanBare(text, i);
    if (end < 0) return err(`unterminated quoted string at line ${line} column ${column}`);
    out.push({ text: text.slice(i, end), quoted: false, line, column });
    i = end;
  }
  if (depth !== 0) return err('unbalanced "(": missing ")"');
  return ok(out);
}

/** scanQuoted returns the index of the closing quote of a string whose body starts at `i`, or -1. */
export function scanQuoted(text: string, i: number): number {
  const n = text.length;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 0x5c) {
      i += 2;
      continue;
    }
    if (c === 0x22) return i;
    if (c === 0x0a) return -1;
    i++;
  }
  return -1;
}

/**
 * scanBare returns the end of a bare token starting at `i`: the first unescaped whitespace,
 * parenthesis or `;`. A quote inside the token opens a quoted run that may hold spaces; -1 when
 * that run is not closed on the same line.
 */
export function scanBare(text: string, i: number): number {
  const n = text.length;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 0x5c) {
      // An escape at the very end of a line escapes nothing; it stays in the token.
      i += i + 1 < n && text.charCodeAt(i + 1) !== 0x0a ? 2 : 1;
      continue;
    }
    if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d || c === 0x28 || c === 0x29 || c === 0x3b) return i;
    if (c === 0x22) {
      const q = scanQuoted(text, i + 1);
      if (q < 0) return -1;
      i = q + 1;
      continue;
    }
    i++;
  }
  return i;
}

function pushUtf8(cp: number, out: number[]): void {
  if (cp < 0x80) out.push(cp);
  else if (cp < 0x800) out.push(0xc0 | (cp >> 6), 0x80 | (cp & 0x3f));
  else if (cp < 0x10000) out.push(0xe0 | (cp >> 12), 0x80 | ((cp >> 6) & 0x3f), 0x80 | (cp & 0x3f));
  else out.push(0xf0 | (cp >> 18), 0x80 | ((cp >> 12) & 0x3f), 0x80 | ((cp >> 6) & 0x3f), 0x80 | (cp & 0x3f));
}

/**
 * decodeEscaped turns token text into octets: `\DDD` (decimal, at most 255) and `\X` (X itself);
 * characters above U+007F become their UTF-8 octets. Fails on a bad or dangling escape.
 */
export function decodeEscaped(text: string): Result<Uint8Array, string> {
  let simple = true;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x5c || c > 0x7f) {
      simple = false;
      break;
    }
  }
  if (simple) {
    const b = new Uint8Array(text.length);
    for (let i = 0; i < text.length; i++) b[i] = text.charCodeAt(i);
    return ok(b);
  }
  const out: number[] = [];
  for (let i = 0; i < text.length; ) {
    const cp = text.codePointAt(i)!;
    if (cp === 0x5c) {
      const next = text.codePointAt(i + 1);
      if (next === undefined) return err(`dangling "\\" in "${text}"`);
      if (next >= 0x30 && next <= 0x39) {
        const digits = text.slice(i + 1, i + 4);
        if (!/^\d{3}$/.test(digits) || Number(digits) > 255) return err(`bad \\DDD escape in "${text}"`);
        out.push(Number(digits));
        i += 4;
        continue;
      }
      pushUtf8(next, out);
      i += next > 0xffff ? 3 : 2;
      continue;
    }
    pushUtf8(cp, out);
    i += cp > 0xffff ? 2 : 1;
  }
  return ok(Uint8Array.from(out));
}

/** encodeEscaped renders octets for a quoted character-string: `"` and `\` escaped, others \DDD. */
export function encodeEscaped(b: Uint8Array, start = 0, end = b.length): string {
  let s = '';
  let run = start;
  for (let i = start; i < end; i++) {
    const c = b[i]!;
    if (c >= 0x20 && c < 0x7f && c !== 0x22 && c !== 0x5c) continue;
    if (i > run) s += asciiRun(b, run, i);
    s += c === 0x22 || c === 0x5c ? '\\' + String.fromCharCode(c) : '\\' + String(c).padStart(3, '0');
    run = i + 1;
  }
  if (end > run) s += asciiRun(b, run, end);
  return s;
}

function asciiRun(b: Uint8Array, start: number, end: number): string {
  let s = '';
  for (let i = start; i < end; i++) s += String.fromCharCode(b[i]!);
  return s;
}

/** MAX_WIRE_NAME is the RFC 1035 §2.3.4 limit on a name's wire length, root label included. */
const MAX_WIRE_NAME = 255;

/**
 * encodePlainName writes the uncompressed wire form of `text` into `out` at `pos` and returns the
 * end position, or -1 when the text needs the general path of nameFromText: escapes, non-ASCII
 * characters, `@`, a relative name without origin, and every error (empty or long labels, long
 * names), so that one place words the errors. `out` needs 2 × 255 octets of room at `pos`.
 * This is the zone-file parser's hot path: no strings and no garbage.
 */
export function encodePlainName(text: string, origin: DomainName | undefined, out: Uint8Array, pos: number): number {
  const n = text.length;
  if (n === 0 || (n === 1 && text.charCodeAt(0) === 0x40)) return -1;
  if (n === 1 && text.charCodeAt(0) === 0x2e) {
    out[pos] = 0;
    return pos + 1;
  }
  let lenPos = pos;
  let w = pos + 1;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x2e) {
      const len = w - lenPos - 1;
      if (len === 0 || len > 63) return -1;
      out[lenPos] = len;
      lenPos = w++;
    } else if (c === 0x5c || c > 0x7f) {
      return -1;
    } else {
      out[w++] = c;
    }
    if (w - pos > MAX_WIRE_NAME) return -1;
  }
  if (text.charCodeAt(n - 1) === 0x2e) {
    // Absolute: the position after the last dot holds the root label.
    out[lenPos] = 0;
    return lenPos + 1;
  }
  const len = w - lenPos - 1;
  if (len > 63 || origin === undefined) return -1;
  out[lenPos] = len;
  const o = nameToWire(origin);
  if (w - pos + o.length > MAX_WIRE_NAME) return -1;
  out.set(o, w);
  return w + o.length;
}

/** Names parsed under the current origin (a zone file mostly has one, so one map at a time). */
let cacheOrigin: DomainName | undefined | null = null;
let nameCache = new Map<string, DomainName>();
/** The origin's labels, reused by every relative name built under it. */
let originLabels: Uint8Array[] = [];
const nameScratch = new Uint8Array(2 * MAX_WIRE_NAME + 2);

function hasNonAscii(t: string): boolean {
  for (let i = 0; i < t.length; i++) if (t.charCodeAt(i) > 0x7f) return true;
  return false;
}

/**
 * nameFromText parses a domain name in rdata or owner position: `@` is the origin, a name without
 * a trailing dot is relative to it (RFC 1035 §5.1). Non-ASCII characters are taken as UTF-8
 * octets and escaped before the name is built.
 */
export function nameFromText(text: string, origin: DomainName | undefined): Result<DomainName, string> {
  if (origin !== cacheOrigin) {
    cacheOrigin = origin;
    nameCache = new Map();
    const o = origin === undefined ? undefined : textToLabels(origin);
    originLabels = o?.ok === true ? o.value.labels : [];
  }
  const hit = nameCache.get(text);
  if (hit !== undefined) return ok(hit);
  let name: DomainName;
  const end = encodePlainName(text, origin, nameScratch, 0);
  if (end >= 0) {
    // Copy the labels written before the origin's (labelsToName turns them into the name's text).
    const labels: Uint8Array[] = [];
    const relative = text.charCodeAt(text.length - 1) !== 0x2e;
    const stop = relative ? end - nameToWire(origin!).length : end;
    for (let p = 0; p < stop && nameScratch[p] !== 0; p += nameScratch[p]! + 1) labels.push(nameScratch.slice(p + 1, p + 1 + nameScratch[p]!));
    if (relative) for (const l of originLabels) labels.push(l);
    name = labelsToName(labels);
  } else {
    const r = generalName(text, origin);
    if (!r.ok) return r;
    name = r.value;
  }
  if (nameCache.size >= 8192) nameCache.clear();
  nameCache.set(text, name);
  return ok(name);
}

/** generalName is nameFromText for any text: escapes and UTF-8 handled, errors worded. */
function generalName(text: string, origin: DomainName | undefined): Result<DomainName, string> {
  let t = text;
  if (hasNonAscii(t)) {
    const bytes: number[] = [];
    let s = '';
    const chars = Array.from(t);
    for (let i = 0; i < chars.length; i++) {
      let ch = chars[i]!;
      if (ch === '\\' && i + 1 < chars.length) {
        const next = chars[i + 1]!;
        i++;
        // `\X` with X non-ASCII means X itself; an ASCII escape is kept for parseName.
        if (next.codePointAt(0)! < 0x80) {
          s += ch + next;
          continue;
        }
        ch = next;
      }
      const cp = ch.codePointAt(0)!;
      if (cp < 0x80) {
        s += ch;
        continue;
      }
      bytes.length = 0;
      pushUtf8(cp, bytes);
      for (const b of bytes) s += '\\' + String(b).padStart(3, '0');
    }
    t = s;
  }
  if (t === '') return err('empty domain name');
  const r = parseName(t, origin);
  if (!r.ok) return err(describeNameError(r.error));
  return ok(r.value);
}
