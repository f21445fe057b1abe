// Engine: the only place that knows a zone's lifecycle. It loads zones from the store, keeps the
// serving copy in the registry, turns API commands, NOTIFYs and timers into scheduled zone events
// (one running event per zone, earliest wins; commands only schedule, never work inline: STYLE.md
// principle 3) and dispatches each event to its handler in handlers/.
//
//   API command / change feed ──▶ 'reload'      ──▶ handlers/primary.ts (full) or timers (secondary)
//   timer / NOTIFY in         ──▶ 'refresh'     ──▶ handlers/refresh.ts
//   force_axfr                ──▶ 'force-axfr'  ──▶ handlers/refresh.ts (AXFR, no serial check)
//   new version / force_notify──▶ 'notify-out'  ──▶ handlers/notify-out.ts
//   SOA expire timer          ──▶ 'expire'      ──▶ handlers/refresh-outcome.ts expire()

import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { hostname } from 'node:os';
import { type DueEvent, Scheduler } from '../scheduler/index.js';
import type { DnsHooks } from '../server/types.js';
import { prerender } from '../xfr/out/cache.js';
import type { OutgoingPolicy } from '../xfr/out/policy.js';
import type { ZoneDiff } from '../zone/index.js';
import { loadZoneConfig } from './config.js';
import { adoptStored, loadStored } from './persist.js';
import { DEFAULT_TUNING, type EngineContext, type EngineTuning, type ZoneRuntime } from './context.js';
import { reloadPrimary } from './handlers/primary.js';
import { notifyOut } from './handlers/notify-out.js';
import { flushHistory, runNotes } from './history.js';
import { releaseLease } from './lease.js';
import { refresh } from './handlers/refresh.js';
import { expire, expireSeconds } from './handlers/refresh-outcome.js';
import { createDnsHooks } from './hooks.js';
import type { NotifyObserved, TransferObserved, TsigFailureObserved } from './observe.js';
import { type Clock, type EngineLogger, type EngineStore, systemClock } from './ports.js';
import { type ZoneRole, ZoneRegistry } from './registry.js';

/** EngineEvents are emitted for tests and metrics. */
export interface EngineEvents {
  published: [{ zoneId: string; serial: number; kind: string }];
  removed: [{ zoneId: string }];
  failed: [{ zoneId: string; event: string; error: string }];
  /** transfer: one AXFR/IXFR exchange in or out ended (observe.ts). */
  transfer: [TransferObserved];
  /** notify: one NOTIFY received or sent to one peer ended. */
  notify: [NotifyObserved];
  /** 'tsig-failure': a request's TSIG did not verify. */
  'tsig-failure': [TsigFailureObserved];
}

/** ZoneStatus is a served zone as metrics see it (engine.zoneStatus). */
export interface ZoneStatus {
  readonly id: string;
  readonly origin: string;
  readonly role: ZoneRole;
  readonly serial: number;
  readonly expired: boolean;
  /** lastRefreshOk: time (ms) of the last successful refresh of a secondary; undefined otherwise. */
  readonly lastRefreshOk: number | undefined;
}

/** StopOptions: abortAfterMs aborts events still running that long after stop() (shutdown). */
export interface StopOptions {
  readonly abortAfterMs?: number;
}

export interface EngineOptions {
  store: EngineStore;
  registry?: ZoneRegistry;
  logger: EngineLogger;
  clock?: Clock;
  tuning?: Partial<EngineTuning>;
  /** heartbeat: false disables the node-cron tick (tests drive time themselves). */
  heartbeat?: boolean;
  /** instanceId for refresh leases (default: host, pid and a random suffix). */
  instanceId?: string;
}

/** Engine implements the API's EngineCommands and drives the registry. */
export class Engine extends EventEmitter<EngineEvents> {
  readonly registry: ZoneRegistry;
  readonly scheduler: Scheduler;
  private readonly ctx: EngineContext;
  private readonly runtimes = new Map<string, ZoneRuntime>();
  /** staticPolicies: outgoing policies of zones that live outside the store (--zone-file). */
  private readonly staticPolicies = new Map<string, OutgoingPolicy>();
  /** enabledHere: zones whose outgoing transfers this instance's API just enabled (one NOTIFY). */
  private readonly enabledHere = new Set<string>();
  /** storedChanged: zones whose stored version moved under us (another instance published), with the serial stored. */
  private readonly storedChanged = new Map<string, number>();
  /** aborter ends handlers that wait on the network when stop() runs out of patience. */
  private readonly aborter = new AbortController();
  private startDone = false;

