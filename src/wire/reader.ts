// Decoding untrusted octets into a Message. Never throws past decodeMessage: every malformed input
// is a DecodeError with the offset (pointer loops, forward pointers, truncated RDATA, counts that
// lie, names over 255 octets). RFC 1035 §4.1.4 compression; RFC 3597 §4 expansion of names in the
// RDATA of well-known types; RFC 6891 §6.1.1 one OPT at most; RFC 8945 §5.1 TSIG must be last.
// Deviation: pointers must point backwards (as BIND requires), which also bounds the work.

import { RRType } from './constants.js';
import { type DecodeError, WireFault } from './errors.js';
import type { Edns, EdnsOptionData, Header, Message, Question, ResourceRecord } from './message.js';
import { type DomainName, labelToText } from './name.js';
import { FIXED_LENGTH, NAME_LAYOUT } from './rdata-layout.js';
import { type Result, ok, err } from './result.js';

/** nameEnd receives the offset after the last name read by readName (avoids a tuple per name). */
let nameEnd = 0;

/**
 * readName reads a possibly compressed name at `offset` of `buf`; the offset after it (in the
 * original position, not after any pointer target) is left in `lastNameEnd()`. Throws WireFault.
 */
export function readName(buf: Uint8Array, offset: number): DomainName {
  let pos = offset;
  let wireLen = 1;
  let end = -1;
  let lowest = offset;
  // Labels are copied into a scratch buffer with their dots and turned into one flat string at
  // the end (a string built label by label is a rope that every hash and lower-casing flattens).
  const out = NAME_SCRATCH;
  let w = 0;
  let plain = true;
  for (;;) {
    if (pos >= buf.length) throw new WireFault('truncated', pos);
    const len = buf[pos]!;
    if (len === 0) {
      if (end < 0) end = pos + 1;
      break;
    }
    const kind = len & 0xc0;
    if (kind === 0xc0) {
      if (pos + 1 >= buf.length) throw new WireFault('truncated', pos);
      const target = ((len & 0x3f) << 8) | buf[pos + 1]!;
      if (end < 0) end = pos + 2;
      // Backward-only pointers: each jump lands strictly before every position visited so far,
      // so a loop is impossible and the walk is bounded by the message length.
      if (target >= lowest) throw new WireFault(target === pos ? 'pointer-loop' : 'bad-pointer', pos);
      lowest = target;
      pos = target;
      continue;
    }
    if (kind !== 0) throw new WireFault('bad-label-type', pos);
    const start = pos + 1;
    const stop = start + len;
    if (stop > buf.length) throw new WireFault('truncated', pos);
    wireLen += len + 1;
    if (wireLen > 255) throw new WireFault('name-too-long', pos);
    for (let i = start; i < stop; i++) {
      const c = buf[i]!;
      if (PLAIN_OCTET[c] === 0) plain = false;
      out[w++] = c;
    }
    out[w++] = 0x2e;
    pos = stop;
  }
  nameEnd = end;
  if (w === 0) return '.' as DomainName;
  if (plain) return out.toString('latin1', 0, w) as DomainName;
  return readNameEscaped(buf, offset);
}

/** NAME_SCRATCH holds the labels of the name being read (at most 255 octets plus dots). */
const NAME_SCRATCH = Buffer.alloc(512);

/** PLAIN_OCTET marks octets that stand for themselves in presentation form (see name.ts). */
const PLAIN_OCTET = new Uint8Array(256).map((_, b) => (b > 0x20 && b < 0x7f && b !== 0x2e && b !== 0x5c && b !== 0x22 && b !== 0x28 && b !== 0x29 && b !== 0x3b && b !== 0x40 && b !== 0x24 ? 1 : 0));

/**
 * readNameEscaped is the general path of readName for names with octets that need escapes
 * (RFC 1035 §5.1): label by label through labelToText. Same checks as readName.
 */
function readNameEscaped(buf: Uint8Array, offset: number): DomainName {
  let pos = offset;
  let name = '';
  let end = -1;
  let lowest = offset;
  for (;;) {
    const len = buf[pos]!;
    if (len === 0) {
      if (end < 0) end = pos + 1;
      break;
    }
    if ((len & 0xc0) === 0xc0) {
      const target = ((len & 0x3f) << 8) | buf[pos + 1]!;
      if (end < 0) end = pos + 2;
      if (target >= lowest) throw new WireFault('bad-pointer', pos);
      lowest = target;
      pos = target;
      continue;
    }
    name += labelToText(buf, pos + 1, pos + 1 + len) + '.';
    pos += len + 1;
  }
  nameEnd = end;
  return name as DomainName;
}

