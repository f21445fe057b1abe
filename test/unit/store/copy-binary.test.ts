// The binary COPY codec of the embedded database's bulk path (PostgreSQL docs, COPY, "Binary
// Format"): the layout octet by octet, bytea fields referenced rather than copied, and a decoder
// that refuses what is not a one-column binary COPY.
import { describe, expect, it } from 'vitest';
import { decodeCopyBinaryColumn, encodeCopyBinary } from '../../../src/store/copy-binary.js';

const concat = (parts: readonly Uint8Array[]) => Buffer.concat(parts.map((p) => Buffer.from(p.buffer, p.byteOffset, p.byteLength)));
const SIGNATURE = Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1');

describe('COPY binary format', () => {
  it('lays out the header, each typed field and the trailer', () => {
    const data = new Uint8Array([1, 2, 3]);
    const parts = encodeCopyBinary([[{ text: 'zé' }, { int8: 4294967295 }, { int4: 7 }, { bytea: data }]]);
    expect(parts).toContain(data);
    const expected = Buffer.concat([
      SIGNATURE, Buffer.from([0, 0, 0, 0, 0, 0, 0, 0]),
      Buffer.from([0, 4]),
      Buffer.from([0, 0, 0, 3]), Buffer.from('zé', 'utf8'),
      Buffer.from([0, 0, 0, 8, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff]),
      Buffer.from([0, 0, 0, 4, 0, 0, 0, 7]),
      Buffer.from([0, 0, 0, 3, 1, 2, 3]),
      Buffer.from([0xff, 0xff]),
    ]);
    expect(concat(parts)).toEqual(expected);
  });

  it('reads back one-column output as views, empty fields and no tuples included', () => {
    const rows = [new Uint8Array(0), new Uint8Array([9, 8, 7]), new Uint8Array(70000).fill(5)];
    const bytes = new Uint8Array(concat(encodeCopyBinary(rows.map((r) => [{ bytea: r }]))));
    const back = decodeCopyBinaryColumn(bytes);
    expect(back.map((b) => Buffer.from(b))).toEqual(rows.map((r) => Buffer.from(r)));
    expect(back[1]!.buffer).toBe(bytes.buffer);
    expect(decodeCopyBinaryColumn(new Uint8Array(concat(encodeCopyBinary([]))))).toEqual([]);
  });

  it('refuses a bad signature, a truncated input, several columns, and a bytea field before others', () => {
    const good = new Uint8Array(concat(encodeCopyBinary([[{ bytea: new Uint8Array([1, 2]) }]])));
    const bad = good.slice();
    bad[0] = 0x51;
    expect(() => decodeCopyBinaryColumn(bad)).toThrow('signature');
    expect(() => decodeCopyBinaryColumn(good.subarray(0, good.length - 4))).toThrow(/truncated|length/);
    const two = new Uint8Array(concat(encodeCopyBinary([[{ int4: 1 }, { bytea: new Uint8Array(1) }]])));
    expect(() => decodeCopyBinaryColumn(two)).toThrow('2 fields');
    expect(() => encodeCopyBinary([[{ bytea: new Uint8Array(1) }, { int4: 1 }]])).toThrow('last');
  });
});
