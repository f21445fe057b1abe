// ZoneDiff: the IXFR unit and journal row (RFC 1995 §4): the SOA before and after, the RRs
// removed and the RRs added. applyDiff derives a new version by adding one overlay layer with the
// touched nodes only (copy-on-write), so an IXFR of 100 records on a 1M-record zone touches ~100
// nodes; overlays are merged when there are many, and folded into the base only once they hold a
// quarter of the zone, which keeps the amortised cost proportional to the diff.

import { type DomainName, type ResourceRecord, RRType, isSubdomain, nameKey, nameToWire, parentName } from '../wire/index.js';
import { type Result, ok, err } from '../wire/result.js';
import type { ZoneError } from './errors.js';
import { soaSerial } from './soa.js';
import { type MutableRRset, SlabWriter, nodeRecordSize } from './node.js';
import { DELETED, NodeIndex } from './node-index.js';
import { type Layer, type RRset, type ZoneNode, ZoneVersion, rdataEqual } from './version.js';

/** ZoneDiff is one condensed change from soaFrom's serial to soaTo's serial. */
export interface ZoneDiff {
  readonly soaFrom: ResourceRecord;
  readonly soaTo: ResourceRecord;
  readonly removed: readonly ResourceRecord[];
  readonly added: readonly ResourceRecord[];
}

/** MAX_OVERLAYS bounds lookup cost: a lookup probes at most this many layers plus the base. */
const MAX_OVERLAYS = 8;

/**
 * MutableNode is a touched node while a diff is applied: its owner's wire octets, sets, children
 * (DELETED for a deletion mark when the overlay is written).
 */
interface MutableNode {
  owner: Uint8Array;
  sets: MutableRRset[];
  children: number;
}

/** reverseDiff swaps the direction of a diff (used to roll back and to check journals). */
export function reverseDiff(d: ZoneDiff): ZoneDiff {
  return { soaFrom: d.soaTo, soaTo: d.soaFrom, removed: d.added, added: d.removed };
}

/**
 * applyDiff returns the version `d` leads to from `v`. Fails, leaving `v` untouched, when the
 * diff starts at another serial, removes an RR that does not exist (RFC 1995 §4 requires the
 * deletions to match), or adds a record outside the zone. Adding an RR that already exists is a
 * no-op (RFC 2181 §5).
 */
export function applyDiff(v: ZoneVersion, d: ZoneDiff): Result<ZoneVersion, ZoneError> {
  const from = soaSerial(d.soaFrom.rdata);
  if (from !== v.serial) return err({ kind: 'serial-mismatch', expected: v.serial, got: from });
  // Touched nodes are decoded into this working map (null = deleted), then written to a new slab.
  // Per record this costs a lower-cased key, one map lookup and, per touched owner, one index
  // lookup: owners keep the wire octets they are stored with, so no name is decoded to text or
  // encoded back (this runs on the path from NOTIFY to serving, mostly as cold code).
  const working = new Map<string, MutableNode | null>();
  const originKey = v.originKey;
  let records = v.recordCount;
  let nodes = v.nodeCount;

  const writable = (key: string): MutableNode | undefined => {
    const w = working.get(key);
    if (w !== undefined) return w ?? undefined;
    if (working.has(key)) return undefined;
    const n = v.node(key);
    if (n === undefined) return undefined;
    const copy: MutableNode = { owner: n.owner, sets: n.sets, children: n.children };
    working.set(key, copy);
    return copy;
  };

  for (const rr of d.removed) {
    const key = nameKey(rr.name);
    if (rr.type === RRType.SOA && key === originKey) continue;
    const node = writable(key);
    const set = node === undefined ? undefined : findSet(node.sets, rr.type);
    if (node === undefined || set === undefined) return err({ kind: 'remove-missing', name: rr.name, type: rr.type });
    const idx = indexOfRdata(set.rdatas, rr.rdata);
    if (idx < 0) return err({ kind: 'remove-missing', name: rr.name, type: rr.type });
    set.rdatas.splice(idx, 1);
    records--;
    if (set.rdatas.length === 0) node.sets.splice(node.sets.indexOf(set), 1);
  }

  for (const rr of d.added) {
    const key = nameKey(rr.name);
    if (rr.type === RRType.SOA && key === originKey) continue;
    if (rr.class !== v.zoneClass) return err({ kind: 'class-mismatch', name: rr.name, class: rr.class });
    if (!isSubdomain(key, originKey)) return err({ kind: 'out-of-zone', name: rr.name });
    let node = writable(key);
    if (node === undefined) {
      node = { owner: nameToWire(rr.name), sets: [], children: 0 };
      working.set(key, node);
      nodes++;
      nodes += link(key, rr.name);
    }
    let set = findSet(node.sets, rr.type);
    if (set === undefined) {
      set = { type: rr.type, ttl: rr.ttl, rdatas: [] };
      node.sets.push(set);
    }
    set.ttl = rr.ttl;
    if (indexOfRdata(set.rdatas, rr.rdata) >= 0) continue;
    set.rdatas.push(rr.rdata);
    records++;
  }

  // Nodes emptied by the removals disappear unless they have children (then they are ENTs).
  for (const key of [...working.keys()]) {
    let k: string | undefined = key;
    while (k !== undefined && k !== originKey) {
      const n = working.get(k);
      if (n === undefined || n === null || n.sets.length > 0 || n.children > 0) break;
      working.set(k, null);
      nodes--;
      const p: string | undefined = parentName(k);
      if (p === undefined) break;
      const parent = writable(p);
      if (parent === undefined) break;
      parent.children--;
      k = p;
    }
  }

  const apex = writable(originKey);
  if (apex === undefined) return err({ kind: 'no-soa' });
  const soaIdx = apex.sets.findIndex((s) => s.type === RRType.SOA);
  const newSoa: MutableRRset = { type: RRType.SOA, ttl: d.soaTo.ttl, rdatas: [d.soaTo.rdata] };
  if (soaIdx < 0) apex.sets.unshift(newSoa);
  else apex.sets[soaIdx] = newSoa;

  // One slab of the exact size. A deletion mark is only matched, never served: its key
  // (lower-cased) serves as its name.
  const written: MutableNode[] = [];
  let size = 0;
  for (const [key, n] of working) {
    const w = n ?? { owner: nameToWire(key as DomainName), sets: [], children: DELETED };
    written.push(w);
    size += nodeRecordSize(w.owner, w.sets);
  }
  const slab = new SlabWriter(Math.max(size, 1), size);
  const overlay = new NodeIndex(written.length);
  for (const w of written) {
    const rec = slab.node(w.owner, w.sets, Math.max(w.children, 0));
    overlay.put(rec.slab, rec.off, w.children);
  }
  const layers = compact([overlay, ...v.layers]);
  return ok(new ZoneVersion(v.origin, v.zoneClass, d.soaTo, layers, nodes, records));

  /** link counts a new node under its parent, creating ENTs; returns how many ENTs it created. */
  function link(key: string, name: DomainName): number {
    let created = 0;
    let childKey = key;
    let childName = name;
    while (childKey !== originKey) {
      const pKey = parentName(childKey);
      const pName = parentName(childName);
      if (pKey === undefined || pName === undefined) break;
      const parent = writable(pKey);
      if (parent !== undefined) {
        parent.children++;
        break;
      }
      working.set(pKey, { owner: nameToWire(pName), sets: [], children: 1 });
      created++;
      childKey = pKey;
      childName = pName;
    }
    return created;
  }
}

