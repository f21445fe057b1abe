// ZoneBuilder: the only mutable zone structure. Records go in one by one (zone file, AXFR, API)
// and are written as they come into node records (node.ts layout) in growing slabs: an owner's
// records, which transfers and zone files give one after another, are gathered in a small pending
// buffer and written as one node when the next owner starts. So a transfer holds the zone once,
// as it will be served, and no staging copy of it (a 1M-record zone is ~50 MB either way); build()
// only finishes what is left. Records of an owner already written (an owner seen again later, and
// the apex, which gets the SOA last) are staged apart and merged into a rewritten node at build.
// Rules: RFC 1035 §5.2 (one SOA at the apex, everything inside the origin), RFC 2181 §5 (an RRset
// has one TTL; duplicate RRs collapse), RFC 2181 §10.1 / RFC 4035 §2.5 (CNAME only beside
// RRSIG/NSEC). Deviation: differing TTLs in one RRset keep the first TTL seen, as Knot does.

import { type DomainName, type ResourceRecord, RRClass, RRType, isSubdomain, nameKey, nameToWire, writeNameWire } from '../wire/index.js';
import { type Result, ok, okVoid, err } from '../wire/result.js';
import type { ZoneError } from './errors.js';
import { SlabWriter, type ZoneNode, wireLength } from './node.js';
import { NodeIndex, hashName, keyScratch, keyWire } from './node-index.js';
import { ZoneVersion, rdataEqual } from './version.js';

/** CNAME_COMPANIONS are the types allowed beside a CNAME (RFC 4035 §2.5). */
const CNAME_COMPANIONS = new Set<number>([RRType.CNAME, RRType.RRSIG, RRType.NSEC]);

/** BUILD_STEP: staged-apart nodes merged between two yields of buildSteps. */
const BUILD_STEP = 4096;

/** MAX_SLAB: the largest slab node records are written into (the size of a snapshot chunk). */
const MAX_SLAB = 4 * 1024 * 1024;

/** Pending record header: u16 type, u32 ttl, u16 rdata length. */
const PEND_HEADER = 8;

/** Staged-apart record header: u32 owner index, then a pending record header. */
const APART_HEADER = 4 + PEND_HEADER;

/** Where the records of the current owner go. */
const PENDING = -1;

/** ZoneBuilder collects records for one origin and class, then builds a ZoneVersion once. */
export class ZoneBuilder {
  /** nodes becomes the version's base layer: owners written so far and their ENTs. */
  private readonly nodes = new NodeIndex(1024);
  private readonly slabs = new SlabWriter(MAX_SLAB);
  private readonly ents = new SlabWriter(1 << 16);
  // The owner being gathered: its records as pending records in `pend`.
  private pendKey: string | undefined;
  private pendName: DomainName | undefined;
  // Its hash and entry (an ENT it replaces, or -1), found when it started: not looked up twice.
  private pendHash = 0;
  private pendEntry = -1;
  private pend: Uint8Array = new Uint8Array(1024);
  private pp = 0;
  private pendCount = 0;
  // Records staged apart, by owner index into apartKeys/apartNames.
  private readonly apartIndex = new Map<string, number>();
  private readonly apartKeys: string[] = [];
  private readonly apartNames: DomainName[] = [];
  private apart: Uint8Array = new Uint8Array(0);
  private ap = 0;
  // The previous record's owner and where its records went (PENDING or an apart index).
  private lastName: DomainName | undefined;
  private lastKey = '';
  private lastRoute = PENDING;
  private records = 0;
  private rewritten = false;
  private broken: ZoneError | undefined;
  private readonly originKey: string;
  private readonly originSuffix: string;
  private readonly originLen: number;
  private soa: ResourceRecord | undefined;
  private multipleSoa = false;

  constructor(
    readonly origin: DomainName,
    readonly zoneClass: number = RRClass.IN,
  ) {
    this.originKey = nameKey(origin);
    this.originSuffix = this.originKey === '.' ? '' : '.' + this.originKey;
    this.originLen = nameToWire(origin).length;
  }

