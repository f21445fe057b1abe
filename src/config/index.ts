// Public surface of src/config: the typed Config, its schema, and the loader (flags > env >
// defaults). Everything outside src/config imports from here, never from schema.ts or load.ts.
export type { Config, HostPort, LogLevel, OptionSpec, Parsed, Schema, ZoneFileSpec } from './schema.js';
export { LOG_LEVELS, schema, SCHEMA_KEYS, parseHostPort } from './schema.js';
export type { Environment, LoadResult } from './load.js';
export { configTable, helpText, load, wantsHelp } from './load.js';
