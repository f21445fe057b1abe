// Server-side glue: verify a decoded request's TSIG once (RFC 8945 §5.2) and hand the handler
// either a signer for its answers (§5.3, §5.3.1 for transfers) or the ready error answer (§5.3.2).
// Pure: `now` passed in. The server decides policy (which keys a zone accepts) from the result.

import type { DomainName, Message } from '../wire/index.js';
import type { KeyLookup } from './digest.js';
import type { TsigFailure, TsigRcode } from './errors.js';
import { tsigErrorResponse } from './error-response.js';
import type { TsigKey } from './key.js';
import { signMessage, tsigLength, verifyMessage } from './sign.js';
import { TsigStreamSigner } from './stream.js';

/**
 * RequestTsig is the outcome of verifyRequest. Verified: `reserve` octets must stay free in each
 * answer, `sign` appends the TSIG RR to a finished answer, `stream` starts a transfer signer.
 * Failed: `response` is the whole answer to send (FORMERR, or NOTAUTH with the TSIG error).
 */
export type RequestTsig =
  | {
      readonly ok: true;
      readonly key: TsigKey;
      readonly keyName: DomainName;
      readonly mac: Uint8Array;
      readonly timeSigned: number;
      readonly reserve: number;
      sign(response: Uint8Array, now?: number): Uint8Array;
      stream(opts?: { fudge?: number }): TsigStreamSigner;
    }
  | { readonly ok: false; readonly error: TsigRcode; readonly failure: TsigFailure; readonly response: Uint8Array };

/**
 * verifyRequest verifies `request.tsig` with `keys` at `now` (seconds); undefined when the request
 * carries no TSIG RR. See verifyMessage for the checks and tsigErrorResponse for the answers.
 */
export function verifyRequest(
  request: Message,
  keys: KeyLookup,
  opts: { now: number; fudge?: number; minMacLength?: number },
): RequestTsig | undefined {
  if (request.tsig === undefined) return undefined;
  const r = verifyMessage(request.raw, request.tsig.offset, keys, {
    now: opts.now,
    ...(opts.minMacLength === undefined ? {} : { minMacLength: opts.minMacLength }),
  });
  if (!r.ok) {
    const response = tsigErrorResponse(request, r.error, { now: opts.now, ...(opts.fudge === undefined ? {} : { fudge: opts.fudge }) });
    return { ok: false, error: r.error.rcode, failure: r.error, response };
  }
  const { key, mac, timeSigned } = r.value;
  const fudge = opts.fudge;
  return {
    ok: true,
    key,
    keyName: key.name,
    mac,
    timeSigned,
    reserve: tsigLength(key),
    sign: (response, now = opts.now) => signMessage(response, key, { now, requestMac: mac, ...(fudge === undefined ? {} : { fudge }) }).message,
    stream: (s = {}) => {
      const f = s.fudge ?? fudge;
      return new TsigStreamSigner(key, mac, f === undefined ? {} : { fudge: f });
    },
  };
}
