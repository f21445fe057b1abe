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
//                               └──ok──────────────────────────────────┴──▶ served, stored, announced
//
// How a refresh ends (serving a new version before its commit, announcing it after; the retry;
// SOA EXPIRE) is in refresh-outcome.ts.
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
import { type ZoneVersion, applyDiff, compareSerial, describeZoneError } from '../../zone/index.js';
import type { PeerConfig } from '../config.js';
import type { EngineContext, ZoneRuntime } from '../context.js';
import { runNotes, takePendingHistory } from '../history.js';
import { holdLease, leaseRenewal, lingerLease, takeLease } from '../lease.js';
import { EngineAborted, type XfrResult, abortable, newXfrId } from '../observe.js';
import { type Attempt, type Ending, type RefreshEnd, failed, succeeded } from './refresh-outcome.js';

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
  // The NOTIFY that scheduled this refresh is logged now, while the primary prepares its answer.
  runNotes(rt);
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

/**
 * Run is one refresh's state: its transfer id and start, the first peer's request started before
 * the lease, and store writes left running in the background (awaited before the final ones, so
 * those land last).
 */
interface Run extends Ending {
  readonly early: Early | undefined;
  readonly background: Promise<void>[];
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
