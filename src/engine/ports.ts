// What the engine needs from the outside world, declared here and implemented elsewhere
// (STYLE.md principle 2): the store (src/store satisfies these shapes structurally), the clock,
// and a logger. The engine imports no adapter.

/** ZoneRow is a zone as the engine reads it. */
export interface ZoneRow {
  readonly id: string;
  readonly accountId: string;
  /** fqdn: lower-case, absolute. */
  readonly fqdn: string;
  readonly type: 'full' | 'secondary';
}

/** RecordRow is one record of a primary ('full') zone in Cloudflare's shape. */
export interface RecordRow {
  readonly id: string;
  /** name: FQDN without the trailing dot. */
  readonly name: string;
  readonly type: string;
  readonly content: string;
  readonly ttl: number;
  readonly priority: number | null;
}

/** ZoneStateRow is the persisted per-zone state the engine reads back at start. */
export interface ZoneStateRow {
  readonly serial: number | null;
}

/** ZoneStateUpdate: undefined leaves a column unchanged, null clears it. */
export interface ZoneStateUpdate {
  serial?: number | null;
  checkedTime?: string | Date | null;
  lastError?: string | null;
}

/** EngineStore is the slice of the store the engine uses. */
export interface EngineStore {
  readonly zones: { all(): Promise<ZoneRow[]>; get(id: string): Promise<ZoneRow | null> };
  readonly records: { all(zoneId: string): Promise<RecordRow[]> };
  readonly zoneState: {
    get(zoneId: string): Promise<ZoneStateRow | null>;
    patch(zoneId: string, patch: ZoneStateUpdate): Promise<unknown>;
  };
}

/** Clock is injected so tests control time (STYLE.md principle 7). */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** EngineLogger is the subset of pino the engine calls. */
export interface EngineLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
  debug(obj: object, msg?: string): void;
}
