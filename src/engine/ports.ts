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

export interface ZoneStateRow {
  readonly serial: number | null;
  readonly lastRefreshOk: string | null;
  readonly nextRefresh: string | null;
  readonly nextExpire: string | null;
}

/** ZoneStateUpdate: undefined leaves a column unchanged, null clears it. */
export interface ZoneStateUpdate {
  serial?: number | null;
  checkedTime?: string | Date | null;
  lastRefreshOk?: string | Date | null;
  nextRefresh?: string | Date | null;
  nextExpire?: string | Date | null;
  lastNotifiedSerial?: number | null;
  lastError?: string | null;
}

export interface IncomingRow {
  readonly autoRefreshSeconds: number;
  readonly peers: readonly string[];
}

export interface OutgoingRow {
  readonly enabled: boolean;
  readonly peers: readonly string[];
}

export interface PeerRow {
  readonly id: string;
  readonly name: string;
  readonly ip: string | null;
  readonly port: number | null;
  readonly ixfrEnable: boolean | null;
  readonly tsigId: string | null;
}

export interface TsigRow {
  readonly id: string;
  readonly name: string;
  readonly algo: string;
  readonly secret: string;
}

export interface AclRow {
  readonly ipRange: string;
}

export interface CheckUpdate {
  soaSerial?: number | null;
  checkedTime?: string | Date | null;
  lastError?: string | null;
  lastTransferredTime?: string | Date | null;
}

/** RefreshEndRow is what a refresh writes when it ends. */
export interface RefreshEndRow {
  readonly history: readonly TransferEventRow[];
  readonly check?: CheckUpdate;
  readonly state?: ZoneStateUpdate;
  readonly lease?: { readonly owner: string; readonly ttlSeconds: number };
}

export type TransferOp = 'refresh' | 'axfr-in' | 'ixfr-in' | 'axfr-out' | 'ixfr-out' | 'notify-in' | 'notify-out';

export interface TransferEventRow {
  zoneId: string;
  op: TransferOp;
  remote: string | null;
  serial: number | null;
  ok: boolean;
  error: string | null;
  startedAt: string | Date;
  finishedAt: string | Date;
  /** records / bytes: RRs and octets on the wire, for transfers. */
  records?: number | null;
  bytes?: number | null;
  /** xfrId: the transfer id of the log lines (`xfr`). */
  xfrId?: string | null;
}

/** StoredVersionRow is a persisted version (src/store/repos/versions.ts). */
export interface StoredVersionRow {
  readonly serial: number;
  readonly origin: string;
  readonly soaTtl: number;
  readonly soaRdata: Uint8Array;
  readonly recordCount: number;
  readonly chunks: readonly Uint8Array[];
}

export interface JournalRow {
  readonly serialFrom: number;
  readonly serialTo: number;
  readonly diff: Uint8Array;
}

/** EngineStore is the slice of the store the engine uses. */
export interface EngineStore {
  readonly zones: { all(): Promise<ZoneRow[]>; get(id: string): Promise<ZoneRow | null> };
  readonly records: { all(zoneId: string): Promise<RecordRow[]> };
  readonly incoming: { get(zoneId: string): Promise<IncomingRow | null>; recordCheck(zoneId: string, c: CheckUpdate): Promise<void> };
  readonly outgoing: { get(zoneId: string): Promise<OutgoingRow | null>; recordCheck(zoneId: string, c: CheckUpdate): Promise<void> };
  readonly peers: { get(accountId: string, id: string): Promise<PeerRow | null> };
  readonly tsigs: { get(accountId: string, id: string): Promise<TsigRow | null> };
  readonly acls: { list(accountId: string): Promise<AclRow[]> };
  readonly zoneState: {
    get(zoneId: string): Promise<ZoneStateRow | null>;
    patch(zoneId: string, patch: ZoneStateUpdate): Promise<unknown>;
    appendTransfer(e: TransferEventRow): Promise<unknown>;
    acquireLease(zoneId: string, owner: string, ttlSeconds: number): Promise<boolean>;
    releaseLease(zoneId: string, owner: string): Promise<void>;
    /** finishRefresh: a refresh's history rows, check, state and lease renewal in one write. */
    finishRefresh(zoneId: string, f: RefreshEndRow): Promise<{ leaseKept: boolean }>;
  };
  readonly versions: {
    save(
      zoneId: string,
      req: { kind: 'full'; version: StoredVersionRow; journal?: readonly JournalRow[] } | { kind: 'incremental'; serial: number; journal: readonly JournalRow[] },
      o: { expectSerial: number | null; journalLimit: number },
    ): Promise<'saved' | 'conflict'>;
    current(zoneId: string): Promise<{ serial: number; base: StoredVersionRow; diffs: readonly JournalRow[] } | null>;
    journal(zoneId: string): Promise<JournalRow[]>;
  };
}

/** Clock is injected so tests control time (STYLE.md principle 7). */
export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

/** EngineLogger is the subset of pino the engine calls. */
export interface EngineLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
  debug(obj: object, msg?: string): void;
}
