// Engine: the only place that knows a zone's lifecycle. It loads zones from the store, keeps the
// serving copy in the registry, and reacts to commands from the API and the change feed. Work for
// one zone is serialised (one running job per zone; commands arriving meanwhile coalesce into one
// more run), and commands only schedule work, never do it inline (STYLE.md principle 3).
//
//   command ──▶ schedule(zone) ──▶ [idle] ──run──▶ [running] ──done──▶ [idle]
//                                     ▲               │ command arrives
//                                     └── run again ◀─┘ (dirty: at most one more run)

import { EventEmitter } from 'node:events';
import { type DomainName, parseName } from '../wire/index.js';
import { type Serial, type ZoneDiff, computeDiff, nextSerial, serial as toSerial } from '../zone/index.js';
import { type EngineLogger, type EngineStore, type Clock, systemClock } from './ports.js';
import { buildPrimaryVersion } from './primary-zone.js';
import { ZoneRegistry } from './registry.js';

/** EngineEvents are emitted for tests and metrics. */
export interface EngineEvents {
  published: [{ zoneId: string; origin: DomainName; serial: number }];
  removed: [{ zoneId: string }];
  failed: [{ zoneId: string; error: string }];
}

export interface EngineOptions {
  store: EngineStore;
  registry?: ZoneRegistry;
  logger: EngineLogger;
  clock?: Clock;
  /** journalLimit bounds the in-memory IXFR journal per zone (oldest diffs dropped first). */
  journalLimit?: number;
}

/** dateSerial is the RFC 1912 §2.2 style YYYYMMDD00 serial for a date. */
export function dateSerial(d: Date): Serial {
  return toSerial(d.getUTCFullYear() * 1000000 + (d.getUTCMonth() + 1) * 10000 + d.getUTCDate() * 100);
}

/** Engine implements the API's EngineCommands and drives the registry. */
export class Engine extends EventEmitter<EngineEvents> {
  readonly registry: ZoneRegistry;
  private readonly store: EngineStore;
  private readonly log: EngineLogger;
  private readonly clock: Clock;
  private readonly journalLimit: number;
  private readonly running = new Map<string, Promise<void>>();
  private readonly dirty = new Set<string>();
  private readonly journals = new Map<string, ZoneDiff[]>();
  private stopped = false;

  constructor(opts: EngineOptions) {
    super();
    this.store = opts.store;
    this.registry = opts.registry ?? new ZoneRegistry();
    this.log = opts.logger;
    this.clock = opts.clock ?? systemClock;
    this.journalLimit = opts.journalLimit ?? 100;
  }

  /** start loads every zone of the store and publishes it. */
  async start(): Promise<void> {
    const zones = await this.store.zones.all();
    for (const z of zones) this.schedule(z.id);
    await this.idle();
    this.log.info({ zones: this.registry.size }, 'zones loaded');
  }

  /** stop lets running jobs finish and refuses new ones. */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.idle();
  }

  /** idle resolves when no zone job is running or queued. */
  async idle(): Promise<void> {
    while (this.running.size > 0) await Promise.allSettled([...this.running.values()]);
  }

  /** journal returns the IXFR journal of a zone, oldest first. */
  journal(zoneId: string): readonly ZoneDiff[] {
    return this.journals.get(zoneId) ?? [];
  }

  // EngineCommands (src/api/deps.ts): each only schedules.
  zoneChanged(zoneId: string): void {
    this.schedule(zoneId);
  }

  zoneDeleted(zoneId: string): void {
    this.schedule(zoneId);
  }

  forceAxfr(zoneId: string): void {
    this.schedule(zoneId);
  }

  forceNotify(zoneId: string): void {
    this.schedule(zoneId);
  }

  outgoingEnabled(zoneId: string): void {
    this.schedule(zoneId);
  }

  private schedule(zoneId: string): void {
    if (this.stopped) return;
    if (this.running.has(zoneId)) {
      this.dirty.add(zoneId);
      return;
    }
    const job = (async () => {
      try {
        do {
          this.dirty.delete(zoneId);
          await this.reload(zoneId).catch((e: unknown) => {
            const error = e instanceof Error ? e.message : String(e);
            this.log.error({ zone: zoneId, err: error }, 'zone job failed');
            this.emit('failed', { zoneId, error });
          });
        } while (this.dirty.has(zoneId) && !this.stopped);
      } finally {
        this.running.delete(zoneId);
      }
    })();
    this.running.set(zoneId, job);
  }

  private async reload(zoneId: string): Promise<void> {
    const zone = await this.store.zones.get(zoneId);
    if (zone === null) {
      if (this.registry.get(zoneId) !== undefined) {
        this.registry.remove(zoneId);
        this.journals.delete(zoneId);
        this.log.info({ zone: zoneId }, 'zone removed');
        this.emit('removed', { zoneId });
      }
      return;
    }
    const origin = parseName(zone.fqdn.endsWith('.') ? zone.fqdn : zone.fqdn + '.');
    if (!origin.ok) throw new Error(`zone ${zoneId} has a bad name ${zone.fqdn}`);
    if (zone.type === 'full') await this.reloadPrimary(zoneId, origin.value);
    else this.reloadSecondary(zoneId);
  }

  private async reloadPrimary(zoneId: string, origin: DomainName): Promise<void> {
    const rows = await this.store.records.all(zoneId);
    const current = this.registry.get(zoneId);
    let serial: Serial;
    let diff: ZoneDiff | undefined;
    if (current !== undefined && current.role === 'primary' && current.origin === origin) {
      const same = buildPrimaryVersion(origin, rows, current.version.serial);
      if (!same.ok) throw new Error(same.error);
      const d = computeDiff(current.version, same.value.version);
      if (d.added.length === 0 && d.removed.length === 0) return;
      serial = nextSerial(current.version.serial, dateSerial(this.clock.now()));
      diff = d;
    } else {
      const state = await this.store.zoneState.get(zoneId);
      serial = state?.serial != null ? toSerial(state.serial) : dateSerial(this.clock.now());
    }
    const built = buildPrimaryVersion(origin, rows, serial);
    if (!built.ok) throw new Error(built.error);
    for (const s of built.value.skipped) this.log.warn({ zone: origin, op: 'load' }, s);
    const version = built.value.version;
    await this.store.zoneState.patch(zoneId, { serial: version.serial });
    if (diff !== undefined && current !== undefined) {
      const j = this.journals.get(zoneId) ?? [];
      j.push({ soaFrom: current.version.soa, soaTo: version.soa, removed: diff.removed, added: diff.added });
      while (j.length > this.journalLimit) j.shift();
      this.journals.set(zoneId, j);
    }
    this.registry.install({ id: zoneId, origin, role: 'primary', version, expired: false });
    this.log.info({ zone: origin, op: 'load', serial: version.serial, records: version.recordCount }, 'zone published');
    this.emit('published', { zoneId, origin, serial: version.serial });
  }

  private reloadSecondary(zoneId: string): void {
    // The secondary role (transfers in) lands with its own issue; until then a secondary zone is
    // configured but not served, and a zone converted from primary stops being served.
    if (this.registry.get(zoneId)?.role === 'primary') this.registry.remove(zoneId);
  }
}
