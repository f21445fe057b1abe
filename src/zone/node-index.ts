// NodeIndex: one layer of a zone version, its nodes by owner name, held in typed arrays instead of
// a Map from key strings to node objects. A Map costs a key string, a map entry and a ZoneNode per
// owner (~130 bytes: ~53 MB for the 1M-record zone's 400,000 owners, all of it traced by the
// garbage collector while the zone arrives); here an owner costs a 16-octet entry and ~8 octets of
// table, and its name is the one already at the head of its node record (node.ts). ZoneNode
// objects are made on lookup, for the few nodes a query or a diff touches.
//
// Lookups hash the wire name with ASCII letters folded (RFC 4343 §3: names compare
// case-insensitively, octets above 0x7F as they are) and probe an open-addressing table (linear
// probing, load at most 1/2). Written by hand: a table keyed by byte ranges inside buffers the
// zone already holds is not what any npm map package offers.
//
// In an overlay (diff.ts), an entry whose children count is DELETED marks its owner removed.

import { type DomainName, nameKey, readName, writeNameWire } from '../wire/index.js';
import { ZoneNode, wireLength } from './node.js';

/** DELETED, as an entry's children count, marks a node removed by an overlay. */
export const DELETED = -1;

/** hashName hashes the wire name at buf[off] with ASCII letters folded (FNV-1a, 32 bits). */
export function hashName(buf: Uint8Array, off: number): number {
  let h = 0x811c9dc5;
  let p = off;
  for (;;) {
    const len = buf[p]!;
    h = Math.imul(h ^ len, 0x01000193);
    if (len === 0) return h >>> 0;
    const end = p + 1 + len;
    for (p++; p < end; p++) {
      const c = buf[p]!;
      h = Math.imul(h ^ (c >= 0x41 && c <= 0x5a ? c | 0x20 : c), 0x01000193);
    }
  }
}

/** sameName compares two uncompressed wire names, ASCII letters folded (RFC 4343 §3). */
export function sameName(a: Uint8Array, ao: number, b: Uint8Array, bo: number): boolean {
  for (;;) {
    const len = a[ao]!;
    if (b[bo] !== len) return false;
    if (len === 0) return true;
    const end = ao + 1 + len;
    for (ao++, bo++; ao < end; ao++, bo++) {
      const x = a[ao]!;
      const y = b[bo]!;
      if (x !== y && (x >= 0x41 && x <= 0x5a ? x | 0x20 : x) !== (y >= 0x41 && y <= 0x5a ? y | 0x20 : y)) return false;
    }
  }
}

/** MAX_KEY bounds the text of a key that can be a name (255 octets, each at most `\DDD`). */
const MAX_KEY = 4 * 255;

/** keyScratch holds the key keyWire wrote last, in wire form; room for any key up to MAX_KEY. */
export const keyScratch = new Uint8Array(MAX_KEY + 2);

/**
 * keyWire writes a lower-cased key (see nameKey) in wire form into the shared scratch buffer and
 * returns its hash, or -1 when it cannot be a name. The scratch holds it until the next call.
 */
export function keyWire(key: string): number {
  if (key.length > MAX_KEY) return -1;
  try {
    if (writeNameWire(keyScratch, 0, key as DomainName) > 255) return -1; // RFC 1035 §2.3.4
  } catch {
    return -1;
  }
  return hashName(keyScratch, 0);
}

/** NodeIndex is mutable while its version is built; published versions never change theirs. */
export class NodeIndex {
  /** slabs are the buffers entries point into. */
  private readonly slabs: Uint8Array[] = [];
  private readonly slabIds = new Map<Uint8Array, number>();
  private lastSlab: Uint8Array | undefined;
  private lastSlabId = 0;
  // Entries, dense: node record at slabs[slabOf[e]][offOf[e]], its children, its owner's hash.
  private slabOf: Uint32Array;
  private offOf: Uint32Array;
  private kids: Int32Array;
  private hashes: Uint32Array;
  private n = 0;
  /** table holds entry + 1 per slot, 0 when empty; its length is a power of two. */
  private table: Int32Array;
  private mask: number;

  constructor(expected = 8) {
    let cap = 8;
    while (cap < expected) cap *= 2;
    this.slabOf = new Uint32Array(cap);
    this.offOf = new Uint32Array(cap);
    this.kids = new Int32Array(cap);
    this.hashes = new Uint32Array(cap);
    this.table = new Int32Array(cap * 2);
    this.mask = cap * 2 - 1;
  }

  /** size counts the entries, deletion marks included. */
  get size(): number {
    return this.n;
  }

  /** find returns the entry of the wire name at buf[off] (whose hash is h), or -1. */
  find(buf: Uint8Array, off: number, h: number): number {
    const table = this.table;
    const mask = this.mask;
    for (let slot = h & mask; ; slot = (slot + 1) & mask) {
      const t = table[slot]!;
      if (t === 0) return -1;
      const e = t - 1;
      if (this.hashes[e] === h && sameName(this.slabs[this.slabOf[e]!]!, this.offOf[e]!, buf, off)) return e;
    }
  }

