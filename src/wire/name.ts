// Domain names: the canonical presentation form used everywhere above the wire (absolute, escaped,
// case preserved), conversion to and from wire labels, and case-insensitive keys (RFC 4343).
// Presentation escapes follow RFC 1035 §5.1; wire limits follow RFC 1035 §2.3.4 (63/255 octets).
// Reading compressed names off the wire lives in reader.ts; this file does no pointer chasing.

import { type Result, ok, err } from './result.js';

/**
 * DomainName is an absolute name in presentation form with its trailing dot ("www.example.com.",
 * the root is "."). Labels keep the case they arrived with (RFC 4343 §4.1); special and
 * non-printable octets are escaped (`\.`, `\\`, `\DDD`) so that one name has one spelling apart
 * from letter case. Build one only through this module.
 */
export type DomainName = string & { readonly __brand: 'DomainName' };

export const ROOT = '.' as DomainName;

/** Characters that RFC 1035 §5.1 makes special in master files, escaped with a backslash. */
const SPECIAL = new Set([0x2e, 0x5c, 0x22, 0x28, 0x29, 0x3b, 0x40, 0x24, 0x20]);

/** ESCAPED[b] is the presentation text of octet b inside a label. */
const ESCAPED: string[] = Array.from({ length: 256 }, (_, b) => {
  if (SPECIAL.has(b)) return '\\' + String.fromCharCode(b);
  if (b > 0x20 && b < 0x7f) return String.fromCharCode(b);
  return '\\' + String(b).padStart(3, '0');
});
/** PLAIN[b] is true when octet b stands for itself in presentation form. */
const PLAIN = new Uint8Array(256).map((_, b) => (b > 0x20 && b < 0x7f && !SPECIAL.has(b) ? 1 : 0));

/** labelToText renders wire label octets [start, end) of buf in presentation form. */
export function labelToText(buf: Uint8Array, start: number, end: number): string {
  let plain = true;
  for (let i = start; i < end; i++) {
    if (PLAIN[buf[i]!] === 0) {
      plain = false;
      break;
    }
  }
  if (plain) return latin1(buf, start, end);
  let s = '';
  for (let i = start; i < end; i++) s += ESCAPED[buf[i]!];
  return s;
}

function latin1(buf: Uint8Array, start: number, end: number): string {
  // String.fromCharCode over a subarray is the fastest portable path for short ASCII runs.
  if (end - start < 48) {
    let s = '';
    for (let i = start; i < end; i++) s += String.fromCharCode(buf[i]!);
    return s;
  }
  return Buffer.from(buf.buffer, buf.byteOffset + start, end - start).toString('latin1');
}

export type NameError =
  | { kind: 'empty-label'; text: string }
  | { kind: 'label-too-long'; text: string }
  | { kind: 'name-too-long'; text: string }
  | { kind: 'bad-escape'; text: string }
  | { kind: 'relative-without-origin'; text: string };

/** describeNameError renders a NameError for humans. */
export function describeNameError(e: NameError): string {
  switch (e.kind) {
    case 'empty-label':
      return `empty label in "${e.text}"`;
    case 'label-too-long':
      return `label longer than 63 octets in "${e.text}"`;
    case 'name-too-long':
      return `name longer than 255 octets in "${e.text}"`;
    case 'bad-escape':
      return `bad escape sequence in "${e.text}"`;
    case 'relative-without-origin':
      return `relative name "${e.text}" with no origin`;
  }
}

/**
 * textToLabels parses presentation text into wire labels (without the root label). The text may
 * end with a dot (absolute) or not; `absolute` reports which. Escapes: `\X` and `\DDD`.
 */
