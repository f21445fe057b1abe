import { describe, expect, it } from 'vitest';
import { ZoneBuilder, applyDiff, computeDiff, readSoa, reverseDiff, type ZoneVersion } from '../../../src/zone/index.js';
import { RRType, nameKey, type ResourceRecord } from '../../../src/wire/index.js';
import { a, cname, n, ns, soa } from './helpers.js';

function build(records: ResourceRecord[], origin = 'example.com.'): ZoneVersion {
  const b = new ZoneBuilder(n(origin));
  const r = b.addAll(records);
  if (!r.ok) throw new Error(JSON.stringify(r.error));
  const v = b.build();
  if (!v.ok) throw new Error(JSON.stringify(v.error));
  return v.value;
}

const sorted = (v: ZoneVersion) =>
  [...v.records()].map((r) => `${nameKey(r.name)} ${r.type} ${r.ttl} ${Buffer.from(r.rdata).toString('hex')}`).sort();

describe('ZoneBuilder', () => {
  it('builds a version with SOA, serial, counts and empty non-terminals', () => {
    const v = build([soa('example.com.', 10), ns('example.com.', 'ns1.example.com.'), a('ns1.example.com.', '192.0.2.1'), a('a.b.c.example.com.', '192.0.2.2'), a('A.b.c.example.com.', '192.0.2.2')]);
    expect(v.serial).toBe(10);
    expect(v.recordCount).toBe(4);
    expect(v.node('b.c.example.com.')?.sets).toEqual([]);
    expect(v.node('c.example.com.')?.children).toBe(1);
    expect(v.node('example.com.')?.children).toBe(2);
    expect(v.rrset('a.b.c.EXAMPLE.com.', RRType.A)?.rdatas).toHaveLength(1);
    expect(readSoa(v.soa.rdata).mname).toBe('ns1.example.com.');
    expect([...v.records()][0]?.type).toBe(RRType.SOA);
  });
  it('refuses out-of-zone records, missing SOA, SOA off-apex and CNAME beside data', () => {
    expect(new ZoneBuilder(n('example.com.')).add(a('www.example.org.', '1.2.3.4'))).toMatchObject({ ok: false, error: { kind: 'out-of-zone' } });
    expect(new ZoneBuilder(n('example.com.')).build()).toMatchObject({ ok: false, error: { kind: 'no-soa' } });
    expect(new ZoneBuilder(n('example.com.')).add(soa('www.example.com.', 1))).toMatchObject({ ok: false, error: { kind: 'soa-not-at-apex' } });
    const b = new ZoneBuilder(n('example.com.'));
    b.addAll([soa('example.com.', 1), cname('www.example.com.', 'x.example.net.'), a('www.example.com.', '1.2.3.4')]);
    expect(b.build()).toMatchObject({ ok: false, error: { kind: 'cname-and-other-data' } });
  });
});

/** shape lists a version's nodes: key, children, and its RRsets (type, ttl, sorted RDATAs). */
const shape = (v: ZoneVersion) =>
  [...v.layers[0]!.entries()]
    .map(([k, node]) => `${k} c${node!.children} ` + node!.sets.map((st) => `${st.type}/${st.ttl}:${st.rdatas.map((r) => Buffer.from(r).toString('hex')).sort().join(',')}`).sort().join(' '))
    .sort();