  constructor(opts: EngineOptions) {
    super();
    this.registry = opts.registry ?? new ZoneRegistry();
    const clock = opts.clock ?? systemClock;
    this.scheduler = new Scheduler({ handler: (ev) => this.handle(ev), now: () => clock.now(), heartbeat: opts.heartbeat !== false });
    this.scheduler.on('event:failed', (ev) => {
      const error = ev.error instanceof Error ? ev.error.message : String(ev.error);
      opts.logger.error({ zone: ev.zoneId, event: ev.type, err: error }, 'zone event failed');
      this.emit('failed', { zoneId: ev.zoneId, event: ev.type, error });
    });
    this.ctx = {
      instanceId: opts.instanceId ?? `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`,
      store: opts.store,
      registry: this.registry,
      scheduler: this.scheduler,
      log: opts.logger,
      clock,
      tuning: { ...DEFAULT_TUNING, ...opts.tuning },
      runtimes: this.runtimes,
      keys: new Map(),
      byOrigin: new Map(),
      published: (zoneId, serial, kind) => {
        this.warm(zoneId);
        this.emit('published', { zoneId, serial, kind });
      },
      observe: {
        transfer: (e) => this.emit('transfer', e),
        notify: (e) => this.emit('notify', e),
        tsigFailure: (e) => this.emit('tsig-failure', e),
      },
      signal: this.aborter.signal,
    };
  }

  /** start loads every zone of the store and waits until each has been loaded once. */
  async start(): Promise<void> {
    const zones = await this.ctx.store.zones.all();
    for (const z of zones) this.scheduler.schedule(z.id, 'reload');
    await this.scheduler.idle();
    this.startDone = true;
    this.ctx.log.info({ zones: this.registry.size, configured: this.runtimes.size }, 'zones loaded');
  }

  /** started is true once start() has loaded every zone of the store (readiness). */
  get started(): boolean {
    return this.startDone;
  }

  /**
   * stop freezes the event loop and waits for running events. With `abortAfterMs`, events still
   * running after that long are aborted: a transfer in or a NOTIFY out waiting on the network
   * ends at once (logged and kept in the history as aborted) instead of at its own timeout.
   */
  async stop(o: StopOptions = {}): Promise<void> {
    const stopped = this.scheduler
      .stop()
      .then(() => this.snapshotsWritten())
      .then(() => Promise.all([...this.runtimes.values()].map(async (rt) => {
        runNotes(rt);
        await flushHistory(this.ctx, rt);
        // A lingering lease is handed over at once (lease.ts).
        await releaseLease(this.ctx, rt);
      })))
      .then(() => undefined);
    if (o.abortAfterMs === undefined) return stopped;
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((resolve) => {
      timer = setTimeout(() => resolve('late'), o.abortAfterMs);
    });
    const first = await Promise.race([stopped.then(() => 'done' as const), late]);
    clearTimeout(timer);
    if (first === 'late') {
      this.ctx.log.warn({ afterMs: o.abortAfterMs }, 'zone events still running: aborting them');
      this.aborter.abort();
      await stopped;
    }
  }

  /** zoneStatus lists the served zones with serial, expiry and last successful refresh (metrics). */
  zoneStatus(): ZoneStatus[] {
    const out: ZoneStatus[] = [];
    for (const z of this.registry.zones()) {
      const lastRefreshOk = z.role === 'secondary' ? this.runtimes.get(z.id)?.lastOk : undefined;
      out.push({ id: z.id, origin: z.origin, role: z.role, serial: z.version.serial, expired: z.expired, lastRefreshOk });
    }
    return out;
  }

  /** idle resolves when no zone event is running or due, nor a snapshot being written (tests). */
  async idle(): Promise<void> {
    await this.scheduler.idle();
    await this.snapshotsWritten();
  }

  /** snapshotsWritten resolves once no zone has a background snapshot being written. */
  private async snapshotsWritten(): Promise<void> {
    for (;;) {
      const running = [...this.runtimes.values()].flatMap((rt) => (rt.snapshotting === undefined ? [] : [rt.snapshotting]));
      if (running.length === 0) return;
      await Promise.all(running);
    }
  }