export function textToLabels(text: string): Result<{ labels: Uint8Array[]; absolute: boolean }, NameError> {
  if (text === '.') return ok({ labels: [], absolute: true });
  const labels: Uint8Array[] = [];
  let cur: number[] = [];
  let i = 0;
  let absolute = false;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c === 0x2e) {
      if (cur.length === 0) return err({ kind: 'empty-label', text });
      if (cur.length > 63) return err({ kind: 'label-too-long', text });
      labels.push(Uint8Array.from(cur));
      cur = [];
      i++;
      if (i === text.length) absolute = true;
      continue;
    }
    if (c === 0x5c) {
      const next = text.charCodeAt(i + 1);
      if (Number.isNaN(next)) return err({ kind: 'bad-escape', text });
      if (next >= 0x30 && next <= 0x39) {
        const digits = text.slice(i + 1, i + 4);
        if (!/^\d{3}$/.test(digits)) return err({ kind: 'bad-escape', text });
        const v = Number(digits);
        if (v > 255) return err({ kind: 'bad-escape', text });
        cur.push(v);
        i += 4;
      } else {
        if (next > 0xff) return err({ kind: 'bad-escape', text });
        cur.push(next);
        i += 2;
      }
      continue;
    }
    if (c > 0xff) return err({ kind: 'bad-escape', text });
    cur.push(c);
    i++;
  }
  if (cur.length > 0) {
    if (cur.length > 63) return err({ kind: 'label-too-long', text });
    labels.push(Uint8Array.from(cur));
  } else if (!absolute && text.length > 0) {
    return err({ kind: 'empty-label', text });
  }
  return ok({ labels, absolute });
}

/** labelsToName renders wire labels as a DomainName; the caller has checked the lengths. */
export function labelsToName(labels: readonly Uint8Array[]): DomainName {
  if (labels.length === 0) return ROOT;
  let s = '';
  for (const l of labels) s += labelToText(l, 0, l.length) + '.';
  return s as DomainName;
}

/**
 * parseName turns presentation text into a DomainName. `@` is the origin; a name without a
 * trailing dot is relative to `origin` (RFC 1035 §5.1). Fails on empty labels, labels over 63
 * octets, names over 255 octets on the wire, bad escapes, or a relative name with no origin.
 */
export function parseName(text: string, origin?: DomainName): Result<DomainName, NameError> {
  if (text === '@') {
    if (origin === undefined) return err({ kind: 'relative-without-origin', text });
    return ok(origin);
  }
  const parsed = textToLabels(text);
  if (!parsed.ok) return parsed;
  let labels = parsed.value.labels;
  if (!parsed.value.absolute) {
    if (origin === undefined) return err({ kind: 'relative-without-origin', text });
    const o = textToLabels(origin);
    if (!o.ok) return o;
    labels = labels.concat(o.value.labels);
  }
  let wireLen = 1;
  for (const l of labels) wireLen += l.length + 1;
  if (wireLen > 255) return err({ kind: 'name-too-long', text });
  return ok(labelsToName(labels));
}

/** nameFromTrusted brands text already known to be canonical (tests, constants). Throws if not. */
export function nameFromTrusted(text: string): DomainName {
  const r = parseName(text.endsWith('.') ? text : text + '.');
  if (!r.ok) throw new Error(`invalid trusted name ${text}: ${describeNameError(r.error)}`);
  return r.value;
}

/**
 * nameKey is the case-insensitive identity of a name (RFC 4343: ASCII letters only are folded;
 * other octets are escaped in DomainName, so String#toLowerCase touches letters alone).
 */
export function nameKey(name: string): string {
  return name.toLowerCase();
}

/** namesEqual compares two names case-insensitively (RFC 4343). */
export function namesEqual(a: string, b: string): boolean {
  return a === b || a.toLowerCase() === b.toLowerCase();
}

/** splitLabels returns the presentation labels of a name, root excluded. */
export function splitLabels(name: string): string[] {
  if (name === '.') return [];
  if (!name.includes('\\')) return name.slice(0, -1).split('.');
  const out: string[] = [];
  let start = 0;
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (c === 0x5c) {
      i += /\d/.test(name[i + 1] ?? '') ? 3 : 1;
    } else if (c === 0x2e) {
      out.push(name.slice(start, i));
      start = i + 1;
    }
  }
  return out;
}

