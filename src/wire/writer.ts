// Building messages: header, question, RRs with name compression (RFC 1035 §4.1.4) and a size
// limit that rolls back the RR that does not fit, so callers can set TC (RFC 2181 §9) or start a
// new message (AXFR, RFC 5936 §2.2). Compression is case-sensitive so every octet of every name is
// sent as stored (RFC 4343 §4.1 preservation); only RFC 1035 types get RDATA names compressed
// (RFC 3597 §4). Deviation from dns-packet: it writes every name in full, which nearly doubles
// transfer size, hence this writer.

import { RRType } from './constants.js';
import type { Edns, ResourceRecord } from './message.js';
import { type DomainName, writeNameWire } from './name.js';
import { NAME_LAYOUT, type RdataToken } from './rdata-layout.js';

/** COMPRESSIBLE_LAYOUT: the layouts of the types whose RDATA names are compressed (RFC 3597 §4). */
const COMPRESSIBLE_LAYOUT = new Map<number, readonly RdataToken[]>([...NAME_LAYOUT].filter(([, l]) => l.includes('N')));

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


/**
 * MessageWriter writes one message into a private buffer. `record` returns false, leaving the
 * message as it was before the call, when the RR would take the message past `limit` octets.
 * `finish` returns a copy of the message. A writer is used for one message only.
 */
export class MessageWriter {
  private buf: Buffer;
  private pos = 12;
  private limit: number;
  private comp: Map<number, number> | undefined;
  private added: number[] = [];
  private readonly counts = [0, 0, 0, 0];
  private section = 0;

