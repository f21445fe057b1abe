// Single-message TSIG: sign a finished message by appending the TSIG RR, verify a received one
// (RFC 8945 §4.3, §5.1, §5.2, §5.4). Pure: `now` (seconds) is passed in, nothing reads a clock.
// Deviation: the owner name is written lower-case whatever the key's spelling (see ownerName).

import { type DomainName, type Result, RRClass, nameKey, nameToWire } from '../wire/index.js';
import type { TsigFailure } from './errors.js';
import { type KeyLookup, type TsigVerified, checkTsig, lengthPrefixed, newHmac, tsigVariables } from './digest.js';
import { type TsigKey, macLength as fullMacLength, minimumMacLength } from './key.js';
import { encodeTsigRR, tsigRdataLength } from './rdata.js';

/** DEFAULT_FUDGE is the permitted clock skew in seconds: 300, the value RFC 8945 recommends. */
export const DEFAULT_FUDGE = 300;

/** SignOptions: `now` in seconds; the rest default to a plain request (no request MAC, no error). */
export interface SignOptions {
  readonly now: number;
  /** Permitted skew in seconds (default 300). */
  readonly fudge?: number;
  /** The request's MAC, as received: signing a response (RFC 8945 §4.3.1). */
  readonly requestMac?: Uint8Array;
  /** TSIG Error field (RFC 8945 §4.2), 0 by default. */
  readonly error?: number;
  /** Other Data (RFC 8945 §4.2): the server time in a BADTIME answer, else empty. */
  readonly otherData?: Uint8Array;
  /** Send only this many leading MAC octets (RFC 8945 §5.2.2.1); must satisfy its rules. */
  readonly macLength?: number;
}

/** SignedMessage is the message with its TSIG RR appended, and the MAC (as sent) for what follows. */
export interface SignedMessage {
  readonly message: Uint8Array;
  readonly mac: Uint8Array;
}

/** VerifyOptions: `now` in seconds; `requestMac` when verifying a response to a signed request. */
export interface VerifyOptions {
  readonly now: number;
  /** The MAC our request carried; set it to verify the response (RFC 8945 §4.3.1, §5.4). */
  readonly requestMac?: Uint8Array;
  /** Local policy (RFC 8945 §5.2.4): a truncated MAC shorter than this fails with BADTRUNC. */
  readonly minMacLength?: number;
}

/**
 * keyring builds a KeyLookup over `keys`, matching owner names case-insensitively (RFC 8945 §4.2:
 * names are compared in canonical form). A later key with the same name replaces an earlier one.
 */
export function keyring(keys: Iterable<TsigKey>): KeyLookup {
  const byName = new Map<string, TsigKey>();
  for (const k of keys) byName.set(nameKey(k.name), k);
  return (name: DomainName) => byName.get(nameKey(name));
}

/**
 * tsigLength is the size in octets of the TSIG RR signMessage appends for `key`, so a writer can
 * `reserve()` room for it before filling a message.
 */
export function tsigLength(key: TsigKey, opts: { macLength?: number; otherDataLength?: number } = {}): number {
  const rdata = tsigRdataLength({
    algorithm: key.algorithm as string as DomainName,
    mac: new Uint8Array(opts.macLength ?? fullMacLength(key.algorithm)),
    otherData: new Uint8Array(opts.otherDataLength ?? 0),
  });
  return nameToWire(key.name).length + 10 + rdata;
}

/**
 * ownerName is the key name as written in our TSIG RRs: lower-case. RFC 8945 §4.2 compares key
 * names in canonical form, but Knot (kdig, knotd) compares the owner octet by octet with its
 * lower-cased key name, so any other spelling fails there with BADKEY.
 */
export function ownerName(key: TsigKey): DomainName {
  return nameKey(key.name) as DomainName;
}

/**
 * appendRR returns `message` with the RR octets `rr` appended to the additional section and
 * ARCOUNT incremented. Throws RangeError when the message has no header or ARCOUNT is full.
 */