  /** add stages one RR; fails when it is outside the zone, of another class, or an SOA off-apex. */
  add(rr: ResourceRecord): Result<void, ZoneError> {
    return this.addParts(rr.name, rr.type, rr.class, rr.ttl, rr.rdata, 0, rr.rdata.length);
  }

  /**
   * addParts stages one RR whose RDATA is `src[off, off+len)` (uncompressed), so transfer parsers
   * need not create an object per record. Same failures as add.
   */
  addParts(name: DomainName, type: number, cls: number, ttl: number, src: Uint8Array, off: number, len: number): Result<void, ZoneError> {
    if (cls !== this.zoneClass) return err({ kind: 'class-mismatch', name, class: cls });
    // Transfers and zone files give an owner's records one after another: the same owner as the
    // previous record needs no key and no lookup.
    if (name !== this.lastName) {
      const key = nameKey(name);
      let route = PENDING;
      if (key !== this.pendKey) {
        const apart = this.apartIndex.get(key);
        const h = apart === undefined ? keyWire(key) : -1;
        const known = h >= 0 ? this.nodes.find(keyScratch, 0, h) : -1;
        if (apart !== undefined) route = apart;
        else if (key === this.originKey || (known >= 0 && this.nodes.setCountAt(known) > 0)) route = this.apartOwner(key, name);
        else {
          // A known key here is an ENT, inside the zone by construction. (h < 0: not a name at all.)
          if (h < 0 || (known < 0 && !this.inZone(key))) return err({ kind: 'out-of-zone', name });
          this.flush();
          this.pendKey = key;
          this.pendName = name;
          this.pendHash = h;
          // Found again: writing the previous owner may have made this one an ENT. (flush writes
          // into the slabs, never into keyScratch.)
          this.pendEntry = this.nodes.find(keyScratch, 0, h);
        }
      }
      this.lastName = name;
      this.lastKey = key;
      this.lastRoute = route;
    }
    if (type === RRType.SOA) {
      if (this.lastKey !== this.originKey) return err({ kind: 'soa-not-at-apex', name });
      const rdata = src.slice(off, off + len);
      if (this.soa === undefined) this.soa = { name, type, class: cls, ttl, rdata };
      else if (!rdataEqual(this.soa.rdata, rdata)) this.multipleSoa = true;
      return okVoid;
    }
    if (this.lastRoute === PENDING) this.addPending(type, ttl, src, off, len);
    else this.addApart(this.lastRoute, type, ttl, src, off, len);
    return okVoid;
  }

  /** addAll stages many RRs, stopping at the first failure. */
  addAll(rrs: Iterable<ResourceRecord>): Result<void, ZoneError> {
    for (const rr of rrs) {
      const r = this.add(rr);
      if (!r.ok) return r;
    }
    return ok(undefined);
  }

  private inZone(key: string): boolean {
    if (this.originSuffix === '') return true;
    if (!key.endsWith(this.originSuffix)) return false;
    return !key.includes('\\') || isSubdomain(key, this.originKey);
  }

  private apartOwner(key: string, name: DomainName): number {
    const i = this.apartKeys.length;
    this.apartKeys.push(key);
    this.apartNames.push(name);
    this.apartIndex.set(key, i);
    return i;
  }

  private addPending(type: number, ttl: number, src: Uint8Array, off: number, len: number): void {
    if (this.pp + PEND_HEADER + len > this.pend.length) this.pend = grow(this.pend, this.pp, PEND_HEADER + len);
    this.pp = writeRecord(this.pend, this.pp, type, ttl, src, off, len);
    this.pendCount++;
  }

  private addApart(owner: number, type: number, ttl: number, src: Uint8Array, off: number, len: number): void {
    if (this.ap + APART_HEADER + len > this.apart.length) this.apart = grow(this.apart, this.ap, APART_HEADER + len);
    const s = this.apart;
    const p = this.ap;
    s[p] = owner >>> 24;
    s[p + 1] = (owner >>> 16) & 0xff;
    s[p + 2] = (owner >>> 8) & 0xff;
    s[p + 3] = owner & 0xff;
    this.ap = writeRecord(s, p + 4, type, ttl, src, off, len);
  }

