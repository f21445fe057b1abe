// The one declarative schema of zonexfer's settings: for each setting its flag, environment
// variable, default, doc line and parser/validator. The loader (load.ts), the --help text and the
// README configuration table are all derived from this table, so names stay in one place.
// Owns no I/O and reads no process.env; it only turns raw strings into typed, checked values.
import { isIPv4, isIPv6 } from 'node:net';

/** Result of parsing one raw value: the typed value, or the reason it was rejected. */
export type Parsed<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: string };

/** HostPort is one listen address. IPv6 hosts are stored without brackets (`::1`, not `[::1]`). */
export interface HostPort {
  readonly host: string;
  readonly port: number;
}

/** ZoneFileSpec is one `--zone-file [ORIGIN=]FILE`; `origin` is absolute and lower-case when given. */
export interface ZoneFileSpec {
  readonly origin?: string;
  readonly file: string;
}

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Config is the validated, deeply frozen settings object that the CLI passes down. */
export interface Config {
  readonly dns: readonly HostPort[];
  readonly api: HostPort;
  /** Unset means the embedded PGlite database inside `dataDir`. */
  readonly databaseUrl: string | undefined;
  readonly dataDir: string;
  /** Unset means an admin token is generated on first start and printed once. */
  readonly token: string | undefined;
  /** Key-encryption key for TSIG secrets at rest; unset stores them as given. */
  readonly secretKey: string | undefined;
  readonly zoneFiles: readonly ZoneFileSpec[];
  /** CIDR ranges allowed to AXFR/IXFR the `--zone-file` zones (API zones use peers and ACLs). */
  readonly allowTransfer: readonly string[];
  readonly logLevel: LogLevel;
  readonly tcpIdleTimeoutMs: number;
  readonly tcpMaxConnections: number;
  readonly tcpMaxConnectionsPerClient: number;
  readonly udpMaxPayload: number;
  readonly xfrMaxRecords: number;
  readonly xfrMaxBytes: number;
  readonly xfrIdleTimeoutMs: number;
  readonly xfrTimeoutMs: number;
  readonly journalSize: number;
}

/**
 * OptionSpec describes one setting. `defaults` are raw strings run through the same `parse` as user
 * input (an empty list means "unset"); `parse` receives every raw value in order (flags or env list
 * items, never mixed) and returns the typed value or a reason naming the bad value.
 */
export interface OptionSpec<T> {
  /** Long flag name without the leading `--`. */
  readonly flag: string;
  readonly env: string;
  /** Placeholder for the value in help text, e.g. `HOST:PORT`. */
  readonly metavar: string;
  /** Repeatable flags collect every occurrence; the env var is then a comma-separated list. */
  readonly repeatable: boolean;
  readonly defaults: readonly string[];
  /** Shown as the default when `defaults` is empty, e.g. `unset: embedded PGlite in the data dir`. */
  readonly unsetMeans?: string;
  /** One line; `backticks` mark code in the README and are dropped from --help. */
  readonly doc: string;
  readonly parse: (raw: readonly string[]) => Parsed<T>;
}

/** Schema has exactly one OptionSpec per Config key (the compiler checks completeness). */
export type Schema = { readonly [K in keyof Config]: OptionSpec<Config[K]> };

// ---------------------------------------------------------------------------------------------
// Value parsers: each takes one raw string and returns a reason (not a flag name) on failure.

const ok = <T>(value: T): Parsed<T> => ({ ok: true, value });
const bad = <T>(error: string): Parsed<T> => ({ ok: false, error });
const quote = (s: string): string => JSON.stringify(s);

const HOSTNAME = /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.?$/;

