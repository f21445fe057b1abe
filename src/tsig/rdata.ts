// The TSIG RR codec: RDATA fields (RFC 8945 §4.2) and the whole RR appended to a message (owner =
// key name, TYPE 250, CLASS ANY, TTL 0). Pure. Names in the RDATA are never compressed (RFC 8945
// §4.2, RFC 3597 §4); a compression pointer in the algorithm name is a decode error.

import { type DomainName, RRClass, RRType, WireFault, nameToWire, readName, lastNameEnd } from '../wire/index.js';
import { type Result, ok, err } from '../wire/index.js';

/** TsigRdata is the decoded RDATA of a TSIG RR (RFC 8945 §4.2). */
export interface TsigRdata {
  /** Algorithm name as sent (case preserved); compare with algorithmFromWire. */
  readonly algorithm: DomainName;
  /** Seconds since the epoch, a 48-bit unsigned integer. */
  readonly timeSigned: number;
  readonly fudge: number;
  readonly mac: Uint8Array;
  readonly originalId: number;
  /** Extended RCODE (RFC 8945 §3): 0, or BADSIG 16, BADKEY 17, BADTIME 18, BADTRUNC 22. */
  readonly error: number;
  readonly otherData: Uint8Array;
}

/** TsigRdataError says where a TSIG RDATA (or RR) could not be decoded and why. */
export interface TsigRdataError {
  readonly kind: 'bad-tsig';
  readonly reason: 'truncated' | 'bad-owner-name' | 'bad-algorithm-name' | 'trailing-bytes' | 'not-tsig' | 'bad-class';
  readonly offset: number;
}

/** MAX_U48 is the largest Time Signed value (2^48 - 1). */
export const MAX_U48 = 0xffff_ffff_ffff;

/** writeU48 writes a 48-bit unsigned integer big-endian at `o`. */
export function writeU48(b: Uint8Array, o: number, v: number): void {
  if (!Number.isInteger(v) || v < 0 || v > MAX_U48) throw new RangeError(`not a u48: ${v}`);
  const hi = Math.floor(v / 0x1_0000_0000);
  const lo = v >>> 0;
  b[o] = (hi >>> 8) & 0xff;
  b[o + 1] = hi & 0xff;
  b[o + 2] = lo >>> 24;
  b[o + 3] = (lo >>> 16) & 0xff;
  b[o + 4] = (lo >>> 8) & 0xff;
  b[o + 5] = lo & 0xff;
}

/** readU48 reads a 48-bit unsigned integer big-endian at `o`; the caller checked the bounds. */
export function readU48(b: Uint8Array, o: number): number {
  const hi = (b[o]! << 8) | b[o + 1]!;
  const lo = ((b[o + 2]! << 24) | (b[o + 3]! << 16) | (b[o + 4]! << 8) | b[o + 5]!) >>> 0;
  return hi * 0x1_0000_0000 + lo;
}

/** u48 returns the 6 octets of a 48-bit value, e.g. the server time in BADTIME Other Data. */
export function u48(v: number): Uint8Array {
  const b = new Uint8Array(6);
  writeU48(b, 0, v);
  return b;
}

/** tsigRdataLength is the encoded length of `r`. */
export function tsigRdataLength(r: Pick<TsigRdata, 'algorithm' | 'mac' | 'otherData'>): number {
  return nameToWire(r.algorithm).length + 16 + r.mac.length + r.otherData.length;
}

/** encodeTsigRdata encodes `r` (RFC 8945 §4.2 field order). Throws RangeError on out-of-range fields. */
export function encodeTsigRdata(r: TsigRdata): Uint8Array {
  const alg = nameToWire(r.algorithm);
  const out = new Uint8Array(tsigRdataLength(r));
  out.set(alg, 0);
  let p = alg.length;
  writeU48(out, p, r.timeSigned);
  p += 6;
  p = put16(out, p, r.fudge);
  p = put16(out, p, r.mac.length);
  out.set(r.mac, p);
  p += r.mac.length;
  p = put16(out, p, r.originalId);
  p = put16(out, p, r.error);
  p = put16(out, p, r.otherData.length);
  out.set(r.otherData, p);
  return out;
}

/**
 * decodeTsigRdata decodes a TSIG RDATA. Fails with `bad-algorithm-name` (compressed or malformed
 * name), `truncated` (a field runs past the end) or `trailing-bytes`. MAC and Other Data are views
 * into `rdata`.
 */
