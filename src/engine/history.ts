// What a NOTIFY leaves for the refresh it scheduled. Its history row is not written when the
// NOTIFY arrives: that database round trip would land in the middle of the refresh it scheduled,
// between sending the IXFR request and serving its answer, on the same CPU. The refresh writes it
// with its own rows, after serving and just before them (so the history still reads NOTIFY, then
// the transfer it caused); a timer writes it if no refresh does, and Engine.stop what is left.
//
// Its log line and metric ("notes") wait too, less long: until the refresh's first request is on
// the wire, when the engine only waits for the primary's answer. Run when the NOTIFY arrives, or
// on the next turn of the event loop, they sat between connect() and its completion (traced:
// 0.4-0.7 ms of the 2.8-3.3 ms from reading the NOTIFY to writing the request). A timer runs them
// if no refresh starts soon (one already running takes the NOTIFY as one more refresh, later).

import type { EngineContext, ZoneRuntime } from './context.js';
import type { TransferEventRow } from './ports.js';

/** FLUSH_AFTER_MS: how long a row may wait for a refresh to write it. */
const FLUSH_AFTER_MS = 2000;

/** NOTES_AFTER_MS: how long a NOTIFY's log line and metric may wait for its refresh's request. */
const NOTES_AFTER_MS = 50;

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

/** deferNotes queues a NOTIFY's log line and metric until the zone's refresh has sent its request. */
export function deferNotes(rt: ZoneRuntime, note: () => void): void {
  rt.pendingNotes.push(note);
  if (rt.notesTimer !== undefined) return;
  rt.notesTimer = setTimeout(() => runNotes(rt), NOTES_AFTER_MS);
  rt.notesTimer.unref();
}

/** runNotes runs the zone's queued notes, oldest first (the refresh, once its request is sent). */
export function runNotes(rt: ZoneRuntime): void {
  clearTimeout(rt.notesTimer);
  rt.notesTimer = undefined;
  for (const note of rt.pendingNotes.splice(0)) note();
}
