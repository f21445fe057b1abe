// ZoneNode: one owner name of a zone version, stored as octets in a shared slab rather than as
// objects, so a 1M-record zone costs one small object per name plus its wire octets:
//
//   slab[off]: owner name (uncompressed wire, case as received)
//              u16 set count, then per RRset: u16 type, u32 ttl, u16 rdata count,
//                                              per rdata: u16 length, RDATA octets
//
// RRsets are decoded only when asked for (queries touch a handful; transfers copy octets).

import { type DomainName, readName } from '../wire/index.js';

/** RRset is the set of RDATAs of one owner and type, with one TTL (RFC 2181 §5). */
export interface RRset {
  readonly type: number;
  readonly ttl: number;
  readonly rdatas: readonly Uint8Array[];
}

/** MutableRRset is an RRset decoded afresh, for its caller to change (diff.ts). */
export interface MutableRRset {
  type: number;
  ttl: number;
  rdatas: Uint8Array[];
}

/** nodeRecordSize is the size of the node record of `owner` with `sets` (the layout above). */
export function nodeRecordSize(owner: Uint8Array, sets: readonly RRset[]): number {
  let size = owner.length + 2;
  for (const set of sets) {
    size += 8;
    for (const r of set.rdatas) size += 2 + r.length;
  }
  return size;
}

/** wireLength returns the length of the uncompressed wire name at slab[off]. */
export function wireLength(slab: Uint8Array, off: number): number {
  let p = off;
  while (slab[p] !== 0) p += slab[p]! + 1;
  return p + 1 - off;
}

/**
 * ZoneNode is a view of one node record, made when a node is looked up (node-index.ts holds the
 * nodes of a version). An empty non-terminal (RFC 4592 §2.2.2) is a node with no RRsets.
 */
export class ZoneNode {
  constructor(
    readonly slab: Uint8Array,
    readonly off: number,
    /** children counts the direct child nodes; an emptied node with none disappears. */
    readonly children: number,
  ) {}

  /** name is the owner name as stored (case preserved). */
  get name(): DomainName {
    return readName(this.slab, this.off);
  }

  /** owner is the owner name's uncompressed wire octets as stored: a view, not a copy. */
  get owner(): Uint8Array {
    return this.slab.subarray(this.off, this.off + wireLength(this.slab, this.off));
  }

  /** setsOffset is where the u16 set count starts. */
  get setsOffset(): number {
    return this.off + wireLength(this.slab, this.off);
  }

  /** setCount is the number of RRsets (0 for an empty non-terminal). */
  get setCount(): number {
    const p = this.setsOffset;
    return (this.slab[p]! << 8) | this.slab[p + 1]!;
  }

  /** sets decodes every RRset of the node into new objects, which the caller may change. */
  get sets(): MutableRRset[] {
    const out: MutableRRset[] = [];
    const s = this.slab;
    let p = this.setsOffset;
    const n = (s[p]! << 8) | s[p + 1]!;
    p += 2;
    for (let i = 0; i < n; i++) {
      const r = decodeSet(s, p);
      out.push(r.set);
      p = r.next;
    }
    return out;
  }

  /** rrset decodes the RRset of one type, or undefined. */
  rrset(type: number): RRset | undefined {
    const s = this.slab;
    let p = this.setsOffset;
    const n = (s[p]! << 8) | s[p + 1]!;
    p += 2;
    for (let i = 0; i < n; i++) {
      const t = (s[p]! << 8) | s[p + 1]!;
      if (t === type) return decodeSet(s, p).set;
      p = skipSet(s, p);
    }
    return undefined;
  }

  /** hasType tells whether the node has an RRset of `type` without decoding it. */
  hasType(type: number): boolean {
    const s = this.slab;
    let p = this.setsOffset;
    const n = (s[p]! << 8) | s[p + 1]!;
    p += 2;
    for (let i = 0; i < n; i++) {
      if (((s[p]! << 8) | s[p + 1]!) === type) return true;
      p = skipSet(s, p);
    }
    return false;
  }
}

/**
 * checkedNameEnd returns the offset just after the uncompressed wire name at buf[off], or -1 when
 * the octets there are not one (a label over 63 octets, a name over 255, past the end): for
 * octets read back from storage, which the other walkers here trust.
 */
export function checkedNameEnd(buf: Uint8Array, off: number): number {
  let p = off;
  for (;;) {
    if (p >= buf.length) return -1;
    const len = buf[p]!;
    if (len > 63) return -1; // RFC 1035 §2.3.4; no compression in a node record
    p += len + 1;
    if (p - off > 255) return -1;
    if (len === 0) return p;
  }
}

