import { describe, expect, it } from 'vitest';
import { TcpFramer, frame } from '../../../src/wire/index.js';

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
