// zonexfer as a primary, configured only through its Cloudflare-compatible API (the official SDK,
// as a user would): a `full` zone with records, TSIG keys, peers (ip, port, tsig_id) linked to the
// zone's outgoing config, outgoing enabled, account ACLs. Reads back what zonexfer serves from the
// engine's registry, for comparison with what the secondaries and kdig got.

import { randomBytes } from 'node:crypto';
import type { DnsRecordInput } from '../../../src/store/index.js';
import type { ResourceRecord } from '../../../src/wire/index.js';
import type { Instance } from '../instance.js';
import { type DaemonTsig, waitFor } from './daemons.js';

/** ToolAlgorithm is a TSIG algorithm in the spelling of named.conf, knot.conf and `kdig -y`. */
export type ToolAlgorithm = 'hmac-md5' | 'hmac-sha1' | 'hmac-sha224' | 'hmac-sha256' | 'hmac-sha384' | 'hmac-sha512';

const KEY_BYTES: Record<ToolAlgorithm, number> = {
  'hmac-md5': 16, 'hmac-sha1': 20, 'hmac-sha224': 28, 'hmac-sha256': 32, 'hmac-sha384': 48, 'hmac-sha512': 64,
};

/** TestKey is a TSIG key as the daemons take it (name, algorithm, base64 secret) and as kdig does. */
export interface TestKey extends DaemonTsig {
  readonly algorithm: ToolAlgorithm;
  /** kdigArg is the `-y alg:name:secret` argument. */
  readonly kdigArg: string;
}

/**
 * newKey makes a key with a random secret the size of the HMAC output. zonexfer's API reads a
 * secret made only of hex digits as hex, so such a (most unlikely) base64 text is drawn again.
 */
export function newKey(algorithm: ToolAlgorithm, name: string): TestKey {
  let secret: string;
  do secret = randomBytes(KEY_BYTES[algorithm]).toString('base64');
  while (/^[0-9a-f]+$/i.test(secret));
  return { name, algorithm, secret, kdigArg: `${algorithm}:${name}:${secret}` };
}

/** RecordSpec is one record as the records API takes it (`name` is the FQDN, no trailing dot). */
export interface RecordSpec {
  readonly name: string;
  readonly type: 'A' | 'AAAA' | 'TXT' | 'MX' | 'CNAME' | 'NS';
  readonly content: string;
  readonly ttl: number;
  readonly priority?: number;
}

/**
 * STANDARD_RECORDS are the records the daemon tests start a zone with (changeByBatch edits them):
 * two A, an AAAA, an apex MX, a TXT and a CNAME.
 */
export function STANDARD_RECORDS(origin: string): RecordSpec[] {
  return [
    { name: `www.${origin}`, type: 'A', content: '192.0.2.10', ttl: 300 },
    { name: `www.${origin}`, type: 'AAAA', content: '2001:db8::10', ttl: 300 },
    { name: origin, type: 'MX', content: `mail.${origin}`, ttl: 600, priority: 10 },
    { name: `mail.${origin}`, type: 'A', content: '192.0.2.25', ttl: 600 },
    { name: `txt.${origin}`, type: 'TXT', content: '"zonexfer to a secondary"', ttl: 120 },
    { name: `alias.${origin}`, type: 'CNAME', content: `www.${origin}`, ttl: 300 },
  ];
}

/** createPrimaryZone creates a `full` zone and its records through the API; returns the zone id. */
export async function createPrimaryZone(zx: Instance, origin: string, records: readonly RecordSpec[]): Promise<string> {
  const zone = await zx.cf.zones.create({ name: origin, account: { id: zx.accountId }, type: 'full' });
  for (const r of records) await addRecord(zx, zone.id, r);
  await zx.engine.idle();
  return zone.id;
}

/** addRecord adds one record through the API (a new zone version, hence a new serial); returns its id. */
export async function addRecord(zx: Instance, zoneId: string, r: RecordSpec): Promise<string> {
  const created = await zx.cf.dns.records.create({ zone_id: zoneId, name: r.name, type: r.type, content: r.content, ttl: r.ttl, ...(r.priority !== undefined ? { priority: r.priority } : {}) } as never);
  return created.id;
}

