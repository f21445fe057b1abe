// The refresh handler of secondary zones (RFC 1034 §4.3.5, RFC 1995, RFC 5936, Cloudflare's
// incoming semantics): ask each peer in turn whether it has a newer serial (RFC 1982), and if so,
// or on force AXFR, transfer; then validate and swap the version in. A failure leaves the old
// version serving. Timers: the next check after auto_refresh_seconds (Cloudflare ignores the SOA
// REFRESH); after a failure a retry with exponential backoff and jitter from the SOA RETRY,
// clamped; SOA EXPIRE without success makes the zone SERVFAIL.
//
// With a peer that allows IXFR and a version held, the IXFR request itself is the serial check
// (RFC 1995 §2, §4: it carries our SOA, and a primary with nothing newer answers its SOA alone),
// as NSD's xfrd does: no separate SOA query, one round trip less on every NOTIFY. The SOA probe
// comes only before an AXFR, so a primary whose IXFR fails is not pulled in full while current.
//
//   [idle] ──refresh due──▶ IXFR (peer allows it) ──ok──▶ diffs applied / current / full zone
//                               │ fails, diffs do not apply            │
//                               ▼                                      │
//                           SOA probe ──not newer──▶ current ──────────┤
//                               │ newer / forced / no version yet      │
//                               ▼                                      │
//                             AXFR ──fail──▶ next peer ──none left──▶ retry
//                               └──ok──────────────────────────────────┴──▶ publish, NOTIFY out
//
// The first peer's request (IXFR, or the SOA probe) goes out before the refresh lease is taken
// (it only reads; without the lease its answer is dropped), and the lease is asked for once it is
// on the wire, or not at all while it lingers from the zone's last refresh (lease.ts). An IXFR's
// answer is applied as it arrives, also before the lease is held: applying is pure, and only
// `succeeded` installs the result. The NOTIFY's history row waits for the refresh (history.ts).
//
// Every log line of one refresh carries the same transfer id (`xfr`), also kept in the history;
// each AXFR/IXFR exchange is reported to ctx.observe (metrics). When the engine stops, a refresh
// waiting on the network is aborted (observe.ts): kept in the history as failed, no retry planned.

import { RRType } from '../../wire/index.js';
import { type XfrError, describeXfrError } from '../../xfr/errors.js';
import { type TransferInOptions, type TransferInResult, querySoa, transferIn } from '../../xfr/in/client.js';
import { type ZoneDiff, type ZoneVersion, applyDiff, compareSerial, computeDiff, describeZoneError, readSoa } from '../../zone/index.js';
import type { PeerConfig } from '../config.js';
import type { CheckUpdate, TransferEventRow, ZoneStateUpdate } from '../ports.js';
import { type EngineContext, type ZoneRuntime, appendJournal } from '../context.js';
import { takePendingHistory } from '../history.js';
import { holdLease, leaseRenewal, lingerLease, takeLease } from '../lease.js';
import { EngineAborted, type XfrResult, abortable, newXfrId } from '../observe.js';
import { adoptStored, loadStored, persistVersion } from '../persist.js';

/** DEFAULT_SOA_RETRY is used before the zone has ever been transferred (no SOA to read). */
const FIRST_RETRY_SECONDS = 10;

type Attempt = { ok: true; version: ZoneVersion; kind: 'axfr-in' | 'ixfr-in' | 'up-to-date'; detail: TransferInResult | undefined } | { ok: false; error: string };

