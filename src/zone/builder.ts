// ZoneBuilder: the only mutable zone structure. Records go in one by one (zone file, AXFR, API)
// and are staged as octets; build() groups them by owner and type into a slab (see node.ts),
// checks the zone rules and produces an immutable ZoneVersion with a single base layer.
// Rules: RFC 1035 §5.2 (one SOA at the apex, everything inside the origin), RFC 2181 §5 (an RRset
// has one TTL; duplicate RRs collapse), RFC 2181 §10.1 / RFC 4035 §2.5 (CNAME only beside
// RRSIG/NSEC). Deviation: differing TTLs in one RRset keep the first TTL seen, as Knot does.

import { type DomainName, type ResourceRecord, RRClass, RRType, isSubdomain, nameKey, nameToWire, parentName, writeNameWire } from '../wire/index.js';
import { type Result, ok, okVoid, err } from '../wire/result.js';
import type { ZoneError } from './errors.js';
import { SlabWriter, ZoneNode } from './node.js';
import { ZoneVersion, rdataEqual } from './version.js';

/** CNAME_COMPANIONS are the types allowed beside a CNAME (RFC 4035 §2.5). */
const CNAME_COMPANIONS = new Set<number>([RRType.CNAME, RRType.RRSIG, RRType.NSEC]);

/** BUILD_STEP: nodes handled between two yields of buildSteps (a few milliseconds of work). */
const BUILD_STEP = 32768;

/** Staged record header: u32 node index, u16 type, u32 ttl, u16 rdata length. */
const REC_HEADER = 12;

/** ZoneBuilder collects records for one origin and class, then builds a ZoneVersion once. */
export class ZoneBuilder {
  private readonly index = new Map<string, number>();
  private keys: string[] = [];
  private names: DomainName[] = [];
  private staging = new Uint8Array(1 << 16);
  private sp = 0;
  private staged = 0;
  private readonly originKey: string;
  private readonly originSuffix: string;
  private soa: ResourceRecord | undefined;
  private multipleSoa = false;
  private lastName: DomainName | undefined;
  private lastIdx = 0;

  constructor(
    readonly origin: DomainName,
    readonly zoneClass: number = RRClass.IN,
  ) {
    this.originKey = nameKey(origin);
    this.originSuffix = this.originKey === '.' ? '' : '.' + this.originKey;
  }

  /** stagedCount is the number of RRs added so far (duplicates included), SOA excluded. */
  get stagedCount(): number {
    return this.staged;
  }

