// Incoming (secondary) and outgoing (primary) zone-transfer configurations and their peer links.
// The link tables carry account_id so the database itself refuses a peer of another account; peers
// keep the order they were given in. The engine records check/transfer outcomes through here too.
import type { Db } from '../change-feed.js';
import type { SqlQuery } from '../sql.js';
import { optionalTime, toRfc3339 } from '../time.js';
import type { Incoming, IncomingInput, Outgoing, OutgoingInput } from '../types.js';

interface IncomingRow {
  zone_id: string;
  account_id: string;
  name: string;
  auto_refresh_seconds: number;
  peers: string[] | null;
  soa_serial: number | null;
  checked_time: string | null;
  last_error: string | null;
  created_time: string;
  modified_time: string;
}

interface OutgoingRow {
  zone_id: string;
  account_id: string;
  name: string;
  enabled: boolean;
  peers: string[] | null;
  soa_serial: number | null;
  checked_time: string | null;
  last_transferred_time: string | null;
  created_time: string;
  modified_time: string;
}

const INCOMING_SELECT = `SELECT i.zone_id, z.account_id, i.name, i.auto_refresh_seconds, i.soa_serial,
  i.checked_time, i.last_error, i.created_time, i.modified_time,
  ARRAY(SELECT p.peer_id FROM zone_incoming_peers p WHERE p.zone_id = i.zone_id ORDER BY p.position) AS peers
  FROM zone_incoming i JOIN zones z ON z.id = i.zone_id`;

const OUTGOING_SELECT = `SELECT o.zone_id, z.account_id, o.name, o.enabled, o.soa_serial, o.checked_time,
  o.last_transferred_time, o.created_time, o.modified_time,
  ARRAY(SELECT p.peer_id FROM zone_outgoing_peers p WHERE p.zone_id = o.zone_id ORDER BY p.position) AS peers
  FROM zone_outgoing o JOIN zones z ON z.id = o.zone_id`;

function toIncoming(r: IncomingRow): Incoming {
  return {
    zoneId: r.zone_id,
    accountId: r.account_id,
    name: r.name,
    autoRefreshSeconds: r.auto_refresh_seconds,
    peers: r.peers ?? [],
    soaSerial: r.soa_serial,
    checkedTime: optionalTime(r.checked_time),
    lastError: r.last_error,
    createdTime: toRfc3339(r.created_time),
    modifiedTime: toRfc3339(r.modified_time),
  };
}

function toOutgoing(r: OutgoingRow): Outgoing {
  return {
    zoneId: r.zone_id,
    accountId: r.account_id,
    name: r.name,
    enabled: r.enabled,
    peers: r.peers ?? [],
    soaSerial: r.soa_serial,
    checkedTime: optionalTime(r.checked_time),
    lastTransferredTime: optionalTime(r.last_transferred_time),
    createdTime: toRfc3339(r.created_time),
    modifiedTime: toRfc3339(r.modified_time),
  };
}

type Direction = 'incoming' | 'outgoing';

/** replaceLinks rewrites a zone's peer list for one direction, keeping the given order. */
async function replaceLinks(tx: SqlQuery, direction: Direction, zoneId: string, peers: string[]): Promise<void> {
  const table = direction === 'incoming' ? 'zone_incoming_peers' : 'zone_outgoing_peers';
  await tx.query(`DELETE FROM ${table} WHERE zone_id = $1`, [zoneId]);
  if (peers.length === 0) return;
  await tx.query(
    `INSERT INTO ${table} (zone_id, peer_id, account_id, position)
     SELECT $1, t.peer_id, z.account_id, t.ord FROM unnest($2::text[]) WITH ORDINALITY AS t(peer_id, ord)
     JOIN zones z ON z.id = $1`,
    [zoneId, peers],
  );
}

