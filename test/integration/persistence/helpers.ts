// Shared pieces of the persistence tests (issue 6): databases for the real process (a PGlite data
// dir in a temp folder, or a fresh Postgres schema reached through the URL's search_path), big
// generated zones and a primary that serves them (AXFR, and IXFR from the previous version), the
// zone as zonexfer serves it (SOA over UDP, whole zone by AXFR) and as the store holds it
// (current version decoded, journal), compared by a digest of the sorted record set.

import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Cloudflare from 'cloudflare';
import { openPg } from '../../../src/store/adapters/pg.js';
import { openPglite } from '../../../src/store/adapters/pglite.js';
import { type Sql, type Store, openStore } from '../../../src/store/index.js';
import { MessageWriter, RRClass, RRType, Rcode, type ResourceRecord, decodeMessage, nameFromTrusted, nameKey, nameToWire, parseName } from '../../../src/wire/index.js';
import { transferIn } from '../../../src/xfr/in/client.js';
import { type ZoneDiff, ZoneBuilder, type ZoneVersion, applyDiff, computeDiff, decodeDiff, decodeSnapshot, describeZoneError, soaSerial } from '../../../src/zone/index.js';
import { type StoreKind, createSchema, databaseUrl, dropSchema } from '../../helpers/db.js';
import { FakePrimary, type FakeReply, type FakeRequest, answerAxfr, answerIxfr, answerRcode, answerSoa } from '../../helpers/fake-primary.js';
import { pgUrl } from '../../helpers/process.js';
import { udpExchange } from '../../helpers/server.js';

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** storeKinds: PGlite always, Postgres when DATABASE_URL is set. */
export function storeKinds(): StoreKind[] {
  return databaseUrl() !== undefined ? ['pglite', 'pg'] : ['pglite'];
}

// ---------------------------------------------------------------------------------------------
// Databases for the real process.

/** ProcessDb is one database a zonexfer process runs on, plus direct access for assertions. */
export interface ProcessDb {
  readonly kind: StoreKind;
  /** dataDir: a fresh temp folder, --data (PGlite keeps its files in <dataDir>/pglite). */
  readonly dataDir: string;
  /** databaseUrl: --database-url for pg (search_path pinned to this db's schema). */
  readonly databaseUrl: string | undefined;
  /** open opens the store directly (PGlite: only while no zonexfer runs on the folder). */
  open(): Promise<Store>;
  /** sql opens a raw connection to the same database (to damage rows on purpose); close it after. */
  sql(): Promise<Sql>;
  cleanup(): Promise<void>;
}