  /** journal returns the IXFR journal of a zone, oldest first. */
  journal(zoneId: string): readonly ZoneDiff[] {
    return this.runtimes.get(zoneId)?.journal ?? [];
  }

  /** warm pre-renders the AXFR of a zone's served version when it may be transferred out. */
  warm(zoneId: string): void {
    const z = this.registry.get(zoneId);
    if (z === undefined || this.policyFor(zoneId)?.enabled !== true) return;
    void prerender(z.version).catch((e: unknown) => this.ctx.log.error({ zone: z.origin, err: String(e) }, 'AXFR pre-render failed'));
  }

  /** setStaticPolicy lets transfers out of a zone loaded from a file (--zone-file, --allow-transfer). */
  setStaticPolicy(zoneId: string, policy: OutgoingPolicy): void {
    this.staticPolicies.set(zoneId, policy);
    this.warm(zoneId);
  }

  /** hooks returns the DNS server hooks: TSIG verification, NOTIFY in, transfers out. */
  hooks(): DnsHooks {
    return createDnsHooks(this.ctx, {
      policyFor: (zoneId) => this.policyFor(zoneId),
      notifyReceived: (zoneId) => this.scheduler.schedule(zoneId, 'refresh'),
    });
  }

  // EngineCommands (src/api/deps.ts): each only schedules.
  zoneChanged(zoneId: string): void {
    this.scheduler.schedule(zoneId, 'reload');
  }

  zoneDeleted(zoneId: string): void {
    this.scheduler.schedule(zoneId, 'reload');
  }

  /**
   * versionStored reacts to a version stored by any instance (change feed): when it is not the
   * one served here, reload the zone from the store.
   */
  versionStored(zoneId: string, serial: number): void {
    if (this.registry.get(zoneId)?.version.serial === serial) return;
    this.storedChanged.set(zoneId, serial);
    this.scheduler.schedule(zoneId, 'reload');
  }

  forceAxfr(zoneId: string): void {
    this.scheduler.schedule(zoneId, 'force-axfr');
  }

  forceNotify(zoneId: string): void {
    this.scheduler.schedule(zoneId, 'notify-out');
  }

  outgoingEnabled(zoneId: string): void {
    this.enabledHere.add(zoneId);
    this.scheduler.schedule(zoneId, 'reload');
  }

  private policyFor(zoneId: string): OutgoingPolicy | undefined {
    const fixed = this.staticPolicies.get(zoneId);
    if (fixed !== undefined) return fixed;
    const cfg = this.runtimes.get(zoneId)?.config;
    if (cfg?.outgoing === undefined) return undefined;
    return {
      enabled: cfg.outgoing.enabled,
      // A peer whose TSIG key cannot be decoded is left out rather than taken as keyless.
      peers: cfg.outgoing.peers.filter((p) => p.keyError === undefined).map((p) => ({ ip: p.ip, keyName: p.key?.name ?? null })),
      aclRanges: cfg.aclRanges,
    };
  }

  private async handle(ev: DueEvent): Promise<void> {
    if (ev.type === 'reload') return this.reload(ev.zoneId);
    const rt = this.runtimes.get(ev.zoneId);
    if (rt === undefined) return;
    switch (ev.type) {
      case 'refresh':
        return refresh(this.ctx, rt, false);
      case 'force-axfr':
        return refresh(this.ctx, rt, true);
      case 'notify-out':
        return notifyOut(this.ctx, rt);
      case 'expire':
        return expire(this.ctx, rt);
    }
  }

