// Building the served version of a primary ('full') zone from its API records: the records'
// presentation `content` becomes RDATA through the zone layer's codec, and the SOA (and, when the
// user set none, the apex NS) is synthesised, as Cloudflare does for its own zones. The serial is
// the engine's, persisted in zone state; content changes bump it (RFC 1982 safe).

import { parseRdataText } from '../zone/rdata/index.js';
import { type DomainName, type ResourceRecord, RRClass, RRType, nameToWire, parseName, readName, typeFromString } from '../wire/index.js';
import { type Result, ok, err } from '../wire/result.js';
import { type Serial, ZoneBuilder, type ZoneVersion, describeZoneError } from '../zone/index.js';
import type { RecordRow } from './ports.js';

/**
 * SOA_DEFAULTS are Cloudflare's documented SOA defaults for its zones (refresh 10000, retry 2400,
 * expire 604800, minimum 1800, TTL 3600); mname defaults to the first apex NS target.
 */
export const SOA_DEFAULTS = { refresh: 10000, retry: 2400, expire: 604800, minimum: 1800, ttl: 3600 } as const;

/** AUTO_TTL is the TTL used for Cloudflare's `ttl: 1` ("automatic"). */
export const AUTO_TTL = 300;

/** TYPES_WITH_PRIORITY carry Cloudflare's separate `priority` field as their first RDATA field. */
const TYPES_WITH_PRIORITY = new Set(['MX', 'SRV', 'URI']);

/** recordToRR converts one API record into a ResourceRecord; fails with a message. */
export function recordToRR(row: RecordRow, origin: DomainName): Result<ResourceRecord, string> {
  const name = parseName(row.name.endsWith('.') ? row.name : row.name + '.');
  if (!name.ok) return err(`record ${row.id}: bad name ${row.name}`);
  const type = typeFromString(row.type);
  if (type === undefined) return err(`record ${row.id}: unknown type ${row.type}`);
  const text = TYPES_WITH_PRIORITY.has(row.type.toUpperCase()) && row.priority !== null && !/^\d+\s/.test(row.content.trim()) ? `${row.priority} ${row.content}` : row.content;
  const rdata = parseRdataText(type, text, origin);
  if (!rdata.ok) return err(`record ${row.id}: ${rdata.error}`);
  return ok({ name: name.value, type, class: RRClass.IN, ttl: row.ttl === 1 ? AUTO_TTL : row.ttl, rdata: rdata.value });
}

/** soaRdata encodes SOA RDATA from its fields (RFC 1035 §3.3.13). */
export function soaRdata(mname: DomainName, rname: DomainName, serial: Serial, timers = SOA_DEFAULTS): Uint8Array {
  const m = nameToWire(mname);
  const r = nameToWire(rname);
  const out = new Uint8Array(m.length + r.length + 20);
  out.set(m, 0);
  out.set(r, m.length);
  const v = new DataView(out.buffer, m.length + r.length, 20);
  v.setUint32(0, serial);
  v.setUint32(4, timers.refresh);
  v.setUint32(8, timers.retry);
  v.setUint32(12, timers.expire);
  v.setUint32(16, timers.minimum);
  return out;
}

/** PrimaryBuild is the built version plus the records that could not be used (logged). */
export interface PrimaryBuild {
  readonly version: ZoneVersion;
  readonly skipped: readonly string[];
}

/**
 * buildPrimaryVersion builds a primary zone version at `serial` from API records. Records that
 * do not convert are skipped and reported; apex SOA records in the rows are ignored (the SOA is
 * the engine's). Fails only when the remaining records do not form a zone.
 */
export function buildPrimaryVersion(origin: DomainName, rows: readonly RecordRow[], serial: Serial): Result<PrimaryBuild, string> {
  const builder = new ZoneBuilder(origin, RRClass.IN);
  const skipped: string[] = [];
  let firstNs: DomainName | undefined;
  const originWire = origin.toLowerCase();
  for (const row of rows) {
    const rr = recordToRR(row, origin);
    if (!rr.ok) {
      skipped.push(rr.error);
      continue;
    }
    if (rr.value.type === RRType.SOA) continue;
    if (rr.value.type === RRType.NS && rr.value.name.toLowerCase() === originWire && firstNs === undefined) {
      firstNs = readName(rr.value.rdata, 0);
    }
    const added = builder.add(rr.value);
    if (!added.ok) skipped.push(`record ${row.id}: ${describeZoneError(added.error)}`);
  }
  const mname = firstNs ?? (('ns1.' + origin) as DomainName);
  if (firstNs === undefined) {
    // RFC 1034 §4.2.1: a zone has NS records at its apex; secondaries (BIND) refuse zones without.
    builder.add({ name: origin, type: RRType.NS, class: RRClass.IN, ttl: SOA_DEFAULTS.ttl, rdata: nameToWire(mname) });
  }
  const rname = ('hostmaster.' + origin) as DomainName;
  builder.add({ name: origin, type: RRType.SOA, class: RRClass.IN, ttl: SOA_DEFAULTS.ttl, rdata: soaRdata(mname, rname, serial) });
  const built = builder.build();
  if (!built.ok) return err(describeZoneError(built.error));
  return ok({ version: built.value, skipped });
}
