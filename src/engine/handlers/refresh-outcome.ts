// How a refresh of a secondary zone ends (refresh.ts runs the transfers): the new version, its
// storing and its announcement; or the failure and its retry; and SOA EXPIRE.
//
// A secondary's new version is served as soon as it is validated, stored right after, and
// announced only once stored:
//
//   transfer validated ──▶ served (swap, atomic) ──▶ stored (compare-and-set) ──▶ announced
//                                                        │ the store fails        (NOTIFY out, change
//                                                        ▼                         feed, API serial,
//                                          still served; refresh retried soon:     'published')
//                                          the primary's serial is unchanged, so
//                                          the retry stores it whole, then announces
//
// Why served before stored: the version exists at the primary too. What the store protects is a
// restart (or another instance) serving it without a new transfer (issue 6), and exactly that is
// kept: a crash before the commit leaves exactly the previous version stored, whole, which the
// restart serves until the next refresh pulls the change again — the same as losing a commit made
// without waiting for the WAL flush (versions.ts, SaveOptions.relaxed). The commit is a database
// round trip (and for a fresh AXFR of a big zone, a second of writing) that NOTIFY → serving no
// longer waits for. What is announced — our own NOTIFYs, other instances, the API's soa_serial,
// IXFR out from other instances — is always stored first. A primary zone's change exists
// nowhere else: primary-zone.ts stores it before serving it.

import { type ZoneDiff, type ZoneVersion, computeDiff, readSoa } from '../../zone/index.js';
import type { TransferInResult } from '../../xfr/in/client.js';
import type { PeerConfig } from '../config.js';
import type { CheckUpdate, TransferEventRow, ZoneStateUpdate } from '../ports.js';
import { type EngineContext, type ZoneRuntime, appendJournal } from '../context.js';
import { adoptStored, loadStored, persistVersion } from '../persist.js';

/** FIRST_RETRY_SECONDS is the retry base before the zone has ever been transferred (no SOA to read). */
const FIRST_RETRY_SECONDS = 10;

/** Attempt is what asking one peer gave: a version (new, or the one held) or an error. */
export type Attempt = { ok: true; version: ZoneVersion; kind: 'axfr-in' | 'ixfr-in' | 'up-to-date'; detail: TransferInResult | undefined } | { ok: false; error: string };

/** RefreshEnd is what succeeded() or failed() leave for the refresh's one final write. */
export interface RefreshEnd {
  readonly history: TransferEventRow[];
  check?: CheckUpdate | undefined;
  state?: ZoneStateUpdate | undefined;
}

/** Ending is the part of a refresh's state its end needs: its transfer id, start and final write. */
export interface Ending {
  readonly xfr: string;
  readonly started: number;
  readonly end: RefreshEnd;
}

/** succeeded serves, stores and announces what a peer gave, and plans the next refresh and expiry. */
export async function succeeded(ctx: EngineContext, rt: ZoneRuntime, peer: PeerConfig, a: Extract<Attempt, { ok: true }>, old: ZoneVersion | undefined, run: Ending): Promise<void> {
  const { xfr, started } = run;
  const cfg = rt.config;
  const now = ctx.clock.now();
  rt.failures = 0;
  rt.lastOk = now;
  // Cloudflare polls every auto_refresh_seconds whatever the SOA REFRESH says; but a zone whose
  // EXPIRE is shorter is checked at half its EXPIRE, so it cannot expire while its primary is up.
  const interval = Math.min(cfg.incoming!.autoRefreshSeconds, Math.max(1, expireSeconds(rt, a.version) / 2));
  const nextRefresh = now + interval * 1000;
  const nextExpire = now + expireSeconds(rt, a.version) * 1000;
  ctx.scheduler.replace(cfg.id, 'refresh', nextRefresh);
  ctx.scheduler.replace(cfg.id, 'expire', nextExpire);
  run.end.check = { soaSerial: a.version.serial, checkedTime: new Date(now), lastError: null };
  run.end.state = { serial: a.version.serial, lastRefreshOk: new Date(now), nextRefresh: new Date(nextRefresh), nextExpire: new Date(nextExpire), lastError: null };
  if (a.kind === 'up-to-date') {
    ctx.registry.setExpired(cfg.id, false);
    // Served by an earlier refresh whose store failed: stored (whole) and announced now.
    if (rt.storedSerial !== a.version.serial) await storeAndAnnounce(ctx, rt, a.version, undefined, true, run, 'stored');
    return;
  }
  let diffs: ZoneDiff[] | undefined;
  if (a.kind === 'ixfr-in' && a.detail?.outcome.kind === 'incremental') diffs = [...a.detail.outcome.diffs];
  else if (old !== undefined && cfg.outgoing !== undefined) {
    // Multi-tier: our secondaries can IXFR. A diff that changes as many records as the zone has
    // is no smaller than the zone (RFC 1995 §4 allows the full zone instead) and would cost more
    // to encode and store than the transfer itself: the journal restarts here instead.
    const d = computeDiff(old, a.version);
    if (d.removed.length + d.added.length < a.version.recordCount) diffs = [d];
  }
  ctx.registry.install({ id: cfg.id, origin: cfg.origin, role: 'secondary', version: a.version, expired: false });
  if (diffs === undefined) rt.journal = [];
  else for (const d of diffs) appendJournal(ctx, rt, d);
  ctx.log.info(
    { zone: cfg.origin, op: a.kind, dir: 'in', remote: `${peer.ip}#${peer.port}`, key: peer.key?.name, xfr, serial: a.version.serial, records: a.version.recordCount, messages: a.detail?.messages, bytes: a.detail?.bytes, ms: now - started },
    a.kind === 'axfr-in' ? 'AXFR completed' : 'IXFR completed',
  );
  run.end.history.push({
    zoneId: cfg.id, op: a.kind, remote: peer.ip, serial: a.version.serial, ok: true, error: null, startedAt: new Date(started), finishedAt: new Date(now),
    records: a.detail?.records ?? null, bytes: a.detail?.bytes ?? null, xfrId: xfr,
  });
  // Queries already received are answered from the new version before storing starts: with the
  // embedded PGlite the store runs on this thread (a big AXFR's for most of a second). Two turns:
  // an immediate set during the event loop's I/O phase runs right after it, before any new I/O.
  await new Promise<void>((resolve) => setImmediate(() => setImmediate(resolve)));
  await storeAndAnnounce(ctx, rt, a.version, diffs, a.kind === 'axfr-in', run, a.kind);
}