/** parseHostPort accepts `HOST:PORT` and `[IPV6]:PORT`; port 0 lets the OS choose (tests). */
export function parseHostPort(raw: string): Parsed<HostPort> {
  const expect = 'expected HOST:PORT, with IPv6 in brackets as [::1]:5300';
  let host: string;
  let portText: string;
  if (raw.startsWith('[')) {
    const close = raw.indexOf(']');
    if (close < 0 || raw[close + 1] !== ':') return bad(`${quote(raw)}: ${expect}`);
    host = raw.slice(1, close);
    portText = raw.slice(close + 2);
    if (!isIPv6(host)) return bad(`${quote(raw)}: ${quote(host)} is not an IPv6 address`);
  } else {
    const colon = raw.lastIndexOf(':');
    if (colon < 0) return bad(`${quote(raw)}: ${expect}`);
    host = raw.slice(0, colon);
    portText = raw.slice(colon + 1);
    if (host.includes(':')) return bad(`${quote(raw)}: IPv6 addresses must be in brackets, e.g. [::1]:5300`);
    const looksNumeric = /^[0-9.]+$/.test(host);
    if (looksNumeric ? !isIPv4(host) : !HOSTNAME.test(host)) {
      return bad(`${quote(raw)}: ${quote(host)} is not an IPv4 address or host name`);
    }
  }
  if (!/^[0-9]{1,5}$/.test(portText) || Number(portText) > 65535) {
    return bad(`${quote(raw)}: port ${quote(portText)} is not an integer in 0..65535`);
  }
  return ok({ host, port: Number(portText) });
}

/** parseInteger accepts plain decimal digits within [min, max]. */
export function parseInteger(raw: string, min: number, max: number): Parsed<number> {
  if (!/^[0-9]+$/.test(raw)) return bad(`${quote(raw)} is not a non-negative integer`);
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n < min || n > max) return bad(`${quote(raw)} is outside ${min}..${max}`);
  return ok(n);
}

function parseDatabaseUrl(raw: string): Parsed<string> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return bad(`${quote(raw)} is not a URL (expected postgres://user:password@host:port/db)`);
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
    return bad(`${quote(url.protocol)} is not supported (expected postgres:// or postgresql://)`);
  }
  return ok(raw);
}

function parseNonEmpty(what: string): (raw: string) => Parsed<string> {
  return (raw) => (raw.trim() === '' ? bad(`${what} must not be empty`) : ok(raw));
}

function parseToken(raw: string): Parsed<string> {
  if (raw === '') return bad('token must not be empty');
  // Redact the secret: name the problem, not the value.
  if (/\s/.test(raw)) return bad('token must not contain whitespace');
  return ok(raw);
}

// A domain name: `.` or labels of letters, digits, `-` and `_` (up to 63 each), optionally absolute.
const ORIGIN = /^(?:\.|[A-Za-z0-9_-]{1,63}(?:\.[A-Za-z0-9_-]{1,63})*\.?)$/;

/**
 * parseZoneFile accepts `FILE` or `ORIGIN=FILE`. The first `=` only splits when its left side is a
 * domain name, so `./a=b.zone` is a plain path.
 */
export function parseZoneFile(raw: string): Parsed<ZoneFileSpec> {
  const eq = raw.indexOf('=');
  if (eq > 0 && ORIGIN.test(raw.slice(0, eq))) {
    const name = raw.slice(0, eq).toLowerCase();
    const file = raw.slice(eq + 1);
    if (file === '') return bad(`${quote(raw)}: missing FILE after "="`);
    return ok({ origin: name.endsWith('.') ? name : `${name}.`, file });
  }
  if (raw.trim() === '') return bad('zone file path must not be empty');
  return ok({ file: raw });
}

function parseLogLevel(raw: string): Parsed<LogLevel> {
  return (LOG_LEVELS as readonly string[]).includes(raw)
    ? ok(raw as LogLevel)
    : bad(`${quote(raw)} is not one of ${LOG_LEVELS.join(', ')}`);
}

// ---------------------------------------------------------------------------------------------
// Shapes: how the list of raw values for one setting becomes its Config value.

/** Last value wins (a wrapper script can append an override). The defaults guarantee one value. */
function parseCidr(raw: string): Parsed<string> {
  const [ip, len, extra] = raw.split('/');
  const family = isIPv4(ip ?? '') ? 4 : isIPv6(ip ?? '') ? 6 : 0;
  if (family === 0 || extra !== undefined) return bad(`${quote(raw)} is not an address or CIDR range`);
  if (len === undefined) return ok(raw);
  const n = Number(len);
  if (!/^\d{1,3}$/.test(len) || n > (family === 4 ? 32 : 128)) return bad(`${quote(raw)} has a bad prefix length`);
  return ok(raw);
}