/** ApiRecord is a record as the records API lists it. */
export interface ApiRecord {
  readonly id: string;
  readonly name: string;
  readonly type: string;
  readonly content: string;
  readonly ttl: number;
  readonly priority?: number;
}

/** apiRecords lists every record of the zone through the API (all pages). */
export async function apiRecords(zx: Instance, zoneId: string): Promise<ApiRecord[]> {
  const out: ApiRecord[] = [];
  for await (const r of zx.cf.dns.records.list({ zone_id: zoneId, per_page: 100 })) out.push(r as unknown as ApiRecord);
  return out;
}

/**
 * bigZoneRows makes `n` records for a zone too large for one message: alternately an A and a
 * 48-octet TXT at h<i>.<origin>, about 45 octets a record on the wire, so 20 000 records take
 * some 15 transfer messages of up to 64 KB. For zx.store.records.insertMany (then
 * zx.engine.zoneChanged): the records API takes at most 1 000 records a request.
 */
export function bigZoneRows(origin: string, n: number): DnsRecordInput[] {
  return Array.from({ length: n }, (_, i) => ({
    name: `h${i}.${origin}`,
    type: i % 2 === 0 ? 'A' : 'TXT',
    content: i % 2 === 0 ? `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}` : `"record ${String(i).padStart(6, '0')} of a multi-message transfer"`,
    ttl: 300,
    priority: null,
    proxied: false,
    comment: null,
    tags: [],
  }));
}

/**
 * changeByBatch makes one new version of a zone created with the usual test records through one
 * records-API batch: it deletes the AAAA, changes the TXT's content and mail.<origin> A's TTL
 * (600 → 900), and adds more.<origin> A. Its diff has removals, so a secondary that applies it by
 * IXFR must find each removed record exactly as it holds it.
 */
export async function changeByBatch(zx: Instance, zoneId: string, origin: string): Promise<void> {
  const api = await apiRecords(zx, zoneId);
  const find = (type: string, name?: string) => {
    const r = api.find((a) => a.type === type && (name === undefined || a.name === name));
    if (r === undefined) throw new Error(`zone ${origin} has no ${type} ${name ?? ''}`);
    return r.id;
  };
  await zx.cf.dns.records.batch({
    zone_id: zoneId,
    deletes: [{ id: find('AAAA') }],
    patches: [{ id: find('TXT'), content: '"changed by a batch"' }, { id: find('A', `mail.${origin}`), ttl: 900 }],
    posts: [{ name: `more.${origin}`, type: 'A', content: '192.0.2.100', ttl: 300 }],
  } as never);
}

/** createTsig stores a key through the API and returns its id. */
export async function createTsig(zx: Instance, key: TestKey): Promise<string> {
  const t = await zx.cf.dns.zoneTransfers.tsigs.create({ account_id: zx.accountId, name: key.name, algo: key.algorithm, secret: key.secret });
  return t.id;
}

export interface SecondarySpec {
  readonly name: string;
  readonly ip: string;
  readonly port: number;
  readonly tsigId?: string;
}

/**
 * serveTo links secondaries as peers of the zone's outgoing config and enables it, as a user does:
 * create each peer (Cloudflare's create takes only a name), set ip/port/tsig_id with an update,
 * create the outgoing config with the peers, enable. Resolves once the engine has applied the
 * enabled config (its reload is done), not when the NOTIFY that enabling sends is acknowledged:
 * the secondaries may not be running yet (start them after this) and that NOTIFY runs on, retried.
 */
export async function serveTo(zx: Instance, zoneId: string, origin: string, secondaries: readonly SecondarySpec[]): Promise<string[]> {
  const ids: string[] = [];
  for (const s of secondaries) {
    const p = await zx.cf.dns.zoneTransfers.peers.create({ account_id: zx.accountId, name: s.name });
    await zx.cf.dns.zoneTransfers.peers.update(p.id, {
      account_id: zx.accountId, name: s.name, ip: s.ip, port: s.port, ...(s.tsigId !== undefined ? { tsig_id: s.tsigId } : {}),
    });
    ids.push(p.id);
  }
  await zx.cf.dns.zoneTransfers.outgoing.create({ zone_id: zoneId, name: origin, peers: ids });
  await zx.engine.idle();
  const applied = nextEvent(zx, zoneId, 'reload');
  await zx.cf.dns.zoneTransfers.outgoing.enable({ zone_id: zoneId } as never);
  await applied;
  return ids;
}

