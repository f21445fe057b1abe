// The engine's persisted per-zone state (serial, timers, last error), the refresh lease that lets one
// instance at a time refresh a secondary zone, and the append-only transfer/NOTIFY history.
// Patches publish a `zone_state` change only when asked: the composition root turns every change
// that names a zone into engine.zoneChanged, so an unconditional publish would loop.
import type { Db } from '../change-feed.js';
import { optionalTime, toRfc3339 } from '../time.js';
import type { TransferEvent, TransferRecord, ZoneState, ZoneStatePatch } from '../types.js';
import type { TransferCheck } from './transfers.js';

interface StateRow {
  zone_id: string;
  serial: number | null;
  checked_time: string | null;
  last_refresh_ok: string | null;
  next_refresh: string | null;
  next_expire: string | null;
  last_notified_serial: number | null;
  last_error: string | null;
  lease_owner: string | null;
  lease_expires: string | null;
  updated_at: string;
}

interface TransferRow {
  id: number;
  zone_id: string;
  op: TransferEvent['op'];
  remote: string | null;
  serial: number | null;
  ok: boolean;
  error: string | null;
  started_at: string;
  finished_at: string;
  records: number | null;
  bytes: number | null;
  xfr_id: string | null;
}

const STATE_COLS = `zone_id, serial, checked_time, last_refresh_ok, next_refresh, next_expire, last_notified_serial,
  last_error, lease_owner, lease_expires, updated_at`;

const PATCH_COLUMNS: Record<keyof ZoneStatePatch, string> = {
  serial: 'serial',
  checkedTime: 'checked_time',
  lastRefreshOk: 'last_refresh_ok',
  nextRefresh: 'next_refresh',
  nextExpire: 'next_expire',
  lastNotifiedSerial: 'last_notified_serial',
  lastError: 'last_error',
};

function toState(r: StateRow): ZoneState {
  return {
    zoneId: r.zone_id,
    serial: r.serial,
    checkedTime: optionalTime(r.checked_time),
    lastRefreshOk: optionalTime(r.last_refresh_ok),
    nextRefresh: optionalTime(r.next_refresh),
    nextExpire: optionalTime(r.next_expire),
    lastNotifiedSerial: r.last_notified_serial,
    lastError: r.last_error,
    leaseOwner: r.lease_owner,
    leaseExpires: optionalTime(r.lease_expires),
    updatedAt: toRfc3339(r.updated_at),
  };
}

const toTransfer = (r: TransferRow): TransferRecord => ({
  id: r.id,
  zoneId: r.zone_id,
  op: r.op,
  remote: r.remote,
  serial: r.serial,
  ok: r.ok,
  error: r.error,
  startedAt: toRfc3339(r.started_at),
  finishedAt: toRfc3339(r.finished_at),
  records: r.records,
  bytes: r.bytes,
  xfrId: r.xfr_id,
});

const param = (v: unknown): unknown => (v instanceof Date ? v.toISOString() : v);

/** RefreshEnd is what a refresh writes when it ends (ZoneStateRepo.finishRefresh). */
export interface RefreshEnd {
  readonly history: readonly TransferEvent[];
  readonly check?: TransferCheck;
  readonly state?: ZoneStatePatch;
  /** lease: renewed for `owner` unless another owner holds an unexpired one. */
  readonly lease?: { readonly owner: string; readonly ttlSeconds: number };
}

const CHECK_COLUMNS: Record<keyof TransferCheck, string> = { soaSerial: 'soa_serial', checkedTime: 'checked_time', lastError: 'last_error' };

/** LEASE_FREE: the zone_state row's lease may be taken by EXCLUDED.lease_owner. */
const LEASE_FREE = `zone_state.lease_owner IS NULL OR zone_state.lease_owner = EXCLUDED.lease_owner
  OR zone_state.lease_expires IS NULL OR zone_state.lease_expires < now()`;

/**
 * refreshEndStatement builds finishRefresh's statement. History rows go in through unnest (in
 * order: ids follow it); the state upsert carries the lease renewal, since one statement may not
 * change a row twice. Bookkeeping only, so it does not wait for the WAL flush.
 */