/** TransferCheck is what the engine reports after an SOA check or a transfer. */
export interface TransferCheck {
  soaSerial?: number | null;
  checkedTime?: string | Date | null;
  lastError?: string | null;
}

export interface IncomingRepo {
  get(zoneId: string): Promise<Incoming | null>;
  /** all lists every incoming config (the engine's load). */
  all(): Promise<Incoming[]>;
  /** create fails with StoreError 'unique' (zone_incoming_pkey) when one exists. */
  create(zoneId: string, input: IncomingInput): Promise<Incoming>;
  update(zoneId: string, input: IncomingInput): Promise<Incoming | null>;
  delete(zoneId: string): Promise<boolean>;
  /** recordCheck stores the engine's latest serial/check time/error (no zone change event). */
  recordCheck(zoneId: string, check: TransferCheck): Promise<void>;
}

export interface OutgoingRepo {
  get(zoneId: string): Promise<Outgoing | null>;
  all(): Promise<Outgoing[]>;
  create(zoneId: string, input: OutgoingInput): Promise<Outgoing>;
  update(zoneId: string, input: OutgoingInput): Promise<Outgoing | null>;
  delete(zoneId: string): Promise<boolean>;
  /** setEnabled flips transfers on or off; null when there is no outgoing config. */
  setEnabled(zoneId: string, enabled: boolean): Promise<Outgoing | null>;
  recordCheck(zoneId: string, check: TransferCheck & { lastTransferredTime?: string | Date | null }): Promise<void>;
}

function checkAssignments(check: Record<string, unknown>, columns: Record<string, string>): { sets: string[]; params: unknown[] } {
  const sets: string[] = [];
  const params: unknown[] = [];
  for (const [key, column] of Object.entries(columns)) {
    const value = check[key];
    if (value === undefined) continue;
    params.push(value instanceof Date ? value.toISOString() : value);
    sets.push(`${column} = $${params.length + 1}`);
  }
  return { sets, params };
}

export function incomingRepo(db: Db): IncomingRepo {
  async function get(zoneId: string, tx: SqlQuery = db.sql): Promise<Incoming | null> {
    const rows = await tx.query<IncomingRow>(`${INCOMING_SELECT} WHERE i.zone_id = $1`, [zoneId]);
    return rows[0] ? toIncoming(rows[0]) : null;
  }
  return {
    get: (zoneId) => get(zoneId),
    async all() {
      const rows = await db.sql.query<IncomingRow>(`${INCOMING_SELECT} ORDER BY i.zone_id`);
      return rows.map(toIncoming);
    },
    async create(zoneId, input) {
      return db.write(async (tx, changes) => {
        await tx.query('INSERT INTO zone_incoming (zone_id, name, auto_refresh_seconds) VALUES ($1, $2, $3)', [
          zoneId,
          input.name,
          input.autoRefreshSeconds,
        ]);
        await replaceLinks(tx, 'incoming', zoneId, input.peers);
        const row = await get(zoneId, tx);
        if (!row) throw new Error('incoming vanished after insert');
        changes.push({ kind: 'incoming', zone_id: zoneId, account_id: row.accountId });
        return row;
      });
    },
    async update(zoneId, input) {
      return db.write(async (tx, changes) => {
        const updated = await tx.query(
          `UPDATE zone_incoming SET name = $2, auto_refresh_seconds = $3, modified_time = now()
           WHERE zone_id = $1 RETURNING zone_id`,
          [zoneId, input.name, input.autoRefreshSeconds],
        );
        if (updated.length === 0) return null;
        await replaceLinks(tx, 'incoming', zoneId, input.peers);
        const row = await get(zoneId, tx);
        if (row) changes.push({ kind: 'incoming', zone_id: zoneId, account_id: row.accountId });
        return row;
      });
    },
    async delete(zoneId) {
      return db.write(async (tx, changes) => {
        const rows = await tx.query<{ account_id: string }>(
          `DELETE FROM zone_incoming i USING zones z WHERE i.zone_id = $1 AND z.id = i.zone_id RETURNING z.account_id`,
          [zoneId],
        );
        const row = rows[0];
        if (!row) return false;
        changes.push({ kind: 'incoming', zone_id: zoneId, account_id: row.account_id });
        return true;
      });
    },
    async recordCheck(zoneId, check) {
      const { sets, params } = checkAssignments(check as Record<string, unknown>, {
        soaSerial: 'soa_serial',
        checkedTime: 'checked_time',
        lastError: 'last_error',
      });
      if (sets.length === 0) return;
      await db.sql.query(`UPDATE zone_incoming SET ${sets.join(', ')} WHERE zone_id = $1`, [zoneId, ...params]);
    },
  };
}