/** newProcessDb makes a PGlite data dir or a Postgres schema for one test. */
export async function newProcessDb(kind: StoreKind): Promise<ProcessDb> {
  const dataDir = mkdtempSync(join(tmpdir(), 'zx-persist-'));
  if (kind === 'pglite') {
    return {
      kind,
      dataDir,
      databaseUrl: undefined,
      open: () => openStore({ dataDir }),
      sql: () => openPglite({ dataDir: join(dataDir, 'pglite') }),
      cleanup: async () => rmSync(dataDir, { recursive: true, force: true }),
    };
  }
  const url = databaseUrl();
  if (url === undefined) throw new Error('pg needs DATABASE_URL');
  const schema = await createSchema(url);
  return {
    kind,
    dataDir,
    databaseUrl: pgUrl(url, schema),
    open: () => openStore({ databaseUrl: url, dataDir, searchPath: schema, poolSize: 2 }),
    sql: () => openPg({ connectionString: url, searchPath: schema, max: 1 }),
    async cleanup() {
      await dropSchema(url, schema);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** StoredZone is a zone's state as the store holds it. */
export interface StoredZone {
  /** serial: zone_current.serial (undefined: nothing stored). */
  readonly serial: number | undefined;
  /** version: the stored snapshot with the diffs after it applied (what a restart serves). */
  readonly version: ZoneVersion | undefined;
  /** baseSerial / diffsAfterBase: the snapshot the version is built from, and how many diffs follow it. */
  readonly baseSerial: number | undefined;
  readonly diffsAfterBase: number;
  /** journalSerials: [serial_from, serial_to] of every zone_journal row, oldest first. */
  readonly journalSerials: [number, number][];
}

/**
 * readStored decodes the zone's stored state the way a restart does — snapshot, then every diff
 * after it — and fails loudly on anything damaged or inconsistent (a diff that does not decode or
 * apply, diffs that do not chain, a count that does not match, a serial that does not add up).
 */
export async function readStored(store: Store, zoneId: string, origin: string): Promise<StoredZone> {
  const rows = await store.versions.journal(zoneId);
  const journalSerials = rows.map((r): [number, number] => [r.serialFrom, r.serialTo]);
  for (const e of rows) {
    const d = decodeDiff(e.diff);
    if (!d.ok) throw new Error(`journal row ${e.serialFrom}→${e.serialTo} of ${origin} does not decode: ${d.error.detail}`);
  }
  const cur = await store.versions.current(zoneId);
  if (cur === null) return { serial: undefined, version: undefined, baseSerial: undefined, diffsAfterBase: 0, journalSerials };
  const name = parseName(origin);
  if (!name.ok) throw new Error(`bad origin ${origin}`);
  const b = cur.base;
  const soa: ResourceRecord = { name: name.value, type: RRType.SOA, class: RRClass.IN, ttl: b.soaTtl, rdata: b.soaRdata };
  const decoded = decodeSnapshot(name.value, RRClass.IN, soa, b.chunks);
  if (!decoded.ok) throw new Error(`stored snapshot ${b.serial} of ${origin} is damaged: ${decoded.error.detail}`);
  if (decoded.value.recordCount !== b.recordCount) throw new Error(`stored snapshot ${b.serial}: ${decoded.value.recordCount} records decoded, row says ${b.recordCount}`);
  let v = decoded.value;
  for (const e of cur.diffs) {
    if (e.serialFrom !== v.serial) throw new Error(`stored diff ${e.serialFrom}→${e.serialTo} of ${origin} does not follow serial ${v.serial}`);
    const d = decodeDiff(e.diff);
    if (!d.ok) throw new Error(`stored diff ${e.serialFrom}→${e.serialTo} of ${origin} is damaged: ${d.error.detail}`);
    const next = applyDiff(v, d.value);
    if (!next.ok) throw new Error(`stored diff ${e.serialFrom}→${e.serialTo} of ${origin} does not apply: ${describeZoneError(next.error)}`);
    v = next.value;
  }
  if (v.serial !== cur.serial) throw new Error(`stored state of ${origin}: snapshot and diffs give serial ${v.serial}, zone_current says ${cur.serial}`);
  return { serial: cur.serial, version: v, baseSerial: b.serial, diffsAfterBase: cur.diffs.length, journalSerials };
}

// ---------------------------------------------------------------------------------------------
// Zones.

/** digest is a hash of the sorted record set (owner, type, TTL, RDATA), the SOA included. */
export function digest(v: ZoneVersion | Iterable<ResourceRecord>): string {
  const rrs = 'records' in v && typeof v.records === 'function' ? v.records() : (v as Iterable<ResourceRecord>);
  const lines: string[] = [];
  for (const r of rrs) lines.push(`${nameKey(r.name)} ${r.type} ${r.ttl} ${Buffer.from(r.rdata).toString('hex')}`);
  lines.sort();
  const h = createHash('sha256');
  for (const l of lines) h.update(l).update('\n');
  return `${lines.length}:${h.digest('hex').slice(0, 16)}`;
}

function soaRdata(origin: string, serial: number): Uint8Array {
  const m = nameToWire(nameFromTrusted(`ns1.${origin}`));
  const r = nameToWire(nameFromTrusted(`hostmaster.${origin}`));
  const out = Buffer.alloc(m.length + r.length + 20);
  out.set(m, 0);
  out.set(r, m.length);
  let p = m.length + r.length;
  for (const v of [serial, 7200, 3600, 1209600, 300]) p = out.writeUInt32BE(v, p);
  return out;
}

/**
 * bigZone builds a zone of about `n` records at `serial`: apex SOA/NS, then `h<i>` with an A record
 * and every tenth a TXT. Records whose index is a multiple of `changeEvery` (1 = all) carry
 * `generation` in their RDATA, so two generations differ in exactly those records.
 */
export function bigZone(origin: string, serial: number, n: number, generation: number, changeEvery = 1): ZoneVersion {
  const o = nameFromTrusted(origin);
  const b = new ZoneBuilder(o);
  const add = (rr: ResourceRecord) => {
    const r = b.add(rr);
    if (!r.ok) throw new Error(`bigZone: ${JSON.stringify(r.error)}`);
  };
  add({ name: o, type: RRType.SOA, class: RRClass.IN, ttl: 3600, rdata: soaRdata(origin, serial) });
  add({ name: o, type: RRType.NS, class: RRClass.IN, ttl: 3600, rdata: nameToWire(nameFromTrusted(`ns1.${origin}`)) });
  add({ name: nameFromTrusted(`ns1.${origin}`), type: RRType.A, class: RRClass.IN, ttl: 3600, rdata: Uint8Array.from([192, 0, 2, 1]) });
  let count = 3;
  for (let i = 0; count < n; i++) {
    const g = i % changeEvery === 0 ? generation : 0;
    const name = nameFromTrusted(`h${i}.${origin}`);
    add({ name, type: RRType.A, class: RRClass.IN, ttl: 300, rdata: Uint8Array.from([10, g & 0xff, (i >> 8) & 0xff, i & 0xff]) });
    count++;
    if (i % 10 === 0 && count < n) {
      const txt = Buffer.from(`gen ${g} host ${i}`);
      add({ name, type: RRType.TXT, class: RRClass.IN, ttl: 300, rdata: Buffer.concat([Buffer.from([txt.length]), txt]) });
      count++;
    }
  }
  const v = b.build();
  if (!v.ok) throw new Error(`bigZone: ${JSON.stringify(v.error)}`);
  return v.value;
}

/**
 * VersionPrimary is a FakePrimary for big zones that keeps only the current and the previous
 * version (and the diff between them): SOA, AXFR, and IXFR from the previous serial.
 */
export class VersionPrimary {
  cur: ZoneVersion;
  prev: ZoneVersion | undefined;
  diff: ZoneDiff | undefined;
  /** axfrs / ixfrs count the transfers served. */
  axfrs = 0;
  ixfrs = 0;

  private constructor(
    readonly fake: FakePrimary,
    first: ZoneVersion,
  ) {
    this.cur = first;
  }

  static async start(first: ZoneVersion): Promise<VersionPrimary> {
    const ref: { self?: VersionPrimary } = {};
    const fake = await FakePrimary.start({ script: (req) => ref.self!.reply(req) });
    ref.self = new VersionPrimary(fake, first);
    return ref.self;
  }

  get port(): number {
    return this.fake.port;
  }

  /** publish makes `v` current; IXFR from the old current serial then gets one diff. */
  publish(v: ZoneVersion, withDiff: boolean): void {
    this.prev = this.cur;
    this.diff = withDiff ? computeDiff(this.cur, v) : undefined;
    this.cur = v;
  }

  private reply(req: FakeRequest): FakeReply {
    const z = this.cur;
    if (nameKey(req.qname) !== nameKey(z.origin)) return [answerRcode(req, Rcode.Refused)];
    if (req.qtype === RRType.SOA) return [answerSoa(req, z)];
    if (req.transport !== 'tcp') return [answerRcode(req, Rcode.NotImp)];
    if (req.qtype === RRType.IXFR) {
      this.ixfrs++;
      if (req.ixfrSerial === z.serial) return answerIxfr(req, z, []);
      if (req.ixfrSerial === this.prev?.serial && this.diff !== undefined) return answerIxfr(req, z, [this.diff]);
      return answerAxfr(req, z, { qtype: RRType.IXFR });
    }
    if (req.qtype === RRType.AXFR) {
      this.axfrs++;
      return answerAxfr(req, z);
    }
    return [answerRcode(req, Rcode.NotImp)];
  }

  close(): Promise<void> {
    return this.fake.close();
  }
}

// ---------------------------------------------------------------------------------------------
// What zonexfer serves.

/** soaOf asks 127.0.0.1:`port` for the zone's SOA over UDP: the serial, or a word for what came back. */
export async function soaOf(port: number, origin: string, timeoutMs = 2000): Promise<number | string> {
  const w = new MessageWriter(512);
  const id = Math.floor(Math.random() * 0x10000);
  w.header(id, 0);
  w.question(nameFromTrusted(origin), RRType.SOA, RRClass.IN);
  const raw = await udpExchange('127.0.0.1', port, w.finish(), timeoutMs);
  if (raw === undefined) return 'timeout';
  const d = decodeMessage(raw);
  if (!d.ok) return 'undecodable';
  const rcode = d.value.header.flags & 0xf;
  const soa = d.value.answers.find((r) => r.type === RRType.SOA);
  if (rcode !== Rcode.NoError || soa === undefined) return `rcode ${rcode}`;
  return soaSerial(soa.rdata);
}

/** axfrOf pulls the whole zone from zonexfer (AXFR over TCP); throws when refused or broken. */
export async function axfrOf(port: number, origin: string): Promise<ZoneVersion> {
  const r = await transferIn({ peer: { host: '127.0.0.1', port }, origin: nameFromTrusted(origin), qtype: RRType.AXFR, timeouts: { connectMs: 5000, idleMs: 20_000, overallMs: 120_000 } });
  if (!r.ok) throw new Error(`AXFR of ${origin} from zonexfer failed: ${JSON.stringify(r.error)}`);
  if (r.value.outcome.kind !== 'full') throw new Error(`AXFR of ${origin}: ${r.value.outcome.kind}`);
  return r.value.outcome.version;
}

/** ixfrOf asks zonexfer for an IXFR from `soa` (RFC 1995); throws unless the answer is incremental. */
export async function ixfrOf(port: number, origin: string, soa: ResourceRecord): Promise<readonly ZoneDiff[]> {
  const r = await transferIn({ peer: { host: '127.0.0.1', port }, origin: nameFromTrusted(origin), qtype: RRType.IXFR, currentSoa: soa, timeouts: { connectMs: 5000, idleMs: 20_000, overallMs: 60_000 } });
  if (!r.ok) throw new Error(`IXFR of ${origin} from zonexfer failed: ${JSON.stringify(r.error)}`);
  if (r.value.outcome.kind !== 'incremental') throw new Error(`IXFR of ${origin}: ${r.value.outcome.kind}, not incremental`);
  return r.value.outcome.diffs;
}

/** waitUntil polls `probe` until it returns something other than undefined (bounded). */
export async function waitUntil<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, timeoutMs = 20_000, intervalMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last !== undefined ? ` (last error: ${String(last)})` : ''}`);
    await sleep(intervalMs);
  }
}

// ---------------------------------------------------------------------------------------------
// Configuration through the API (the official SDK), as a user would.

type PeerCreate = Cloudflare.DNS.ZoneTransfers.PeerCreateParams;

/** setupAccount creates an account with an ACL letting 127.0.0.1 transfer its zones; returns its id. */
export async function setupAccount(cf: Cloudflare): Promise<string> {
  const account = (await cf.accounts.create({ name: 'persistence', type: 'standard' } as never)) as unknown as { id: string };
  await cf.dns.zoneTransfers.acls.create({ account_id: account.id, name: 'tests', ip_range: '127.0.0.1/32' });
  return account.id;
}

/**
 * addSecondaryZone creates a peer at 127.0.0.1:`primaryPort`, a secondary zone with an incoming
 * config on it and an enabled outgoing config without peers (so the ACL lets the test AXFR it).
 */
export async function addSecondaryZone(cf: Cloudflare, accountId: string, origin: string, primaryPort: number, o: { ixfr?: boolean; autoRefreshSeconds?: number } = {}): Promise<string> {
  const zt = cf.dns.zoneTransfers;
  const peer = await zt.peers.create({ account_id: accountId, name: `primary-${origin}`, ip: '127.0.0.1', port: primaryPort, ixfr_enable: o.ixfr ?? false } as PeerCreate);
  const zone = (await cf.zones.create({ name: origin.replace(/\.$/, ''), account: { id: accountId }, type: 'secondary' })) as { id: string };
  await zt.incoming.create({ zone_id: zone.id, name: origin, peers: [peer.id], auto_refresh_seconds: o.autoRefreshSeconds ?? 86400 });
  await zt.outgoing.create({ zone_id: zone.id, name: origin, peers: [] });
  await zt.outgoing.enable({ zone_id: zone.id } as never);
  return zone.id;
}

/** addPrimaryZone creates a `full` zone with outgoing enabled (peers as given); returns its id. */
export async function addPrimaryZone(cf: Cloudflare, accountId: string, origin: string, peers: string[] = []): Promise<string> {
  const zone = (await cf.zones.create({ name: origin.replace(/\.$/, ''), account: { id: accountId }, type: 'full' })) as { id: string };
  await cf.dns.zoneTransfers.outgoing.create({ zone_id: zone.id, name: origin, peers });
  await cf.dns.zoneTransfers.outgoing.enable({ zone_id: zone.id } as never);
  return zone.id;
}

/** RecordPost is one record for the batch endpoint. */
export interface RecordPost {
  readonly name: string;
  readonly type: string;
  readonly content: string;
  readonly ttl: number;
}

/** postBatch posts records through /dns_records/batch (≤ 1000 per call). */
export async function postBatch(apiUrl: string, token: string, zoneId: string, posts: readonly RecordPost[], signal?: AbortSignal): Promise<Response> {
  return fetch(`${apiUrl}/zones/${zoneId}/dns_records/batch`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ posts }),
    ...(signal !== undefined ? { signal } : {}),
  });
}

/** hosts returns `count` A records h<from+i>.<origin> with content from `generation`. */
export function hosts(origin: string, from: number, count: number, generation: number): RecordPost[] {
  const bare = origin.replace(/\.$/, '');
  return Array.from({ length: count }, (_, k) => {
    const i = from + k;
    return { name: `h${i}.${bare}`, type: 'A', content: `10.${generation & 0xff}.${(i >> 8) & 0xff}.${i & 0xff}`, ttl: 300 };
  });
}
