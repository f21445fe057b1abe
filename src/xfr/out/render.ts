// Rendering outgoing transfers into DNS messages. AXFR (RFC 5936 §2.2): SOA first and last, every
// RR once, as many messages as needed, each under the size limit, names compressed. A version's
// AXFR messages are rendered once and shared by every secondary (per-transfer work is the ID, the
// question spelling and the TSIG MAC). IXFR (RFC 1995 §4): the current SOA, then for each diff the
// old SOA, removals, the new SOA, additions, and the current SOA again; or a lone SOA when the
// client is current. Pure: no sockets; src/xfr/out/sender.ts writes the messages.

import { Flag, MessageWriter, RRClass, RRType, Section, nameToWire, type DomainName, type ResourceRecord } from '../../wire/index.js';
import type { ZoneDiff, ZoneVersion } from '../../zone/index.js';

/**
 * MAX_TRANSFER_MESSAGE leaves room under the TCP maximum (65535) for a TSIG RR (owner and
 * algorithm names up to 255 octets each, a 64-octet MAC and the fixed fields).
 */
export const MAX_TRANSFER_MESSAGE = 65535 - 768;

/** Rendered is one pre-built response message: octets with ID 0 and the record count. */
export interface RenderedMessage {
  readonly octets: Buffer;
  readonly records: number;
}

/** QUESTION_OFFSET is where the question name starts in a rendered first message. */
export const QUESTION_OFFSET = 12;

function newWriter(first: boolean, origin: DomainName, qtype: number, limit: number): MessageWriter {
  const w = new MessageWriter(limit);
  w.header(0, Flag.QR | Flag.AA);
  // RFC 5936 §2.2.1: the first message echoes the question. It is not a compression target, so the
  // sender may overwrite it with the client's spelling of the name (same length, other case).
  if (first) w.question(origin, qtype, RRClass.IN, false);
  return w;
}

/**
 * renderAxfr yields the messages of a full transfer of `version`, one at a time, so a caller can
 * interleave rendering with other work. Throws only on a programmer error (an RR that does not fit
 * an empty message cannot exist: RDATA is at most 65535 octets and the writer was built for it).
 */
export function* renderAxfr(version: ZoneVersion, qtype: number = RRType.AXFR, limit = MAX_TRANSFER_MESSAGE): Generator<RenderedMessage> {
  let w = newWriter(true, version.origin, qtype, limit);
  let count = 0;
  const cls = version.zoneClass;
  const soa = version.soa;
  const soaOwner = nameToWire(soa.name);
  const messages: RenderedMessage[] = [];
  // put appends one RR (owner and RDATA given as slab offsets), starting a new message when full.
  const put = (src: Uint8Array, ownerOff: number, type: number, ttl: number, rdSrc: Uint8Array, rdOff: number, rdLen: number): void => {
    if (w.recordFrom(Section.Answer, src, ownerOff, type, cls, ttl, rdSrc, rdOff, rdLen)) {
      count++;
      return;
    }
    if (count === 0) throw new Error('RR larger than a transfer message');
    messages.push({ octets: w.finish(), records: count });
    w = newWriter(false, version.origin, qtype, limit);
    count = 0;
    if (!w.recordFrom(Section.Answer, src, ownerOff, type, cls, ttl, rdSrc, rdOff, rdLen)) throw new Error('RR larger than a transfer message');
    count = 1;
  };
  put(soaOwner, 0, RRType.SOA, soa.ttl, soa.rdata, 0, soa.rdata.length);
  for (const node of version.nodes()) {
    const s = node.slab;
    let p = node.setsOffset;
    const sets = (s[p]! << 8) | s[p + 1]!;
    p += 2;
    for (let i = 0; i < sets; i++) {
      const type = (s[p]! << 8) | s[p + 1]!;
      const ttl = ((s[p + 2]! << 24) | (s[p + 3]! << 16) | (s[p + 4]! << 8) | s[p + 5]!) >>> 0;
      const n = (s[p + 6]! << 8) | s[p + 7]!;
      p += 8;
      // The apex SOA is sent first and last only (RFC 5936 §2.2).
      const skip = type === RRType.SOA;
      for (let j = 0; j < n; j++) {
        const len = (s[p]! << 8) | s[p + 1]!;
        if (!skip) put(s, node.off, type, ttl, s, p + 2, len);
        p += 2 + len;
      }
    }
    if (messages.length > 0) yield* messages.splice(0);
  }
  put(soaOwner, 0, RRType.SOA, soa.ttl, soa.rdata, 0, soa.rdata.length);
  yield* messages.splice(0);
  yield { octets: w.finish(), records: count };
}

/**
 * renderIxfr yields the messages of an incremental transfer through `diffs` (oldest first, each
 * continuing the previous one) ending at `current` (RFC 1995 §4). With no diffs it yields the
 * single-SOA answer that tells the client it is current (RFC 1995 §2).
 */
export function* renderIxfr(current: ResourceRecord, origin: DomainName, diffs: readonly ZoneDiff[], limit = MAX_TRANSFER_MESSAGE): Generator<RenderedMessage> {
  let w = newWriter(true, origin, RRType.IXFR, limit);
  let count = 0;
  const put = function* (rr: ResourceRecord): Generator<RenderedMessage> {
    if (w.record(Section.Answer, rr)) {
      count++;
      return;
    }
    yield { octets: w.finish(), records: count };
    w = newWriter(false, origin, RRType.IXFR, limit);
    count = 0;
    if (!w.record(Section.Answer, rr)) throw new Error('RR larger than a transfer message');
    count = 1;
  };
  yield* put(current);
  if (diffs.length > 0) {
    for (const d of diffs) {
      yield* put(d.soaFrom);
      for (const rr of d.removed) yield* put(rr);
      yield* put(d.soaTo);
      for (const rr of d.added) yield* put(rr);
    }
    yield* put(current);
  }
  yield { octets: w.finish(), records: count };
}
