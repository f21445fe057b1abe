// Driving zonexfer as a secondary in tests: configure a secondary zone through the official SDK
// (TSIG, peer, zone, incoming), wait for what the engine did (published versions, log lines, the
// stored last error) with bounded waits, and ask the in-process DNS server over UDP. Shared by the
// fake-primary integration tests and the named/knotd interop tests; asserts nothing.

import { parseTsigSecret } from '../../../src/tsig/index.js';
import type Cloudflare from 'cloudflare';
import { MessageWriter, RRClass, Rcode, type ResourceRecord, type Message, decodeMessage, nameFromTrusted, typeFromString } from '../../../src/wire/index.js';
import { soaSerial } from '../../../src/zone/index.js';
import type { Instance } from '../instance.js';
import { udpExchange } from '../server.js';

/** TsigSpec is a key as the API takes it. */
export interface TsigSpec {
  readonly name: string;
  readonly algo: string;
  readonly secret: string;
}

export interface SecondarySpec {
  readonly origin: string;
  readonly primary: { readonly host: string; readonly port: number };
  readonly ixfr?: boolean;
  readonly tsig?: TsigSpec;
  readonly autoRefreshSeconds?: number;
}

/** Secondary is a configured secondary zone and the API objects behind it. */
export interface Secondary {
  readonly zoneId: string;
  readonly peerId: string;
  readonly tsigId: string | undefined;
}

type PeerCreate = Cloudflare.DNS.ZoneTransfers.PeerCreateParams;

/**
 * addSecondary creates (through the SDK) the TSIG key if any, a peer at `primary` with ixfr_enable,
 * a secondary zone and its incoming config; the engine then schedules the first refresh.
 */
/** createTsig creates a key through the API, or through the store when the API refuses its secret. */
export async function createTsig(zx: Instance, t: { name: string; algo: string; secret: string }): Promise<{ id: string }> {
  if (parseTsigSecret(t.secret).ok) return zx.cf.dns.zoneTransfers.tsigs.create({ account_id: zx.accountId, ...t });
  return zx.store.tsigs.create(zx.accountId, t);
}

export async function addSecondary(zx: Instance, s: SecondarySpec): Promise<Secondary> {
  publishedLog(zx);
  const zt = zx.cf.dns.zoneTransfers;
  const account_id = zx.accountId;
  // A secret the API refuses (kept only by rows written before the API checked secrets) goes in
  // through the store, as such a legacy row would be.
  const tsig = s.tsig === undefined ? undefined : await createTsig(zx, s.tsig);
  // The SDK's create type has `name` only; the API stores every peer field sent (API.md §1.2).
  const peer = await zt.peers.create({
    account_id,
    name: `primary-${s.origin}`,
    ip: s.primary.host,
    port: s.primary.port,
    ixfr_enable: s.ixfr ?? false,
    ...(tsig !== undefined ? { tsig_id: tsig.id } : {}),
  } as PeerCreate);
  const zone = (await zx.cf.zones.create({ name: s.origin.replace(/\.$/, ''), account: { id: account_id }, type: 'secondary' })) as { id: string };
  await zt.incoming.create({ zone_id: zone.id, name: s.origin, peers: [peer.id], auto_refresh_seconds: s.autoRefreshSeconds ?? 86400 });
  return { zoneId: zone.id, peerId: peer.id, tsigId: tsig?.id };
}

/** Published is one 'published' event of the engine. */
export interface Published {
  readonly zoneId: string;
  readonly serial: number;
  readonly kind: string;
}

const recorders = new WeakMap<Instance, Published[]>();

/** publishedLog returns every 'published' event of the instance since the first call for it. */
export function publishedLog(zx: Instance): Published[] {
  let r = recorders.get(zx);
  if (r === undefined) {
    const events: Published[] = [];
    zx.engine.on('published', (e) => events.push(e));
    recorders.set(zx, (r = events));
  }
  return r;
}

/**
 * waitPublished resolves with the first 'published' event for `zoneId` (with `serial` when given)
 * at index `after` or later of publishedLog, and fails after `timeoutMs` with the recent log.
 */