export function outgoingRepo(db: Db): OutgoingRepo {
  async function get(zoneId: string, tx: SqlQuery = db.sql): Promise<Outgoing | null> {
    const rows = await tx.query<OutgoingRow>(`${OUTGOING_SELECT} WHERE o.zone_id = $1`, [zoneId]);
    return rows[0] ? toOutgoing(rows[0]) : null;
  }
  return {
    get: (zoneId) => get(zoneId),
    async all() {
      const rows = await db.sql.query<OutgoingRow>(`${OUTGOING_SELECT} ORDER BY o.zone_id`);
      return rows.map(toOutgoing);
    },
    async create(zoneId, input) {
      return db.write(async (tx, changes) => {
        await tx.query('INSERT INTO zone_outgoing (zone_id, name) VALUES ($1, $2)', [zoneId, input.name]);
        await replaceLinks(tx, 'outgoing', zoneId, input.peers);
        const row = await get(zoneId, tx);
        if (!row) throw new Error('outgoing vanished after insert');
        changes.push({ kind: 'outgoing', zone_id: zoneId, account_id: row.accountId });
        return row;
      });
    },
    async update(zoneId, input) {
      return db.write(async (tx, changes) => {
        const updated = await tx.query(
          'UPDATE zone_outgoing SET name = $2, modified_time = now() WHERE zone_id = $1 RETURNING zone_id',
          [zoneId, input.name],
        );
        if (updated.length === 0) return null;
        await replaceLinks(tx, 'outgoing', zoneId, input.peers);
        const row = await get(zoneId, tx);
        if (row) changes.push({ kind: 'outgoing', zone_id: zoneId, account_id: row.accountId });
        return row;
      });
    },
    async delete(zoneId) {
      return db.write(async (tx, changes) => {
        const rows = await tx.query<{ account_id: string }>(
          `DELETE FROM zone_outgoing o USING zones z WHERE o.zone_id = $1 AND z.id = o.zone_id RETURNING z.account_id`,
          [zoneId],
        );
        const row = rows[0];
        if (!row) return false;
        changes.push({ kind: 'outgoing', zone_id: zoneId, account_id: row.account_id });
        return true;
      });
    },
    async setEnabled(zoneId, enabled) {
      return db.write(async (tx, changes) => {
        const updated = await tx.query(
          'UPDATE zone_outgoing SET enabled = $2, modified_time = now() WHERE zone_id = $1 RETURNING zone_id',
          [zoneId, enabled],
        );
        if (updated.length === 0) return null;
        const row = await get(zoneId, tx);
        if (row) changes.push({ kind: 'outgoing', zone_id: zoneId, account_id: row.accountId });
        return row;
      });
    },
    async recordCheck(zoneId, check) {
      const { sets, params } = checkAssignments(check as Record<string, unknown>, {
        soaSerial: 'soa_serial',
        checkedTime: 'checked_time',
        lastTransferredTime: 'last_transferred_time',
      });
      if (sets.length === 0) return;
      await db.sql.query(`UPDATE zone_outgoing SET ${sets.join(', ')} WHERE zone_id = $1`, [zoneId, ...params]);
    },
  };
}
