// Snapshots: a zone version as a few large byte chunks, for storage (PostgreSQL bytea) and fast
// restart. A chunk is a run of node records in the slab layout of node.ts (owner wire name, then
// its RRsets), so loading one is a scan that indexes the chunk in place — no copy, no object per
// record. Empty non-terminals are not stored; they are rebuilt on load. The SOA travels apart.

import { type DomainName, RRType, type ResourceRecord, nameKey, readName } from '../wire/index.js';
import { type Result, ok, err } from '../wire/result.js';
import { linkToParents } from './builder.js';
import { SlabWriter, type ZoneNode, ZoneNode as Node, skipSet, wireLength } from './node.js';
import { ZoneVersion } from './version.js';

/** CHUNK_SIZE is the target size of one snapshot chunk (a node never spans two). */
export const CHUNK_SIZE = 4 * 1024 * 1024;

/** nodeRecordEnd returns the offset just after the node record starting at `off`. */
function nodeRecordEnd(slab: Uint8Array, off: number): number {
  let p = off + wireLength(slab, off);
  const n = (slab[p]! << 8) | slab[p + 1]!;
  p += 2;
  for (let i = 0; i < n; i++) p = skipSet(slab, p);
  return p;
}

/** encodeSnapshot returns the version's nodes (with RRsets) as chunks of at most ~CHUNK_SIZE. */
export function encodeSnapshot(version: ZoneVersion, chunkSize = CHUNK_SIZE): Uint8Array[] {
  const chunks: Uint8Array[] = [];
  let cur = new Uint8Array(chunkSize);
  let pos = 0;
  for (const node of version.nodes()) {
    if (node.setCount === 0) continue;
    const end = nodeRecordEnd(node.slab, node.off);
    const len = end - node.off;
    if (pos + len > cur.length) {
      if (pos > 0) chunks.push(cur.subarray(0, pos));
      cur = new Uint8Array(Math.max(chunkSize, len));
      pos = 0;
    }
    cur.set(node.slab.subarray(node.off, end), pos);
    pos += len;
  }
  if (pos > 0) chunks.push(cur.subarray(0, pos));
  return chunks;
}

export type SnapshotError = { kind: 'corrupt'; detail: string };

/**
 * decodeSnapshot rebuilds a version from its chunks (used in place as slabs) and its SOA. Fails on
 * octets that are not node records (a damaged row); counts are recomputed, not trusted.
 */
export function decodeSnapshot(origin: DomainName, zoneClass: number, soa: ResourceRecord, chunks: readonly Uint8Array[]): Result<ZoneVersion, SnapshotError> {
  const base = new Map<string, ZoneNode | null>();
  const names: [string, DomainName][] = [];
  let records = 0;
  try {
    for (const chunk of chunks) {
      let off = 0;
      while (off < chunk.length) {
        const name = readName(chunk, off);
        const end = nodeRecordEnd(chunk, off);
        if (end > chunk.length) return err({ kind: 'corrupt', detail: `node record past the chunk end at ${off}` });
        let p = off + wireLength(chunk, off);
        const n = (chunk[p]! << 8) | chunk[p + 1]!;
        p += 2;
        for (let i = 0; i < n; i++) {
          records += (chunk[p + 6]! << 8) | chunk[p + 7]!;
          p = skipSet(chunk, p);
        }
        const key = nameKey(name);
        base.set(key, new Node(chunk, off, 0));
        names.push([key, name]);
        off = end;
      }
    }
  } catch (e) {
    return err({ kind: 'corrupt', detail: e instanceof Error ? e.message : String(e) });
  }
  const originKey = nameKey(origin);
  if (!base.get(originKey)?.hasType(RRType.SOA)) return err({ kind: 'corrupt', detail: 'no SOA at the apex' });
  const ents = new SlabWriter(1 << 16);
  for (const [key, name] of names) linkToParents(base, key, name, originKey, ents);
  return ok(new ZoneVersion(origin, zoneClass, soa, [base], base.size, records));
}
