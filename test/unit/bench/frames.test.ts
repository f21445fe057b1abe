// FrameSplitter (src/bench/frames.ts): RFC 1035 §4.2.2 length framing across every chunk boundary,
// with messages inside a chunk handed over as views (no copy) and only split ones copied.
import { describe, expect, it } from 'vitest';
import { FrameSplitter } from '../../../src/bench/frames.js';
import { frame } from '../../../src/wire/index.js';

const messages = [Buffer.from('first message'), Buffer.alloc(0), Buffer.alloc(300, 7), Buffer.from([1]), Buffer.alloc(65535, 9)];
const stream = Buffer.concat(messages.map((m) => frame(m)));

const hex = (ms: readonly Buffer[]): string[] => ms.map((m) => m.toString('hex'));

/** collect feeds `chunks` through one splitter (each copied into a reused read buffer). */
function collect(chunks: readonly Buffer[]): Buffer[] {
  const s = new FrameSplitter();
  const read = Buffer.alloc(1 << 17);
  const out: Buffer[] = [];
  let going = true;
  for (const c of chunks) {
    c.copy(read, 0);
    going &&= s.feed(read, c.length, (m) => (out.push(Buffer.from(m)), true));
  }
  expect(going).toBe(true);
  expect(s.pending).toBe(0);
  return out;
}

describe('FrameSplitter', () => {
  it('yields the messages from one chunk, in order, including a zero-length frame', () => {
    expect(hex(collect([stream]))).toEqual(hex(messages));
  });

  it('yields the same messages whatever the chunk boundaries', () => {
    for (const size of [1, 2, 3, 7, 64, 1000, 65536]) {
      const chunks: Buffer[] = [];
      for (let p = 0; p < stream.length; p += size) chunks.push(stream.subarray(p, p + size));
      expect(hex(collect(chunks))).toEqual(hex(messages));
    }
    // Every two-chunk split, on a short stream.
    const short = Buffer.concat([frame(Buffer.from('abc')), frame(Buffer.from('de')), frame(Buffer.alloc(0))]);
    for (let cut = 0; cut <= short.length; cut++) {
      expect(collect([short.subarray(0, cut), short.subarray(cut)])).toEqual([Buffer.from('abc'), Buffer.from('de'), Buffer.alloc(0)]);
    }
  });

  it('hands over a message inside the chunk as a view of the read buffer', () => {
    const s = new FrameSplitter();
    const read = Buffer.from(stream);
    let view: Uint8Array | undefined;
    s.feed(read, read.length, (m) => ((view ??= m), true));
    expect(view!.buffer).toBe(read.buffer);
  });

  it('stops when the callback returns false', () => {
    const s = new FrameSplitter();
    let n = 0;
    expect(s.feed(stream, stream.length, () => (n++, false))).toBe(false);
    expect(n).toBe(1);
  });

  it('holds back an incomplete tail', () => {
    const s = new FrameSplitter();
    const f = frame(Buffer.from('hello'));
    expect(s.feed(f, 4, () => true)).toBe(true);
    expect(s.pending).toBe(4);
    const out: string[] = [];
    s.feed(f.subarray(4), f.length - 4, (m) => (out.push(Buffer.from(m).toString()), true));
    expect(out).toEqual(['hello']);
  });
});