function single<T>(one: (raw: string) => Parsed<T>): (raw: readonly string[]) => Parsed<T> {
  return (raw) => {
    const last = raw[raw.length - 1];
    if (last === undefined) throw new Error('config schema bug: required setting without a default');
    return one(last);
  };
}

function optional<T>(one: (raw: string) => Parsed<T>): (raw: readonly string[]) => Parsed<T | undefined> {
  return (raw) => {
    const last = raw[raw.length - 1];
    return last === undefined ? ok(undefined) : one(last);
  };
}

function list<T>(one: (raw: string) => Parsed<T>, key: (v: T) => string): (raw: readonly string[]) => Parsed<readonly T[]> {
  return (raw) => {
    const out: T[] = [];
    const seen = new Set<string>();
    for (const item of raw) {
      const r = one(item);
      if (!r.ok) return bad(r.error);
      const k = key(r.value);
      if (seen.has(k)) return bad(`${quote(item)} is listed twice`);
      seen.add(k);
      out.push(r.value);
    }
    return ok(out);
  };
}

const int = (min: number, max: number) => single((raw) => parseInteger(raw, min, max));
const hostPortKey = (v: HostPort): string => `${v.host.toLowerCase()}|${v.port}`;

// ---------------------------------------------------------------------------------------------
// The schema. Order here is the order of --help and of the README table.