  constructor(limit: number, options: { compress?: boolean } = {}) {
    this.limit = Math.min(limit, 65535);
    this.buf = takeScratch(this.limit + SLACK);
    this.buf.fill(0, 0, 12);
    this.comp = options.compress === false ? undefined : (MAP_POOL.pop() ?? new Map());
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

  /**
   * question appends a question entry; questions come before any RR. With `pointerTarget` false
   * the name is not offered to later names as a compression target, so the question octets can be
   * overwritten afterwards by a same-length spelling of the name (pre-rendered AXFR responses).
   */
  question(name: DomainName, type: number, cls: number, pointerTarget = true): void {
    if (this.section > 0) throw new Error('question after records');
    // Encoded into a scratch buffer: no allocation per question on the query path.
    const end = writeNameWire(OWNER_SCRATCH, 0, name);
    if (pointerTarget) {
      this.writeName(OWNER_SCRATCH, true, 0);
    } else {
      this.buf.set(OWNER_SCRATCH.subarray(0, end), this.pos);
      this.pos += end;
    }
    this.buf.writeUInt16BE(type, this.pos);
    this.buf.writeUInt16BE(cls, this.pos + 2);
    this.pos += 4;
    this.counts[0]!++;
  }

  /** record appends an RR to `section`; false (and no change) when it does not fit. */
  record(section: SectionNumber, rr: ResourceRecord): boolean {
    // Encode the owner into a scratch buffer: no allocation per RR on the query path.
    writeNameWire(OWNER_SCRATCH, 0, rr.name);
    return this.recordFrom(section, OWNER_SCRATCH, 0, rr.type, rr.class, rr.ttl, rr.rdata, 0, rr.rdata.length);
  }

  /**
   * recordWire appends an RR whose owner is given in uncompressed wire form; the hot path for
   * transfers, which keep owner names as wire octets. False (and no change) when it does not fit.
   */
  recordWire(section: SectionNumber, owner: Uint8Array, type: number, cls: number, ttl: number, rdata: Uint8Array): boolean {
    return this.recordFrom(section, owner, 0, type, cls, ttl, rdata, 0, rdata.length);
  }

  /**
   * recordFrom appends an RR whose owner (uncompressed wire) starts at `ownerSrc[ownerOff]` and whose
   * RDATA is `rdSrc[rdOff, rdOff+rdLen)`: lets zone storage hand over slices of its slab without
   * creating a view per record. False (and no change) when it does not fit.
   */
  recordFrom(section: SectionNumber, ownerSrc: Uint8Array, ownerOff: number, type: number, cls: number, ttl: number, rdSrc: Uint8Array, rdOff: number, rdLen: number): boolean {
    if (section < this.section) throw new Error('sections out of order');
    // Uncompressed size bounds what is written; compression saves less than SLACK, so an RR whose
    // bound overruns the buffer cannot fit under the limit either.
    if (this.pos + 265 + rdLen > this.buf.length) return false;
    this.section = section;
    const start = this.pos;
    this.added.length = 0;
    this.writeName(ownerSrc, true, ownerOff);
    const b = this.buf;
    let p = this.pos;
    b[p] = type >>> 8;
    b[p + 1] = type & 0xff;
    b[p + 2] = cls >>> 8;
    b[p + 3] = cls & 0xff;
    b[p + 4] = ttl >>> 24;
    b[p + 5] = (ttl >>> 16) & 0xff;
    b[p + 6] = (ttl >>> 8) & 0xff;
    b[p + 7] = ttl & 0xff;
    const rdlenAt = p + 8;
    p += 10;
    this.pos = p;
    const layout = this.comp === undefined ? undefined : COMPRESSIBLE_LAYOUT.get(type);
    if (layout === undefined) {
      b.set(rdSrc.subarray(rdOff, rdOff + rdLen), p);
      this.pos = p + rdLen;
    } else {
      this.writeRdataCompressed(layout, rdSrc, rdOff, rdLen);
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
    const out = Buffer.allocUnsafe(this.pos);
    b.copy(out, 0, 0, this.pos);
    giveScratch(b);
    if (this.comp !== undefined && MAP_POOL.length < 16) {
      this.comp.clear();
      MAP_POOL.push(this.comp);
    }
    // The scratch buffer now belongs to the pool: any further use of this writer must fail loudly.
    this.buf = FINISHED;
    this.comp = undefined;
    return out;
  }

  private writeRdataCompressed(layout: readonly (string | number)[], src: Uint8Array, off: number, len: number): void {
    let r = off;
    const end = off + len;
    for (const tok of layout) {
      if (tok === 'N' || tok === 'D') {
        const l = wireNameLen(src, r);
        this.writeName(src, tok === 'N', r);
        r += l;
      } else if (tok === 'C') {
        const l = src[r]! + 1;
        this.buf.set(src.subarray(r, r + l), this.pos);
        this.pos += l;
        r += l;
      } else {
        const n = tok as number;
        this.buf.set(src.subarray(r, r + n), this.pos);
        this.pos += n;
        r += n;
      }
    }
    if (r < end) {
      this.buf.set(src.subarray(r, end), this.pos);
      this.pos += end - r;
    }
  }

  /**
   * writeName writes an uncompressed wire name, replacing its longest suffix already in the message
   * by a pointer. Suffixes are found by a 32-bit hash of their octets (computed right to left, one
   * pass) and confirmed octet by octet, so no string is built per name.
   */
  private writeName(src: Uint8Array, compress: boolean, srcOff: number): void {
    const comp = this.comp;
    const b = this.buf;
    const start = this.pos;
    const len = wireNameLen(src, srcOff);
    if (comp === undefined || len === 1) {
      b.set(src.subarray(srcOff, srcOff + len), start);
      this.pos += len;
      return;
    }
    // Label starts, left to right.
    const starts = LABEL_STARTS;
    let nl = 0;
    let p = srcOff;
    while (src[p] !== 0) {
      starts[nl++] = p;
      p += src[p]! + 1;
    }
    // Suffix hashes, right to left: HASHES[i] covers labels i..nl-1.
    const hashes = SUFFIX_HASHES;
    let h = 0x811c9dc5;
    for (let i = nl - 1; i >= 0; i--) {
      const s0 = starts[i]!;
      const e0 = s0 + src[s0]! + 1;
      for (let k = s0; k < e0; k++) h = Math.imul(h ^ src[k]!, 16777619);
      hashes[i] = h >>> 0;
    }
    let hitLabel = nl;
    let hit = -1;
    if (compress) {
      for (let i = 0; i < nl; i++) {
        const found = comp.get(hashes[i]!);
        if (found !== undefined && this.sameName(src, starts[i]!, found)) {
          hitLabel = i;
          hit = found;
          break;
        }
      }
    }
    // Remember every suffix written in full as a future pointer target.
    for (let i = 0; i < hitLabel; i++) {
      const at = start + starts[i]! - srcOff;
      if (at > MAX_POINTER) break;
      const key = hashes[i]!;
      if (!comp.has(key)) {
        comp.set(key, at);
        this.added.push(key);
      }
    }
    if (hit >= 0) {
      const prefix = starts[hitLabel]! - srcOff;
      b.set(src.subarray(srcOff, srcOff + prefix), start);
      b[start + prefix] = 0xc0 | (hit >>> 8);
      b[start + prefix + 1] = hit & 0xff;
      this.pos = start + prefix + 2;
    } else {
      b.set(src.subarray(srcOff, srcOff + len), start);
      this.pos = start + len;
    }
  }

  /** sameName compares the uncompressed name at src[off] with the (maybe compressed) name at buf[at]. */
  private sameName(src: Uint8Array, off: number, at: number): boolean {
    const b = this.buf;
    let i = off;
    let q = at;
    for (let guard = 0; guard < 256; guard++) {
      let l = b[q]!;
      while ((l & 0xc0) === 0xc0) {
        q = ((l & 0x3f) << 8) | b[q + 1]!;
        l = b[q]!;
      }
      if (l !== src[i]) return false;
      if (l === 0) return true;
      for (let k = 1; k <= l; k++) if (b[q + k] !== src[i + k]) return false;
      i += l + 1;
      q += l + 1;
    }
    return false;
  }
}

const LABEL_STARTS = new Int32Array(128);

/** MAP_POOL recycles compression maps between messages. */
const MAP_POOL: Map<number, number>[] = [];

/** OWNER_SCRATCH holds the wire form of the owner being written by record(). */
const OWNER_SCRATCH = new Uint8Array(512);

/**
 * SLACK is room past the limit for one RR written before the fit check (its names may compress by
 * up to ~3 × 253 octets). Opt and TSIG space is kept by reserve(), below the limit.
 */
const SLACK = 1024;

/** FINISHED replaces a writer's buffer after finish(); writing to it throws a RangeError. */
const FINISHED = Buffer.alloc(0);

/** Scratch buffers are pooled by size: a writer borrows one and finish() gives it back. */
const pool = new Map<number, Buffer[]>();

function takeScratch(size: number): Buffer {
  const free = pool.get(size);
  return free?.pop() ?? Buffer.allocUnsafe(size);
}

function giveScratch(b: Buffer): void {
  let free = pool.get(b.length);
  if (free === undefined) {
    if (pool.size > 32) return;
    free = [];
    pool.set(b.length, free);
  }
  if (free.length < 16) free.push(b);
}
const SUFFIX_HASHES = new Uint32Array(128);
