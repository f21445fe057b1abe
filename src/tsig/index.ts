// The TSIG public surface (RFC 8945): keys, the TSIG RR codec, single-message sign/verify, error
// answers and multi-message streams. Pure: no I/O, no clock; callers pass `now` in seconds.
export * from './key.js';
export * from './errors.js';
export {
  type TsigRdata, type TsigRdataError, type TsigRR, MAX_U48, decodeTsigRdata, encodeTsigRdata, encodeTsigRR, readTsigRR,
  tsigRdataLength, u48, readU48, writeU48,
} from './rdata.js';
export type { KeyLookup, TsigVerified } from './digest.js';
export {
  DEFAULT_FUDGE, type SignOptions, type SignedMessage, type VerifyOptions, appendRR, keyring, ownerName, signMessage, tsigLength,
  verifyMessage,
} from './sign.js';
export { appendUnsignedTsigError, signBadTime, tsigErrorResponse } from './error-response.js';
export { MAX_UNSIGNED_RUN, type StreamState, type StreamStep, TsigStreamSigner, TsigStreamVerifier } from './stream.js';
export { type RequestTsig, verifyRequest } from './request.js';
