// EngineContext: what event handlers share — the store, the registry, the scheduler, per-zone
// runtime state and the logger. Handlers live in handlers/, one file per event, and reach the rest
// of the engine only through this object.

import type { Scheduler } from '../scheduler/index.js';
import type { TsigKey } from '../tsig/index.js';
import { DEFAULT_XFR_TIMEOUTS, type XfrTimeouts } from '../xfr/in/client.js';
import { DEFAULT_XFR_LIMITS, type XfrLimits } from '../xfr/in/parser.js';
import type { DnsHooks } from '../server/types.js';
import type { ZoneDiff } from '../zone/index.js';
import type { ZoneConfig } from './config.js';
import type { EngineObserver } from './observe.js';
import type { Clock, EngineLogger, EngineStore, TransferEventRow } from './ports.js';
import type { LeaseState } from './lease.js';
import type { ZoneRegistry } from './registry.js';

/** ZoneRuntime is the engine's in-memory state for one configured zone. */
export interface ZoneRuntime {
  config: ZoneConfig;
  /** journal: IXFR diffs, oldest first, bounded by journalLimit. */
  journal: ZoneDiff[];
  /** failures: consecutive failed refreshes (drives the retry backoff). */
  failures: number;
  /** lastOk: time (ms) of the last successful refresh or transfer. */
  lastOk: number | undefined;
  /** storedSerial: the serial of the zone's current version in the store (compare-and-set). */
  storedSerial: number | null;
  /** diffsSinceSnapshot: diffs stored after the last full snapshot (a new one every N). */
  diffsSinceSnapshot: number;
  /** snapshotting: the periodic snapshot being written in the background (persist.ts), if any. */
  snapshotting?: Promise<void> | undefined;
  /** pendingHistory: history rows waiting for the zone's next refresh to write them (history.ts). */
  readonly pendingHistory: TransferEventRow[];
  historyTimer?: NodeJS.Timeout | undefined;
  /** pendingNotes: a NOTIFY's log line and metric, waiting until its refresh's request is sent (history.ts). */
  readonly pendingNotes: (() => void)[];
  notesTimer?: NodeJS.Timeout | undefined;
  /** lease: this instance's refresh lease on the zone, while held (lease.ts). */
  lease?: LeaseState | undefined;
  /** leaseWrite: the lease's release being written; a new lease waits for it. */
  leaseWrite?: Promise<void> | undefined;
}

/** EngineTuning holds the engine's knobs (config schema defaults). */
export interface EngineTuning {
  readonly journalLimit: number;
  /** minRetrySeconds / maxRetrySeconds clamp the refresh retry backoff. */
  readonly minRetrySeconds: number;
  readonly maxRetrySeconds: number;
  readonly notifyTries: number;
  readonly notifyFirstTimeoutMs: number;
  /** xfrLimits cap what one transfer in may make us hold (records, bytes). */
  readonly xfrLimits: XfrLimits;
  /** xfrTimeouts bound one transfer in (connect, idle, overall). */
  readonly xfrTimeouts: XfrTimeouts;
  /**
   * leaseSeconds: time-to-live of a refresh lease; the holder renews it every third of that while
   * the refresh runs, so a holder that dies frees the zone for another instance this soon.
   */
  readonly leaseSeconds: number;
}

export const DEFAULT_TUNING: EngineTuning = {
  journalLimit: 100,
  minRetrySeconds: 5,
  maxRetrySeconds: 3600,
  notifyTries: 5,
  notifyFirstTimeoutMs: 1000,
  xfrLimits: DEFAULT_XFR_LIMITS,
  xfrTimeouts: DEFAULT_XFR_TIMEOUTS,
  leaseSeconds: 30,
};

export interface EngineContext {
  /** instanceId names this process in refresh leases (several instances share one database). */
  readonly instanceId: string;
  readonly store: EngineStore;
  readonly registry: ZoneRegistry;
  readonly scheduler: Scheduler;
  readonly log: EngineLogger;
  readonly clock: Clock;
  readonly tuning: EngineTuning;
  readonly runtimes: Map<string, ZoneRuntime>;
  /** keys: every TSIG key linked to a peer of a loaded zone, by lower-cased name (see hooks.ts). */
  readonly keys: Map<string, TsigKey>;
  /** byOrigin: configured zones by lower-cased origin (NOTIFY for a zone not yet transferred). */
  readonly byOrigin: Map<string, string>;
  /** published is called after a new version is served (events for tests and metrics). */
  published(zoneId: string, serial: number, kind: string): void;
  /** observe receives transfer, NOTIFY and TSIG outcomes (events for metrics). */
  readonly observe: EngineObserver;
  /** signal aborts handlers waiting on the network when the engine stops (observe.ts abortable). */
  readonly signal: AbortSignal;
}

/** appendJournal adds a diff to a zone's journal, dropping the oldest beyond the limit. */
export function appendJournal(ctx: EngineContext, rt: ZoneRuntime, diff: ZoneDiff): void {
  rt.journal.push(diff);
  while (rt.journal.length > ctx.tuning.journalLimit) rt.journal.shift();
}

export type { DnsHooks };