export function waitPublished(zx: Instance, zoneId: string, o: { serial?: number; after?: number; timeoutMs?: number } = {}): Promise<Published> {
  const log = publishedLog(zx);
  return waitFor(
    `a version of ${zoneId}${o.serial !== undefined ? ` with serial ${o.serial}` : ''} to be published`,
    () => log.slice(o.after ?? 0).find((e) => e.zoneId === zoneId && (o.serial === undefined || e.serial === o.serial)),
    { timeoutMs: o.timeoutMs ?? 20_000, detail: () => `recent log:\n${recentLog(zx)}` },
  );
}

/** nextPublished is waitPublished for events after now: call it before triggering the change. */
export function nextPublished(zx: Instance, zoneId: string, o: { serial?: number; timeoutMs?: number } = {}): Promise<Published> {
  return waitPublished(zx, zoneId, { ...o, after: publishedLog(zx).length });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** waitFor polls `probe` until it returns a value other than undefined; bounded by `timeoutMs`. */
export async function waitFor<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, o: { timeoutMs?: number; intervalMs?: number; detail?: () => string } = {}): Promise<T> {
  const timeoutMs = o.timeoutMs ?? 20_000;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${o.detail !== undefined ? `\n${o.detail()}` : ''}`);
    await sleep(o.intervalMs ?? 50);
  }
}

/** logsOf returns zonexfer's log lines about `origin` (absolute name), optionally of one op. */
export function logsOf(zx: Instance, origin: string, op?: string): Record<string, unknown>[] {
  const o = origin.endsWith('.') ? origin : `${origin}.`;
  return zx.logs.filter((l) => typeof l['zone'] === 'string' && (l['zone'] as string).toLowerCase() === o.toLowerCase() && (op === undefined || l['op'] === op));
}

/** recentLog renders the last log lines for a failure message. */
export function recentLog(zx: Instance, n = 15): string {
  return zx.logs
    .slice(-n)
    .map((l) => JSON.stringify({ zone: l['zone'], op: l['op'], msg: l['msg'], err: l['err'], reason: l['reason'], serial: l['serial'] }))
    .join('\n');
}

/** lastError returns the zone's persisted last refresh error (zone_state.last_error; the API does not expose it). */
export async function lastError(zx: Instance, zoneId: string): Promise<string | null> {
  return (await zx.store.zoneState.get(zoneId))?.lastError ?? null;
}

/** served returns the version the engine serves for a zone, and whether it is expired. */
export function served(zx: Instance, zoneId: string): { serial: number; expired: boolean; records: number; version: unknown } | undefined {
  const z = zx.engine.registry.get(zoneId);
  return z === undefined ? undefined : { serial: z.version.serial, expired: z.expired, records: z.version.recordCount, version: z.version };
}

/** Answer is a decoded UDP answer from zonexfer. */
export interface Answer {
  readonly rcode: number;
  readonly answers: readonly ResourceRecord[];
  readonly message: Message;
}

/** ask queries zonexfer's DNS server over UDP for (name, type); undefined on timeout. */
export async function ask(zx: Instance, name: string, type: string): Promise<Answer | undefined> {
  const w = new MessageWriter(512);
  const id = Math.floor(Math.random() * 0x10000);
  w.header(id, 0);
  w.question(nameFromTrusted(name.endsWith('.') ? name : `${name}.`), typeFromString(type)!, RRClass.IN);
  const raw = await udpExchange('127.0.0.1', zx.dnsPort, w.finish());
  if (raw === undefined) return undefined;
  const d = decodeMessage(raw);
  if (!d.ok) throw new Error(`undecodable answer from zonexfer: ${d.error.reason}`);
  return { rcode: d.value.header.flags & 0xf, answers: d.value.answers, message: d.value };
}

/** soaSerialOf asks zonexfer for `origin` SOA: the serial, or the rcode name when it is not NOERROR. */
export async function soaSerialOf(zx: Instance, origin: string): Promise<number | 'SERVFAIL' | 'REFUSED' | 'timeout' | `rcode ${number}`> {
  const a = await ask(zx, origin, 'SOA');
  if (a === undefined) return 'timeout';
  if (a.rcode === Rcode.ServFail) return 'SERVFAIL';
  if (a.rcode === Rcode.Refused) return 'REFUSED';
  const soa = a.answers[0];
  if (a.rcode !== Rcode.NoError || soa === undefined) return `rcode ${a.rcode}`;
  return soaSerial(soa.rdata);
}