function refreshEndStatement(zoneId: string, f: RefreshEnd): { text: string; params: unknown[] } {
  const params: unknown[] = [zoneId];
  const p = (v: unknown): string => {
    params.push(param(v));
    return `$${params.length}`;
  };
  const h = f.history;
  const ctes: string[] = [`nosync AS (SELECT set_config('synchronous_commit', 'off', true) AS v)`];
  const selects = ['(SELECT count(*) FROM nosync) AS nosync'];
  if (h.length > 0) {
    const col = <T>(get: (e: TransferEvent) => T) => p(h.map((e) => param(get(e) ?? null)));
    ctes.push(`h AS (
      INSERT INTO zone_transfers (zone_id, op, remote, serial, ok, error, started_at, finished_at, records, bytes, xfr_id)
      SELECT $1, e.op, e.remote, e.serial, e.ok, e.error, e.started_at, e.finished_at, e.records, e.bytes, e.xfr_id
        FROM unnest(${col((e) => e.op)}::text[], ${col((e) => e.remote)}::text[], ${col((e) => e.serial)}::bigint[], ${col((e) => e.ok)}::boolean[],
                    ${col((e) => e.error)}::text[], ${col((e) => e.startedAt)}::timestamptz[], ${col((e) => e.finishedAt)}::timestamptz[],
                    ${col((e) => e.records)}::bigint[], ${col((e) => e.bytes)}::bigint[], ${col((e) => e.xfrId)}::text[])
             WITH ORDINALITY AS e (op, remote, serial, ok, error, started_at, finished_at, records, bytes, xfr_id, n)
       ORDER BY e.n
      RETURNING 1)`);
    selects.push('(SELECT count(*) FROM h) AS h');
  }
  const checkSets = Object.entries(CHECK_COLUMNS).flatMap(([k, c]) => (f.check?.[k as keyof TransferCheck] === undefined ? [] : [`${c} = ${p(f.check[k as keyof TransferCheck])}`]));
  if (checkSets.length > 0) {
    ctes.push(`inc AS (UPDATE zone_incoming SET ${checkSets.join(', ')} WHERE zone_id = $1 RETURNING 1)`);
    selects.push('(SELECT count(*) FROM inc) AS inc');
  }
  const cols: string[] = [];
  const vals: string[] = [];
  const sets: string[] = [];
  for (const [k, c] of Object.entries(PATCH_COLUMNS) as Array<[keyof ZoneStatePatch, string]>) {
    if (f.state?.[k] === undefined) continue;
    cols.push(c);
    vals.push(p(f.state[k]));
    sets.push(`${c} = EXCLUDED.${c}`);
  }
  if (f.lease !== undefined) {
    cols.push('lease_owner', 'lease_expires');
    vals.push(p(f.lease.owner), `now() + make_interval(secs => ${p(f.lease.ttlSeconds)})`);
    sets.push(`lease_owner = CASE WHEN ${LEASE_FREE} THEN EXCLUDED.lease_owner ELSE zone_state.lease_owner END`);
    sets.push(`lease_expires = CASE WHEN ${LEASE_FREE} THEN EXCLUDED.lease_expires ELSE zone_state.lease_expires END`);
  }
  if (cols.length > 0) {
    ctes.push(`st AS (
      INSERT INTO zone_state (zone_id, ${cols.join(', ')}) VALUES ($1, ${vals.join(', ')})
      ON CONFLICT (zone_id) DO UPDATE SET ${[...sets, 'updated_at = now()'].join(', ')}
      RETURNING lease_owner)`);
    selects.push('(SELECT lease_owner FROM st) AS lease_owner');
  }
  return { text: `WITH ${ctes.join(',\n')}\nSELECT ${selects.join(', ')}`, params };
}

export interface ZoneStateRepo {
  get(zoneId: string): Promise<ZoneState | null>;
  all(): Promise<ZoneState[]>;
  /**
   * patch upserts the given columns (undefined = unchanged, null = cleared). `publish` sends a
   * `zone_state` change (default false: the engine's own bookkeeping is not news).
   */
  patch(zoneId: string, patch: ZoneStatePatch, opts?: { publish?: boolean }): Promise<ZoneState>;
  /**
   * acquireLease takes or renews the zone's refresh lease for `owner` for ttlSeconds; false when
   * another owner holds an unexpired lease.
   */
  acquireLease(zoneId: string, owner: string, ttlSeconds: number): Promise<boolean>;
  releaseLease(zoneId: string, owner: string): Promise<void>;
  appendTransfer(event: TransferEvent): Promise<TransferRecord>;
  /**
   * finishRefresh writes what a refresh ends with in ONE statement: its history rows (in order),
   * the incoming check (soa_serial, checked_time, last_error), the zone's state, and the renewal
   * of its lease. Resolves whether the lease is (still) `lease.owner`'s.
   */
  finishRefresh(zoneId: string, f: RefreshEnd): Promise<{ leaseKept: boolean }>;
  /** history returns the newest `limit` events of a zone, oldest first. */
  history(zoneId: string, limit?: number): Promise<TransferRecord[]>;
}