  /** stagedBytes is the size of the staged records, a bound for callers that cap memory. */
  get stagedBytes(): number {
    return this.sp;
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
    let idx: number | undefined;
    // Transfers and zone files give an owner's records one after another: the same owner as the
    // previous record needs no key and no lookup.
    if (name === this.lastName) idx = this.lastIdx;
    else {
      const key = nameKey(name);
      idx = this.index.get(key);
      if (idx === undefined) {
        if (key !== this.originKey && !this.inZone(key)) return err({ kind: 'out-of-zone', name });
        idx = this.keys.length;
        this.keys.push(key);
        this.names.push(name);
        this.index.set(key, idx);
      }
      this.lastName = name;
      this.lastIdx = idx;
    }
    if (type === RRType.SOA) {
      if (nameKey(name) !== this.originKey) return err({ kind: 'soa-not-at-apex', name });
      const rdata = src.slice(off, off + len);
      if (this.soa === undefined) this.soa = { name, type, class: cls, ttl, rdata };
      else if (!rdataEqual(this.soa.rdata, rdata)) this.multipleSoa = true;
      return okVoid;
    }
    this.stage(idx, type, ttl, src, off, len);
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

  private stage(idx: number, type: number, ttl: number, src: Uint8Array, off: number, len: number): void {
    const need = this.sp + REC_HEADER + len;
    if (need > this.staging.length) {
      const bigger = new Uint8Array(Math.max(need, this.staging.length * 2));
      bigger.set(this.staging.subarray(0, this.sp));
      this.staging = bigger;
    }
    const s = this.staging;
    let p = this.sp;
    s[p] = idx >>> 24;
    s[p + 1] = (idx >>> 16) & 0xff;
    s[p + 2] = (idx >>> 8) & 0xff;
    s[p + 3] = idx & 0xff;
    s[p + 4] = type >>> 8;
    s[p + 5] = type & 0xff;
    s[p + 6] = ttl >>> 24;
    s[p + 7] = (ttl >>> 16) & 0xff;
    s[p + 8] = (ttl >>> 8) & 0xff;
    s[p + 9] = ttl & 0xff;
    s[p + 10] = len >>> 8;
    s[p + 11] = len & 0xff;
    p += REC_HEADER;
    copyInto(s, p, src, off, len);
    this.sp = p + len;
    this.staged++;
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
   * buildSteps is build() cut into steps of about BUILD_STEP nodes: the caller (an adapter, not
   * this pure core) may let other work run between steps, so building a million-record zone does
   * not stall queries for a second. The builder must not be used after.
   */
  *buildSteps(): Generator<void, Result<ZoneVersion, ZoneError>> {
    const soa = this.soa;
    if (soa === undefined) return err({ kind: 'no-soa' });
    if (this.multipleSoa) return err({ kind: 'multiple-soa' });
    this.stage(this.index.get(this.originKey)!, RRType.SOA, soa.ttl, soa.rdata, 0, soa.rdata.length);
    const s = this.staging;
    const n = this.keys.length;
    // Counting sort of the staged records by node.
    const starts = new Int32Array(n + 1);
    for (let p = 0; p < this.sp; ) {
      const idx = ((s[p]! << 24) | (s[p + 1]! << 16) | (s[p + 2]! << 8) | s[p + 3]!) >>> 0;
      starts[idx + 1]!++;
      p += REC_HEADER + ((s[p + 10]! << 8) | s[p + 11]!);
    }
    for (let i = 0; i < n; i++) starts[i + 1]! += starts[i]!;
    const order = new Int32Array(this.staged);
    const cursor = starts.slice(0, n);
    for (let p = 0; p < this.sp; ) {
      const idx = ((s[p]! << 24) | (s[p + 1]! << 16) | (s[p + 2]! << 8) | s[p + 3]!) >>> 0;
      order[cursor[idx]!++] = p;
      p += REC_HEADER + ((s[p + 10]! << 8) | s[p + 11]!);
    }
    let bound = this.sp + 2 * n;
    for (const name of this.names) bound += name.length + 1;
    const out = new Uint8Array(bound);
    // The key → index map becomes the key → node map in place: updating existing keys is cheaper
    // than filling a second map of a million entries.
    const base = this.index as unknown as Map<string, ZoneNode | null>;
    const used = new Uint8Array(this.staged);
    let w = 0;
    let records = 0;
    for (let i = 0; i < n; i++) {
      if (i % BUILD_STEP === BUILD_STEP - 1) yield;
      const off = w;
      w = writeNameWire(out, w, this.names[i]!);
      const countAt = w;
      w += 2;
      let sets = 0;
      let hasCname = false;
      let other = false;
      const from = starts[i]!;
      const to = starts[i + 1]!;
      for (let j = from; j < to; j++) {
        if (used[j] === 1) continue;
        const pj = order[j]!;
        const type = (s[pj + 4]! << 8) | s[pj + 5]!;
        if (type === RRType.CNAME) hasCname = true;
        else if (!CNAME_COMPANIONS.has(type)) other = true;
        const setAt = w;
        copyInto(out, w, s, pj + 4, 6); // type + ttl of the first RR (RFC 2181 §5.2)
        w += 8;
        let count = 0;
        for (let k = j; k < to; k++) {
          if (used[k] === 1) continue;
          const pk = order[k]!;
          if (((s[pk + 4]! << 8) | s[pk + 5]!) !== type) continue;
          used[k] = 1;
          const len = (s[pk + 10]! << 8) | s[pk + 11]!;
          if (isDuplicate(out, setAt + 8, count, s, pk + REC_HEADER, len)) continue;
          out[w] = len >>> 8;
          out[w + 1] = len & 0xff;
          copyInto(out, w + 2, s, pk + REC_HEADER, len);
          w += 2 + len;
          count++;
        }
        out[setAt + 6] = count >>> 8;
        out[setAt + 7] = count & 0xff;
        records += count;
        sets++;
      }
      if (hasCname && other) return err({ kind: 'cname-and-other-data', name: this.names[i]! });
      out[countAt] = sets >>> 8;
      out[countAt + 1] = sets & 0xff;
      base.set(this.keys[i]!, new ZoneNode(out, off, 0));
    }
    const ents = new SlabWriter(1 << 16);
    for (let i = 0; i < n; i++) {
      if (i % BUILD_STEP === BUILD_STEP - 1) yield;
      linkToParents(base, this.keys[i]!, this.names[i]!, this.originKey, ents);
    }
    const soaRr: ResourceRecord = { name: this.origin, type: RRType.SOA, class: this.zoneClass, ttl: soa.ttl, rdata: soa.rdata };
    this.staging = new Uint8Array(0);
    this.keys = [];
    this.names = [];
    return ok(new ZoneVersion(this.origin, this.zoneClass, soaRr, [base], base.size, records, out.subarray(0, w)));
  }
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
 * linkToParents counts `key` as a child of its parent, creating empty non-terminals up to the
 * origin as needed (RFC 4592 §2.2.2), written into `ents`.
 */
export function linkToParents(nodes: Map<string, ZoneNode | null>, key: string, name: DomainName, originKey: string, ents: SlabWriter): void {
  let childKey = key;
  let childName = name;
  while (childKey !== originKey) {
    const pKey = parentName(childKey);
    const pName = parentName(childName);
    if (pKey === undefined || pName === undefined) return;
    const parent = nodes.get(pKey);
    if (parent) {
      parent.children++;
      return;
    }
    nodes.set(pKey, ents.node(nameToWire(pName), [], 1));
    childKey = pKey;
    childName = pName;
  }
}