/** lastNameEnd returns the offset just after the name most recently read by readName. */
export function lastNameEnd(): number {
  return nameEnd;
}

/** skipName advances past a name without decoding it; returns the next offset. Throws WireFault. */
export function skipName(buf: Uint8Array, offset: number): number {
  let pos = offset;
  let wireLen = 1;
  for (;;) {
    if (pos >= buf.length) throw new WireFault('truncated', pos);
    const len = buf[pos]!;
    if (len === 0) return pos + 1;
    if ((len & 0xc0) === 0xc0) {
      if (pos + 1 >= buf.length) throw new WireFault('truncated', pos);
      return pos + 2;
    }
    if ((len & 0xc0) !== 0) throw new WireFault('bad-label-type', pos);
    wireLen += len + 1;
    if (wireLen > 255) throw new WireFault('name-too-long', pos);
    pos += len + 1;
  }
}

/**
 * readNameWire reads a possibly compressed name and appends its uncompressed wire form to `out`
 * starting at `w`; returns the new write position. The source offset after it is in lastNameEnd().
 */
function readNameWire(buf: Uint8Array, offset: number, out: Uint8Array, w: number): number {
  let pos = offset;
  let end = -1;
  let lowest = offset;
  let wireLen = 1;
  for (;;) {
    if (pos >= buf.length) throw new WireFault('truncated', pos);
    const len = buf[pos]!;
    if (len === 0) {
      if (end < 0) end = pos + 1;
      out[w++] = 0;
      break;
    }
    if ((len & 0xc0) === 0xc0) {
      if (pos + 1 >= buf.length) throw new WireFault('truncated', pos);
      const target = ((len & 0x3f) << 8) | buf[pos + 1]!;
      if (end < 0) end = pos + 2;
      if (target >= lowest) throw new WireFault(target === pos ? 'pointer-loop' : 'bad-pointer', pos);
      lowest = target;
      pos = target;
      continue;
    }
    if ((len & 0xc0) !== 0) throw new WireFault('bad-label-type', pos);
    if (pos + 1 + len > buf.length) throw new WireFault('truncated', pos);
    wireLen += len + 1;
    if (wireLen > 255) throw new WireFault('name-too-long', pos);
    out.set(buf.subarray(pos, pos + 1 + len), w);
    w += len + 1;
    pos += len + 1;
  }
  nameEnd = end;
  return w;
}

/**
 * readRdata returns the RDATA of an RR of `type` occupying [start, start+len) of `buf`, with any
 * compressed names expanded (RFC 3597 §4). Types without names are returned as a view of `buf`.
 */
export function readRdata(buf: Uint8Array, type: number, start: number, len: number): Uint8Array {
  const fixed = FIXED_LENGTH.get(type);
  if (fixed !== undefined && fixed !== len) throw new WireFault('bad-rdata', start);
  const layout = NAME_LAYOUT.get(type);
  if (layout === undefined) return buf.subarray(start, start + len);
  // Expanded size is at most len + 255 per name; names are few, so this bound is small.
  const out = new Uint8Array(len + 256 * layout.length);
  return out.subarray(0, expandRdata(buf, type, start, len, out));
}

/**
 * expandRdata writes the RDATA of an RR of a type with names (NAME_LAYOUT) into `out` with its
 * names expanded, and returns the length written; `out` needs len + 256 × names octets. Lets a
 * transfer parser reuse one scratch buffer instead of allocating per record. Throws WireFault.
 */
export function expandRdata(buf: Uint8Array, type: number, start: number, len: number, out: Uint8Array): number {
  const end = start + len;
  const layout = NAME_LAYOUT.get(type);
  if (layout === undefined) throw new Error(`type ${type} has no names to expand`);
  let pos = start;
  let w = 0;
  for (const tok of layout) {
    if (tok === 'N' || tok === 'D') {
      w = readNameWire(buf, pos, out, w);
      pos = nameEnd;
    } else if (tok === 'C') {
      if (pos >= end) throw new WireFault('bad-rdata', pos);
      const l = buf[pos]! + 1;
      if (pos + l > end) throw new WireFault('bad-rdata', pos);
      out.set(buf.subarray(pos, pos + l), w);
      w += l;
      pos += l;
    } else {
      if (pos + tok > end) throw new WireFault('bad-rdata', pos);
      out.set(buf.subarray(pos, pos + tok), w);
      w += tok;
      pos += tok;
    }
    if (pos > end) throw new WireFault('bad-rdata', pos);
  }
  if (pos < end) {
    out.set(buf.subarray(pos, end), w);
    w += end - pos;
  }
  return w;
}