/** refresh runs one refresh of a secondary zone; `force` transfers by AXFR whatever the serials. */
export async function refresh(ctx: EngineContext, rt: ZoneRuntime, force: boolean): Promise<void> {
  const cfg = rt.config;
  const inc = cfg.incoming;
  if (cfg.type !== 'secondary' || inc === undefined) return;
  // One instance at a time refreshes a zone (issue 6; lease.ts). The lease is short and renewed
  // while the refresh runs: a holder that dies (kill -9, lost host) frees the zone after
  // leaseSeconds, not after a whole transfer timeout. A forced AXFR that has to wait stays a
  // forced AXFR.
  const current = ctx.registry.get(cfg.id);
  const currentVersion = current?.role === 'secondary' ? current.version : undefined;
  const xfr = newXfrId();
  const early = earlyRequest(ctx, rt, force, currentVersion, xfr);
  // The lease is asked for once the first request is on the wire: a database round trip before
  // it would delay the request (the connect completes on a later turn of the event loop), and the
  // lease is granted while the primary prepares its answer.
  await early?.sent;
  if (!(await takeLease(ctx, rt))) {
    ctx.log.debug({ zone: cfg.origin, op: 'refresh' }, 'another instance holds the refresh lease');
    ctx.scheduler.replace(cfg.id, force ? 'force-axfr' : 'refresh', ctx.clock.now() + Math.min(5000, ctx.tuning.leaseSeconds * 1000));
    return;
  }
  const stopRenewing = holdLease(ctx, rt);
  const started = ctx.clock.now();
  const run: Run = { xfr, started, early, background: [], end: { history: [] } };
  try {
    await refreshHeld(ctx, rt, force, run, currentVersion);
  } catch (e) {
    if (!(e instanceof EngineAborted)) throw e;
    ctx.log.warn({ zone: cfg.origin, op: 'refresh', dir: 'in', xfr, err: e.message }, 'refresh aborted');
    const serial = ctx.registry.get(cfg.id)?.version.serial ?? null;
    run.end.history.push({
      zoneId: cfg.id, op: 'refresh', remote: null, serial, ok: false, error: e.message, startedAt: new Date(started), finishedAt: new Date(ctx.clock.now()), xfrId: xfr,
    });
  } finally {
    stopRenewing();
    await Promise.all(run.background);
    await finishRefresh(ctx, rt, run.end);
  }
}

/**
 * finishRefresh writes what the refresh ends with in one statement, after the version is served:
 * the history rows waiting for it (the NOTIFY's) and its own, the check and state, and the
 * lease's renewal, which then lingers (lease.ts). A failed write is logged: the zone is served.
 */
async function finishRefresh(ctx: EngineContext, rt: ZoneRuntime, end: RefreshEnd): Promise<void> {
  const lease = leaseRenewal(ctx, rt);
  const asked = ctx.clock.now();
  const history = [...takePendingHistory(rt), ...end.history];
  try {
    const r = await ctx.store.zoneState.finishRefresh(rt.config.id, { ...end, history, ...(lease !== undefined ? { lease } : {}) });
    lingerLease(ctx, rt, asked, r.leaseKept);
  } catch (e) {
    lingerLease(ctx, rt, asked, false);
    ctx.log.warn({ zone: rt.config.origin, op: 'refresh', err: e instanceof Error ? e.message : String(e) }, 'writing the end of a refresh failed');
  }
}

/** RefreshEnd is what succeeded() or failed() leave for finishRefresh to write. */
interface RefreshEnd {
  readonly history: TransferEventRow[];
  check?: CheckUpdate;
  state?: ZoneStateUpdate;
}

/**
 * Run is one refresh's state: its transfer id and start, the first peer's request started before
 * the lease, and store writes left running in the background (awaited before the final ones, so
 * those land last).
 */
interface Run {
  readonly xfr: string;
  readonly started: number;
  readonly early: Early | undefined;
  readonly background: Promise<void>[];
  readonly end: RefreshEnd;
}

/** Early is the first peer's request, sent while the lease is taken: its IXFR, or its SOA probe. */
type Early = { readonly sent: Promise<void> } & (
  | { readonly kind: 'ixfr'; readonly peer: PeerConfig; readonly pull: ReturnType<typeof pullIxfr> }
  | { readonly kind: 'soa'; readonly peer: PeerConfig; readonly soa: ReturnType<typeof probeSoa> }
);

/** earlyRequest starts the first peer's read-only request of a refresh that holds a version. */
function earlyRequest(ctx: EngineContext, rt: ZoneRuntime, force: boolean, current: ZoneVersion | undefined, xfr: string): Early | undefined {
  const peer = rt.config.incoming?.peers.find((p) => p.ip !== null && p.keyError === undefined);
  if (force || current === undefined || peer === undefined) return undefined;
  let early: Early;
  if (peer.ixfr) {
    let sent!: () => void;
    const onSent = new Promise<void>((resolve) => (sent = resolve));
    const p = pullIxfr(ctx, rt, peer, xfr, current, sent);
    // Sent, or ended otherwise (an engine stop aborts the pull before its connect completes).
    const ended = p.then(() => undefined, () => undefined);
    early = { kind: 'ixfr', peer, sent: Promise.race([onSent, ended]), pull: p };
  } else {
    // The SOA probe goes out over UDP at once.
    early = { kind: 'soa', peer, sent: Promise.resolve(), soa: probeSoa(ctx, rt, peer) };
  }
  // An abort is seen by its consumer; a request nobody consumes (no lease) is dropped.
  (early.kind === 'ixfr' ? early.pull : early.soa).catch(() => undefined);
  return early;
}

