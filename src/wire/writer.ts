// Building messages: header, question, RRs with name compression (RFC 1035 §4.1.4) and a size
// limit that rolls back the RR that does not fit, so callers can set TC (RFC 2181 §9) or start a
// new message (AXFR, RFC 5936 §2.2). Compression is case-sensitive so every octet of every name is
// sent as stored (RFC 4343 §4.1 preservation); only RFC 1035 types get RDATA names compressed
// (RFC 3597 §4). Deviation from dns-packet: it writes every name in full, which nearly doubles
// transfer size, hence this writer.

import { RRType } from './constants.js';
import type { Edns, ResourceRecord } from './message.js';
import { type DomainName, nameToWire } from './name.js';
import { NAME_LAYOUT } from './rdata-layout.js';

/** Section numbers for MessageWriter.record, in the order they must be written. */
export const Section = { Answer: 1, Authority: 2, Additional: 3 } as const;
export type SectionNumber = (typeof Section)[keyof typeof Section];

const MAX_POINTER = 0x3fff;

/** wireNameLen returns the length of the uncompressed wire name starting at `o` in `b`. */
function wireNameLen(b: Uint8Array, o: number): number {
  let p = o;
  while (b[p] !== 0) {
    if (p >= b.length) throw new Error('unterminated wire name');
    p += b[p]! + 1;
  }
  return p + 1 - o;
}

function latin1(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length; i++) s += String.fromCharCode(b[i]!);
  return s;
}

/**
 * MessageWriter writes one message into a private buffer. `record` returns false, leaving the
 * message as it was before the call, when the RR would take the message past `limit` octets.
 * `finish` returns a copy of the message. A writer is used for one message only.
 */
export class MessageWriter {
  private readonly buf: Buffer;
  private pos = 12;
  private limit: number;
  private readonly comp: Map<string, number> | undefined;
  private added: string[] = [];
  private readonly counts = [0, 0, 0, 0];
  private section = 0;

  constructor(limit: number, options: { compress?: boolean } = {}) {
    this.limit = Math.min(limit, 65535);
    // Room for one RR past the limit (name 255 + fixed 10 + RDATA 65535) so writes never overrun.
    this.buf = Buffer.allocUnsafe(this.limit + 65535 + 512);
    this.buf.fill(0, 0, 12);
    this.comp = options.compress === false ? undefined : new Map();
  }

  /** size is the number of octets written so far. */
  get size(): number {
    return this.pos;
  }

  /** count returns how many entries a section holds (0 question, 1 answer, 2 authority, 3 additional). */
  count(section: 0 | SectionNumber): number {
    return this.counts[section]!;
  }

  /** reserve lowers the limit by `n` octets, keeping room for an OPT or TSIG RR added last. */
  reserve(n: number): void {
    this.limit -= n;
  }

  /** release gives back octets kept by reserve. */
  release(n: number): void {
    this.limit += n;
  }

  /** header sets ID and flags; the counts are filled in by finish(). */
  header(id: number, flags: number): void {
    this.buf.writeUInt16BE(id & 0xffff, 0);
    this.buf.writeUInt16BE(flags & 0xffff, 2);
  }

  /** question appends a question entry; questions come before any RR. */
  question(name: DomainName, type: number, cls: number): void {
    if (this.section > 0) throw new Error('question after records');
    this.writeName(nameToWire(name), true);
    this.buf.writeUInt16BE(type, this.pos);
    this.buf.writeUInt16BE(cls, this.pos + 2);
    this.pos += 4;
    this.counts[0]!++;
  }

  /** record appends an RR to `section`; false (and no change) when it does not fit. */
  record(section: SectionNumber, rr: ResourceRecord): boolean {
    return this.recordWire(section, nameToWire(rr.name), rr.type, rr.class, rr.ttl, rr.rdata);
  }

  /**
   * recordWire appends an RR whose owner is given in uncompressed wire form; the hot path for
   * transfers, which keep owner names as wire octets. False (and no change) when it does not fit.
   */
  recordWire(section: SectionNumber, owner: Uint8Array, type: number, cls: number, ttl: number, rdata: Uint8Array): boolean {
    if (section < this.section) throw new Error('sections out of order');
    this.section = section;
    const start = this.pos;
    this.added.length = 0;
    this.writeName(owner, true);
    const b = this.buf;
    let p = this.pos;
    b[p] = type >>> 8;
    b[p + 1] = type & 0xff;
    b[p + 2] = cls >>> 8;
    b[p + 3] = cls & 0xff;
    b.writeUInt32BE(ttl >>> 0, p + 4);
    const rdlenAt = p + 8;
    p += 10;
    this.pos = p;
    const layout = this.comp === undefined ? undefined : NAME_LAYOUT.get(type);
    if (layout === undefined || !layout.includes('N')) {
      b.set(rdata, p);
      this.pos = p + rdata.length;
    } else {
      this.writeRdataCompressed(layout, rdata);
    }
    const rdlen = this.pos - rdlenAt - 2;
    b[rdlenAt] = rdlen >>> 8;
    b[rdlenAt + 1] = rdlen & 0xff;
    if (this.pos > this.limit) {
      this.pos = start;
      if (this.comp !== undefined) for (const k of this.added) this.comp.delete(k);
      return false;
    }
    this.counts[section]!++;
    return true;
  }

