// PostgreSQL's binary COPY format (PostgreSQL docs, "COPY", section "Binary Format"), for the bulk
// path of the embedded database: PGlite runs COPY through an in-memory file (/dev/blob), and in
// binary format a bytea field is copied as is, where a parameter or a text COPY converts every
// byte (snapshot chunks: 40 MB for a million records). Written by hand: no npm package encodes
// it without streams or per-field objects, and the format is 20 lines.
//
//   file   = signature "PGCOPY\n\377\r\n\0", int32 flags (0), int32 header-extension length (0),
//            tuple*, int16 -1
//   tuple  = int16 field count, then per field int32 length (-1: NULL) and that many octets
// Integers are big-endian; text is UTF-8; bigint 8 octets, integer 4, bytea its octets.

const SIGNATURE = [0x50, 0x47, 0x43, 0x4f, 0x50, 0x59, 0x0a, 0xff, 0x0d, 0x0a, 0x00];
const HEADER_LENGTH = SIGNATURE.length + 8;

/** CopyField is one field of a tuple, typed as its column is. */
export type CopyField = { readonly text: string } | { readonly int8: number } | { readonly int4: number } | { readonly bytea: Uint8Array };

/**
 * encodeCopyBinary returns a COPY ... FROM (FORMAT binary) input as parts to concatenate (a Blob
 * takes them as they are): bytea fields are referenced, not copied.
 */
export function encodeCopyBinary(tuples: readonly (readonly CopyField[])[]): Uint8Array[] {
  const header = new Uint8Array(HEADER_LENGTH);
  header.set(SIGNATURE);
  const parts: Uint8Array[] = [header];
  for (const tuple of tuples) {
    let size = 2;
    const texts = tuple.map((f) => ('text' in f ? Buffer.from(f.text, 'utf8') : undefined));
    tuple.forEach((f, i) => {
      size += 4 + ('text' in f ? texts[i]!.length : 'int8' in f ? 8 : 'int4' in f ? 4 : 0);
    });
    const head = Buffer.alloc(size);
    let o = head.writeInt16BE(tuple.length, 0);
    for (let i = 0; i < tuple.length; i++) {
      const f = tuple[i]!;
      if ('text' in f) {
        o = head.writeInt32BE(texts[i]!.length, o);
        o += texts[i]!.copy(head, o);
      } else if ('int8' in f) {
        o = head.writeInt32BE(8, o);
        o = head.writeBigInt64BE(BigInt(f.int8), o);
      } else if ('int4' in f) {
        o = head.writeInt32BE(4, o);
        o = head.writeInt32BE(f.int4, o);
      } else {
        // The bytea field must come last: its octets follow this head as their own part.
        if (i !== tuple.length - 1) throw new Error('encodeCopyBinary: a bytea field must be the last of its tuple');
        o = head.writeInt32BE(f.bytea.length, o);
      }
    }
    parts.push(head);
    const last = tuple[tuple.length - 1];
    if (last !== undefined && 'bytea' in last) parts.push(last.bytea);
  }
  const trailer = new Uint8Array(2);
  trailer[0] = 0xff;
  trailer[1] = 0xff;
  parts.push(trailer);
  return parts;
}

/**
 * decodeCopyBinaryColumn reads a COPY ... TO (FORMAT binary) output of one non-null column and
 * returns each tuple's field as a view into `data` (no copy). Throws on a malformed input.
 */
export function decodeCopyBinaryColumn(data: Uint8Array): Uint8Array[] {
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  if (data.length < HEADER_LENGTH || SIGNATURE.some((b, i) => data[i] !== b)) throw new Error('COPY binary: bad signature');
  let o = SIGNATURE.length + 4;
  o += 4 + view.getInt32(o);
  const out: Uint8Array[] = [];
  for (;;) {
    if (o + 2 > data.length) throw new Error('COPY binary: truncated');
    const fields = view.getInt16(o);
    o += 2;
    if (fields === -1) return out;
    if (fields !== 1) throw new Error(`COPY binary: ${fields} fields, expected 1`);
    if (o + 4 > data.length) throw new Error('COPY binary: truncated');
    const len = view.getInt32(o);
    o += 4;
    if (len < 0 || o + len > data.length) throw new Error('COPY binary: bad field length');
    out.push(data.subarray(o, o + len));
    o += len;
  }
}