  /** flush writes the pending owner's node, if any. */
  private flush(): void {
    if (this.pendKey === undefined) return;
    this.place(this.pendName!, this.pendHash, this.pendEntry);
    this.pendKey = undefined;
    this.pendName = undefined;
  }

  /**
   * place writes the pending records as the node of `name` (RRsets grouped by type, duplicates
   * dropped) and puts it in the index (putNode). A pending owner comes with its hash and entry
   * (-1: new) as found when it started; a staged-apart one is looked up by putNode.
   */
  private place(name: DomainName, h?: number, entry?: number): void {
    const slabs = this.slabs;
    const at = slabs.reserve(MAX_NAME + 2 + this.pp + 2 * this.pendCount);
    const out = slabs.current;
    const end = this.writeNode(out, at, name);
    slabs.truncate(end);
    putNode(this.nodes, out, at, this.originLen, this.ents, h, entry);
    this.pp = 0;
    this.pendCount = 0;
  }

  /** writeNode writes the node record of the pending records at out[at]; returns its end. */
  private writeNode(out: Uint8Array, at: number, name: DomainName): number {
    const s = this.pend;
    const n = this.pendCount;
    const starts = scratchStarts(n);
    const used = scratchUsed(n);
    for (let i = 0, p = 0; i < n; i++) {
      starts[i] = p;
      p += PEND_HEADER + ((s[p + 6]! << 8) | s[p + 7]!);
    }
    let w = writeNameWire(out, at, name);
    const countAt = w;
    w += 2;
    let sets = 0;
    let hasCname = false;
    let other = false;
    for (let j = 0; j < n; j++) {
      if (used[j] === 1) continue;
      const pj = starts[j]!;
      const type = (s[pj]! << 8) | s[pj + 1]!;
      if (type === RRType.CNAME) hasCname = true;
      else if (!CNAME_COMPANIONS.has(type)) other = true;
      const setAt = w;
      copyInto(out, w, s, pj, 6); // type + ttl of the first RR (RFC 2181 §5.2)
      w += 8;
      let count = 0;
      for (let k = j; k < n; k++) {
        if (used[k] === 1) continue;
        const pk = starts[k]!;
        if (((s[pk]! << 8) | s[pk + 1]!) !== type) continue;
        used[k] = 1;
        const len = (s[pk + 6]! << 8) | s[pk + 7]!;
        if (isDuplicate(out, setAt + 8, count, s, pk + PEND_HEADER, len)) continue;
        out[w] = len >>> 8;
        out[w + 1] = len & 0xff;
        copyInto(out, w + 2, s, pk + PEND_HEADER, len);
        w += 2 + len;
        count++;
      }
      out[setAt + 6] = count >>> 8;
      out[setAt + 7] = count & 0xff;
      this.records += count;
      sets++;
    }
    used.fill(0, 0, n);
    if (hasCname && other) this.broken ??= { kind: 'cname-and-other-data', name };
    out[countAt] = sets >>> 8;
    out[countAt + 1] = sets & 0xff;
    return w;
  }

  /** build checks the zone rules and returns the version; the builder must not be used after. */
  build(): Result<ZoneVersion, ZoneError> {
    const steps = this.buildSteps();
    for (;;) {
      const r = steps.next();
      if (r.done === true) return r.value;
    }
  }