/** nextEvent resolves when the next zone event of `type` for `zoneId` has finished (bounded). */
export function nextEvent(zx: Instance, zoneId: string, type: 'reload' | 'notify-out', timeoutMs = 20_000): Promise<void> {
  const s = zx.engine.scheduler;
  return new Promise((resolve, reject) => {
    const finish = (e?: Error) => {
      clearTimeout(timer);
      s.off('event:done', done);
      s.off('event:failed', failed);
      if (e === undefined) resolve();
      else reject(e);
    };
    const timer = setTimeout(() => finish(new Error(`no ${type} event for zone ${zoneId} within ${timeoutMs} ms`)), timeoutMs);
    const done = (ev: { zoneId: string; type: string }) => {
      if (ev.zoneId === zoneId && ev.type === type) finish();
    };
    const failed = (ev: { zoneId: string; type: string; error: unknown }) => {
      if (ev.zoneId === zoneId && ev.type === type) finish(new Error(`${type} of zone ${zoneId} failed: ${String(ev.error)}`));
    };
    s.on('event:done', done);
    s.on('event:failed', failed);
  });
}

/** servedSerial is the serial zonexfer currently serves for the zone (throws when not served). */
export function servedSerial(zx: Instance, zoneId: string): number {
  const z = zx.engine.registry.get(zoneId);
  if (z === undefined) throw new Error(`zone ${zoneId} is not served`);
  return z.version.serial;
}

/**
 * waitServedSerial waits (bounded) until zonexfer serves `serial` for the zone. API writes that
 * arrive while a reload is pending are published together, so a test that needs one version per
 * change waits for each before making the next.
 */
export async function waitServedSerial(zx: Instance, zoneId: string, serial: number, timeoutMs = 20_000): Promise<void> {
  await waitFor(`zonexfer to serve serial ${serial}`, async () => (zx.engine.registry.get(zoneId)?.version.serial === serial ? true : undefined), {
    timeoutMs,
    intervalMs: 50,
  });
}

/** servedRecords is every RR of the version zonexfer serves, SOA included once. */
export function servedRecords(zx: Instance, zoneId: string): ResourceRecord[] {
  const z = zx.engine.registry.get(zoneId);
  if (z === undefined) throw new Error(`zone ${zoneId} is not served`);
  return [...z.version.records()];
}

/** rrKey is a record as comparable text: lower-case owner, TTL, type number, RDATA hex. */
export function rrKey(r: { name: string; ttl: number; type: number; rdata: Uint8Array | string }): string {
  const owner = r.name.toLowerCase().replace(/\.?$/, '.');
  const hex = typeof r.rdata === 'string' ? r.rdata.toUpperCase() : Buffer.from(r.rdata).toString('hex').toUpperCase();
  return `${owner} ${r.ttl} ${r.type} ${hex}`;
}

/** sortedKeys is the multiset of records as sorted rrKeys. */
export function sortedKeys(rrs: readonly { name: string; ttl: number; type: number; rdata: Uint8Array | string }[]): string[] {
  return rrs.map(rrKey).sort();
}

/** transferLogs are zonexfer's own log lines about transfers out of `origin` (op axfr-out/ixfr-out). */
export function transferLogs(zx: Instance, origin: string, op?: 'axfr-out' | 'ixfr-out'): Record<string, unknown>[] {
  const o = origin.toLowerCase().replace(/\.?$/, '.');
  return zx.logs.filter((l) => {
    const zone = typeof l['zone'] === 'string' ? l['zone'].toLowerCase() : '';
    return zone === o && (op === undefined ? l['op'] === 'axfr-out' || l['op'] === 'ixfr-out' : l['op'] === op);
  });
}

/** notifyLogs are zonexfer's notify-out log lines for `origin`. */
export function notifyLogs(zx: Instance, origin: string): Record<string, unknown>[] {
  const o = origin.toLowerCase().replace(/\.?$/, '.');
  return zx.logs.filter((l) => l['op'] === 'notify-out' && typeof l['zone'] === 'string' && l['zone'].toLowerCase() === o);
}