export function decodeTsigRdata(rdata: Uint8Array): Result<TsigRdata, TsigRdataError> {
  let algorithm: DomainName;
  let p: number;
  try {
    // RFC 8945 §4.2: uncompressed; readName only follows backward pointers, and at offset 0 of
    // the RDATA view there is nothing before, so any pointer fails here.
    algorithm = readName(rdata, 0);
    p = lastNameEnd();
  } catch (e) {
    if (e instanceof WireFault) return err({ kind: 'bad-tsig', reason: 'bad-algorithm-name', offset: e.offset });
    throw e;
  }
  if (p + 10 > rdata.length) return err({ kind: 'bad-tsig', reason: 'truncated', offset: p });
  const timeSigned = readU48(rdata, p);
  const fudge = get16(rdata, p + 6);
  const macSize = get16(rdata, p + 8);
  p += 10;
  if (p + macSize + 6 > rdata.length) return err({ kind: 'bad-tsig', reason: 'truncated', offset: p });
  const mac = rdata.subarray(p, p + macSize);
  p += macSize;
  const originalId = get16(rdata, p);
  const error = get16(rdata, p + 2);
  const otherLen = get16(rdata, p + 4);
  p += 6;
  if (p + otherLen > rdata.length) return err({ kind: 'bad-tsig', reason: 'truncated', offset: p });
  const otherData = rdata.subarray(p, p + otherLen);
  p += otherLen;
  if (p !== rdata.length) return err({ kind: 'bad-tsig', reason: 'trailing-bytes', offset: p });
  return ok({ algorithm, timeSigned, fudge, mac, originalId, error, otherData });
}

/**
 * encodeTsigRR returns the whole TSIG RR: owner `keyName` uncompressed, TYPE TSIG, CLASS ANY,
 * TTL 0 (RFC 8945 §4.2), then RDLENGTH and the RDATA. Ready for MessageWriter.rawRecord or to be
 * appended to a finished message (with ARCOUNT + 1).
 */
export function encodeTsigRR(keyName: DomainName, r: TsigRdata): Uint8Array {
  const owner = nameToWire(keyName);
  const rdata = encodeTsigRdata(r);
  const out = new Uint8Array(owner.length + 10 + rdata.length);
  out.set(owner, 0);
  let p = owner.length;
  p = put16(out, p, RRType.TSIG);
  p = put16(out, p, RRClass.ANY);
  p += 4; // TTL 0
  p = put16(out, p, rdata.length);
  out.set(rdata, p);
  return out;
}

/** TsigRR is a TSIG RR read from a message: owner, class, TTL, RDATA and where it ends. */
export interface TsigRR {
  readonly keyName: DomainName;
  readonly class: number;
  readonly ttl: number;
  readonly rdata: TsigRdata;
}

/**
 * readTsigRR decodes the TSIG RR starting at `offset` of `msg`; it must be the last thing in the
 * message (RFC 8945 §5.1). The owner may be compressed (it points into the message); the RDATA
 * may not. Fails with `not-tsig` (wrong TYPE), `bad-class` (CLASS not ANY, RFC 8945 §4.2),
 * `truncated` or `trailing-bytes`.
 */
export function readTsigRR(msg: Uint8Array, offset: number): Result<TsigRR, TsigRdataError> {
  let keyName: DomainName;
  let p: number;
  try {
    keyName = readName(msg, offset);
    p = lastNameEnd();
  } catch (e) {
    if (e instanceof WireFault) return err({ kind: 'bad-tsig', reason: 'bad-owner-name', offset: e.offset });
    throw e;
  }
  if (p + 10 > msg.length) return err({ kind: 'bad-tsig', reason: 'truncated', offset: p });
  if (get16(msg, p) !== RRType.TSIG) return err({ kind: 'bad-tsig', reason: 'not-tsig', offset: p });
  const cls = get16(msg, p + 2);
  if (cls !== RRClass.ANY) return err({ kind: 'bad-tsig', reason: 'bad-class', offset: p + 2 });
  const ttl = ((msg[p + 4]! << 24) | (msg[p + 5]! << 16) | (msg[p + 6]! << 8) | msg[p + 7]!) >>> 0;
  const rdlen = get16(msg, p + 8);
  p += 10;
  if (p + rdlen > msg.length) return err({ kind: 'bad-tsig', reason: 'truncated', offset: p });
  if (p + rdlen < msg.length) return err({ kind: 'bad-tsig', reason: 'trailing-bytes', offset: p + rdlen });
  const rdata = decodeTsigRdata(msg.subarray(p, p + rdlen));
  if (!rdata.ok) return err({ ...rdata.error, offset: rdata.error.offset + p });
  return ok({ keyName, class: cls, ttl, rdata: rdata.value });
}

function put16(b: Uint8Array, o: number, v: number): number {
  if (!Number.isInteger(v) || v < 0 || v > 0xffff) throw new RangeError(`not a u16: ${v}`);
  b[o] = v >>> 8;
  b[o + 1] = v & 0xff;
  return o + 2;
}

function get16(b: Uint8Array, o: number): number {
  return (b[o]! << 8) | b[o + 1]!;
}
