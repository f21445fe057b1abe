// Refresh leases (issue 6: one instance at a time refreshes a secondary zone). A lease is a row
// with an owner and an expiry in the database, taken before a refresh and renewed while it runs,
// so a holder that dies frees the zone after leaseSeconds.
//
// A lease outlives its refresh by a third of leaseSeconds (lingerMs): a zone that changes often
// (a burst of NOTIFYs, an API-driven primary) is refreshed again without a database round trip
// before its transfer, since the row still names this instance for most of leaseSeconds. The
// refresh's last write renews the lease (ZoneStateRepo.finishRefresh), and it is released once
// the linger ends without another refresh, or at once when the engine stops. The cost, with
// several instances: a NOTIFY that reaches another instance during the linger is retried there
// after it (at most ~leaseSeconds/3 later), unless the holder refreshes first.

import type { EngineContext, ZoneRuntime } from './context.js';

/** MARGIN_MS: how long before the database's expiry a lease stops counting as held here. */
const MARGIN_MS = 1000;

/** LeaseState is a zone's lease as this instance knows it (kept in its ZoneRuntime). */
export interface LeaseState {
  /** until: the local time (ms) before which the lease is surely held by this instance. */
  until: number;
  /** linger: the timer that releases the lease once it has lingered. */
  linger: NodeJS.Timeout | undefined;
}

/**
 * extend records a lease renewed by a write sent at `asked`: the database's expiry counts from its
 * now(), no earlier than that.
 */
function extend(ctx: EngineContext, lease: LeaseState, asked: number): void {
  lease.until = Math.max(lease.until, asked + ctx.tuning.leaseSeconds * 1000 - MARGIN_MS);
}

/** lingerMs is how long a lease is kept after its refresh. */
const lingerMs = (ctx: EngineContext): number => (ctx.tuning.leaseSeconds * 1000) / 3;

/**
 * takeLease resolves true when this instance holds the zone's lease for at least lingerMs more:
 * at once when it is still lingering from the last refresh, else after one database round trip.
 */
export async function takeLease(ctx: EngineContext, rt: ZoneRuntime): Promise<boolean> {
  const lease = rt.lease;
  if (lease !== undefined) {
    clearTimeout(lease.linger);
    lease.linger = undefined;
    if (ctx.clock.now() + lingerMs(ctx) < lease.until) return true;
  }
  await rt.leaseWrite;
  return renew(ctx, rt);
}

/** renew takes or extends the lease; false (and no lease kept) when another instance holds it. */
async function renew(ctx: EngineContext, rt: ZoneRuntime): Promise<boolean> {
  const asked = ctx.clock.now();
  const ok = await ctx.store.zoneState.acquireLease(rt.config.id, ctx.instanceId, ctx.tuning.leaseSeconds);
  if (!ok) {
    rt.lease = undefined;
    return false;
  }
  rt.lease ??= { until: 0, linger: undefined };
  extend(ctx, rt.lease, asked);
  return true;
}

/** holdLease renews the lease every third of its lifetime while a refresh runs; returns the stop. */
export function holdLease(ctx: EngineContext, rt: ZoneRuntime): () => void {
  const timer = setInterval(() => void renew(ctx, rt).catch(() => undefined), (ctx.tuning.leaseSeconds * 1000) / 3);
  timer.unref();
  return () => clearInterval(timer);
}

/**
 * leaseRenewal is the renewal a refresh's last write carries (finishRefresh), when this instance
 * holds the lease; lingerLease then records its outcome.
 */
export function leaseRenewal(ctx: EngineContext, rt: ZoneRuntime): { owner: string; ttlSeconds: number } | undefined {
  return rt.lease === undefined ? undefined : { owner: ctx.instanceId, ttlSeconds: ctx.tuning.leaseSeconds };
}

/** lingerLease ends a refresh: the lease renewed at `asked` is kept, and released after lingering. */
export function lingerLease(ctx: EngineContext, rt: ZoneRuntime, asked: number, kept: boolean): void {
  const lease = rt.lease;
  if (lease === undefined) return;
  if (!kept) {
    rt.lease = undefined;
    return;
  }
  extend(ctx, lease, asked);
  clearTimeout(lease.linger);
  lease.linger = setTimeout(() => void releaseLease(ctx, rt), lingerMs(ctx));
  lease.linger.unref();
}

/** releaseLease gives the lease up now (linger over, zone gone, engine stopping). */
export async function releaseLease(ctx: EngineContext, rt: ZoneRuntime): Promise<void> {
  const lease = rt.lease;
  if (lease === undefined) return;
  clearTimeout(lease.linger);
  rt.lease = undefined;
  const write = ctx.store.zoneState.releaseLease(rt.config.id, ctx.instanceId).catch(() => undefined);
  rt.leaseWrite = write;
  await write;
}
