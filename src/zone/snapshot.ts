// Snapshots: a zone version as a few large byte chunks, for storage (PostgreSQL bytea) and fast
// restart. A chunk is a run of node records in the slab layout of node.ts (owner wire name, then
// its RRsets), so loading one is a scan that indexes the chunk in place — no copy, no object per
// record. Empty non-terminals are not stored; they are rebuilt on load. The SOA travels apart.

import { type DomainName, RRType, type ResourceRecord, lastNameEnd, nameKey, nameToWire, readName } from '../wire/index.js';
import { NodeIndex } from './node-index.js';
import { type Result, ok, err } from '../wire/result.js';
import { putNode } from './builder.js';
import type { ZoneDiff } from './diff.js';
import { SlabWriter, checkedNameEnd, nodeRecordEnd, skipSet } from './node.js';
import { ZoneVersion } from './version.js';

/** CHUNK_SIZE is the target size of one snapshot chunk (a node never spans two). */
export const CHUNK_SIZE = 4 * 1024 * 1024;

/**
 * encodeSnapshot returns the version's nodes (with RRsets) as chunks of at most ~CHUNK_SIZE. A
 * version with packed slabs (built in one piece) is cut into slices of them at node boundaries,
 * without copying; others are gathered node by node.
 */
export function encodeSnapshot(version: ZoneVersion, chunkSize = CHUNK_SIZE): Uint8Array[] {
  if (version.packed !== undefined && version.layers.length === 1) return version.packed.flatMap((slab) => slicePacked(slab, chunkSize));
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

/** slicePacked cuts a packed slab into chunks of at most ~chunkSize, each ending at a node end. */
function slicePacked(packed: Uint8Array, chunkSize: number): Uint8Array[] {
  if (packed.length <= chunkSize) return [packed];
  const chunks: Uint8Array[] = [];
  let start = 0;
  let off = 0;
  while (off < packed.length) {
    const end = nodeRecordEnd(packed, off);
    if (end - start > chunkSize && off > start) {
      chunks.push(packed.subarray(start, off));
      start = off;
    }
    off = end;
  }
  if (off > start) chunks.push(packed.subarray(start, off));
  return chunks;
}

export type SnapshotError = { kind: 'corrupt'; detail: string };

/**
 * decodeSnapshot rebuilds a version from its chunks (used in place as slabs) and its SOA. Fails on
 * octets that are not node records (a damaged row); counts are recomputed, not trusted.
 */
export function decodeSnapshot(origin: DomainName, zoneClass: number, soa: ResourceRecord, chunks: readonly Uint8Array[]): Result<ZoneVersion, SnapshotError> {
  const base = new NodeIndex(1024);
  const originLen = nameToWire(origin).length;
  const ents = new SlabWriter(1 << 16);
  let records = 0;
  try {
    for (const chunk of chunks) {
      let off = 0;
      while (off < chunk.length) {
        let p = checkedNameEnd(chunk, off);
        if (p < 0 || p + 2 > chunk.length) return err({ kind: 'corrupt', detail: `no node record at ${off}` });
        const n = (chunk[p]! << 8) | chunk[p + 1]!;
        p += 2;
        for (let i = 0; i < n; i++) {
          records += (chunk[p + 6]! << 8) | chunk[p + 7]!;
          p = skipSet(chunk, p);
        }
        if (p > chunk.length) return err({ kind: 'corrupt', detail: `node record past the chunk end at ${off}` });
        // Linked as it comes (no second pass over the nodes): a parent met later replaces its ENT.
        putNode(base, chunk, off, originLen, ents);
        off = p;
      }
    }
  } catch (e) {
    return err({ kind: 'corrupt', detail: e instanceof Error ? e.message : String(e) });
  }
  if (!base.get(nameKey(origin))?.hasType(RRType.SOA)) return err({ kind: 'corrupt', detail: 'no SOA at the apex' });
  // The chunks hold every node with RRsets once, as a built version's slabs do: they are its packed form.
  return ok(new ZoneVersion(origin, zoneClass, soa, [base], base.size, records, chunks));
}

/** writeRR appends one RR (uncompressed owner, fixed fields, RDATA) at `p`; returns the new end. */
function writeRR(out: Uint8Array, p: number, rr: ResourceRecord): number {
  const owner = nameToWire(rr.name);
  out.set(owner, p);
  p += owner.length;
  const v = new DataView(out.buffer, out.byteOffset);
  v.setUint16(p, rr.type);
  v.setUint16(p + 2, rr.class);
  v.setUint32(p + 4, rr.ttl);
  v.setUint16(p + 8, rr.rdata.length);
  out.set(rr.rdata, p + 10);
  return p + 10 + rr.rdata.length;
}

/** encodeDiff serialises a ZoneDiff: SOA from, SOA to, then the removed and added RRs, counted. */
export function encodeDiff(d: ZoneDiff): Uint8Array {
  const all = [d.soaFrom, d.soaTo, ...d.removed, ...d.added];
  let size = 8;
  for (const rr of all) size += 256 + 10 + rr.rdata.length;
  const out = new Uint8Array(size);
  let p = writeRR(out, 0, d.soaFrom);
  p = writeRR(out, p, d.soaTo);
  const v = new DataView(out.buffer);
  v.setUint32(p, d.removed.length);
  p += 4;
  for (const rr of d.removed) p = writeRR(out, p, rr);
  v.setUint32(p, d.added.length);
  p += 4;
  for (const rr of d.added) p = writeRR(out, p, rr);
  return out.slice(0, p);
}

/** decodeDiff reverses encodeDiff; fails on damaged octets. */
export function decodeDiff(b: Uint8Array): Result<ZoneDiff, SnapshotError> {
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  let p = 0;
  const rr = (): ResourceRecord => {
    const name = readName(b, p);
    p = lastNameEnd();
    const type = v.getUint16(p);
    const cls = v.getUint16(p + 2);
    const ttl = v.getUint32(p + 4);
    const len = v.getUint16(p + 8);
    if (p + 10 + len > b.length) throw new Error('truncated RR');
    const rdata = b.slice(p + 10, p + 10 + len);
    p += 10 + len;
    return { name, type, class: cls, ttl, rdata };
  };
  try {
    const soaFrom = rr();
    const soaTo = rr();
    const removed: ResourceRecord[] = [];
    for (let n = v.getUint32(p), i = ((p += 4), 0); i < n; i++) removed.push(rr());
    const added: ResourceRecord[] = [];
    for (let n = v.getUint32(p), i = ((p += 4), 0); i < n; i++) added.push(rr());
    if (p !== b.length) return err({ kind: 'corrupt', detail: 'trailing octets in a diff' });
    return ok({ soaFrom, soaTo, removed, added });
  } catch (e) {
    return err({ kind: 'corrupt', detail: e instanceof Error ? e.message : String(e) });
  }
}
