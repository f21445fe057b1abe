// ZoneBuilder: the only mutable zone structure. Records go in one by one (zone file, AXFR, API);
// build() checks the zone rules and produces an immutable ZoneVersion with a single base layer.
// Rules: RFC 1035 §5.2 (one SOA at the apex, everything inside the origin), RFC 2181 §5 (an RRset
// has one TTL; duplicate RRs collapse), RFC 2181 §10.1 / RFC 4035 §2.5 (CNAME only beside
// RRSIG/NSEC). Deviation: differing TTLs in one RRset keep the first TTL seen, as Knot does.

import { type DomainName, type ResourceRecord, RRClass, RRType, isSubdomain, nameKey, parentName } from '../wire/index.js';
import { type Result, ok, err } from '../wire/result.js';
import type { ZoneError } from './errors.js';
import { type RRset, type ZoneNode, ZoneVersion, rdataEqual } from './version.js';

interface StagedSet {
  type: number;
  ttl: number;
  rdatas: Uint8Array[];
}

interface StagedNode {
  name: DomainName;
  sets: StagedSet[];
}

interface MutableNode {
  name: DomainName;
  sets: RRset[];
  children: number;
}

/** CNAME_COMPANIONS are the types allowed beside a CNAME (RFC 4035 §2.5). */
const CNAME_COMPANIONS = new Set<number>([RRType.CNAME, RRType.RRSIG, RRType.NSEC]);

/** ZoneBuilder collects records for one origin and class, then builds a ZoneVersion once. */
export class ZoneBuilder {
  private readonly staged = new Map<string, StagedNode>();
  private readonly originKey: string;
  private soa: ResourceRecord | undefined;
  private soaCount = 0;
  private count = 0;

  constructor(
    readonly origin: DomainName,
    readonly zoneClass: number = RRClass.IN,
  ) {
    this.originKey = nameKey(origin);
  }

  /** recordCount is the number of distinct RRs added so far. */
  get recordCount(): number {
    return this.count;
  }

  /** add stages one RR; fails when it is outside the zone, of another class, or an SOA off-apex. */
  add(rr: ResourceRecord): Result<void, ZoneError> {
    if (rr.class !== this.zoneClass) return err({ kind: 'class-mismatch', name: rr.name, class: rr.class });
    const key = nameKey(rr.name);
    if (key !== this.originKey && !isSubdomain(key, this.originKey)) return err({ kind: 'out-of-zone', name: rr.name });
    if (rr.type === RRType.SOA) {
      if (key !== this.originKey) return err({ kind: 'soa-not-at-apex', name: rr.name });
      this.soaCount++;
      if (this.soa !== undefined && rdataEqual(this.soa.rdata, rr.rdata)) return ok(undefined);
      this.soa = rr;
    }
    let node = this.staged.get(key);
    if (node === undefined) {
      node = { name: rr.name, sets: [] };
      this.staged.set(key, node);
    }
    let set: StagedSet | undefined;
    for (const s of node.sets) {
      if (s.type === rr.type) {
        set = s;
        break;
      }
    }
    if (set === undefined) {
      node.sets.push({ type: rr.type, ttl: rr.ttl, rdatas: [rr.rdata] });
      this.count++;
      return ok(undefined);
    }
    if (rr.type === RRType.SOA) {
      set.rdatas[0] = rr.rdata;
      return ok(undefined);
    }
    // Duplicate check: linear for the common small RRset; large RRsets are rare in real zones.
    for (const r of set.rdatas) if (rdataEqual(r, rr.rdata)) return ok(undefined);
    set.rdatas.push(rr.rdata);
    this.count++;
    return ok(undefined);
  }

  /** addAll stages many RRs, stopping at the first failure. */
  addAll(rrs: Iterable<ResourceRecord>): Result<void, ZoneError> {
    for (const rr of rrs) {
      const r = this.add(rr);
      if (!r.ok) return r;
    }
    return ok(undefined);
  }

  /** build checks the zone rules and returns the version; the builder must not be used after. */
  build(): Result<ZoneVersion, ZoneError> {
    if (this.soa === undefined) return err({ kind: 'no-soa' });
    const soaNode = this.staged.get(this.originKey);
    const soaSet = soaNode?.sets.find((s) => s.type === RRType.SOA);
    if (soaSet !== undefined && soaSet.rdatas.length > 1) return err({ kind: 'multiple-soa' });
    const base = new Map<string, ZoneNode | null>();
    for (const [key, staged] of this.staged) {
      let hasCname = false;
      let other = false;
      for (const s of staged.sets) {
        if (s.type === RRType.CNAME) hasCname = true;
        else if (!CNAME_COMPANIONS.has(s.type)) other = true;
      }
      if (hasCname && other) return err({ kind: 'cname-and-other-data', name: staged.name });
      const existing = base.get(key) as MutableNode | undefined;
      if (existing !== undefined) {
        existing.name = staged.name;
        existing.sets = staged.sets;
        continue;
      }
      const node: MutableNode = { name: staged.name, sets: staged.sets, children: 0 };
      base.set(key, node);
      linkToParents(base, key, staged.name, this.originKey);
    }
    this.staged.clear();
    return ok(new ZoneVersion(this.origin, this.zoneClass, this.soa, [base], base.size, this.count));
  }
}

/**
 * linkToParents counts `key` as a child of its parent, creating empty non-terminals up to the
 * origin as needed (RFC 4592 §2.2.2).
 */
export function linkToParents(nodes: Map<string, ZoneNode | null>, key: string, name: DomainName, originKey: string): void {
  let childKey = key;
  let childName = name;
  while (childKey !== originKey) {
    const pKey = parentName(childKey);
    const pName = parentName(childName);
    if (pKey === undefined || pName === undefined) return;
    const parent = nodes.get(pKey) as MutableNode | undefined | null;
    if (parent) {
      parent.children++;
      return;
    }
    nodes.set(pKey, { name: pName, sets: [], children: 1 } satisfies MutableNode);
    childKey = pKey;
    childName = pName;
  }
}
