// Unit tests for ZoneTable (src/query/zone-table.ts): longest-suffix match (RFC 1034 §4.3.2 step
// 2), case-insensitivity (RFC 4343), label boundaries with escaped dots, the root zone, deletion
// and replacement, iteration, and a 100,000-zone table.
import { describe, expect, it } from 'vitest';
import { ZoneTable } from '../../../src/query/index.js';
import { n } from './zone-helpers.js';

function table(...origins: string[]): ZoneTable<string> {
  const t = new ZoneTable<string>();
  for (const o of origins) t.set(n(o), o);
  return t;
}

describe('ZoneTable.find', () => {
  const t = table('example.com.', 'sub.example.com.', 'deep.a.b.example.com.', 'org.', 'a\\.b.example.net.');

  it.each([
    ['example.com.', 'example.com.'],
    ['www.example.com.', 'example.com.'],
    ['sub.example.com.', 'sub.example.com.'],
    ['x.y.sub.example.com.', 'sub.example.com.'],
    ['b.example.com.', 'example.com.'],
    ['a.b.example.com.', 'example.com.'],
    ['deep.a.b.example.com.', 'deep.a.b.example.com.'],
    ['x.deep.a.b.example.com.', 'deep.a.b.example.com.'],
    ['example.org.', 'org.'],
    ['www.a\\.b.example.net.', 'a\\.b.example.net.'],
  ])('%s → %s', (q, want) => {
    expect(t.find(n(q))?.origin).toBe(want);
  });

  it.each([['com.'], ['example.net.'], ['b.example.net.'], ['xexample.com.'], ['.'], ['a.b.example.net.'], ['c.a\\.b.example.net.x.']])('%s has no zone', (q) => {
    expect(t.find(n(q))).toBeUndefined();
  });

  it('does not match a suffix that is not at a label boundary', () => {
    expect(table('ample.com.').find(n('example.com.'))).toBeUndefined();
    expect(table('b.example.com.').find(n('a\\.b.example.com.'))).toBeUndefined();
  });

  it('is case-insensitive and returns the origin as set', () => {
    const ci = table('Example.COM.');
    expect(ci.find(n('WWW.example.com.'))).toEqual({ origin: 'Example.COM.', value: 'Example.COM.' });
    expect(ci.get(n('example.com.'))).toBe('Example.COM.');
    expect(ci.has(n('EXAMPLE.com.'))).toBe(true);
  });

  it('returns the stored entry without allocating a new one', () => {
    expect(t.find(n('a.example.com.'))).toBe(t.find(n('b.example.com.')));
  });

  it('the root zone encloses everything not in a longer zone', () => {
    const r = table('.', 'example.com.');
    expect(r.find(n('.'))?.origin).toBe('.');
    expect(r.find(n('com.'))?.origin).toBe('.');
    expect(r.find(n('www.example.net.'))?.origin).toBe('.');
    expect(r.find(n('www.example.com.'))?.origin).toBe('example.com.');
  });

  it('an empty table finds nothing', () => {
    expect(new ZoneTable<number>().find(n('example.com.'))).toBeUndefined();
  });
});

describe('ZoneTable maintenance', () => {
  it('delete falls back to the next enclosing zone', () => {
    const t = table('example.com.', 'sub.example.com.');
    expect(t.delete(n('SUB.example.com.'))).toBe(true);
    expect(t.delete(n('sub.example.com.'))).toBe(false);
    expect(t.find(n('www.sub.example.com.'))?.origin).toBe('example.com.');
    expect(t.size).toBe(1);
    t.delete(n('example.com.'));
    expect(t.find(n('www.sub.example.com.'))).toBeUndefined();
    expect(t.size).toBe(0);
  });

  it('set replaces the value under any spelling without growing', () => {
    const t = new ZoneTable<number>();
    t.set(n('example.com.'), 1).set(n('EXAMPLE.com.'), 2);
    expect(t.size).toBe(1);
    expect(t.find(n('www.example.com.'))).toEqual({ origin: 'EXAMPLE.com.', value: 2 });
    // Replacing must not double-count the depth: deleting once removes it.
    t.delete(n('example.com.'));
    expect(t.find(n('www.example.com.'))).toBeUndefined();
  });

  it('keeps finding zones at a depth after a sibling at that depth is deleted', () => {
    const t = table('a.com.', 'b.com.');
    t.delete(n('a.com.'));
    expect(t.find(n('x.b.com.'))?.origin).toBe('b.com.');
  });

  it('iterates entries and clears', () => {
    const t = table('a.', 'b.', 'c.d.');
    expect([...t].map((e) => e.origin)).toEqual(['a.', 'b.', 'c.d.']);
    expect([...t.entries()].map((e) => e.value)).toEqual(['a.', 'b.', 'c.d.']);
    t.clear();
    expect(t.size).toBe(0);
    expect(t.find(n('x.a.'))).toBeUndefined();
  });

  it('holds 100,000 zones and finds the longest match in each', () => {
    const t = new ZoneTable<number>();
    for (let i = 0; i < 100_000; i++) t.set(n(`zone${i}.example.`), i);
    t.set(n('sub.zone42.example.'), -42);
    expect(t.size).toBe(100_001);
    expect(t.find(n('www.zone99999.example.'))?.value).toBe(99999);
    expect(t.find(n('a.b.sub.zone42.example.'))?.value).toBe(-42);
    expect(t.find(n('www.zone100000.example.'))).toBeUndefined();
  });
});
