// The three cursors the RDATA codecs are written against: a token cursor (presentation in), an
// octet sink (wire out), a wire reader (wire in, strict) and the presentation output list.
// Faults are thrown inside the codecs and turned into Result values at the codec.ts boundary,
// the same pattern as WireFault in src/wire/reader.ts.

import { type DomainName, labelToText } from '../../wire/index.js';
import { type RdataToken, nameFromText } from './tokens.js';

/** SyntaxFault: presentation text that does not parse; `index` is the offending token. */
export class SyntaxFault extends Error {
  constructor(
    message: string,
    readonly index: number,
  ) {
    super(message);
  }
}

/** Malformed: wire octets that have no canonical presentation (the printer falls back to `\#`). */
export class Malformed extends Error {}

/** TokenCursor walks the presentation tokens of one RDATA. */
export class TokenCursor {
  constructor(
    readonly tokens: readonly RdataToken[],
    public i: number,
    readonly origin: DomainName | undefined,
  ) {}

  /** more is true while tokens remain. */
  more(): boolean {
    return this.i < this.tokens.length;
  }

  /** peek returns the next token without consuming it. */
  peek(): RdataToken | undefined {
    return this.tokens[this.i];
  }

  /** next consumes a token; a SyntaxFault "missing <what>" when there is none. */
  next(what: string): RdataToken {
    const t = this.tokens[this.i];
    if (t === undefined) throw new SyntaxFault(`missing ${what}`, this.i);
    this.i++;
    return t;
  }

  /** bare consumes an unquoted token. */
  bare(what: string): string {
    const t = this.next(what);
    if (t.quoted) this.fail(`${what} must not be quoted`);
    return t.text;
  }

  /** fail throws a SyntaxFault at the last consumed token. */
  fail(message: string, index = this.i - 1): never {
    throw new SyntaxFault(message, Math.max(index, 0));
  }

  /** name parses the next token as a domain name relative to the origin. */
  name(what = 'domain name'): DomainName {
    const t = this.next(what);
    const r = nameFromText(t.text, this.origin);
    if (!r.ok) this.fail(`bad ${what}: ${r.error}`);
    return r.value;
  }
}

/** scratch is the buffer Sinks write into; one Sink at a time takes it (parsing is synchronous). */
let scratch: Uint8Array | undefined = new Uint8Array(1024);

/**
 * Sink accumulates wire octets of one RDATA. It borrows a shared scratch buffer (a fresh 512-octet
 * buffer per record was most of the parser's garbage) and gives it back in `finish` or `release`;
 * a Sink created while another holds the scratch gets its own buffer.
 */
export class Sink {
  buf: Uint8Array;
  len = 0;
  private borrowed: boolean;

  constructor() {
    if (scratch !== undefined) {
      this.buf = scratch;
      scratch = undefined;
      this.borrowed = true;
    } else {
      this.buf = new Uint8Array(256);
      this.borrowed = false;
    }
  }

  /** release returns the scratch buffer (the octets written are lost). Idempotent. */
  release(): void {
    if (this.borrowed) {
      // A buffer grown for one huge RDATA is not kept.
      scratch = this.buf.length <= 1 << 17 ? this.buf : new Uint8Array(1024);
      this.borrowed = false;
    }
  }

  /** ensure makes room for `n` more octets at `len`. */
  ensure(n: number): void {
    if (this.len + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.len + n) size *= 2;
    const b = new Uint8Array(size);
    b.set(this.buf.subarray(0, this.len));
    this.buf = b;
  }

  u8(v: number): void {
    this.ensure(1);
    this.buf[this.len++] = v;
  }

  u16(v: number): void {
    this.ensure(2);
    this.buf[this.len++] = v >>> 8;
    this.buf[this.len++] = v & 0xff;
  }

  u32(v: number): void {
    this.ensure(4);
    this.buf[this.len++] = v >>> 24;
    this.buf[this.len++] = (v >>> 16) & 0xff;
    this.buf[this.len++] = (v >>> 8) & 0xff;
    this.buf[this.len++] = v & 0xff;
  }

  bytes(b: Uint8Array): void {
    this.ensure(b.length);
    this.buf.set(b, this.len);
    this.len += b.length;
  }

  /** finish returns a copy of the octets written and releases the scratch buffer. */
  finish(): Uint8Array {
    const out = this.buf.slice(0, this.len);
    this.release();
    return out;
  }
}

/** WireReader reads uncompressed RDATA strictly: any overrun or pointer is Malformed. */
export class WireReader {
  pos = 0;
  constructor(readonly b: Uint8Array) {}

  get remaining(): number {
    return this.b.length - this.pos;
  }

  need(n: number): void {
    if (this.pos + n > this.b.length) throw new Malformed('truncated');
  }

  u8(): number {
    this.need(1);
    return this.b[this.pos++]!;
  }

  u16(): number {
    this.need(2);
    const v = (this.b[this.pos]! << 8) | this.b[this.pos + 1]!;
    this.pos += 2;
    return v;
  }

  u32(): number {
    this.need(4);
    const p = this.pos;
    this.pos += 4;
    return ((this.b[p]! << 24) | (this.b[p + 1]! << 16) | (this.b[p + 2]! << 8) | this.b[p + 3]!) >>> 0;
  }

  bytes(n: number): Uint8Array {
    this.need(n);
    const v = this.b.subarray(this.pos, this.pos + n);
    this.pos += n;
    return v;
  }

  rest(): Uint8Array {
    return this.bytes(this.remaining);
  }

  /** name reads an uncompressed wire name (RFC 3597 §4: RDATA names are stored expanded). */
  name(): DomainName {
    let s = '';
    let wire = 1;
    for (;;) {
      const len = this.u8();
      if (len === 0) break;
      if (len > 63) throw new Malformed('compressed or extended label in rdata');
      wire += len + 1;
      if (wire > 255) throw new Malformed('name too long');
      this.need(len);
      s += labelToText(this.b, this.pos, this.pos + len) + '.';
      this.pos += len;
    }
    return (s === '' ? '.' : s) as DomainName;
  }
}

/** OutToken is one presentation token produced by a formatter. */
export interface OutToken {
  readonly text: string;
  readonly quoted: boolean;
}

/**
 * relativeTo renders `name` relative to `origin` when it lies below it with the origin's labels
 * in the same letter case ("@" for the origin itself), else absolute. Exact case matters: the
 * text must reload to the same octets (RFC 4343 §4.1 case preservation).
 */
export function relativeTo(name: DomainName, origin: DomainName | undefined): string {
  if (origin === undefined) return name;
  if (name === origin) return '@';
  if (origin === '.') return name;
  if (name.length <= origin.length + 1 || !name.endsWith(origin)) return name;
  const cut = name.length - origin.length;
  if (name.charCodeAt(cut - 1) !== 0x2e) return name;
  // The dot before the origin must end a label, not be an escaped `\.` inside one.
  let bs = 0;
  for (let i = cut - 2; i >= 0 && name.charCodeAt(i) === 0x5c; i--) bs++;
  if (bs % 2 === 1) return name;
  return name.slice(0, cut - 1);
}
