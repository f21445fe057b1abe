// The TSIG digest and the checks shared by single-message and stream verification (RFC 8945 §4.3,
// §5.2, §5.3.1, §5.4). Pure: HMAC via node:crypto (computation, not I/O), time passed in. Check
// order follows RFC 8945 §5.2: key, then MAC size, then MAC, then time, then local truncation policy.

import { type Hmac, createHmac, timingSafeEqual } from 'node:crypto';
import { type DomainName, type Result, ok, err } from '../wire/index.js';
import { type TsigFailure, type TsigSeen, TsigErrorCode } from './errors.js';
import { type TsigKey, algorithmFromWire, canonicalWire, hashName, macLength, minimumMacLength } from './key.js';
import { readTsigRR, readU48, writeU48 } from './rdata.js';

/** KeyLookup finds the key for a TSIG owner name (compare case-insensitively), or undefined. */
export type KeyLookup = (name: DomainName) => TsigKey | undefined;

/** TsigVerified is what a verified TSIG RR said, plus the key that verified it. */
export interface TsigVerified {
  readonly key: TsigKey;
  /** The MAC as received (possibly truncated): the request MAC of the answer, or the prior MAC. */
  readonly mac: Uint8Array;
  readonly timeSigned: number;
  readonly fudge: number;
  readonly originalId: number;
  readonly error: number;
  readonly otherData: Uint8Array;
}

/** newHmac starts an HMAC with `key`'s algorithm and secret. */
export function newHmac(key: TsigKey): Hmac {
  return createHmac(hashName(key.algorithm), key.secret);
}

/** lengthPrefixed returns MAC Size (u16) then MAC, the form a request or prior MAC takes in a digest. */
export function lengthPrefixed(mac: Uint8Array): Uint8Array {
  const out = new Uint8Array(2 + mac.length);
  out[0] = mac.length >>> 8;
  out[1] = mac.length & 0xff;
  out.set(mac, 2);
  return out;
}

/**
 * tsigVariables encodes the RFC 8945 §4.3.3 digest component: key name and algorithm name in
 * canonical wire form, CLASS, TTL, Time Signed, Fudge, Error, Other Len, Other Data.
 */
export function tsigVariables(
  keyName: DomainName, cls: number, ttl: number, algorithm: DomainName, timeSigned: number, fudge: number, error: number, otherData: Uint8Array,
): Uint8Array {
  const owner = canonicalWire(keyName);
  const alg = canonicalWire(algorithm);
  const out = new Uint8Array(owner.length + 6 + alg.length + 12 + otherData.length);
  const v = new DataView(out.buffer);
  out.set(owner, 0);
  let p = owner.length;
  v.setUint16(p, cls);
  v.setUint32(p + 2, ttl);
  p += 6;
  out.set(alg, p);
  p += alg.length;
  writeU48(out, p, timeSigned);
  v.setUint16(p + 6, fudge);
  v.setUint16(p + 8, error);
  v.setUint16(p + 10, otherData.length);
  out.set(otherData, p + 12);
  return out;
}

/** tsigTimers encodes the RFC 8945 §5.3.1 "TSIG timers" component: Time Signed and Fudge. */
export function tsigTimers(timeSigned: number, fudge: number): Uint8Array {
  const out = new Uint8Array(8);
  writeU48(out, 0, timeSigned);
  out[6] = fudge >>> 8;
  out[7] = fudge & 0xff;
  return out;
}

/**
 * updateWithoutTsig feeds `raw` up to `tsigOffset` to `h` as it was before the TSIG RR was added:
 * ARCOUNT one lower and the ID set back to the Original ID (RFC 8945 §4.3.2, §5.4: a forwarder
 * may have changed the ID).
 */
export function updateWithoutTsig(h: Hmac, raw: Uint8Array, tsigOffset: number, originalId: number): void {
  const header = Uint8Array.from(raw.subarray(0, 12));
  header[0] = originalId >>> 8;
  header[1] = originalId & 0xff;
  const arcount = ((header[10]! << 8) | header[11]!) - 1;
  header[10] = arcount >>> 8;
  header[11] = arcount & 0xff;
  h.update(header);
  h.update(raw.subarray(12, tsigOffset));
}

/** CheckOptions parameterise checkTsig for a lone message or a message within a stream. */
export interface CheckOptions {
  readonly now: number;
  readonly lookup: KeyLookup;
  /** start returns an HMAC for `key` already fed with what precedes the message (request or prior MAC). */
  readonly start: (key: TsigKey) => Hmac;
  /** 'full': §4.3.3 TSIG variables; 'timers': §5.3.1 Time Signed + Fudge only. */
  readonly variables: 'full' | 'timers';
  /** True when checking a response: TSIG errors from the peer are then reported as such. */
  readonly response: boolean;
  /** Local policy (RFC 8945 §5.2.4): truncated MACs shorter than this fail with BADTRUNC. */
  readonly minMacLength?: number;
  /** A Time Signed earlier than this fails with BADTIME (RFC 8945 §5.2.3 SHOULD). */
  readonly notBefore?: number;
}

/**
 * checkTsig verifies the TSIG RR at `tsigOffset` of `raw` (RFC 8945 §5.2 for requests, §5.4 for
 * responses). Success returns what the RR said; failure returns the TsigFailure to answer with.
 */