/** ixfrOptions asks `peer` for the diffs from the version we hold (RFC 1995 §3). */
function ixfrOptions(ctx: EngineContext, rt: ZoneRuntime, peer: PeerConfig, current: ZoneVersion): TransferInOptions {
  return { peer: addressOf(peer), origin: rt.config.origin, qtype: RRType.IXFR, currentSoa: current.soa, limits: ctx.tuning.xfrLimits, timeouts: ctx.tuning.xfrTimeouts };
}

/** addressOf is where a peer (with an IP) is asked, and with which TSIG key. */
const addressOf = (peer: PeerConfig) => ({ host: peer.ip!, port: peer.port, key: peer.key });

/** probeSoa asks one peer for the zone's SOA (UDP, TCP on truncation), bounded and abortable. */
function probeSoa(ctx: EngineContext, rt: ZoneRuntime, peer: PeerConfig): ReturnType<typeof querySoa> {
  return abortable(querySoa(addressOf(peer), rt.config.origin, { timeoutMs: Math.min(ctx.tuning.xfrTimeouts.connectMs, 5000) }), ctx.signal);
}

async function refreshHeld(ctx: EngineContext, rt: ZoneRuntime, force: boolean, run: Run, currentVersion: ZoneVersion | undefined): Promise<void> {
  const cfg = rt.config;
  const inc = cfg.incoming!;
  const { xfr } = run;
  const errors: string[] = [];
  for (const peer of inc.peers) {
    if (peer.ip === null) continue;
    if (peer.keyError !== undefined) {
      errors.push(`${peer.name}: ${peer.keyError}`);
      continue;
    }
    const attempt = await tryPeer(ctx, rt, peer, currentVersion, force, run);
    if (attempt.ok) {
      await Promise.all(run.background);
      await succeeded(ctx, rt, peer, attempt, currentVersion, run);
      return;
    }
    errors.push(`${peer.ip}#${peer.port}: ${attempt.error}`);
    ctx.log.warn({ zone: cfg.origin, op: 'refresh', dir: 'in', remote: `${peer.ip}#${peer.port}`, key: peer.key?.name, xfr, err: attempt.error }, 'refresh from peer failed');
  }
  await Promise.all(run.background);
  failed(ctx, rt, errors.length > 0 ? errors.join('; ') : 'no peer with an IP address', currentVersion, run);
}

/**
 * pull runs one AXFR or IXFR from a peer, abortable by the engine's stop; `report` then tells
 * ctx.observe how it ended (the caller decides: an IXFR received whole may still not apply).
 */
async function pull(ctx: EngineContext, rt: ZoneRuntime, peer: PeerConfig, xfr: string, o: TransferInOptions): Promise<{ r: Awaited<ReturnType<typeof transferIn>>; report: (result: XfrResult) => void }> {
  const t0 = ctx.clock.now();
  const observe = (result: XfrResult, detail: TransferInResult | undefined) =>
    ctx.observe.transfer({
      xfr, zoneId: rt.config.id, zone: rt.config.origin, dir: 'in', type: o.qtype === RRType.AXFR ? 'AXFR' : 'IXFR', peer: peer.ip ?? '',
      result, ms: ctx.clock.now() - t0, bytes: detail?.bytes ?? 0, records: detail?.records ?? 0,
    });
  try {
    const r = await abortable(transferIn(o), ctx.signal);
    return { r, report: (result) => observe(result, r.ok ? r.value : undefined) };
  } catch (e) {
    if (e instanceof EngineAborted) observe('aborted', undefined);
    throw e;
  }
}

/**
 * pullIxfr runs an IXFR and applies its answer to `current` as soon as it arrives: applying is
 * pure (the version is only installed by `succeeded`, with the lease held), so it runs while the
 * lease may still be on its way.
 */
async function pullIxfr(ctx: EngineContext, rt: ZoneRuntime, peer: PeerConfig, xfr: string, current: ZoneVersion, onRequestSent?: () => void) {
  const o = ixfrOptions(ctx, rt, peer, current);
  const p = await pull(ctx, rt, peer, xfr, onRequestSent === undefined ? o : { ...o, onRequestSent });
  const r = p.r.ok ? { ok: true as const, value: p.r.value, applied: applyOutcome(p.r.value, current) } : p.r;
  return { r, report: p.report };
}