  /** opt appends the OPT pseudo-RR (RFC 6891 §6.1.2) to the additional section; always fits. */
  opt(edns: Pick<Edns, 'udpSize' | 'extendedRcode' | 'version' | 'flags' | 'options'>): void {
    this.section = Section.Additional;
    const b = this.buf;
    let p = this.pos;
    b[p++] = 0;
    b.writeUInt16BE(RRType.OPT, p);
    b.writeUInt16BE(edns.udpSize, p + 2);
    b[p + 4] = edns.extendedRcode;
    b[p + 5] = edns.version;
    b.writeUInt16BE(edns.flags, p + 6);
    const rdlenAt = p + 8;
    p += 10;
    for (const o of edns.options) {
      b.writeUInt16BE(o.code, p);
      b.writeUInt16BE(o.data.length, p + 2);
      b.set(o.data, p + 4);
      p += 4 + o.data.length;
    }
    b.writeUInt16BE(p - rdlenAt - 2, rdlenAt);
    this.pos = p;
    this.counts[3]!++;
  }

  /** raw appends pre-encoded octets as one RR of `section` (e.g. a TSIG RR); always fits. */
  rawRecord(section: SectionNumber, octets: Uint8Array): void {
    this.section = section;
    this.buf.set(octets, this.pos);
    this.pos += octets.length;
    this.counts[section]!++;
  }

  /** finish fills in the counts and returns a copy of the message. */
  finish(): Buffer {
    const b = this.buf;
    b.writeUInt16BE(this.counts[0]!, 4);
    b.writeUInt16BE(this.counts[1]!, 6);
    b.writeUInt16BE(this.counts[2]!, 8);
    b.writeUInt16BE(this.counts[3]!, 10);
    return Buffer.from(b.subarray(0, this.pos));
  }

  private writeRdataCompressed(layout: readonly (string | number)[], rdata: Uint8Array): void {
    let r = 0;
    for (const tok of layout) {
      if (tok === 'N' || tok === 'D') {
        const l = wireNameLen(rdata, r);
        this.writeName(rdata.subarray(r, r + l), tok === 'N');
        r += l;
      } else if (tok === 'C') {
        const l = rdata[r]! + 1;
        this.buf.set(rdata.subarray(r, r + l), this.pos);
        this.pos += l;
        r += l;
      } else {
        const n = tok as number;
        this.buf.set(rdata.subarray(r, r + n), this.pos);
        this.pos += n;
        r += n;
      }
    }
    if (r < rdata.length) {
      this.buf.set(rdata.subarray(r), this.pos);
      this.pos += rdata.length - r;
    }
  }

  /** writeName writes an uncompressed wire name, replacing its longest known suffix by a pointer. */
  private writeName(wire: Uint8Array, compress: boolean): void {
    const comp = this.comp;
    const b = this.buf;
    const start = this.pos;
    if (comp === undefined || wire.length === 1) {
      b.set(wire, start);
      this.pos += wire.length;
      return;
    }
    const full = latin1(wire);
    let p = 0;
    let hit = -1;
    if (compress) {
      while (wire[p] !== 0) {
        const found = comp.get(p === 0 ? full : full.slice(p));
        if (found !== undefined) {
          hit = found;
          break;
        }
        p += wire[p]! + 1;
      }
    } else {
      p = wire.length - 1;
    }
    // Remember every suffix written in full as a future pointer target.
    let q = 0;
    while (q < p) {
      const at = start + q;
      if (at > MAX_POINTER) break;
      const key = q === 0 ? full : full.slice(q);
      if (!comp.has(key)) {
        comp.set(key, at);
        this.added.push(key);
      }
      q += wire[q]! + 1;
    }
    if (hit >= 0) {
      b.set(wire.subarray(0, p), start);
      b[start + p] = 0xc0 | (hit >>> 8);
      b[start + p + 1] = hit & 0xff;
      this.pos = start + p + 2;
    } else {
      b.set(wire, start);
      this.pos = start + wire.length;
    }
  }
}
