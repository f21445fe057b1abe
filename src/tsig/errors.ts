// TsigFailure: the closed set of TSIG verification outcomes other than success, named by the RCODE
// or TSIG error the server answers with (RFC 8945 §5.2, §5.3.2) and carrying what is needed to
// build that answer. Pure data; the answers themselves are built in error-response.ts.

import type { DomainName } from '../wire/index.js';
import type { TsigKey } from './key.js';

/** TsigErrorCode holds the TSIG error values of RFC 8945 §3 (IANA "DNS RCODEs"). */
export const TsigErrorCode = { NoError: 0, BadSig: 16, BadKey: 17, BadTime: 18, BadTrunc: 22 } as const;

/** TsigSeen is what a TSIG RR said, kept so an error response can echo it (RFC 8945 §5.3.2). */
export interface TsigSeen {
  readonly keyName: DomainName;
  readonly algorithm: DomainName;
  readonly timeSigned: number;
  readonly fudge: number;
  readonly originalId: number;
  /** MAC Size as received. */
  readonly macSize: number;
  /** The TSIG Error field as received (non-zero only in responses). */
  readonly error: number;
}

/**
 * TsigFailure is why a message did not verify. `rcode` is what a server answers: FORMERR (plain
 * RCODE 1, no TSIG), or NOTAUTH with TSIG error BADKEY/BADSIG (unsigned answer) or
 * BADTIME/BADTRUNC (answer signed with `key`, covering the request `mac`). `reason: 'peer-error'`
 * means a response carried that TSIG error from the other side (client view, RFC 8945 §5.4).
 */
export type TsigFailure =
  | { readonly rcode: 'FORMERR'; readonly reason: 'malformed-tsig' | 'missing-tsig' | 'mac-too-long' | 'mac-too-short'; readonly offset: number }
  | (TsigSeen & { readonly rcode: 'BADKEY'; readonly reason: 'unknown-key' | 'unknown-algorithm' | 'algorithm-mismatch' | 'peer-error' })
  | (TsigSeen & { readonly rcode: 'BADSIG'; readonly reason: 'mac-mismatch' | 'peer-error' })
  | { readonly rcode: 'BADSIG'; readonly reason: 'too-many-unsigned' | 'last-unsigned'; readonly unsignedCount: number }
  | (TsigSeen & {
      readonly rcode: 'BADTIME';
      readonly reason: 'outside-fudge' | 'earlier-than-previous' | 'peer-error';
      readonly key: TsigKey;
      readonly mac: Uint8Array;
      readonly now: number;
      /** From Other Data of a peer's BADTIME answer (RFC 8945 §5.2.3), when it holds 6 octets. */
      readonly serverTime?: number;
    })
  | (TsigSeen & {
      readonly rcode: 'BADTRUNC';
      readonly reason: 'below-local-minimum' | 'peer-error';
      readonly key: TsigKey;
      readonly mac: Uint8Array;
      readonly minimum: number;
    });

/** TsigRcode is the set of `rcode` values a TsigFailure can carry. */
export type TsigRcode = TsigFailure['rcode'];

/** tsigErrorNumber maps a TsigFailure rcode to the TSIG Error field value (FORMERR has none: 0). */
export function tsigErrorNumber(rcode: TsigRcode): number {
  switch (rcode) {
    case 'BADSIG':
      return TsigErrorCode.BadSig;
    case 'BADKEY':
      return TsigErrorCode.BadKey;
    case 'BADTIME':
      return TsigErrorCode.BadTime;
    case 'BADTRUNC':
      return TsigErrorCode.BadTrunc;
    case 'FORMERR':
      return 0;
  }
}

/** describeTsigFailure renders a TsigFailure for logs (never the secret or MAC octets). */
export function describeTsigFailure(f: TsigFailure): string {
  switch (f.rcode) {
    case 'FORMERR':
      return `TSIG FORMERR: ${f.reason} at offset ${f.offset}`;
    case 'BADKEY':
      return `TSIG BADKEY: ${f.reason} (key ${f.keyName}, algorithm ${f.algorithm})`;
    case 'BADSIG':
      return 'keyName' in f ? `TSIG BADSIG: ${f.reason} (key ${f.keyName})` : `TSIG BADSIG: ${f.reason} (${f.unsignedCount} unsigned messages in a row)`;
    case 'BADTIME':
      return `TSIG BADTIME: ${f.reason} (signed ${f.timeSigned}, fudge ${f.fudge}, now ${f.now}${f.serverTime === undefined ? '' : `, server time ${f.serverTime}`})`;
    case 'BADTRUNC':
      return `TSIG BADTRUNC: ${f.reason} (MAC ${f.macSize} octets, minimum ${f.minimum})`;
  }
}