/** resultOf classifies a failed transfer in: the primary saying no, or anything else. */
function resultOf(e: XfrError): XfrResult {
  return e.kind === 'refused' || e.kind === 'notauth' ? 'refused' : 'failure';
}

async function tryPeer(ctx: EngineContext, rt: ZoneRuntime, peer: PeerConfig, current: ZoneVersion | undefined, force: boolean, run: Run): Promise<Attempt> {
  const origin = rt.config.origin;
  const address = addressOf(peer);
  const xfr = run.xfr;
  const log = { zone: origin, dir: 'in', remote: `${peer.ip}#${peer.port}`, key: peer.key?.name, xfr };
  if (!force && current !== undefined && peer.ixfr) {
    const { r: ixfr, report } = await (run.early?.kind === 'ixfr' && run.early.peer === peer ? run.early.pull : pullIxfr(ctx, rt, peer, xfr, current));
    if (ixfr.ok) {
      const applied = ixfr.applied;
      report(applied.ok ? 'success' : 'failure');
      if (applied.ok) return { ok: true, version: applied.version, kind: applied.kind, detail: ixfr.value };
      ctx.log.warn({ ...log, op: 'ixfr-in', err: applied.error }, 'IXFR unusable, falling back to AXFR');
    } else if (!isFinal(ixfr.error)) {
      report(resultOf(ixfr.error));
      ctx.log.warn({ ...log, op: 'ixfr-in', err: describeXfrError(ixfr.error) }, 'IXFR failed, falling back to AXFR');
    } else {
      report(resultOf(ixfr.error));
      return { ok: false, error: `IXFR: ${describeXfrError(ixfr.error)}` };
    }
  }
  if (!force && current !== undefined) {
    const soa = await (run.early?.kind === 'soa' && run.early.peer === peer ? run.early.soa : probeSoa(ctx, rt, peer));
    // checked_time is written while the transfer runs; the refresh's final writes wait for it.
    run.background.push(
      ctx.store.incoming.recordCheck(rt.config.id, { checkedTime: new Date(ctx.clock.now()) }).catch((e: unknown) => {
        ctx.log.warn({ zone: origin, err: e instanceof Error ? e.message : String(e) }, 'recording the SOA check failed');
      }),
    );
    if (!soa.ok) return { ok: false, error: `SOA query: ${describeXfrError(soa.error)}` };
    const order = compareSerial(soa.value.serial, current.serial);
    if (order !== 'gt') return { ok: true, version: current, kind: 'up-to-date', detail: undefined };
  }
  const { r: axfr, report } = await pull(ctx, rt, peer, xfr, { peer: address, origin, qtype: RRType.AXFR, limits: ctx.tuning.xfrLimits, timeouts: ctx.tuning.xfrTimeouts });
  if (!axfr.ok) {
    report(resultOf(axfr.error));
    return { ok: false, error: `AXFR: ${describeXfrError(axfr.error)}` };
  }
  const out = axfr.value.outcome;
  if (out.kind !== 'full') {
    report('failure');
    return { ok: false, error: 'AXFR did not return a full zone' };
  }
  if (!force && current !== undefined && compareSerial(out.version.serial, current.serial) !== 'gt') {
    report('failure');
    return { ok: false, error: `AXFR returned serial ${out.version.serial}, not newer than ${current.serial}` };
  }
  report('success');
  return { ok: true, version: out.version, kind: 'axfr-in', detail: axfr.value };
}

/** isFinal: failures where trying AXFR on the same peer cannot help (refused, TSIG). */
function isFinal(e: XfrError): boolean {
  return e.kind === 'tsig' || e.kind === 'notauth';
}

function applyOutcome(r: TransferInResult, current: ZoneVersion): { ok: true; version: ZoneVersion; kind: 'axfr-in' | 'ixfr-in' | 'up-to-date' } | { ok: false; error: string } {
  const out = r.outcome;
  if (out.kind === 'up-to-date') return { ok: true, version: current, kind: 'up-to-date' };
  // A whole zone in answer to IXFR (RFC 1995 §4) replaces ours only when it is newer (RFC 1982):
  // the IXFR was also the serial check.
  if (out.kind === 'full') return compareSerial(out.version.serial, current.serial) === 'gt' ? { ok: true, version: out.version, kind: 'axfr-in' } : { ok: true, version: current, kind: 'up-to-date' };
  let v = current;
  for (const d of out.diffs) {
    const next = applyDiff(v, d);
    if (!next.ok) return { ok: false, error: describeZoneError(next.error) };
    v = next.value;
  }
  return { ok: true, version: v, kind: 'ixfr-in' };
}

