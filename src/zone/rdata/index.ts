// RDATA presentation ⇄ wire for zone files and the records API (RFC 1035 §5, RFC 3597 §5 and
// the per-type RFCs cited in schema.ts). Pure: no I/O. dns-packet is the test oracle, not the
// implementation (see codec.ts for why).
export {
  type FormatOptions,
  type RdataSyntaxError,
  formatGeneric,
  formatRdata,
  formatRdataPresentation,
  hasPresentation,
  isMetaType,
  isPortableType,
  parseRdataFields,
  parseRdataText,
  parseRdataTokens,
  validateRdata,
} from './codec.js';
export { parseTtl, parseSigTime, formatSigTime } from './encoding.js';
export { CERT_TYPES, DNSSEC_ALGORITHMS } from './fields.js';
export { relativeTo } from './io.js';
export { SVC_PARAM_KEYS } from './svcb.js';
export { type RdataToken, decodeEscaped, encodeEscaped, nameFromText, scanBare, scanQuoted, tokenizeRdata } from './tokens.js';
