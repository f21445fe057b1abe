import { describe, expect, it } from 'vitest';
import {
  isSubdomain, labelCount, nameFromTrusted, nameToWire, parentName, parseName, relativeName, splitLabels,
} from '../../../src/wire/index.js';

describe('names', () => {
  it('parses relative, absolute and @ names', () => {
    const origin = nameFromTrusted('example.com.');
    expect(parseName('www', origin)).toEqual({ ok: true, value: 'www.example.com.' });
    expect(parseName('www.other.', origin)).toEqual({ ok: true, value: 'www.other.' });
    expect(parseName('@', origin)).toEqual({ ok: true, value: 'example.com.' });
    expect(parseName('www')).toMatchObject({ ok: false, error: { kind: 'relative-without-origin' } });
  });
  it('canonicalises escapes: letters plain, specials escaped, others \\DDD', () => {
    expect(parseName('\\065b\\.c.example.')).toEqual({ ok: true, value: 'Ab\\.c.example.' });
    expect(parseName('a\\000b.')).toEqual({ ok: true, value: 'a\\000b.' });
  });
  it('rejects empty labels, long labels and long names', () => {
    expect(parseName('a..b.')).toMatchObject({ ok: false, error: { kind: 'empty-label' } });
    expect(parseName('x'.repeat(64) + '.')).toMatchObject({ ok: false, error: { kind: 'label-too-long' } });
    expect(parseName(Array(5).fill('y'.repeat(63)).join('.') + '.')).toMatchObject({ ok: false, error: { kind: 'name-too-long' } });
    expect(parseName(Array(4).fill('y'.repeat(62)).join('.') + '.').ok).toBe(true);
  });
  it('wire form and label helpers', () => {
    const nm = nameFromTrusted('a\\.b.Example.com.');
    expect(Buffer.from(nameToWire(nm)).toString('hex')).toBe('03612e62074578616d706c6503636f6d00');
    expect(splitLabels(nm)).toEqual(['a\\.b', 'Example', 'com']);
    expect(labelCount(nm)).toBe(3);
    expect(parentName(nm)).toBe('Example.com.');
    expect(parentName(nameFromTrusted('com.'))).toBe('.');
  });
  it('subdomain checks respect escaped dots and case', () => {
    expect(isSubdomain('www.EXAMPLE.com.', 'example.com.')).toBe(true);
    expect(isSubdomain('x\\.example.com.', 'example.com.')).toBe(false);
    expect(isSubdomain('example.com.', 'example.com.')).toBe(true);
    expect(isSubdomain('badexample.com.', 'example.com.')).toBe(false);
    expect(relativeName('www.example.com.', 'example.com.')).toBe('www');
    expect(relativeName('Example.com.', 'example.com.')).toBe('@');
  });
});
