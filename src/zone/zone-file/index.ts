// Zone files: RFC 1035 §5 master-file parsing and printing over the RDATA codecs of ../rdata.
// Pure: $INCLUDE reads through a port (include-reader.ts is the fs adapter for the CLI and is
// deliberately not re-exported here).
export { MAX_GENERATE, parseRange, substitute } from './generate.js';
export { type Entry, type LexError, Lexer } from './lexer.js';
export {
  MAX_INCLUDE_DEPTH,
  type ParsedZone,
  type ReadInclude,
  type ZoneFileError,
  type ZoneFileOptions,
  confineIncludePath,
  parseZoneFile,
} from './parser.js';
export { type PrintOptions, formatRecordLine, printZoneFile } from './printer.js';