describe('ZoneBuilder, records in any order', () => {
  // A zone whose owners have several RRsets and several RRs, ENTs two deep, and the apex.
  const recs: ResourceRecord[] = [soa('example.com.', 4), ns('example.com.', 'ns1.example.com.'), ns('example.com.', 'ns2.example.com.'), a('ns1.example.com.', '192.0.2.1'), a('ns2.example.com.', '192.0.2.2')];
  for (let i = 0; i < 40; i++) {
    recs.push(a(`h${i}.d${i % 3}.e.example.com.`, `10.0.0.${i}`), a(`h${i}.d${i % 3}.e.example.com.`, `10.0.1.${i}`));
    recs.push(ns(`h${i}.d${i % 3}.e.example.com.`, `ns${i}.example.net.`));
  }
  const inOrder = build(recs);

  it('gives the same nodes, children, TTLs and counts however the records are interleaved', () => {
    // A deterministic shuffle: owners come back after others, children before parents, the apex
    // in the middle, and the SOA last.
    let seed = 7;
    const shuffled = recs.slice(1).map((r) => ({ r, k: (seed = (seed * 1103515245 + 12345) % 2 ** 31) })).sort((x, y) => x.k - y.k).map((x) => x.r);
    const v = build([...shuffled, recs[0]!]);
    expect(shape(v)).toEqual(shape(inOrder));
    expect(v.nodeCount).toBe(inOrder.nodeCount);
    expect(v.recordCount).toBe(inOrder.recordCount);
    // Owners written twice leave dead octets in the slabs: no packed form, and the snapshot is
    // gathered node by node with every record once.
    expect(v.packed).toBeUndefined();
    const back = decodeSnapshot(v.origin, v.zoneClass, v.soa, encodeSnapshot(v));
    expect(back.ok && shape(back.value)).toEqual(shape(inOrder));
  });

  it('keeps the first TTL and drops duplicates when an owner comes back, in any case', () => {
    const v = build([soa('example.com.', 1), a('www.example.com.', '192.0.2.1', 100), a('mail.example.com.', '192.0.2.9'), a('WWW.example.com.', '192.0.2.1', 200), a('www.example.com.', '192.0.2.2', 300)]);
    expect(v.rrset('www.example.com.', RRType.A)).toMatchObject({ ttl: 100 });
    expect(v.rrset('www.example.com.', RRType.A)?.rdatas).toHaveLength(2);
    expect(v.recordCount).toBe(4);
    expect(v.node('example.com.')?.children).toBe(2);
  });

  it('finds a CNAME beside other data when the two come apart', () => {
    const b = new ZoneBuilder(n('example.com.'));
    b.addAll([soa('example.com.', 1), cname('www.example.com.', 'x.example.net.'), a('other.example.com.', '192.0.2.1'), a('www.example.com.', '1.2.3.4')]);
    expect(b.build()).toMatchObject({ ok: false, error: { kind: 'cname-and-other-data' } });
  });

  it('writes a zone given owner by owner once: packed slabs, a small one copied to its size', () => {
    expect(inOrder.packed).toBeDefined();
    const total = inOrder.packed!.reduce((t, p) => t + p.length, 0);
    expect(inOrder.packed!.at(-1)!.buffer.byteLength).toBeLessThanOrEqual(Math.max(4096, 2 * inOrder.packed!.at(-1)!.length));
    const chunks = encodeSnapshot(inOrder);
    expect(chunks.reduce((t, c) => t + c.length, 0)).toBe(total);
    for (const [, node] of inOrder.layers[0]!) if (node!.setCount > 0) expect(inOrder.packed!.some((p) => p.buffer === node!.slab.buffer)).toBe(true);
  });
});

describe('diffs', () => {
  const v1 = build([soa('example.com.', 1), ns('example.com.', 'ns1.example.com.'), a('ns1.example.com.', '192.0.2.1'), a('x.y.example.com.', '192.0.2.9'), a('www.example.com.', '192.0.2.80')]);

  it('applies a diff without touching the old version, removing emptied nodes and their ENTs', () => {
    const diff = {
      soaFrom: v1.soa, soaTo: soa('example.com.', 2),
      removed: [a('x.y.example.com.', '192.0.2.9'), a('www.example.com.', '192.0.2.80')],
      added: [a('www.example.com.', '192.0.2.81'), a('new.deep.example.com.', '192.0.2.7')],
    };
    const r = applyDiff(v1, diff);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const v2 = r.value;
    expect(v2.serial).toBe(2);
    expect(v2.node('x.y.example.com.')).toBeUndefined();
    expect(v2.node('y.example.com.')).toBeUndefined();
    expect(v2.node('deep.example.com.')?.sets).toEqual([]);
    expect(v2.recordCount).toBe(v1.recordCount);
    expect(v1.node('x.y.example.com.')).toBeDefined();
    expect(v1.serial).toBe(1);
    const rebuilt = build([...v2.records()]);
    expect(sorted(rebuilt)).toEqual(sorted(v2));
    expect(rebuilt.nodeCount).toBe(v2.nodeCount);
    expect(computeDiff(v1, v2).added.length).toBe(2);
    const back = applyDiff(v2, reverseDiff(diff));
    expect(back.ok && sorted(back.value)).toEqual(sorted(v1));
  });

  it('fails on a diff from another serial or removing a missing record', () => {
    expect(applyDiff(v1, { soaFrom: soa('example.com.', 5), soaTo: soa('example.com.', 6), removed: [], added: [] })).toMatchObject({ ok: false, error: { kind: 'serial-mismatch' } });
    expect(applyDiff(v1, { soaFrom: v1.soa, soaTo: soa('example.com.', 2), removed: [a('nope.example.com.', '1.1.1.1')], added: [] })).toMatchObject({ ok: false, error: { kind: 'remove-missing' } });
  });

  it('computeDiff then applyDiff reproduces the target across many chained versions (compaction)', () => {
    let cur = v1;
    for (let i = 2; i < 40; i++) {
      const target = build([...[...cur.records()].filter((r) => r.type !== RRType.SOA && !(r.type === RRType.A && r.name.startsWith(`h${i - 3}.`))), soa('example.com.', i), a(`h${i}.example.com.`, `10.0.0.${i}`)]);
      const d = computeDiff(cur, target);
      const r = applyDiff(cur, d);
      expect(r.ok).toBe(true);
      if (!r.ok) return;
      expect(sorted(r.value)).toEqual(sorted(target));
      expect(r.value.layers.length).toBeLessThanOrEqual(9);
      expect(r.value.recordCount).toBe(target.recordCount);
      cur = r.value;
    }
  });
});

