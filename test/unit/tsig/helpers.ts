// Shared builders for the TSIG unit tests: keys per algorithm, small messages, TSIG stripping.
import {
  Flag, MessageWriter, RRClass, RRType, Section, decodeMessage, nameFromTrusted, type DomainName,
} from '../../../src/wire/index.js';
import { type TsigAlgorithm, type TsigKey, TSIG_ALGORITHMS, macLength } from '../../../src/tsig/index.js';

export const n = (s: string): DomainName => nameFromTrusted(s);

/** NOW is the fixed clock of these tests (2024-01-01T00:00:00Z). */
export const NOW = 1_704_067_200;

/** keyFor returns a key for `alg` whose secret is as long as the hash output. */
export function keyFor(alg: TsigAlgorithm, name = 'transfer.key.example.'): TsigKey {
  const secret = new Uint8Array(macLength(alg)).map((_, i) => (i * 37 + alg.length) & 0xff);
  return { name: n(name), algorithm: alg, secret };
}

export const ALL_KEYS: readonly TsigKey[] = TSIG_ALGORITHMS.map((a) => keyFor(a));

/** query builds an unsigned query for `qname`/`qtype` with ID `id`. */
export function query(id = 0x1234, qname = 'example.com.', qtype: number = RRType.SOA): Uint8Array {
  const w = new MessageWriter(512);
  w.header(id, 0);
  w.question(n(qname), qtype, RRClass.IN);
  return new Uint8Array(w.finish());
}

/** answer builds a response to `qname` A with `count` A records, ID `id`. */
export function answer(id = 0x1234, count = 3, qname = 'example.com.', start = 0): Uint8Array {
  const w = new MessageWriter(65535);
  w.header(id, Flag.QR | Flag.AA);
  w.question(n(qname), RRType.A, RRClass.IN);
  for (let i = 0; i < count; i++) {
    const v = start + i;
    w.record(Section.Answer, { name: n(`h${v}.${qname}`), type: RRType.A, class: RRClass.IN, ttl: 300, rdata: Uint8Array.of(10, (v >> 16) & 255, (v >> 8) & 255, v & 255) });
  }
  return new Uint8Array(w.finish());
}

/** tsigOffset decodes `raw` and returns where its TSIG RR starts (throws if none). */
export function tsigOffset(raw: Uint8Array): number {
  const m = decodeMessage(raw);
  if (!m.ok) throw new Error(`decode failed: ${m.error.reason} at ${m.error.offset}`);
  if (m.value.tsig === undefined) throw new Error('no TSIG RR');
  return m.value.tsig.offset;
}

/** strip returns `raw` without its TSIG RR and with ARCOUNT − 1, as the signer saw it. */
export function strip(raw: Uint8Array): Uint8Array {
  const out = Uint8Array.from(raw.subarray(0, tsigOffset(raw)));
  const ar = ((out[10]! << 8) | out[11]!) - 1;
  out[10] = ar >> 8;
  out[11] = ar & 255;
  return out;
}

/** hex renders octets for assertions. */
export const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
export const unhex = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'hex'));
