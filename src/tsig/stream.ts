// Multi-message TSIG for AXFR/IXFR over TCP (RFC 8945 §5.3.1): the server signs its answers in a
// chain, the client verifies them carrying the prior MAC. Pure: `now` passed per message. Policy:
// our signer signs every message; the verifier takes up to 99 unsigned messages in a row (RFC 8945
// §5.3.1: a TSIG at least every 100 envelopes; Knot fails at the 100th) and a signed last one.
//
//   TsigStreamVerifier states (client side):
//
//   +-------+  signed: reqMAC+msg+variables   +--------+   unsigned    +----------+
//   | first | ------------------------------> | signed | ------------> | unsigned | --+ unsigned
//   +-------+                                 +--------+ <------------ +----------+ <-+ (run < 100)
//       |                                      |    ^     signed: priorMAC+run+msg+timers
//       | unsigned first, bad key/MAC/time     +----+     signed: priorMAC+msg+timers
//       v
//   +--------+ <-- bad key/MAC/time, or the 100th unsigned in a row (from any state)
//   | failed |     every later call returns the same failure
//   +--------+     finish(): ok only in `signed`; in `unsigned` -> BADSIG last-unsigned

import type { Hmac } from 'node:crypto';
import { type DomainName, type Result, nameKey, ok, err } from '../wire/index.js';
import { type KeyLookup, checkTsig, lengthPrefixed, newHmac, tsigTimers } from './digest.js';
import type { TsigFailure } from './errors.js';
import { type TsigKey, macLength as fullMacLength, minimumMacLength } from './key.js';
import { encodeTsigRR } from './rdata.js';
import { DEFAULT_FUDGE, appendRR, ownerName, signMessage } from './sign.js';

/** MAX_UNSIGNED_RUN is how many unsigned messages in a row a verifier accepts by default. */
export const MAX_UNSIGNED_RUN = 99;

/**
 * TsigStreamSigner signs the messages of one transfer answer (server side). The first message is
 * signed like a single response (request MAC + message + TSIG variables); each later digest is
 * the prior MAC (length-prefixed) + every message since + TSIG timers (RFC 8945 §5.3.1). `sign`
 * every message (our policy); `pass` exists to send one unsigned and covers it in the next
 * signature. Throws Error when the first message is passed or 100 are passed in a row.
 */
export class TsigStreamSigner {
  private prevMac: Uint8Array | undefined;
  private running: Hmac | undefined;
  private unsignedRun = 0;
  private count = 0;
  private readonly fudge: number;
  private readonly macLength: number | undefined;

  constructor(
    private readonly key: TsigKey,
    private readonly requestMac: Uint8Array,
    opts: { fudge?: number; macLength?: number } = {},
  ) {
    this.fudge = opts.fudge ?? DEFAULT_FUDGE;
    this.macLength = opts.macLength;
  }

  /** mac is the MAC of the last signed message (undefined before the first). */
  get mac(): Uint8Array | undefined {
    return this.prevMac;
  }

  /** messages is how many messages went through sign or pass. */
  get messages(): number {
    return this.count;
  }

  /** sign returns `message` (finished, no TSIG) with its TSIG RR appended; `now` in seconds. */
  sign(message: Uint8Array, now: number): Uint8Array {
    this.count++;
    if (this.prevMac === undefined) {
      const first = signMessage(message, this.key, {
        now,
        fudge: this.fudge,
        requestMac: this.requestMac,
        ...(this.macLength === undefined ? {} : { macLength: this.macLength }),
      });
      this.prevMac = first.mac;
      return first.message;
    }
    const full = fullMacLength(this.key.algorithm);
    const size = this.macLength ?? full;
    if (size > full || size < minimumMacLength(this.key.algorithm)) throw new RangeError(`MAC length ${size} not allowed`);
    const h = this.running ?? this.start(this.prevMac);
    // RFC 8945 §5.3.1: prior MAC, the DNS messages since, then only the TSIG timers.
    h.update(message);
    h.update(tsigTimers(now, this.fudge));
    const mac = new Uint8Array(h.digest().subarray(0, size));
    const rr = encodeTsigRR(ownerName(this.key), {
      algorithm: this.key.algorithm as string as DomainName,
      timeSigned: now,
      fudge: this.fudge,
      mac,
      originalId: (message[0]! << 8) | message[1]!,
      error: 0,
      otherData: new Uint8Array(0),
    });
    this.prevMac = mac;
    this.running = undefined;
    this.unsignedRun = 0;
    return appendRR(message, rr);
  }

  /** pass returns `message` unchanged, to be sent unsigned; the next sign() covers it. */
  pass(message: Uint8Array): Uint8Array {
    // RFC 8945 §5.3.1: the first message MUST be signed; a TSIG at least every 100 messages.
    if (this.prevMac === undefined) throw new Error('the first message of a TSIG stream must be signed');
    if (this.unsignedRun + 1 > MAX_UNSIGNED_RUN) throw new Error('a TSIG stream must be signed at least every 100 messages');
    this.count++;
    this.unsignedRun++;
    this.running ??= this.start(this.prevMac);
    this.running.update(message);
    return message;
  }

