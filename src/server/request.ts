// RequestView: the few request fields the server needs to answer, and the fast path that reads
// them straight off the wire for the common query shape (one question, no answer/authority, at
// most one OPT) without building a Message. Everything else goes through decodeMessage. Pure.
// RFC 1035 §4.1.1-§4.1.2 (header, question), RFC 6891 §6.1.2-§6.1.3 (OPT), §6.2.3 (size ≥ 512).

import { MAX_UDP_CLASSIC, type Message, type Question, RRType, lastNameEnd, readName } from '../wire/index.js';

/** RequestView is what a response is built from; `question` is absent when QDCOUNT was 0. */
export interface RequestView {
  readonly id: number;
  readonly flags: number;
  readonly question: Question | undefined;
  /** edns is true when the request carried an OPT RR; the fields below are then meaningful. */
  readonly edns: boolean;
  /** udpSize is the requestor's payload size, at least 512 (RFC 6891 §6.2.3); 512 without EDNS. */
  readonly udpSize: number;
  readonly ednsVersion: number;
  readonly ednsFlags: number;
}

/** SLOW_QTYPES take the full decode: transfers need the whole Message for their hook, and
 * meta-types that are not queries (OPT, TSIG, TKEY) get their own answers. */
function slowQtype(t: number): boolean {
  return t === RRType.AXFR || t === RRType.IXFR || t === RRType.OPT || t === RRType.TSIG || t === RRType.TKEY;
}

/**
 * parseCommonQuery reads a standard query (QR=0, opcode QUERY, QDCOUNT=1, AN=NS=0, AR≤1 and that
 * one an EDNS version 0 OPT owned by the root written as a single zero octet) whose qtype is not
 * a transfer or meta-type. Returns undefined for anything else, malformed input included; the caller then runs
 * decodeMessage, which produces the same view or the DecodeError.
 */
export function parseCommonQuery(buf: Uint8Array): RequestView | undefined {
  const len = buf.length;
  if (len < 17) return undefined;
  const flags = (buf[2]! << 8) | buf[3]!;
  // QR (0x8000) clear and opcode (0x7800) QUERY.
  if ((flags & 0xf800) !== 0) return undefined;
  if (buf[4] !== 0 || buf[5] !== 1 || buf[6] !== 0 || buf[7] !== 0 || buf[8] !== 0 || buf[9] !== 0 || buf[10] !== 0) {
    return undefined;
  }
  const ar = buf[11]!;
  if (ar > 1) return undefined;
  let name;
  try {
    name = readName(buf, 12);
  } catch {
    return undefined;
  }
  let pos = lastNameEnd();
  if (pos + 4 > len) return undefined;
  const type = (buf[pos]! << 8) | buf[pos + 1]!;
  if (slowQtype(type)) return undefined;
  const cls = (buf[pos + 2]! << 8) | buf[pos + 3]!;
  pos += 4;
  const id = (buf[0]! << 8) | buf[1]!;
  const question: Question = { name, type, class: cls };
  if (ar === 0) {
    if (pos !== len) return undefined;
    return { id, flags, question, edns: false, udpSize: MAX_UDP_CLASSIC, ednsVersion: 0, ednsFlags: 0 };
  }
  // RFC 6891 §6.1.2: OPT owner is the root, TYPE 41, CLASS = payload size, TTL = ext-rcode,
  // version, flags; RDATA = {code, length, data}*.
  if (pos + 11 > len || buf[pos] !== 0 || buf[pos + 1] !== 0 || buf[pos + 2] !== RRType.OPT) return undefined;
  const udpSize = (buf[pos + 3]! << 8) | buf[pos + 4]!;
  const ednsVersion = buf[pos + 6]!;
  // Versions above 0 are answered BADVERS by the slow path (RFC 6891 §6.1.3).
  if (ednsVersion !== 0) return undefined;
  const ednsFlags = (buf[pos + 7]! << 8) | buf[pos + 8]!;
  const rdlen = (buf[pos + 9]! << 8) | buf[pos + 10]!;
  let p = pos + 11;
  const end = p + rdlen;
  if (end !== len) return undefined;
  while (p < end) {
    if (p + 4 > end) return undefined;
    p += 4 + ((buf[p + 2]! << 8) | buf[p + 3]!);
  }
  if (p !== end) return undefined;
  return {
    id,
    flags,
    question,
    edns: true,
    udpSize: udpSize < MAX_UDP_CLASSIC ? MAX_UDP_CLASSIC : udpSize,
    ednsVersion,
    ednsFlags,
  };
}

/** viewOfMessage builds the RequestView of a fully decoded message (first question only). */
export function viewOfMessage(m: Message): RequestView {
  const e = m.edns;
  return {
    id: m.header.id,
    flags: m.header.flags,
    question: m.questions[0],
    edns: e !== undefined,
    udpSize: e === undefined ? MAX_UDP_CLASSIC : e.udpSize,
    ednsVersion: e === undefined ? 0 : e.version,
    ednsFlags: e === undefined ? 0 : e.flags,
  };
}

/**
 * salvageQuestion reads the first question of a message that failed to decode, so FORMERR can
 * echo it (RFC 1035 §4.1.1); undefined when QDCOUNT is 0 or the question itself is malformed.
 */
export function salvageQuestion(buf: Uint8Array): Question | undefined {
  if (buf.length < 12 || ((buf[4]! << 8) | buf[5]!) === 0) return undefined;
  try {
    const name = readName(buf, 12);
    const pos = lastNameEnd();
    if (pos + 4 > buf.length) return undefined;
    return { name, type: (buf[pos]! << 8) | buf[pos + 1]!, class: (buf[pos + 2]! << 8) | buf[pos + 3]! };
  } catch {
    return undefined;
  }
}
