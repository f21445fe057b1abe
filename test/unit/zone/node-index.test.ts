import { describe, expect, it } from 'vitest';
import { DELETED, NodeIndex, hashName, sameName } from '../../../src/zone/node-index.js';
import { SlabWriter } from '../../../src/zone/node.js';
import { ZoneBuilder, applyDiff, decodeSnapshot, encodeSnapshot } from '../../../src/zone/index.js';
import { RRType, nameToWire } from '../../../src/wire/index.js';
import { a, n, soa } from './helpers.js';

const wire = (s: string) => nameToWire(n(s));

/** record writes a node record with no RRsets for `name` and returns where it is. */
function record(w: SlabWriter, name: string): { slab: Uint8Array; off: number } {
  const node = w.node(wire(name), [], 0);
  return { slab: node.slab, off: node.off };
}

describe('hashName and sameName (RFC 4343: ASCII letters fold, other octets do not)', () => {
  it('folds ASCII letters only', () => {
    expect(sameName(wire('WWW.Example.COM.'), 0, wire('www.example.com.'), 0)).toBe(true);
    expect(hashName(wire('WWW.Example.COM.'), 0)).toBe(hashName(wire('www.example.com.'), 0));
    // 0xC1 and 0xE1 differ by the same bit as 'A' and 'a', but are not letters.
    const upper = Uint8Array.of(1, 0xc1, 0);
    const lower = Uint8Array.of(1, 0xe1, 0);
    expect(sameName(upper, 0, lower, 0)).toBe(false);
    // '@' (0x40) and '`' (0x60) likewise.
    expect(sameName(Uint8Array.of(1, 0x40, 0), 0, Uint8Array.of(1, 0x60, 0), 0)).toBe(false);
  });
  it('tells label boundaries apart: a.bc and ab.c are different names', () => {
    expect(sameName(wire('a.bc.'), 0, wire('ab.c.'), 0)).toBe(false);
    expect(sameName(wire('a\\.b.c.'), 0, wire('a.b.c.'), 0)).toBe(false);
  });
});

describe('NodeIndex', () => {
  it('finds every one of many names after growing, in any case', () => {
    const w = new SlabWriter(1 << 16);
    const idx = new NodeIndex();
    const count = 5000;
    for (let i = 0; i < count; i++) {
      const r = record(w, `Host${i}.example.com.`);
      idx.insert(r.slab, r.off, hashName(r.slab, r.off), i);
    }
    expect(idx.size).toBe(count);
    for (let i = 0; i < count; i += 97) {
      const e = idx.findKey(`host${i}.example.com.`);
      expect(e).toBeGreaterThanOrEqual(0);
      expect(idx.childrenAt(e)).toBe(i);
      expect(idx.get(`host${i}.example.com.`)?.name).toBe(`Host${i}.example.com.`);
    }
    expect(idx.findKey('host5000.example.com.')).toBe(-1);
    expect(idx.get('example.com.')).toBeUndefined();
  });

  it('put replaces an owner’s record and marks deletions; replaceSlab moves a slab’s entries', () => {
    const w = new SlabWriter(1 << 16);
    const idx = new NodeIndex();
    const first = record(w, 'a.example.');
    idx.put(first.slab, first.off, 2);
    const again = record(w, 'A.EXAMPLE.');
    idx.put(again.slab, again.off, DELETED);
    expect(idx.size).toBe(1);
    expect(idx.get('a.example.')).toBeNull();
    expect(idx.has('a.example.')).toBe(true);
    const copy = again.slab.slice();
    idx.replaceSlab(again.slab.buffer, copy);
    expect(idx.slabAt(0)).toBe(copy);
    expect(idx.entries().next().value?.[0]).toBe('a.example.');
  });

  it('answers keys that cannot be names with no entry, without throwing', () => {
    const idx = new NodeIndex();
    const r = record(new SlabWriter(), 'x.');
    idx.insert(r.slab, r.off, hashName(r.slab, r.off), 0);
    expect(idx.findKey('a'.repeat(300) + '.')).toBe(-1);
    expect(idx.findKey('a'.repeat(5000) + '.')).toBe(-1);
    expect(idx.findKey(('\\255'.repeat(63) + '.').repeat(5))).toBe(-1);
    expect(idx.findKey('X.')).toBe(0);
  });
});