  /**
   * buildSteps finishes the build in steps of about BUILD_STEP merged nodes: the caller (an
   * adapter, not this pure core) may let other work run between steps. Most of the work was done
   * while records were added. The builder must not be used after.
   */
  *buildSteps(): Generator<void, Result<ZoneVersion, ZoneError>> {
    const soa = this.soa;
    if (soa === undefined) return err({ kind: 'no-soa' });
    if (this.multipleSoa) return err({ kind: 'multiple-soa' });
    this.flush();
    const apex = this.apartIndex.get(this.originKey) ?? this.apartOwner(this.originKey, this.origin);
    this.addApart(apex, RRType.SOA, soa.ttl, soa.rdata, 0, soa.rdata.length);
    // Group the staged-apart records by owner (counting sort), then merge each owner's into its node.
    const s = this.apart;
    const owners = this.apartKeys.length;
    const starts = new Int32Array(owners + 1);
    let staged = 0;
    for (let p = 0; p < this.ap; staged++) {
      starts[((s[p]! << 24) | (s[p + 1]! << 16) | (s[p + 2]! << 8) | s[p + 3]!) + 1]!++;
      p += APART_HEADER + ((s[p + 10]! << 8) | s[p + 11]!);
    }
    for (let i = 0; i < owners; i++) starts[i + 1]! += starts[i]!;
    const order = new Int32Array(staged);
    const cursor = starts.slice(0, owners);
    for (let p = 0; p < this.ap; ) {
      order[cursor[(s[p]! << 24) | (s[p + 1]! << 16) | (s[p + 2]! << 8) | s[p + 3]!]!++] = p;
      p += APART_HEADER + ((s[p + 10]! << 8) | s[p + 11]!);
    }
    for (let i = 0; i < owners; i++) {
      if (i % BUILD_STEP === BUILD_STEP - 1) yield;
      const earlier = this.nodes.get(this.apartKeys[i]!);
      if (earlier != null && earlier.setCount > 0) {
        // An owner seen again: its node is written anew with the earlier records first (their TTL
        // wins, RFC 2181 §5.2); the earlier node record stays behind as dead octets.
        this.records -= this.pendEarlier(earlier);
        this.rewritten = true;
      }
      for (let j = starts[i]!; j < starts[i + 1]!; j++) {
        const p = order[j]! + 4;
        this.addPending((s[p]! << 8) | s[p + 1]!, ((s[p + 2]! << 24) | (s[p + 3]! << 16) | (s[p + 4]! << 8) | s[p + 5]!) >>> 0, s, p + PEND_HEADER, (s[p + 6]! << 8) | s[p + 7]!);
      }
      this.place(this.apartNames[i]!);
    }
    this.apart = new Uint8Array(0);
    if (this.broken !== undefined) return err(this.broken);
    const packed = this.rewritten ? undefined : this.trimmedSlabs();
    const soaRr: ResourceRecord = { name: this.origin, type: RRType.SOA, class: this.zoneClass, ttl: soa.ttl, rdata: soa.rdata };
    return ok(new ZoneVersion(this.origin, this.zoneClass, soaRr, [this.nodes], this.nodes.size, this.records, packed));
  }

  /** pendEarlier copies an earlier node's records into the pending buffer; returns how many. */
  private pendEarlier(node: ZoneNode): number {
    const s = node.slab;
    let p = node.setsOffset;
    const n = (s[p]! << 8) | s[p + 1]!;
    p += 2;
    let records = 0;
    for (let i = 0; i < n; i++) {
      const type = (s[p]! << 8) | s[p + 1]!;
      const ttl = ((s[p + 2]! << 24) | (s[p + 3]! << 16) | (s[p + 4]! << 8) | s[p + 5]!) >>> 0;
      const count = (s[p + 6]! << 8) | s[p + 7]!;
      let q = p + 8;
      for (let j = 0; j < count; j++) {
        const len = (s[q]! << 8) | s[q + 1]!;
        this.addPending(type, ttl, s, q + 2, len);
        q += 2 + len;
      }
      records += count;
      p = q;
    }
    return records;
  }

  /**
   * trimmedSlabs returns the written slabs; a last slab mostly empty (a small zone) is copied to
   * its size and its nodes pointed at the copy, so the zone does not keep the spare room.
   */
  private trimmedSlabs(): Uint8Array[] {
    const parts = this.slabs.parts();
    const last = parts[parts.length - 1];
    if (last === undefined || this.slabs.unused <= Math.max(4096, last.length)) return parts;
    // The part starts at its slab's first octet, so the copy keeps every node's offset.
    const copy = last.slice();
    this.nodes.replaceSlab(last.buffer, copy);
    parts[parts.length - 1] = copy;
    return parts;
  }
}

/** MAX_NAME is the longest wire name (RFC 1035 §2.3.4). */
const MAX_NAME = 255;

