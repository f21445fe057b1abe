// Unit tests for src/server/request.ts: the fast path reads what decodeMessage would, declines
// every other shape, and a mutation property check keeps the two in agreement.
import { describe, expect, it } from 'vitest';
import { parseCommonQuery } from '../../../src/server/index.js';
import { salvageQuestion, viewOfMessage } from '../../../src/server/request.js';
import { decodeMessage } from '../../../src/wire/index.js';
import { query } from '../../helpers/server.js';

/** rng is a small deterministic PRNG (mulberry32) so failures reproduce. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('parseCommonQuery', () => {
  it('reads a plain query and an EDNS query like decodeMessage does', () => {
    for (const raw of [
      query('www.example.test', 'A', { id: 1, rd: true }),
      query('Mixed.Case.Test', 'AAAA', { id: 2, edns: { udpSize: 1232, do: true } }),
      query('tiny.test', 'TXT', { edns: { udpSize: 100 } }),
    ]) {
      const fast = parseCommonQuery(raw);
      const slow = decodeMessage(raw);
      expect(slow.ok).toBe(true);
      expect(fast).toEqual(viewOfMessage(slow.ok ? slow.value : (undefined as never)));
    }
  });

  it('clamps an advertised payload below 512 to 512 (RFC 6891 §6.2.3)', () => {
    expect(parseCommonQuery(query('a.test', 'A', { edns: { udpSize: 100 } }))?.udpSize).toBe(512);
  });

  it('declines transfers, meta-types, other opcodes, responses, EDNS versions above 0', () => {
    expect(parseCommonQuery(query('a.test', 'AXFR'))).toBeUndefined();
    expect(parseCommonQuery(query('a.test', 'IXFR'))).toBeUndefined();
    expect(parseCommonQuery(query('a.test', 'OPT'))).toBeUndefined();
    expect(parseCommonQuery(query('a.test', 'A', { opcode: 4 }))).toBeUndefined();
    expect(parseCommonQuery(query('a.test', 'A', { edns: { version: 1 } }))).toBeUndefined();
    const resp = query('a.test', 'A');
    resp[2] = resp[2]! | 0x80;
    expect(parseCommonQuery(resp)).toBeUndefined();
  });

  it('agrees with decodeMessage on 20,000 mutated queries', () => {
    const next = rng(0x5eed);
    const seeds = [
      query('www.example.test', 'A'),
      query('www.example.test', 'A', { edns: { udpSize: 4096, do: true } }),
      query('x.y', 'MX', { edns: {} }),
    ];
    let fastHits = 0;
    for (let i = 0; i < 20_000; i++) {
      const base = seeds[i % seeds.length]!;
      const b = Buffer.from(base.subarray(0, next() < 0.2 ? Math.floor(next() * base.length) : base.length));
      const flips = 1 + Math.floor(next() * 3);
      for (let f = 0; f < flips && b.length > 0; f++) {
        // Bias mutations past the ID so the shape checks are exercised.
        const at = 2 + Math.floor(next() * Math.max(1, b.length - 2));
        if (at < b.length) b[at] = b[at]! ^ (1 << Math.floor(next() * 8));
      }
      const fast = parseCommonQuery(b);
      if (fast === undefined) continue;
      fastHits++;
      const slow = decodeMessage(b);
      expect(slow.ok, b.toString('hex')).toBe(true);
      if (slow.ok) expect(fast).toEqual(viewOfMessage(slow.value));
    }
    expect(fastHits).toBeGreaterThan(1000);
  });
});

describe('salvageQuestion', () => {
  it('reads the question of a message whose later sections are broken', () => {
    const raw = Buffer.concat([query('www.example.test', 'A'), Buffer.from([0xff])]);
    expect(salvageQuestion(raw)).toEqual({ name: 'www.example.test.', type: 1, class: 1 });
  });

  it('gives up on QDCOUNT 0 and on a broken name', () => {
    expect(salvageQuestion(Buffer.alloc(12))).toBeUndefined();
    expect(salvageQuestion(Buffer.from('000000000001000000000000c00c00010001', 'hex'))).toBeUndefined();
  });
});
