// History rows that wait for the refresh they led to. A NOTIFY's row is not written when the
// NOTIFY arrives: that database round trip would land in the middle of the refresh it scheduled,
// between sending the IXFR request and serving its answer, on the same CPU. The refresh writes it
// with its own rows, after serving and just before them (so the history still reads NOTIFY, then
// the transfer it caused); a timer writes it if no refresh does, and Engine.stop what is left.

import type { EngineContext, ZoneRuntime } from './context.js';
import type { TransferEventRow } from './ports.js';

/** FLUSH_AFTER_MS: how long a row may wait for a refresh to write it. */
const FLUSH_AFTER_MS = 2000;

/** deferHistory queues a row for the zone's next refresh to write. */
export function deferHistory(ctx: EngineContext, rt: ZoneRuntime, row: TransferEventRow): void {
  rt.pendingHistory.push(row);
  if (rt.historyTimer !== undefined) return;
  rt.historyTimer = setTimeout(() => void flushHistory(ctx, rt), FLUSH_AFTER_MS);
  rt.historyTimer.unref();
}

/** takePendingHistory hands the zone's queued rows, oldest first, to a writer that writes them. */
export function takePendingHistory(rt: ZoneRuntime): TransferEventRow[] {
  clearTimeout(rt.historyTimer);
  rt.historyTimer = undefined;
  return rt.pendingHistory.splice(0);
}

/**
 * flushHistory writes the zone's queued rows, oldest first, in one statement (the one a refresh
 * ends with, here with rows only); a failed write is logged, not thrown.
 */
export async function flushHistory(ctx: EngineContext, rt: ZoneRuntime): Promise<void> {
  const history = takePendingHistory(rt);
  if (history.length === 0) return;
  await ctx.store.zoneState.finishRefresh(rt.config.id, { history }).catch((e: unknown) => {
    ctx.log.warn({ zone: rt.config.origin, rows: history.length, err: e instanceof Error ? e.message : String(e) }, 'writing history rows failed');
  });
}