/** writeRecord writes a pending record (type, ttl, rdata length, RDATA) at s[p]; returns its end. */
function writeRecord(s: Uint8Array, p: number, type: number, ttl: number, src: Uint8Array, off: number, len: number): number {
  s[p] = type >>> 8;
  s[p + 1] = type & 0xff;
  s[p + 2] = ttl >>> 24;
  s[p + 3] = (ttl >>> 16) & 0xff;
  s[p + 4] = (ttl >>> 8) & 0xff;
  s[p + 5] = ttl & 0xff;
  s[p + 6] = len >>> 8;
  s[p + 7] = len & 0xff;
  copyInto(s, p + PEND_HEADER, src, off, len);
  return p + PEND_HEADER + len;
}

/** grow returns a buffer with room for `more` octets after `used`, the used part copied. */
function grow(buf: Uint8Array, used: number, more: number): Uint8Array {
  const bigger = new Uint8Array(Math.max(used + more, buf.length * 2, 1024));
  bigger.set(buf.subarray(0, used));
  return bigger;
}

// Scratch arrays for writeNode, shared by every builder (the core is synchronous).
let STARTS = new Int32Array(256);
let USED = new Uint8Array(256);
function scratchStarts(n: number): Int32Array {
  if (n > STARTS.length) STARTS = new Int32Array(n * 2);
  return STARTS;
}
function scratchUsed(n: number): Uint8Array {
  if (n > USED.length) USED = new Uint8Array(n * 2);
  return USED;
}

/** copyInto copies octets; a plain loop beats subarray()+set() for the short runs of RDATA. */
function copyInto(dst: Uint8Array, at: number, src: Uint8Array, off: number, len: number): void {
  if (len > 64) {
    dst.set(src.subarray(off, off + len), at);
    return;
  }
  for (let i = 0; i < len; i++) dst[at + i] = src[off + i]!;
}

/** isDuplicate looks for rdata `s[at, at+len)` among the `count` RDATAs written from `setData`. */
function isDuplicate(out: Uint8Array, setData: number, count: number, s: Uint8Array, at: number, len: number): boolean {
  let q = setData;
  for (let c = 0; c < count; c++) {
    const l = (out[q]! << 8) | out[q + 1]!;
    if (l === len) {
      let same = true;
      for (let x = 0; x < len; x++) {
        if (out[q + 2 + x] !== s[at + x]) {
          same = false;
          break;
        }
      }
      if (same) return true;
    }
    q += 2 + l;
  }
  return false;
}

/**
 * putNode puts the node record at slab[off] in the index: a new owner is linked to its parent
 * (creating empty non-terminals as needed); a node replacing an ENT, or an earlier node of the
 * same owner, keeps its children. `originLen` is the origin's wire length: names are inside it.
 * A caller that has looked the owner up already passes its hash and entry (-1: absent).
 */
export function putNode(nodes: NodeIndex, slab: Uint8Array, off: number, originLen: number, ents: SlabWriter, h = hashName(slab, off), e = nodes.find(slab, off, h)): void {
  if (e >= 0) nodes.setRecord(e, slab, off);
  else {
    nodes.insert(slab, off, h, 0);
    linkToParents(nodes, slab, off, originLen, ents);
  }
}

/**
 * linkToParents counts the node at slab[off] as a child of its parent, creating empty
 * non-terminals up to the origin as needed (RFC 4592 §2.2.2), written into `ents`. A parent's
 * wire name is its child's without the first label, so no name is built to find it.
 */
function linkToParents(nodes: NodeIndex, slab: Uint8Array, off: number, originLen: number, ents: SlabWriter): void {
  let s = slab;
  let p = off;
  let len = wireLength(s, p);
  while (len > originLen) {
    const parent = p + 1 + s[p]!;
    len -= 1 + s[p]!;
    const h = hashName(s, parent);
    const e = nodes.find(s, parent, h);
    if (e >= 0) {
      nodes.addChild(e, 1);
      return;
    }
    const at = ents.reserve(len + 2);
    const out = ents.current;
    out.set(s.subarray(parent, parent + len), at);
    out[at + len] = 0; // no RRsets
    out[at + len + 1] = 0;
    nodes.insert(out, at, h, 1);
    s = out;
    p = at;
  }
}