async function succeeded(ctx: EngineContext, rt: ZoneRuntime, peer: PeerConfig, a: Extract<Attempt, { ok: true }>, old: ZoneVersion | undefined, run: Run): Promise<void> {
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
  if (a.kind !== 'up-to-date') {
    let diffs: ZoneDiff[] | undefined;
    if (a.kind === 'ixfr-in' && a.detail?.outcome.kind === 'incremental') diffs = [...a.detail.outcome.diffs];
    else if (old !== undefined && cfg.outgoing !== undefined) {
      // Multi-tier: our secondaries can IXFR. A diff that changes as many records as the zone has
      // is no smaller than the zone (RFC 1995 §4 allows the full zone instead) and would cost more
      // to encode and store than the transfer itself: the journal restarts here instead.
      const d = computeDiff(old, a.version);
      if (d.removed.length + d.added.length < a.version.recordCount) diffs = [d];
    }
    // Stored before it is announced (issue 6). A lost compare-and-set means another instance
    // stored a version meanwhile: serve that one.
    const saved = await persistVersion(ctx, rt, a.version, diffs, a.kind === 'axfr-in');
    if (saved === 'conflict') {
      const stored = await loadStored(ctx, cfg.id, cfg.origin, rt);
      if (stored !== undefined) adoptStored(ctx, rt, stored);
      return;
    }
    if (diffs === undefined) rt.journal = [];
    else for (const d of diffs) appendJournal(ctx, rt, d);
    ctx.registry.install({ id: cfg.id, origin: cfg.origin, role: 'secondary', version: a.version, expired: false });
    ctx.log.info(
      { zone: cfg.origin, op: a.kind, dir: 'in', remote: `${peer.ip}#${peer.port}`, key: peer.key?.name, xfr, serial: a.version.serial, records: a.version.recordCount, messages: a.detail?.messages, bytes: a.detail?.bytes, ms: now - started },
      a.kind === 'axfr-in' ? 'AXFR completed' : 'IXFR completed',
    );
    run.end.history.push({
      zoneId: cfg.id, op: a.kind, remote: peer.ip, serial: a.version.serial, ok: true, error: null, startedAt: new Date(started), finishedAt: new Date(now),
      records: a.detail?.records ?? null, bytes: a.detail?.bytes ?? null, xfrId: xfr,
    });
    ctx.published(cfg.id, a.version.serial, a.kind);
    if (cfg.outgoing?.enabled === true) ctx.scheduler.schedule(cfg.id, 'notify-out');
  } else {
    ctx.registry.setExpired(cfg.id, false);
  }
  run.end.check = { soaSerial: a.version.serial, checkedTime: new Date(now), lastError: null };
  run.end.state = { serial: a.version.serial, lastRefreshOk: new Date(now), nextRefresh: new Date(nextRefresh), nextExpire: new Date(nextExpire), lastError: null };
}

function failed(ctx: EngineContext, rt: ZoneRuntime, error: string, current: ZoneVersion | undefined, run: Run): void {
  const { xfr, started } = run;
  const cfg = rt.config;
  const now = ctx.clock.now();
  rt.failures++;
  // RFC 1034 §4.3.5: retry after the SOA RETRY interval; backoff doubles it per failure, with jitter.
  const base = current !== undefined ? readSoa(current.soa.rdata).retry : FIRST_RETRY_SECONDS;
  const t = ctx.tuning;
  const backoff = Math.min(base * 2 ** Math.min(rt.failures - 1, 16), t.maxRetrySeconds, cfg.incoming!.autoRefreshSeconds);
  const delay = Math.max(t.minRetrySeconds, backoff) * (0.9 + Math.random() * 0.2);
  ctx.scheduler.replace(cfg.id, 'refresh', now + delay * 1000);
  ctx.log.warn({ zone: cfg.origin, op: 'refresh', dir: 'in', xfr, err: error, retryInSeconds: Math.round(delay) }, 'refresh failed');
  run.end.history.push({ zoneId: cfg.id, op: 'refresh', remote: null, serial: current?.serial ?? null, ok: false, error, startedAt: new Date(started), finishedAt: new Date(now), xfrId: xfr });
  run.end.check = { checkedTime: new Date(now), lastError: error };
  run.end.state = { lastError: error, nextRefresh: new Date(now + delay * 1000) };
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