export const schema: Schema = {
  dns: {
    flag: 'dns',
    env: 'ZONEXFER_DNS',
    metavar: 'HOST:PORT',
    repeatable: true,
    defaults: ['127.0.0.1:5300'],
    doc: 'Address to serve DNS on, UDP and TCP (IPv6 as `[::1]:5300`).',
    parse: list(parseHostPort, hostPortKey),
  },
  api: {
    flag: 'api',
    env: 'ZONEXFER_API',
    metavar: 'HOST:PORT',
    repeatable: false,
    defaults: ['127.0.0.1:8080'],
    doc: 'Address to serve the HTTP API on.',
    parse: single(parseHostPort),
  },
  databaseUrl: {
    flag: 'database-url',
    env: 'DATABASE_URL',
    metavar: 'URL',
    repeatable: false,
    defaults: [],
    unsetMeans: 'unset: embedded PGlite in the data dir',
    doc: 'PostgreSQL connection URL; several instances may share one database.',
    parse: optional(parseDatabaseUrl),
  },
  dataDir: {
    flag: 'data',
    env: 'ZONEXFER_DATA',
    metavar: 'DIR',
    repeatable: false,
    defaults: ['./data'],
    doc: 'Directory for local state (the embedded database when no URL is given).',
    parse: single(parseNonEmpty('data directory')),
  },
  secretKey: {
    flag: 'secret-key',
    env: 'ZONEXFER_SECRET_KEY',
    metavar: 'KEY',
    repeatable: false,
    defaults: [],
    unsetMeans: 'unset: TSIG secrets stored as given',
    doc: 'Encrypt TSIG secrets at rest (AES-256-GCM): 32 bytes as base64 or hex, or a passphrase of 16+ characters.',
    parse: optional((raw: string) => (raw.length >= 16 ? ok(raw) : bad('the secret key must be at least 16 characters'))),
  },
  token: {
    flag: 'token',
    env: 'ZONEXFER_TOKEN',
    metavar: 'TOKEN',
    repeatable: false,
    defaults: [],
    unsetMeans: 'unset: generated on first start and printed once',
    doc: 'Admin API token.',
    parse: optional(parseToken),
  },
  zoneFiles: {
    flag: 'zone-file',
    env: 'ZONEXFER_ZONE_FILES',
    metavar: '[ORIGIN=]FILE',
    repeatable: true,
    defaults: [],
    unsetMeans: 'none',
    doc: 'Zone file to load at start; `ORIGIN=` is needed when the file has no `$ORIGIN`.',
    parse: list(parseZoneFile, (v) => `${v.origin ?? ''}=${v.file}`),
  },
  allowTransfer: {
    flag: 'allow-transfer',
    env: 'ZONEXFER_ALLOW_TRANSFER',
    metavar: 'CIDR',
    repeatable: true,
    defaults: [],
    unsetMeans: 'none',
    doc: 'Address range allowed to transfer the `--zone-file` zones (AXFR/IXFR), e.g. `127.0.0.1/32`.',
    parse: list(parseCidr, (v) => v),
  },
  logLevel: {
    flag: 'log-level',
    env: 'ZONEXFER_LOG_LEVEL',
    metavar: 'LEVEL',
    repeatable: false,
    defaults: ['info'],
    doc: `Log level: ${LOG_LEVELS.join(', ')}.`,
    parse: single(parseLogLevel),
  },
  xfrMaxRecords: {
    flag: 'xfr-max-records',
    env: 'ZONEXFER_XFR_MAX_RECORDS',
    metavar: 'N',
    repeatable: false,
    defaults: ['20000000'],
    doc: 'Abort a transfer in that carries more records than this (1..1000000000).',
    parse: int(1, 1_000_000_000),
  },
  xfrMaxBytes: {
    flag: 'xfr-max-bytes',
    env: 'ZONEXFER_XFR_MAX_BYTES',
    metavar: 'BYTES',
    repeatable: false,
    defaults: ['2147483648'],
    doc: 'Abort a transfer in larger than this many octets on the wire (1024..1099511627776).',
    parse: int(1024, 1_099_511_627_776),
  },
  xfrIdleTimeoutMs: {
    flag: 'xfr-idle-timeout-ms',
    env: 'ZONEXFER_XFR_IDLE_TIMEOUT_MS',
    metavar: 'MS',
    repeatable: false,
    defaults: ['20000'],
    doc: 'Abort a transfer in when the primary sends nothing for this long (100..3600000).',
    parse: int(100, 3_600_000),
  },
  xfrTimeoutMs: {
    flag: 'xfr-timeout-ms',
    env: 'ZONEXFER_XFR_TIMEOUT_MS',
    metavar: 'MS',
    repeatable: false,
    defaults: ['900000'],
    doc: 'Abort a transfer in that takes longer than this overall (1000..86400000).',
    parse: int(1000, 86_400_000),
  },
  journalSize: {
    flag: 'journal-size',
    env: 'ZONEXFER_JOURNAL_SIZE',
    metavar: 'N',
    repeatable: false,
    defaults: ['100'],
    doc: 'IXFR diffs kept per zone, oldest dropped first (1..100000).',
    parse: int(1, 100_000),
  },
  tcpIdleTimeoutMs: {
    flag: 'tcp-idle-timeout-ms',
    env: 'ZONEXFER_TCP_IDLE_TIMEOUT_MS',
    metavar: 'MS',
    repeatable: false,
    defaults: ['10000'],
    doc: 'Close a DNS TCP connection idle this long (100..3600000).',
    parse: int(100, 3_600_000),
  },
  tcpMaxConnections: {
    flag: 'tcp-max-connections',
    env: 'ZONEXFER_TCP_MAX_CONNECTIONS',
    metavar: 'N',
    repeatable: false,
    defaults: ['1000'],
    doc: 'Most DNS TCP connections open at once (1..1000000); at the limit, the idlest is closed to admit a new one.',
    parse: int(1, 1_000_000),
  },
  tcpMaxConnectionsPerClient: {
    flag: 'tcp-max-connections-per-client',
    env: 'ZONEXFER_TCP_MAX_CONNECTIONS_PER_CLIENT',
    metavar: 'N',
    repeatable: false,
    defaults: ['64'],
    doc: 'Most DNS TCP connections open at once from one client IP (1..1000000).',
    parse: int(1, 1_000_000),
  },
  udpMaxPayload: {
    flag: 'udp-max-payload',
    env: 'ZONEXFER_UDP_MAX_PAYLOAD',
    metavar: 'BYTES',
    repeatable: false,
    defaults: ['1232'],
    doc: 'Largest UDP response to an EDNS client (512..4096; 1232 per DNS Flag Day 2020).',
    parse: int(512, 4096),
  },
};

/** SCHEMA_KEYS lists the Config keys in schema order. */
export const SCHEMA_KEYS = Object.keys(schema) as readonly (keyof Config)[];
