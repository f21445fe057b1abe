// ZoneVersion: one immutable, complete version of a zone (origin, SOA, nodes by owner), and the
// layered storage that lets a version be derived from an older one plus a diff without copying
// the zone (readers and outgoing transfers keep the version they started with; STYLE.md
// principle 4). Each layer is a NodeIndex (node-index.ts): nodes by owner name, compared
// case-insensitively (RFC 4343). Empty non-terminals (RFC 4592 §2.2.2) exist as nodes without
// RRsets so NXDOMAIN and NODATA can be told apart.

import { type DomainName, type ResourceRecord, RRType, nameKey } from '../wire/index.js';
import type { RRset, ZoneNode } from './node.js';
import { type NodeIndex, DELETED, hashName, keyScratch, keyWire } from './node-index.js';
import type { Serial } from './serial.js';
import { soaSerial } from './soa.js';

export { type RRset, ZoneNode } from './node.js';
export { NodeIndex } from './node-index.js';

/** Layer is one layer of a version; in an overlay, entries may mark nodes deleted. */
export type Layer = NodeIndex;

/**
 * ZoneVersion is immutable. It is built by ZoneBuilder (zone file, AXFR) or by applyDiff
 * (IXFR, API change), which adds an overlay layer instead of copying the zone.
 */
export class ZoneVersion {
  /** layers, newest first; the last one is the base and holds no nulls. */
  readonly layers: readonly Layer[];
  readonly originKey: string;
  readonly serial: Serial;

  constructor(
    readonly origin: DomainName,
    readonly zoneClass: number,
    readonly soa: ResourceRecord,
    layers: readonly Layer[],
    /** nodeCount is the number of nodes (owners and empty non-terminals). */
    readonly nodeCount: number,
    /** recordCount is the number of RRs, the SOA included. */
    readonly recordCount: number,
    /**
     * packed, when set, holds the node record (node.ts layout) of every node with RRsets exactly
     * once, one after the other in a few slabs: a version built in one piece (ZoneBuilder, a
     * loaded snapshot) has them so, and its snapshot is then slices of those slabs, not a copy
     * (snapshot.ts).
     */
    readonly packed?: readonly Uint8Array[],
  ) {
    this.layers = layers;
    this.originKey = nameKey(origin);
    this.serial = soaSerial(soa.rdata);
  }

  /** node returns the node for a lower-cased key (see nameKey), or undefined. */
  node(key: string): ZoneNode | undefined {
    const h = keyWire(key);
    return h < 0 ? undefined : this.find(keyScratch, 0, h);
  }

  /** nodeAt returns the node of the uncompressed wire name at buf[off] (any case), or undefined. */
  nodeAt(buf: Uint8Array, off: number): ZoneNode | undefined {
    return this.find(buf, off, hashName(buf, off));
  }

  /** apex returns the origin's node, looked up once per version (every query starts there). */
  apex(): ZoneNode | undefined {
    if (this.apexNode === undefined) this.apexNode = this.node(this.originKey) ?? null;
    return this.apexNode ?? undefined;
  }

  private apexNode: ZoneNode | null | undefined;

  private find(buf: Uint8Array, off: number, h: number): ZoneNode | undefined {
    const layers = this.layers;
    for (let i = 0; i < layers.length; i++) {
      const layer = layers[i]!;
      const e = layer.find(buf, off, h);
      if (e >= 0) return layer.at(e) ?? undefined;
    }
    return undefined;
  }

  /** rrset returns the RRset of `type` at `name`, or undefined. */
  rrset(name: string, type: number): RRset | undefined {
    return this.node(nameKey(name))?.rrset(type);
  }

  /** nodes yields every live node once, in no particular order. */
  *nodes(): IterableIterator<ZoneNode> {
    const layers = this.layers;
    for (let i = 0; i < layers.length; i++) {
      const layer = layers[i]!;
      for (let e = 0; e < layer.size; e++) {
        if (layer.childrenAt(e) === DELETED) continue;
        let shadowed = false;
        for (let j = 0; j < i; j++) {
          if (layers[j]!.find(layer.slabAt(e), layer.offAt(e), layer.hashAt(e)) >= 0) {
            shadowed = true;
            break;
          }
        }
        if (!shadowed) yield layer.at(e)!;
      }
    }
  }

  /** records yields every RR: the SOA first, then the rest in no particular order (RFC 5936 §2.2). */
  *records(): IterableIterator<ResourceRecord> {
    yield this.soa;
    const cls = this.zoneClass;
    for (const n of this.nodes()) {
      if (n.setCount === 0) continue;
      const name = n.name;
      const apex = nameKey(name) === this.originKey;
      for (const s of n.sets) {
        if (apex && s.type === RRType.SOA) continue;
        for (const rdata of s.rdatas) yield { name, type: s.type, class: cls, ttl: s.ttl, rdata };
      }
    }
  }
}

/** rdataEqual compares two RDATAs octet by octet (RFC 2181 §5: duplicates are one RR). */
export function rdataEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