export function zoneStateRepo(db: Db): ZoneStateRepo {
  return {
    async get(zoneId) {
      const rows = await db.sql.query<StateRow>(`SELECT ${STATE_COLS} FROM zone_state WHERE zone_id = $1`, [zoneId]);
      return rows[0] ? toState(rows[0]) : null;
    },
    async all() {
      const rows = await db.sql.query<StateRow>(`SELECT ${STATE_COLS} FROM zone_state ORDER BY zone_id`);
      return rows.map(toState);
    },
    async patch(zoneId, patch, opts = {}) {
      const columns: string[] = [];
      const values: unknown[] = [];
      for (const [key, column] of Object.entries(PATCH_COLUMNS) as Array<[keyof ZoneStatePatch, string]>) {
        if (patch[key] === undefined) continue;
        columns.push(column);
        values.push(param(patch[key]));
      }
      const placeholders = columns.map((_, i) => `$${i + 2}`);
      const updates = columns.map((c) => `${c} = EXCLUDED.${c}`);
      return db.write(async (tx, changes) => {
        const rows = await tx.query<StateRow>(
          `INSERT INTO zone_state (zone_id${columns.map((c) => `, ${c}`).join('')}) VALUES ($1${placeholders.map((p) => `, ${p}`).join('')})
           ON CONFLICT (zone_id) DO UPDATE SET ${[...updates, 'updated_at = now()'].join(', ')}
           RETURNING ${STATE_COLS}`,
          [zoneId, ...values],
        );
        const row = rows[0];
        if (!row) throw new Error('zone_state upsert returned no row');
        if (opts.publish === true) changes.push({ kind: 'zone_state', zone_id: zoneId });
        return toState(row);
      });
    },
    async acquireLease(zoneId, owner, ttlSeconds) {
      const rows = await db.sql.query(
        // synchronous_commit off: a lease lost in a database crash is harmless (the version
        // compare-and-set keeps the zone consistent) and this runs before every refresh.
        `INSERT INTO zone_state (zone_id, lease_owner, lease_expires)
         SELECT $1, $2, now() + make_interval(secs => $3) FROM (SELECT set_config('synchronous_commit', 'off', true)) AS nosync
         ON CONFLICT (zone_id) DO UPDATE SET lease_owner = EXCLUDED.lease_owner, lease_expires = EXCLUDED.lease_expires
         WHERE zone_state.lease_owner IS NULL OR zone_state.lease_owner = EXCLUDED.lease_owner
            OR zone_state.lease_expires IS NULL OR zone_state.lease_expires < now()
         RETURNING zone_id`,
        [zoneId, owner, ttlSeconds],
        { prepare: 'zx_acquire_lease' },
      );
      return rows.length > 0;
    },
    async releaseLease(zoneId, owner) {
      await db.sql.query(
        'UPDATE zone_state SET lease_owner = NULL, lease_expires = NULL WHERE zone_id = $1 AND lease_owner = $2',
        [zoneId, owner],
      );
    },
    async appendTransfer(e) {
      const rows = await db.sql.query<TransferRow>(
        `INSERT INTO zone_transfers (zone_id, op, remote, serial, ok, error, started_at, finished_at, records, bytes, xfr_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING *`,
        [e.zoneId, e.op, e.remote, e.serial, e.ok, e.error, param(e.startedAt), param(e.finishedAt), e.records ?? null, e.bytes ?? null, e.xfrId ?? null],
      );
      const row = rows[0];
      if (!row) throw new Error('zone_transfers insert returned no row');
      return toTransfer(row);
    },
    async finishRefresh(zoneId, f) {
      const q = refreshEndStatement(zoneId, f);
      const rows = await db.sql.query<{ lease_owner?: string | null }>(q.text, q.params);
      return { leaseKept: f.lease !== undefined && rows[0]?.lease_owner === f.lease.owner };
    },
    async history(zoneId, limit = 100) {
      const rows = await db.sql.query<TransferRow>(
        `SELECT * FROM (SELECT * FROM zone_transfers WHERE zone_id = $1 ORDER BY id DESC LIMIT $2) s ORDER BY id`,
        [zoneId, limit],
      );
      return rows.map(toTransfer);
    },
  };
}