export function checkTsig(raw: Uint8Array, tsigOffset: number, o: CheckOptions): Result<TsigVerified, TsigFailure> {
  const arcount = raw.length >= 12 ? (raw[10]! << 8) | raw[11]! : 0;
  if (tsigOffset < 12 || tsigOffset >= raw.length || arcount === 0) {
    return err({ rcode: 'FORMERR', reason: 'malformed-tsig', offset: tsigOffset });
  }
  const parsed = readTsigRR(raw, tsigOffset);
  if (!parsed.ok) return err({ rcode: 'FORMERR', reason: 'malformed-tsig', offset: parsed.error.offset });
  const { keyName, rdata } = parsed.value;
  const seen: TsigSeen = {
    keyName,
    algorithm: rdata.algorithm,
    timeSigned: rdata.timeSigned,
    fudge: rdata.fudge,
    originalId: rdata.originalId,
    macSize: rdata.mac.length,
    error: rdata.error,
  };
  // RFC 8945 §5.3.2: an answer to a request with a bad key or MAC is unsigned (MAC Size 0); the
  // client cannot check it and discards it (§5.4), reporting what the peer said.
  if (o.response && rdata.mac.length === 0 && rdata.error !== 0) {
    return err({ ...seen, rcode: rdata.error === TsigErrorCode.BadKey ? 'BADKEY' : 'BADSIG', reason: 'peer-error' });
  }
  // RFC 8945 §5.2.1: unknown key or algorithm → BADKEY.
  const key = o.lookup(keyName);
  if (key === undefined) return err({ ...seen, rcode: 'BADKEY', reason: 'unknown-key' });
  const alg = algorithmFromWire(rdata.algorithm);
  if (alg === undefined) return err({ ...seen, rcode: 'BADKEY', reason: 'unknown-algorithm' });
  if (alg !== key.algorithm) return err({ ...seen, rcode: 'BADKEY', reason: 'algorithm-mismatch' });
  // RFC 8945 §5.2.2.1 rule 1: longer than the hash output → FORMERR.
  const full = macLength(alg);
  if (rdata.mac.length > full) return err({ rcode: 'FORMERR', reason: 'mac-too-long', offset: tsigOffset });
  // RFC 8945 §5.2.2.1 rule 3: shorter than max(10, hash/2) → FORMERR (MAC Size 0 only in §5.3.2
  // error answers, handled above).
  if (rdata.mac.length < minimumMacLength(alg)) return err({ rcode: 'FORMERR', reason: 'mac-too-short', offset: tsigOffset });

  // RFC 8945 §5.2.2: compute the MAC over the message as it was before the TSIG RR was added.
  const h = o.start(key);
  updateWithoutTsig(h, raw, tsigOffset, rdata.originalId);
  h.update(
    o.variables === 'full'
      ? tsigVariables(keyName, parsed.value.class, parsed.value.ttl, rdata.algorithm, rdata.timeSigned, rdata.fudge, rdata.error, rdata.otherData)
      : tsigTimers(rdata.timeSigned, rdata.fudge),
  );
  const computed = h.digest();
  // RFC 8945 §5.2.2.1 rule 4: a truncated MAC is compared with the same prefix of ours.
  if (!timingSafeEqual(computed.subarray(0, rdata.mac.length), rdata.mac)) {
    return err({ ...seen, rcode: 'BADSIG', reason: 'mac-mismatch' });
  }
  const mac = Uint8Array.from(rdata.mac);
  const otherData = Uint8Array.from(rdata.otherData);

  // A signed answer carrying a TSIG error (BADTIME, BADTRUNC: RFC 8945 §5.3.2) is authentic but
  // still a failure for the client.
  if (o.response && rdata.error !== 0) {
    switch (rdata.error) {
      case TsigErrorCode.BadTime: {
        const serverTime = otherData.length === 6 ? readU48(otherData, 0) : undefined;
        return err({ ...seen, rcode: 'BADTIME', reason: 'peer-error', key, mac, now: o.now, ...(serverTime === undefined ? {} : { serverTime }) });
      }
      case TsigErrorCode.BadTrunc:
        return err({ ...seen, rcode: 'BADTRUNC', reason: 'peer-error', key, mac, minimum: 0 });
      case TsigErrorCode.BadKey:
        return err({ ...seen, rcode: 'BADKEY', reason: 'peer-error' });
      default:
        return err({ ...seen, rcode: 'BADSIG', reason: 'peer-error' });
    }
  }

  // RFC 8945 §5.2.3: time is checked only after the MAC verified; a BADTIME answer is signed and
  // carries the server's clock, which an unauthenticated request must not obtain.
  if (Math.abs(o.now - rdata.timeSigned) > rdata.fudge) {
    return err({ ...seen, rcode: 'BADTIME', reason: 'outside-fudge', key, mac, now: o.now });
  }
  if (o.notBefore !== undefined && rdata.timeSigned < o.notBefore) {
    return err({ ...seen, rcode: 'BADTIME', reason: 'earlier-than-previous', key, mac, now: o.now });
  }
  // RFC 8945 §5.2.4: permitted truncation that is still too short for local policy → BADTRUNC.
  const policy = o.minMacLength ?? 0;
  if (rdata.mac.length < full && rdata.mac.length < policy) {
    return err({ ...seen, rcode: 'BADTRUNC', reason: 'below-local-minimum', key, mac, minimum: policy });
  }
  return ok({ key, mac, timeSigned: rdata.timeSigned, fudge: rdata.fudge, originalId: rdata.originalId, error: rdata.error, otherData });
}
