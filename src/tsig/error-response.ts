// Answers to requests whose TSIG failed (RFC 8945 §5.2, §5.3.2): FORMERR without TSIG; NOTAUTH with
// an unsigned TSIG (MAC Size 0) for BADKEY and BADSIG; NOTAUTH signed with the request's key and
// MAC for BADTIME (server time in Other Data) and BADTRUNC. Pure; the server decides to send them.

import { Flag, type Message, MessageWriter, Rcode, opcodeOf } from '../wire/index.js';
import { type TsigFailure, type TsigSeen, TsigErrorCode } from './errors.js';
import type { TsigKey } from './key.js';
import { encodeTsigRR, u48 } from './rdata.js';
import { DEFAULT_FUDGE, type SignedMessage, appendRR, signMessage } from './sign.js';

/**
 * appendUnsignedTsigError appends the TSIG RR of RFC 8945 §5.3.2 for a BADKEY or BADSIG answer:
 * the request's key and algorithm names echoed, its Time Signed echoed (as Knot and BIND do), MAC
 * Size 0, Original ID = the answer's ID, Error = `error`. Such an answer MUST NOT be signed.
 */
export function appendUnsignedTsigError(
  response: Uint8Array,
  seen: Pick<TsigSeen, 'keyName' | 'algorithm' | 'timeSigned'>,
  error: typeof TsigErrorCode.BadKey | typeof TsigErrorCode.BadSig,
  opts: { fudge?: number } = {},
): Uint8Array {
  if (response.length < 12) throw new RangeError('message shorter than a DNS header');
  const rr = encodeTsigRR(seen.keyName, {
    algorithm: seen.algorithm,
    timeSigned: seen.timeSigned,
    fudge: opts.fudge ?? DEFAULT_FUDGE,
    mac: new Uint8Array(0),
    originalId: (response[0]! << 8) | response[1]!,
    error,
    otherData: new Uint8Array(0),
  });
  return appendRR(response, rr);
}

/**
 * signBadTime signs a BADTIME answer (RFC 8945 §5.2.3): with the request's key, covering the
 * request MAC; Time Signed is the request's Time Signed, so the client's own time check passes,
 * and Other Data holds the server's clock `now` as a 48-bit value.
 */
export function signBadTime(
  response: Uint8Array,
  key: TsigKey,
  opts: { now: number; requestMac: Uint8Array; requestTimeSigned: number; fudge?: number },
): SignedMessage {
  return signMessage(response, key, {
    now: opts.requestTimeSigned,
    fudge: opts.fudge ?? DEFAULT_FUDGE,
    requestMac: opts.requestMac,
    error: TsigErrorCode.BadTime,
    otherData: u48(opts.now),
  });
}

/**
 * tsigErrorResponse builds the whole answer to `request` for `failure`: same ID, opcode, RD and
 * question; QR set; RCODE FORMERR (no TSIG) or NOTAUTH with the TSIG error of RFC 8945 §5.2 —
 * unsigned for BADKEY/BADSIG (§5.3.2), signed for BADTIME (§5.2.3) and BADTRUNC (§5.2.4).
 * Failures that only a client sees (stream counters) get a NOTAUTH without TSIG.
 */
export function tsigErrorResponse(request: Message, failure: TsigFailure, opts: { now: number; fudge?: number }): Uint8Array {
  const w = new MessageWriter(65535, { compress: true });
  const rcode = failure.rcode === 'FORMERR' ? Rcode.FormErr : Rcode.NotAuth;
  const flags = Flag.QR | (opcodeOf(request.header.flags) << 11) | (request.header.flags & Flag.RD) | rcode;
  w.header(request.header.id, flags);
  for (const q of request.questions) w.question(q.name, q.type, q.class);
  const base = new Uint8Array(w.finish());
  const fudge = opts.fudge ?? DEFAULT_FUDGE;
  switch (failure.rcode) {
    case 'FORMERR':
      return base;
    case 'BADKEY':
      return appendUnsignedTsigError(base, failure, TsigErrorCode.BadKey, { fudge });
    case 'BADSIG':
      return 'keyName' in failure ? appendUnsignedTsigError(base, failure, TsigErrorCode.BadSig, { fudge }) : base;
    case 'BADTIME':
      return signBadTime(base, failure.key, { now: opts.now, requestMac: failure.mac, requestTimeSigned: failure.timeSigned, fudge }).message;
    case 'BADTRUNC':
      return signMessage(base, failure.key, { now: opts.now, fudge, requestMac: failure.mac, error: TsigErrorCode.BadTrunc }).message;
  }
}