/**
 * storeAndAnnounce stores a served version (its diffs, or whole) and then announces it. A lost
 * compare-and-set means another instance stored a version meanwhile: that one is served instead.
 * A failed store keeps the version served, unannounced, and retries the refresh soon.
 */
async function storeAndAnnounce(ctx: EngineContext, rt: ZoneRuntime, version: ZoneVersion, diffs: ZoneDiff[] | undefined, whole: boolean, run: Ending, kind: string): Promise<void> {
  const cfg = rt.config;
  let saved: 'saved' | 'conflict';
  try {
    saved = await persistVersion(ctx, rt, version, diffs, whole);
  } catch (e) {
    const now = ctx.clock.now();
    const error = `storing serial ${version.serial} failed: ${e instanceof Error ? e.message : String(e)}`;
    const delay = retryDelay(ctx, rt, version);
    ctx.scheduler.replace(cfg.id, 'refresh', now + delay * 1000);
    ctx.log.warn({ zone: cfg.origin, op: 'refresh', xfr: run.xfr, serial: version.serial, err: error, retryInSeconds: Math.round(delay) }, 'new version served but not stored: not announced; refresh retried');
    run.end.check = { checkedTime: new Date(now), lastError: error };
    run.end.state = { lastError: error, nextRefresh: new Date(now + delay * 1000) };
    return;
  }
  if (saved === 'conflict') {
    const stored = await loadStored(ctx, cfg.id, cfg.origin, rt);
    if (stored !== undefined) adoptStored(ctx, rt, stored);
    run.end.check = undefined;
    run.end.state = undefined;
    return;
  }
  ctx.published(cfg.id, version.serial, kind);
  if (cfg.outgoing?.enabled === true) ctx.scheduler.schedule(cfg.id, 'notify-out');
}

/** failed records a refresh in which no peer gave a version, and plans the retry. */
export function failed(ctx: EngineContext, rt: ZoneRuntime, error: string, current: ZoneVersion | undefined, run: Ending): void {
  const { xfr, started } = run;
  const cfg = rt.config;
  const now = ctx.clock.now();
  const delay = retryDelay(ctx, rt, current);
  ctx.scheduler.replace(cfg.id, 'refresh', now + delay * 1000);
  ctx.log.warn({ zone: cfg.origin, op: 'refresh', dir: 'in', xfr, err: error, retryInSeconds: Math.round(delay) }, 'refresh failed');
  run.end.history.push({ zoneId: cfg.id, op: 'refresh', remote: null, serial: current?.serial ?? null, ok: false, error, startedAt: new Date(started), finishedAt: new Date(now), xfrId: xfr });
  run.end.check = { checkedTime: new Date(now), lastError: error };
  run.end.state = { lastError: error, nextRefresh: new Date(now + delay * 1000) };
}

/**
 * retryDelay counts one more failure and returns the seconds until the retry: RFC 1034 §4.3.5's
 * SOA RETRY, doubled per failure (backoff), clamped, with ±10 % jitter.
 */
function retryDelay(ctx: EngineContext, rt: ZoneRuntime, current: ZoneVersion | undefined): number {
  rt.failures++;
  const base = current !== undefined ? readSoa(current.soa.rdata).retry : FIRST_RETRY_SECONDS;
  const t = ctx.tuning;
  const backoff = Math.min(base * 2 ** Math.min(rt.failures - 1, 16), t.maxRetrySeconds, rt.config.incoming!.autoRefreshSeconds);
  return Math.max(t.minRetrySeconds, backoff) * (0.9 + Math.random() * 0.2);
}

/** expireSeconds is the SOA EXPIRE of a version: how long it is served without a refresh. */
export function expireSeconds(_rt: ZoneRuntime, v: ZoneVersion): number {
  return readSoa(v.soa.rdata).expire;
}

/** expire makes a secondary answer SERVFAIL once SOA EXPIRE passed without a successful refresh. */
export function expire(ctx: EngineContext, rt: ZoneRuntime): void {
  const z = ctx.registry.get(rt.config.id);
  if (z === undefined || z.role !== 'secondary' || rt.lastOk === undefined) return;
  const limit = rt.lastOk + expireSeconds(rt, z.version) * 1000;
  if (ctx.clock.now() < limit) {
    ctx.scheduler.replace(rt.config.id, 'expire', limit);
    return;
  }
  ctx.registry.setExpired(rt.config.id, true);
  ctx.log.warn({ zone: rt.config.origin, op: 'refresh', serial: z.version.serial }, 'zone expired: answering SERVFAIL until a refresh succeeds');
}