  private async reload(zoneId: string): Promise<void> {
    const zone = await this.ctx.store.zones.get(zoneId);
    if (zone === null) {
      const old = this.runtimes.get(zoneId);
      if (old !== undefined) {
        this.ctx.byOrigin.delete(old.config.origin.toLowerCase());
        // Its lease and history rows went with its database rows.
        clearTimeout(old.lease?.linger);
        clearTimeout(old.historyTimer);
        runNotes(old);
      }
      this.runtimes.delete(zoneId);
      this.scheduler.table.forget(zoneId);
      if (this.registry.get(zoneId) !== undefined) {
        this.registry.remove(zoneId);
        this.ctx.log.info({ zone: zoneId }, 'zone removed');
        this.emit('removed', { zoneId });
      }
      return;
    }
    const cfg = await loadZoneConfig(this.ctx.store, zone);
    const previous = this.runtimes.get(zoneId);
    const rt: ZoneRuntime = previous ?? { config: cfg, journal: [], failures: 0, lastOk: undefined, storedSerial: null, diffsSinceSnapshot: 0, pendingHistory: [], pendingNotes: [] };
    rt.config = cfg;
    this.runtimes.set(zoneId, rt);
    // First sight of the zone (start-up, a new zone, or a version stored by another instance):
    // serve what the store holds, without contacting any primary (issue 6).
    let restoredRefreshAt: number | undefined;
    // A version this instance stored itself can reach the feed before it is served (PGlite emits
    // at commit, in-process): by the time this runs it is served, and reading it back is waste.
    const storedSerial = this.storedChanged.get(zoneId);
    this.storedChanged.delete(zoneId);
    if (previous === undefined || (storedSerial !== undefined && storedSerial !== this.registry.get(zoneId)?.version.serial)) {
      const stored = await loadStored(this.ctx, zoneId, cfg.origin, rt);
      if (stored !== undefined && stored.version.serial !== this.registry.get(zoneId)?.version.serial) {
        adoptStored(this.ctx, rt, stored);
        if (previous === undefined) {
          const state = await this.ctx.store.zoneState.get(zoneId);
          if (state?.lastRefreshOk != null) rt.lastOk = Date.parse(state.lastRefreshOk);
          if (state?.nextRefresh != null) restoredRefreshAt = Math.max(this.ctx.clock.now(), Date.parse(state.nextRefresh));
        }
      } else if (stored !== undefined) {
        rt.storedSerial = stored.version.serial;
      }
    }
    if (previous !== undefined) this.ctx.byOrigin.delete(previous.config.origin.toLowerCase());
    this.ctx.byOrigin.set(cfg.origin.toLowerCase(), zoneId);
    // Keys are looked up by name when a request arrives (RFC 8945 §5.2). Deviation: two accounts
    // with keys of the same name share one slot, the most recently loaded winning.
    for (const p of [...(cfg.incoming?.peers ?? []), ...(cfg.outgoing?.peers ?? [])]) {
      if (p.key !== undefined) this.ctx.keys.set(p.key.name.toLowerCase(), p.key);
    }
    const served = this.registry.get(zoneId);
    if (served !== undefined && served.origin !== cfg.origin) this.registry.remove(zoneId);
    if (cfg.type === 'full') {
      if (served?.role === 'secondary') this.registry.remove(zoneId);
      this.scheduler.table.cancel(zoneId, 'refresh');
      this.scheduler.table.cancel(zoneId, 'expire');
      await reloadPrimary(this.ctx, rt, cfg);
    } else {
      if (served?.role === 'primary') this.registry.remove(zoneId);
      if (cfg.incoming === undefined) {
        this.scheduler.table.cancel(zoneId, 'refresh');
      } else {
        const current = this.registry.get(zoneId);
        // A zone not yet transferred, or whose peers changed, refreshes now; a restored one when
        // its persisted timer says; otherwise the timer stays as it is.
        const peersChanged = previous !== undefined && previous.config.incoming?.peers.map((p) => p.id).join() !== cfg.incoming.peers.map((p) => p.id).join();
        if (current === undefined || peersChanged) this.scheduler.schedule(zoneId, 'refresh');
        else if (restoredRefreshAt !== undefined) this.scheduler.schedule(zoneId, 'refresh', restoredRefreshAt);
        else if (this.scheduler.table.when(zoneId, 'refresh') === undefined) {
          this.scheduler.schedule(zoneId, 'refresh', this.ctx.clock.now() + cfg.incoming.autoRefreshSeconds * 1000);
        }
        if (current !== undefined && rt.lastOk !== undefined) {
          this.scheduler.schedule(zoneId, 'expire', rt.lastOk + expireSeconds(rt, current.version) * 1000);
        }
      }
    }
    // Cloudflare: enabling outgoing transfers sends a NOTIFY to the secondaries.
    // Only the instance whose API enabled them: every other instance reloads the same change from
    // the change feed, and N instances must not send N NOTIFYs.
    if (this.enabledHere.delete(zoneId) && cfg.outgoing?.enabled === true) this.scheduler.schedule(zoneId, 'notify-out');
  }
}