import { ZoneVersion as Version, decodeSnapshot, encodeSnapshot } from '../../../src/zone/index.js';
import { nodeRecordEnd } from '../../../src/zone/node.js';
/** nodeRecords lists the node records of snapshot chunks as hex, sorted (the order is free). */
const nodeRecords = (chunks: Uint8Array[]) =>
  chunks.flatMap((c) => {
    const out: string[] = [];
    for (let off = 0; off < c.length; off = nodeRecordEnd(c, off)) out.push(Buffer.from(c.subarray(off, nodeRecordEnd(c, off))).toString('hex'));
    return out;
  }).sort();
describe('snapshots', () => {
  it('encode → decode reproduces the version (records, ENTs, counts) across several chunks', () => {
    const recs: ResourceRecord[] = [soa('example.com.', 3), ns('example.com.', 'ns1.example.com.'), a('ns1.example.com.', '192.0.2.1'), a('deep.x.y.example.com.', '192.0.2.2')];
    for (let i = 0; i < 500; i++) recs.push(a(`h${i}.example.com.`, `10.0.${i >> 8}.${i & 255}`));
    const v = build(recs);
    const chunks = encodeSnapshot(v, 1024);
    expect(chunks.length).toBeGreaterThan(5);
    const back = decodeSnapshot(v.origin, v.zoneClass, v.soa, chunks);
    expect(back.ok).toBe(true);
    if (!back.ok) return;
    expect(sorted(back.value)).toEqual(sorted(v));
    expect(back.value.recordCount).toBe(v.recordCount);
    expect(back.value.nodeCount).toBe(v.nodeCount);
    expect(back.value.node('y.example.com.')?.setCount).toBe(0);
  });
  it('cuts a freshly built version into slices of its slab, the same octets as gathering node by node', () => {
    const recs: ResourceRecord[] = [soa('example.com.', 3), ns('example.com.', 'ns1.example.com.'), a('ns1.example.com.', '192.0.2.1')];
    for (let i = 0; i < 300; i++) recs.push(a(`h${i}.sub.example.com.`, `10.0.${i >> 8}.${i & 255}`), a(`h${i}.sub.example.com.`, `10.1.${i >> 8}.${i & 255}`));
    const v = build(recs);
    expect(v.packed).toBeDefined();
    const sliced = encodeSnapshot(v, 1000);
    const slabs = new Set(v.packed!.map((p) => p.buffer));
    for (const c of sliced) expect(slabs.has(c.buffer)).toBe(true); // views, not copies
    for (const c of sliced) expect(c.length).toBeLessThanOrEqual(1000);
    const unpacked = new Version(v.origin, v.zoneClass, v.soa, v.layers, v.nodeCount, v.recordCount);
    const gathered = encodeSnapshot(unpacked, 1000);
    expect(nodeRecords(sliced)).toEqual(nodeRecords(gathered));
    const back = decodeSnapshot(v.origin, v.zoneClass, v.soa, sliced);
    expect(back.ok && sorted(back.value)).toEqual(sorted(v));
  });
  it('refuses damaged chunks', () => {
    const v = build([soa('example.com.', 3), a('www.example.com.', '192.0.2.1')]);
    const [chunk] = encodeSnapshot(v);
    expect(decodeSnapshot(v.origin, 1, v.soa, [chunk!.subarray(0, chunk!.length - 3)]).ok).toBe(false);
  });
});