  /** findKey returns the entry of a lower-cased key (see nameKey), or -1. */
  findKey(key: string): number {
    const h = keyWire(key);
    return h < 0 ? -1 : this.find(keyScratch, 0, h);
  }

  /** get returns the node of a key: undefined when absent, null when marked deleted. */
  get(key: string): ZoneNode | null | undefined {
    const e = this.findKey(key);
    return e < 0 ? undefined : this.at(e);
  }

  /** has tells whether a key has an entry (a deletion mark included). */
  has(key: string): boolean {
    return this.findKey(key) >= 0;
  }

  /** at returns entry e as a node, or null for a deletion mark. */
  at(e: number): ZoneNode | null {
    const kids = this.kids[e]!;
    return kids === DELETED ? null : new ZoneNode(this.slabs[this.slabOf[e]!]!, this.offOf[e]!, kids);
  }

  slabAt(e: number): Uint8Array {
    return this.slabs[this.slabOf[e]!]!;
  }

  offAt(e: number): number {
    return this.offOf[e]!;
  }

  hashAt(e: number): number {
    return this.hashes[e]!;
  }

  /** childrenAt is entry e's children count, or DELETED. */
  childrenAt(e: number): number {
    return this.kids[e]!;
  }

  /** setCountAt is the number of RRsets of entry e's node record. */
  setCountAt(e: number): number {
    const s = this.slabAt(e);
    const p = this.offOf[e]! + wireLength(s, this.offOf[e]!);
    return (s[p]! << 8) | s[p + 1]!;
  }

  addChild(e: number, delta: number): void {
    this.kids[e]! += delta;
  }

  /** setRecord points entry e at another node record of the same owner; its children stay. */
  setRecord(e: number, slab: Uint8Array, off: number): void {
    this.slabOf[e] = this.slabId(slab);
    this.offOf[e] = off;
  }

  /** insert adds an entry for an owner not in the index (the caller has looked); returns it. */
  insert(slab: Uint8Array, off: number, h: number, children: number): number {
    if (this.n === this.hashes.length) this.grow();
    const e = this.n++;
    this.slabOf[e] = this.slabId(slab);
    this.offOf[e] = off;
    this.kids[e] = children;
    this.hashes[e] = h;
    this.place(e, h);
    return e;
  }

  /** put adds or replaces the entry of the record's owner (children may be DELETED). */
  put(slab: Uint8Array, off: number, children: number): void {
    const h = hashName(slab, off);
    const e = this.find(slab, off, h);
    if (e < 0) {
      this.insert(slab, off, h, children);
      return;
    }
    this.setRecord(e, slab, off);
    this.kids[e] = children;
  }

  /** replaceSlab points every entry in the slab over `buffer` at `copy` (same offsets). */
  replaceSlab(buffer: ArrayBufferLike, copy: Uint8Array): void {
    for (let i = 0; i < this.slabs.length; i++) {
      const s = this.slabs[i]!;
      if (s.buffer !== buffer) continue;
      this.slabIds.delete(s);
      this.slabs[i] = copy;
      this.slabIds.set(copy, i);
      if (this.lastSlab === s) this.lastSlab = copy;
    }
  }

  /** entries yields [key, node] pairs, the key made from the stored name (for tests and tools). */
  *entries(): IterableIterator<[string, ZoneNode | null]> {
    for (let e = 0; e < this.n; e++) yield [nameKey(readName(this.slabAt(e), this.offOf[e]!)), this.at(e)];
  }

  [Symbol.iterator](): IterableIterator<[string, ZoneNode | null]> {
    return this.entries();
  }

  private slabId(slab: Uint8Array): number {
    if (slab === this.lastSlab) return this.lastSlabId;
    let id = this.slabIds.get(slab);
    if (id === undefined) {
      id = this.slabs.length;
      this.slabs.push(slab);
      this.slabIds.set(slab, id);
    }
    this.lastSlab = slab;
    this.lastSlabId = id;
    return id;
  }

  private place(e: number, h: number): void {
    const table = this.table;
    const mask = this.mask;
    let slot = h & mask;
    while (table[slot] !== 0) slot = (slot + 1) & mask;
    table[slot] = e + 1;
  }

  private grow(): void {
    const cap = this.hashes.length * 2;
    this.slabOf = widen(this.slabOf, new Uint32Array(cap));
    this.offOf = widen(this.offOf, new Uint32Array(cap));
    this.kids = widen(this.kids, new Int32Array(cap));
    this.hashes = widen(this.hashes, new Uint32Array(cap));
    this.table = new Int32Array(cap * 2);
    this.mask = cap * 2 - 1;
    for (let e = 0; e < this.n; e++) this.place(e, this.hashes[e]!);
  }
}

function widen<T extends Uint32Array | Int32Array>(from: T, to: T): T {
  to.set(from);
  return to;
}
