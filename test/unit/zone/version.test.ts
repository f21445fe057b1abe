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
    for (const c of sliced) expect(c.buffer).toBe(v.packed!.buffer); // views, not copies
    for (const c of sliced) expect(c.length).toBeLessThanOrEqual(1000);
    const unpacked = new Version(v.origin, v.zoneClass, v.soa, v.layers, v.nodeCount, v.recordCount);
    const gathered = encodeSnapshot(unpacked, 1000);
    expect(Buffer.concat(sliced)).toEqual(Buffer.concat(gathered));
    const back = decodeSnapshot(v.origin, v.zoneClass, v.soa, sliced);
    expect(back.ok && sorted(back.value)).toEqual(sorted(v));
  });
  it('refuses damaged chunks', () => {
    const v = build([soa('example.com.', 3), a('www.example.com.', '192.0.2.1')]);
    const [chunk] = encodeSnapshot(v);
    expect(decodeSnapshot(v.origin, 1, v.soa, [chunk!.subarray(0, chunk!.length - 3)]).ok).toBe(false);
  });
});