/** readHeader reads the 12-octet header; undefined when there are fewer than 12 octets. */
export function readHeader(buf: Uint8Array): Header | undefined {
  if (buf.length < 12) return undefined;
  return {
    id: (buf[0]! << 8) | buf[1]!,
    flags: (buf[2]! << 8) | buf[3]!,
    qdcount: (buf[4]! << 8) | buf[5]!,
    ancount: (buf[6]! << 8) | buf[7]!,
    nscount: (buf[8]! << 8) | buf[9]!,
    arcount: (buf[10]! << 8) | buf[11]!,
  };
}

function u16(buf: Uint8Array, o: number): number {
  return (buf[o]! << 8) | buf[o + 1]!;
}

function u32(buf: Uint8Array, o: number): number {
  return ((buf[o]! << 24) | (buf[o + 1]! << 16) | (buf[o + 2]! << 8) | buf[o + 3]!) >>> 0;
}

/**
 * decodeMessage decodes a whole message. Fails with a DecodeError (never throws) when the octets
 * are not a well-formed message: see DecodeReason for the cases.
 */
export function decodeMessage(buf: Uint8Array): Result<Message, DecodeError> {
  const header = readHeader(buf);
  if (header === undefined) return err({ kind: 'decode', reason: 'short-header', offset: 0 });
  try {
    let pos = 12;
    const questions: Question[] = [];
    for (let i = 0; i < header.qdcount; i++) {
      const name = readName(buf, pos);
      pos = nameEnd;
      if (pos + 4 > buf.length) throw new WireFault('truncated', pos);
      questions.push({ name, type: u16(buf, pos), class: u16(buf, pos + 2) });
      pos += 4;
    }
    const sections: ResourceRecord[][] = [[], [], []];
    const counts = [header.ancount, header.nscount, header.arcount];
    let edns: Edns | undefined;
    let tsig: Message['tsig'];
    for (let s = 0; s < 3; s++) {
      const list = sections[s]!;
      const count = counts[s]!;
      for (let i = 0; i < count; i++) {
        const rrStart = pos;
        const name = readName(buf, pos);
        pos = nameEnd;
        if (pos + 10 > buf.length) throw new WireFault('truncated', pos);
        const type = u16(buf, pos);
        const cls = u16(buf, pos + 2);
        const ttl = u32(buf, pos + 4);
        const rdlen = u16(buf, pos + 8);
        pos += 10;
        if (pos + rdlen > buf.length) throw new WireFault('truncated', pos);
        if (tsig !== undefined) throw new WireFault('bad-tsig-position', rrStart);
        if (type === RRType.OPT) {
          // RFC 6891 §6.1.1: one OPT at most, owner is the root, only in the additional section.
          if (s !== 2 || edns !== undefined || name !== '.') throw new WireFault('bad-opt', rrStart);
          edns = readOpt(buf, cls, ttl, pos, rdlen);
        } else if (type === RRType.TSIG) {
          // RFC 8945 §5.1: the TSIG RR must be the last RR of the additional section.
          if (s !== 2 || i !== count - 1) throw new WireFault('bad-tsig-position', rrStart);
          tsig = { rr: { name, type, class: cls, ttl, rdata: buf.subarray(pos, pos + rdlen) }, offset: rrStart };
        } else {
          list.push({ name, type, class: cls, ttl, rdata: readRdata(buf, type, pos, rdlen) });
        }
        pos += rdlen;
      }
    }
    if (pos !== buf.length) throw new WireFault('trailing-bytes', pos);
    return ok({
      header,
      questions,
      answers: sections[0]!,
      authorities: sections[1]!,
      additionals: sections[2]!,
      edns,
      tsig,
      raw: buf,
    });
  } catch (e) {
    if (e instanceof WireFault) return err({ kind: 'decode', reason: e.reason, offset: e.offset });
    if (e instanceof RangeError) return err({ kind: 'decode', reason: 'truncated', offset: buf.length });
    throw e;
  }
}

function readOpt(buf: Uint8Array, cls: number, ttl: number, start: number, len: number): Edns {
  const options: EdnsOptionData[] = [];
  let pos = start;
  const end = start + len;
  while (pos < end) {
    if (pos + 4 > end) throw new WireFault('bad-opt', pos);
    const code = u16(buf, pos);
    const olen = u16(buf, pos + 2);
    pos += 4;
    if (pos + olen > end) throw new WireFault('bad-opt', pos);
    options.push({ code, data: buf.subarray(pos, pos + olen) });
    pos += olen;
  }
  return {
    // RFC 6891 §6.2.3: values below 512 are treated as 512.
    udpSize: Math.max(cls, 512),
    extendedRcode: ttl >>> 24,
    version: (ttl >>> 16) & 0xff,
    flags: ttl & 0xffff,
    options,
  };
}