  private start(prevMac: Uint8Array): Hmac {
    const h = newHmac(this.key);
    h.update(lengthPrefixed(prevMac));
    return h;
  }
}

/** StreamStep reports one verified message: signed (with its MAC and time) or accepted unsigned. */
export type StreamStep =
  | { readonly signed: true; readonly mac: Uint8Array; readonly timeSigned: number }
  | { readonly signed: false; readonly unsignedRun: number };

/** StreamState is where a TsigStreamVerifier stands (see the diagram in the file header). */
export type StreamState = 'first' | 'signed' | 'unsigned' | 'failed';

/**
 * TsigStreamVerifier verifies the messages of one transfer answer (client side), carrying the prior
 * MAC, the last Time Signed and the run of unsigned messages (RFC 8945 §5.3.1). Feed every message
 * in order to `verify` with its TSIG offset (Message.tsig?.offset, undefined when unsigned), then
 * call `finish`. After a failure every call returns that failure.
 */
export class TsigStreamVerifier {
  private prevMac: Uint8Array;
  private prevTime: number | undefined;
  private running: Hmac | undefined;
  private unsignedRun = 0;
  private count = 0;
  private failure: TsigFailure | undefined;
  private readonly lookup: KeyLookup;
  private readonly maxUnsigned: number;
  private readonly minMacLength: number | undefined;

  constructor(
    private readonly key: TsigKey,
    requestMac: Uint8Array,
    opts: { maxUnsigned?: number; minMacLength?: number } = {},
  ) {
    this.prevMac = requestMac;
    this.maxUnsigned = opts.maxUnsigned ?? MAX_UNSIGNED_RUN;
    this.minMacLength = opts.minMacLength;
    const want = nameKey(key.name);
    this.lookup = (name) => (nameKey(name) === want ? key : undefined);
  }

  /** state is the verifier's state. */
  get state(): StreamState {
    if (this.failure !== undefined) return 'failed';
    if (this.prevTime === undefined) return 'first';
    return this.unsignedRun > 0 ? 'unsigned' : 'signed';
  }

  /** messages is how many messages were accepted. */
  get messages(): number {
    return this.count;
  }

  /**
   * verify checks the next message `raw` (`tsigOffset` where its TSIG RR starts, or undefined).
   * Fails with FORMERR `missing-tsig` when the first message is unsigned (RFC 8945 §5.4.1), BADSIG
   * `too-many-unsigned` at the 100th unsigned message in a row, or whatever checkTsig finds.
   */
  verify(raw: Uint8Array, tsigOffset: number | undefined, now: number): Result<StreamStep, TsigFailure> {
    if (this.failure !== undefined) return err(this.failure);
    const first = this.prevTime === undefined;
    if (tsigOffset === undefined) {
      if (first) return this.fail({ rcode: 'FORMERR', reason: 'missing-tsig', offset: 0 });
      this.unsignedRun++;
      if (this.unsignedRun > this.maxUnsigned) return this.fail({ rcode: 'BADSIG', reason: 'too-many-unsigned', unsignedCount: this.unsignedRun });
      this.running ??= this.start();
      this.running.update(raw);
      this.count++;
      return ok({ signed: false, unsignedRun: this.unsignedRun });
    }
    const r = checkTsig(raw, tsigOffset, {
      now,
      lookup: this.lookup,
      start: () => this.running ?? this.start(),
      // RFC 8945 §5.3.1: the first answer is a normal signed response; later ones cover timers only.
      variables: first ? 'full' : 'timers',
      response: true,
      ...(this.minMacLength === undefined ? {} : { minMacLength: this.minMacLength }),
      ...(this.prevTime === undefined ? {} : { notBefore: this.prevTime }),
    });
    if (!r.ok) return this.fail(r.error);
    this.prevMac = r.value.mac;
    this.prevTime = r.value.timeSigned;
    this.running = undefined;
    this.unsignedRun = 0;
    this.count++;
    return ok({ signed: true, mac: r.value.mac, timeSigned: r.value.timeSigned });
  }

  /** finish ends the stream: ok with the message count only if the last message was signed. */
  finish(): Result<{ messages: number }, TsigFailure> {
    if (this.failure !== undefined) return err(this.failure);
    if (this.prevTime === undefined) return this.fail({ rcode: 'FORMERR', reason: 'missing-tsig', offset: 0 });
    // RFC 8945 §5.3.1: the last message MUST be signed.
    if (this.unsignedRun > 0) return this.fail({ rcode: 'BADSIG', reason: 'last-unsigned', unsignedCount: this.unsignedRun });
    return ok({ messages: this.count });
  }

  private start(): Hmac {
    const h = newHmac(this.key);
    h.update(lengthPrefixed(this.prevMac));
    return h;
  }

  private fail(f: TsigFailure): { readonly ok: false; readonly error: TsigFailure } {
    this.failure = f;
    this.running = undefined;
    return err(f);
  }
}