/** skipSet returns the offset just after the RRset starting at p. */
export function skipSet(s: Uint8Array, p: number): number {
  const count = (s[p + 6]! << 8) | s[p + 7]!;
  let q = p + 8;
  for (let j = 0; j < count; j++) q += 2 + ((s[q]! << 8) | s[q + 1]!);
  return q;
}

function decodeSet(s: Uint8Array, p: number): { set: MutableRRset; next: number } {
  const type = (s[p]! << 8) | s[p + 1]!;
  const ttl = ((s[p + 2]! << 24) | (s[p + 3]! << 16) | (s[p + 4]! << 8) | s[p + 5]!) >>> 0;
  const count = (s[p + 6]! << 8) | s[p + 7]!;
  let q = p + 8;
  const rdatas: Uint8Array[] = [];
  for (let j = 0; j < count; j++) {
    const len = (s[q]! << 8) | s[q + 1]!;
    rdatas.push(s.subarray(q + 2, q + 2 + len));
    q += 2 + len;
  }
  return { set: { type, ttl, rdatas }, next: q };
}

/** nodeRecordEnd returns the offset just after the node record starting at `off`. */
export function nodeRecordEnd(slab: Uint8Array, off: number): number {
  let p = off + wireLength(slab, off);
  const n = (slab[p]! << 8) | slab[p + 1]!;
  p += 2;
  for (let i = 0; i < n; i++) p = skipSet(slab, p);
  return p;
}

/** FIRST_SLAB is the size of a SlabWriter's first slab; each next one doubles, up to its maximum. */
const FIRST_SLAB = 1024;

/**
 * SlabWriter appends node records to growing slabs. Finished slabs are never moved or written
 * again (nodes keep references to them), so it starts a new slab when one fills up. Slabs start
 * small and double up to `max`, so a three-record zone costs a kilobyte and a big one a handful of
 * `max`-sized slabs, with no copy when the zone grows (a doubling array would copy it each time).
 */
export class SlabWriter {
  private slab: Uint8Array | undefined;
  private pos = 0;
  private next: number;
  private readonly filled: Uint8Array[] = [];

  /** `first` sizes the first slab (a caller that knows its total writes one slab). */
  constructor(
    private readonly max = 1 << 20,
    first = FIRST_SLAB,
  ) {
    this.next = Math.min(first, max);
  }

  /** current is the slab the last reserve() placed its octets in. */
  get current(): Uint8Array {
    return this.slab!;
  }

  /**
   * node writes one node record (owner wire + RRsets given as [type, ttl, rdatas[]]) and
   * returns the new ZoneNode.
   */
  node(owner: Uint8Array, sets: readonly RRset[], children: number): ZoneNode {
    const at = this.reserve(nodeRecordSize(owner, sets));
    const slab = this.current;
    slab.set(owner, at);
    let p = at + owner.length;
    slab[p++] = sets.length >>> 8;
    slab[p++] = sets.length & 0xff;
    for (const set of sets) {
      slab[p] = set.type >>> 8;
      slab[p + 1] = set.type & 0xff;
      slab[p + 2] = set.ttl >>> 24;
      slab[p + 3] = (set.ttl >>> 16) & 0xff;
      slab[p + 4] = (set.ttl >>> 8) & 0xff;
      slab[p + 5] = set.ttl & 0xff;
      slab[p + 6] = set.rdatas.length >>> 8;
      slab[p + 7] = set.rdatas.length & 0xff;
      p += 8;
      for (const r of set.rdatas) {
        slab[p] = r.length >>> 8;
        slab[p + 1] = r.length & 0xff;
        slab.set(r, p + 2);
        p += 2 + r.length;
      }
    }
    return new ZoneNode(slab, at, children);
  }

  /** reserve returns where `size` octets start in `current` (a new slab when this one is full). */
  reserve(size: number): number {
    if (this.slab === undefined || this.pos + size > this.slab.length) {
      if (this.slab !== undefined) {
        if (this.pos > 0) this.filled.push(this.slab.subarray(0, this.pos));
        this.next = Math.min(this.max, this.slab.length * 2);
      }
      this.slab = new Uint8Array(Math.max(this.next, size));
      this.pos = 0;
    }
    const at = this.pos;
    this.pos += size;
    return at;
  }

  /** truncate ends the last reservation at `end` (≤ its reserved end), giving back the rest. */
  truncate(end: number): void {
    this.pos = end;
  }

  /** unused is the room left in the current slab. */
  get unused(): number {
    return this.slab === undefined ? 0 : this.slab.length - this.pos;
  }

  /** parts returns the written octets of every slab, in order (views, not copies). */
  parts(): Uint8Array[] {
    const out = this.filled.slice();
    if (this.slab !== undefined && this.pos > 0) out.push(this.slab.subarray(0, this.pos));
    return out;
  }
}