/** labelCount is the number of labels, root excluded (RFC 4034 §3.1.3 counts the same way). */
export function labelCount(name: string): number {
  if (name === '.') return 0;
  if (!name.includes('\\')) {
    let n = 0;
    for (let i = 0; i < name.length; i++) if (name.charCodeAt(i) === 0x2e) n++;
    return n;
  }
  return splitLabels(name).length;
}

/** parentName removes the first label; the root's parent is undefined. */
export function parentName<N extends string>(name: N): N | undefined {
  if (name === '.') return undefined;
  if (!name.includes('\\')) {
    const i = name.indexOf('.');
    return (i === name.length - 1 ? '.' : name.slice(i + 1)) as N;
  }
  const labels = splitLabels(name);
  return (labels.length <= 1 ? '.' : labels.slice(1).join('.') + '.') as N;
}

/**
 * isSubdomain reports whether `name` is `zone` or below it, case-insensitively. Label boundaries
 * are respected even when a label contains an escaped dot.
 */
export function isSubdomain(name: string, zone: string): boolean {
  const n = name.toLowerCase();
  const z = zone.toLowerCase();
  if (z === '.') return true;
  if (n === z) return true;
  if (!n.endsWith('.' + z)) return false;
  if (!n.includes('\\')) return true;
  const nl = splitLabels(n);
  const zl = splitLabels(z);
  if (nl.length <= zl.length) return false;
  for (let i = 1; i <= zl.length; i++) if (nl[nl.length - i] !== zl[zl.length - i]) return false;
  return true;
}

/** relativeName renders `name` relative to `origin` for zone files ("@" for the apex). */
export function relativeName(name: string, origin: string): string {
  if (namesEqual(name, origin)) return '@';
  if (origin !== '.' && isSubdomain(name, origin)) return name.slice(0, name.length - origin.length - 1);
  return name;
}

const wireCache = new Map<string, Uint8Array>();

/**
 * nameToWire returns the uncompressed wire form of a DomainName (labels then the root octet).
 * Results for the most recent names are cached: callers must not mutate the returned bytes.
 */
export function nameToWire(name: DomainName): Uint8Array {
  const cached = wireCache.get(name);
  if (cached !== undefined) return cached;
  const out = encodeName(name);
  if (wireCache.size > 4096) wireCache.clear();
  wireCache.set(name, out);
  return out;
}

function encodeName(name: string): Uint8Array {
  if (name === '.') return Uint8Array.of(0);
  if (!name.includes('\\')) {
    const out = new Uint8Array(name.length + 1);
    return out.subarray(0, writeNameWire(out, 0, name as DomainName));
  }
  const parsed = textToLabels(name);
  if (!parsed.ok) throw new Error(`not a DomainName: ${name}`);
  let len = 1;
  for (const l of parsed.value.labels) len += l.length + 1;
  const out = new Uint8Array(len);
  let w = 0;
  for (const l of parsed.value.labels) {
    out[w++] = l.length;
    out.set(l, w);
    w += l.length;
  }
  out[w] = 0;
  return out;
}

/** wireNameLength is the uncompressed wire length of a DomainName. */
export function wireNameLength(name: DomainName): number {
  return nameToWire(name).length;
}

/**
 * writeNameWire encodes a DomainName as uncompressed wire octets into `out` at `pos` and returns
 * the position after it; `out` must have room for name.length + 1 octets (an upper bound).
 */
export function writeNameWire(out: Uint8Array, pos: number, name: DomainName): number {
  if (name === '.') {
    out[pos] = 0;
    return pos + 1;
  }
  if (name.includes('\\')) {
    const wire = nameToWire(name);
    out.set(wire, pos);
    return pos + wire.length;
  }
  let lenPos = pos;
  let w = pos + 1;
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (c === 0x2e) {
      out[lenPos] = w - lenPos - 1;
      lenPos = w;
      w++;
    } else {
      out[w++] = c;
    }
  }
  out[lenPos] = 0;
  return w;
}
