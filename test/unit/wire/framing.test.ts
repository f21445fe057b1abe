import { describe, expect, it } from 'vitest';
import { InPlaceFramer, TcpFramer, frame } from '../../../src/wire/index.js';

describe('TcpFramer', () => {
  it('reassembles messages from any chunking, including split length prefixes', () => {
    let seed = 7;
    const rand = (n: number) => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) % n);
    const messages = Array.from({ length: 200 }, (_, i) => Buffer.alloc(rand(3) === 0 ? 40000 + rand(20000) : rand(300), i & 255));
    messages.push(Buffer.alloc(0));
    const stream = Buffer.concat(messages.map((m) => frame(m)));
    for (const maxChunk of [1, 3, 1000, 70000]) {
      const f = new TcpFramer();
      const got: Buffer[] = [];
      for (let p = 0; p < stream.length; ) {
        const n = 1 + rand(maxChunk);
        got.push(...f.push(stream.subarray(p, p + n)));
        p += n;
      }
      expect(got.length).toBe(messages.length);
      got.forEach((g, i) => expect(g.equals(messages[i]!)).toBe(true));
      expect(f.buffered).toBe(0);
    }
  });
});

describe('InPlaceFramer', () => {
  let seed = 11;
  const rand = (n: number) => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) % n);
  const messages = Array.from({ length: 200 }, (_, i) => Buffer.alloc(rand(3) === 0 ? 40000 + rand(25535) : rand(300), i & 255));
  messages.push(Buffer.alloc(0), Buffer.alloc(0xffff, 7));
  const stream = Buffer.concat(messages.map((m) => frame(m)));

  it('reassembles messages from reads into one reused buffer, whatever the read sizes', () => {
    for (const maxChunk of [1, 3, 1000, 65536]) {
      const f = new InPlaceFramer();
      const read = new Uint8Array(65536);
      const got: Buffer[] = [];
      let fed = true;
      for (let p = 0; p < stream.length; ) {
        const n = Math.min(1 + rand(maxChunk), stream.length - p);
        read.set(stream.subarray(p, p + n));
        fed &&= f.push(read.subarray(0, n), (m) => (got.push(Buffer.from(m)), true));
        // The next read overwrites the buffer: nothing handed out may depend on it afterwards.
        read.fill(0xee, 0, n);
        p += n;
      }
      expect(fed).toBe(true);
      expect(got.length).toBe(messages.length);
      got.forEach((g, i) => expect(g.equals(messages[i]!)).toBe(true));
      expect(f.buffered).toBe(0);
    }
  });

  it('stops at a callback that returns false', () => {
    const f = new InPlaceFramer();
    let seen = 0;
    expect(f.push(stream, () => ++seen < 3)).toBe(false);
    expect(seen).toBe(3);
  });
});