export function appendRR(message: Uint8Array, rr: Uint8Array): Uint8Array {
  if (message.length < 12) throw new RangeError('message shorter than a DNS header');
  const arcount = (message[10]! << 8) | message[11]!;
  if (arcount === 0xffff) throw new RangeError('ARCOUNT is already 65535');
  const out = new Uint8Array(message.length + rr.length);
  out.set(message, 0);
  out.set(rr, message.length);
  out[10] = (arcount + 1) >>> 8;
  out[11] = (arcount + 1) & 0xff;
  return out;
}

/**
 * signMessage signs a finished message (header counts final, no TSIG yet) and returns it with the
 * TSIG RR appended and ARCOUNT + 1. The digest is, in order (RFC 8945 §4.3): the request MAC with
 * its length (responses only, §4.3.1), the message with its own ID as Original ID (§4.3.2), and the
 * TSIG variables (§4.3.3). Throws RangeError on a message without a header, a `now` or `fudge`
 * out of range, or a `macLength` the §5.2.2.1 rules forbid (all programmer errors).
 */
export function signMessage(message: Uint8Array, key: TsigKey, opts: SignOptions): SignedMessage {
  if (message.length < 12) throw new RangeError('message shorter than a DNS header');
  const fudge = opts.fudge ?? DEFAULT_FUDGE;
  const error = opts.error ?? 0;
  const otherData = opts.otherData ?? new Uint8Array(0);
  const algorithm = key.algorithm as string as DomainName;
  const full = fullMacLength(key.algorithm);
  const size = opts.macLength ?? full;
  // RFC 8945 §5.2.2.1: never send more than the hash or less than max(10, hash/2) octets.
  if (!Number.isInteger(size) || size > full || size < minimumMacLength(key.algorithm)) {
    throw new RangeError(`MAC length ${size} not allowed for ${key.algorithm}`);
  }
  const h = newHmac(key);
  if (opts.requestMac !== undefined) h.update(lengthPrefixed(opts.requestMac));
  h.update(message);
  h.update(tsigVariables(key.name, RRClass.ANY, 0, algorithm, opts.now, fudge, error, otherData));
  const mac = new Uint8Array(h.digest().subarray(0, size));
  const originalId = (message[0]! << 8) | message[1]!;
  const rr = encodeTsigRR(ownerName(key), { algorithm, timeSigned: opts.now, fudge, mac, originalId, error, otherData });
  return { message: appendRR(message, rr), mac };
}

/**
 * verifyMessage checks the TSIG RR that starts at `tsigOffset` of `raw` (Message.tsig.offset from
 * decodeMessage) following RFC 8945 §5.2: unknown key or algorithm → BADKEY; MAC size outside the
 * §5.2.2.1 rules → FORMERR; wrong MAC → BADSIG (compared in constant time); only then the time,
 * outside `timeSigned ± fudge` → BADTIME; and a truncated MAC under `minMacLength` → BADTRUNC.
 * With `requestMac` it verifies a response: an unsigned error answer or a signed one carrying a
 * TSIG error fails with `reason: 'peer-error'`. The digest covers the message without the TSIG RR,
 * ARCOUNT − 1 and the ID restored from Original ID (§4.3.2, §5.4).
 */
export function verifyMessage(raw: Uint8Array, tsigOffset: number, keys: KeyLookup, opts: VerifyOptions): Result<TsigVerified, TsigFailure> {
  const requestMac = opts.requestMac;
  return checkTsig(raw, tsigOffset, {
    now: opts.now,
    lookup: keys,
    start: (key) => {
      const h = newHmac(key);
      if (requestMac !== undefined) h.update(lengthPrefixed(requestMac));
      return h;
    },
    variables: 'full',
    response: requestMac !== undefined,
    ...(opts.minMacLength === undefined ? {} : { minMacLength: opts.minMacLength }),
  });
}
