// DecodeError: why a message could not be decoded, with the octet offset where decoding stopped.
// The server maps every DecodeError to FORMERR, or to silence when the header itself is short.

/** DecodeReason is the closed set of ways untrusted bytes can fail to be a DNS message. */
export type DecodeReason =
  | 'short-header'
  | 'truncated'
  | 'pointer-loop'
  | 'bad-pointer'
  | 'bad-label-type'
  | 'name-too-long'
  | 'bad-rdata'
  | 'trailing-bytes'
  | 'bad-opt'
  | 'bad-tsig-position';

/** DecodeError names the reason and the offset at which it was found. */
export interface DecodeError {
  readonly kind: 'decode';
  readonly reason: DecodeReason;
  readonly offset: number;
}

/** WireFault is thrown inside the decoder only and converted to a DecodeError at its boundary. */
export class WireFault extends Error {
  constructor(
    readonly reason: DecodeReason,
    readonly offset: number,
  ) {
    super(`${reason} at ${offset}`);
  }
}

/** describeDecodeError renders a DecodeError for logs. */
export function describeDecodeError(e: DecodeError): string {
  return `malformed message: ${e.reason} at offset ${e.offset}`;
}