/** findSet returns the set of `type`, or undefined. */
function findSet(sets: MutableRRset[], type: number): MutableRRset | undefined {
  for (let i = 0; i < sets.length; i++) if (sets[i]!.type === type) return sets[i];
  return undefined;
}

/** indexOfRdata returns where `rdata` is in `rdatas` (octet for octet), or -1. */
function indexOfRdata(rdatas: Uint8Array[], rdata: Uint8Array): number {
  for (let i = 0; i < rdatas.length; i++) if (rdataEqual(rdatas[i]!, rdata)) return i;
  return -1;
}

/** compact keeps the number of overlay layers bounded (see the file header). */
function compact(layers: Layer[]): Layer[] {
  if (layers.length <= MAX_OVERLAYS + 1) return layers;
  const base = layers[layers.length - 1]!;
  const merged = new NodeIndex();
  for (let i = layers.length - 2; i >= 0; i--) {
    const layer = layers[i]!;
    for (let e = 0; e < layer.size; e++) merged.put(layer.slabAt(e), layer.offAt(e), layer.childrenAt(e));
  }
  if (merged.size * 4 < base.size) return [merged, base];
  // Fold: a new base with the base's nodes the overlays do not touch, then theirs, marks dropped.
  const folded = new NodeIndex(base.size + merged.size);
  for (let e = 0; e < base.size; e++) {
    if (merged.find(base.slabAt(e), base.offAt(e), base.hashAt(e)) < 0) folded.insert(base.slabAt(e), base.offAt(e), base.hashAt(e), base.childrenAt(e));
  }
  for (let e = 0; e < merged.size; e++) {
    if (merged.childrenAt(e) !== DELETED) folded.insert(merged.slabAt(e), merged.offAt(e), merged.hashAt(e), merged.childrenAt(e));
  }
  return [folded];
}

/**
 * computeDiff returns the condensed difference between two versions of the same zone: every RR
 * in `from` and not in `to` is removed, every RR in `to` and not in `from` is added, SOAs aside.
 */
export function computeDiff(from: ZoneVersion, to: ZoneVersion): ZoneDiff {
  const removed: ResourceRecord[] = [];
  const added: ResourceRecord[] = [];
  const cls = to.zoneClass;
  const isApexSoa = (n: ZoneNode, s: RRset, origin: string) => s.type === RRType.SOA && nameKey(n.name) === origin;
  for (const n of to.nodes()) {
    const old = from.node(nameKey(n.name));
    for (const s of n.sets) {
      if (isApexSoa(n, s, to.originKey)) continue;
      const os = old?.sets.find((x) => x.type === s.type);
      for (const r of s.rdatas) {
        const same = os !== undefined && os.ttl === s.ttl && os.rdatas.some((o) => rdataEqual(o, r));
        if (!same) added.push({ name: n.name, type: s.type, class: cls, ttl: s.ttl, rdata: r });
      }
      if (os !== undefined) {
        for (const r of os.rdatas) {
          const kept = os.ttl === s.ttl && s.rdatas.some((x) => rdataEqual(x, r));
          if (!kept) removed.push({ name: old!.name, type: os.type, class: cls, ttl: os.ttl, rdata: r });
        }
      }
    }
    if (old !== undefined) {
      for (const os of old.sets) {
        if (isApexSoa(old, os, from.originKey)) continue;
        if (n.sets.some((s) => s.type === os.type)) continue;
        for (const r of os.rdatas) removed.push({ name: old.name, type: os.type, class: cls, ttl: os.ttl, rdata: r });
      }
    }
  }
  for (const o of from.nodes()) {
    if (to.node(nameKey(o.name)) !== undefined) continue;
    for (const s of o.sets) for (const r of s.rdatas) removed.push({ name: o.name, type: s.type, class: cls, ttl: s.ttl, rdata: r });
  }
  return { soaFrom: from.soa, soaTo: to.soa, removed, added };
}