describe('versions on NodeIndex layers', () => {
  const build = () => {
    const b = new ZoneBuilder(n('example.com.'));
    b.addAll([soa('example.com.', 1), a('a\\.b.example.com.', '192.0.2.1'), a('B.example.com.', '192.0.2.2'), a('x.y.z.example.com.', '192.0.2.3')]);
    const v = b.build();
    if (!v.ok) throw new Error(JSON.stringify(v.error));
    return v.value;
  };

  it('looks up names with escaped dots and in any case; ENTs are nodes without RRsets', () => {
    const v = build();
    expect(v.node('a\\.b.example.com.')?.hasType(RRType.A)).toBe(true);
    expect(v.node('b.example.com.')?.hasType(RRType.A)).toBe(true);
    expect(v.node('a.b.example.com.')).toBeUndefined();
    expect(v.node('y.z.example.com.')?.setCount).toBe(0);
    expect(v.node('z.example.com.')?.children).toBe(1);
    expect(v.node('example.com.')?.children).toBe(3);
    expect(v.nodeCount).toBe(6);
  });

  it('an owner that comes right after its child replaces the ENT its child made (one node each)', () => {
    const b = new ZoneBuilder(n('example.com.'));
    b.addAll([soa('example.com.', 1), a('a.b.example.com.', '192.0.2.1'), a('b.example.com.', '192.0.2.2'), a('c.a.b.example.com.', '192.0.2.3')]);
    const v = b.build();
    if (!v.ok) throw new Error(JSON.stringify(v.error));
    const keys = [...v.value.layers[0]!.entries()].map(([k]) => k).sort();
    expect(keys).toEqual(['a.b.example.com.', 'b.example.com.', 'c.a.b.example.com.', 'example.com.']);
    expect(v.value.nodeCount).toBe(4);
    expect(v.value.node('b.example.com.')?.children).toBe(1);
    expect(v.value.node('b.example.com.')?.hasType(RRType.A)).toBe(true);
    expect(v.value.node('a.b.example.com.')?.children).toBe(1);
  });

  it('an overlay shadows the base: deleted nodes vanish from lookups and from nodes()', () => {
    const v = build();
    const to = soa('example.com.', 2);
    const d = applyDiff(v, { soaFrom: v.soa, soaTo: to, removed: [a('x.y.z.example.com.', '192.0.2.3')], added: [a('new.example.com.', '192.0.2.9')] });
    if (!d.ok) throw new Error(JSON.stringify(d.error));
    const w = d.value;
    expect(w.layers.length).toBe(2);
    expect(w.node('x.y.z.example.com.')).toBeUndefined();
    expect(w.node('z.example.com.')).toBeUndefined();
    expect(w.node('new.example.com.')?.hasType(RRType.A)).toBe(true);
    const names = [...w.nodes()].map((x) => x.name).sort();
    expect(names).toEqual(['B.example.com.', 'a\\.b.example.com.', 'example.com.', 'new.example.com.']);
    expect(w.nodeCount).toBe(names.length);
    // The older version is untouched.
    expect(v.node('x.y.z.example.com.')?.hasType(RRType.A)).toBe(true);
  });

  it('a damaged snapshot is refused, not looped over', () => {
    const v = build();
    const chunk = encodeSnapshot(v)[0]!.slice();
    chunk[0] = 64; // a label length no name can have
    expect(decodeSnapshot(v.origin, v.zoneClass, v.soa, [chunk])).toMatchObject({ ok: false, error: { kind: 'corrupt' } });
    expect(decodeSnapshot(v.origin, v.zoneClass, v.soa, [Uint8Array.of(3, 0x61)])).toMatchObject({ ok: false, error: { kind: 'corrupt' } });
  });
});
