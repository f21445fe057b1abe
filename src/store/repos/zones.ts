// Zones: create, read, list with Cloudflare's filters and page/per_page, type conversion, delete.
// Names are stored as given plus a lower-case absolute `fqdn` that is unique per account. Turning a
// secondary zone into a full one drops its incoming configuration in the same transaction.
import type { Db } from '../change-feed.js';
import { newId } from '../ids.js';
import { toRfc3339, optionalTime } from '../time.js';
import type { Page, Zone, ZoneListQuery, ZoneRef, ZoneType } from '../types.js';

interface ZoneRow {
  id: string;
  account_id: string;
  account_name: string;
  name: string;
  fqdn: string;
  type: ZoneType;
  status: string;
  created_on: string;
  modified_on: string;
  activated_on: string | null;
}

const ZONE_SELECT = `SELECT z.id, z.account_id, a.name AS account_name, z.name, z.fqdn, z.type, z.status,
  z.created_on, z.modified_on, z.activated_on FROM zones z JOIN accounts a ON a.id = z.account_id`;

function toZone(r: ZoneRow): Zone {
  return {
    id: r.id,
    accountId: r.account_id,
    accountName: r.account_name,
    name: r.name,
    fqdn: r.fqdn,
    type: r.type,
    status: r.status,
    createdOn: toRfc3339(r.created_on),
    modifiedOn: toRfc3339(r.modified_on),
    activatedOn: optionalTime(r.activated_on),
  };
}

/** toFqdn is the canonical zone key: lower-case with exactly one trailing dot. */
export function toFqdn(name: string): string {
  const lower = name.toLowerCase();
  return lower.endsWith('.') ? lower : `${lower}.`;
}

const ORDER_COLUMNS: Record<NonNullable<ZoneListQuery['order']>, string> = {
  name: 'z.fqdn',
  status: 'z.status',
  'account.id': 'z.account_id',
  'account.name': 'a.name',
};

export interface ZoneRepo {
  create(input: { accountId: string; name: string; type: ZoneType }): Promise<Zone>;
  get(id: string): Promise<Zone | null>;
  list(q: ZoneListQuery): Promise<Page<Zone>>;
  /** all returns every zone (the engine's initial load). */
  all(): Promise<Zone[]>;
  /** setType converts a zone; to `full` also deletes its incoming config. null when absent. */
  setType(id: string, type: ZoneType): Promise<Zone | null>;
  delete(id: string): Promise<ZoneRef | null>;
  /** withTransfers lists an account's zones that have an incoming or outgoing config. */
  withTransfers(accountId: string): Promise<ZoneRef[]>;
}

export function zoneRepo(db: Db): ZoneRepo {
  async function get(id: string): Promise<Zone | null> {
    const rows = await db.sql.query<ZoneRow>(`${ZONE_SELECT} WHERE z.id = $1`, [id]);
    return rows[0] ? toZone(rows[0]) : null;
  }

  return {
    async create({ accountId, name, type }) {
      const id = newId();
      await db.write(async (tx, changes) => {
        await tx.query('INSERT INTO zones (id, account_id, name, fqdn, type) VALUES ($1, $2, $3, $4, $5)', [
          id,
          accountId,
          name,
          toFqdn(name),
          type,
        ]);
        changes.push({ kind: 'zone', zone_id: id, account_id: accountId });
      });
      const zone = await get(id);
      if (!zone) throw new Error('zone vanished after insert');
      return zone;
    },
    get,
    async list(q) {
      const where: string[] = [];
      const params: unknown[] = [];
      const add = (clause: (n: string) => string, value: unknown): void => {
        params.push(value);
        where.push(clause(`$${params.length}`));
      };
      if (q.accountId !== undefined) add((p) => `z.account_id = ${p}`, q.accountId);
      if (q.name !== undefined) add((p) => `z.fqdn = ${p}`, toFqdn(q.name));
      if (q.accountName !== undefined) add((p) => `a.name = ${p}`, q.accountName);
      if (q.status !== undefined) add((p) => `z.status = ${p}`, q.status);
      if (q.types !== undefined && q.types.length > 0) add((p) => `z.type = ANY(${p}::text[])`, q.types);
      const whereSql = where.length > 0 ? `WHERE ${where.join(' AND ')}` : '';
      const order = `${ORDER_COLUMNS[q.order ?? 'name']} ${q.direction === 'desc' ? 'DESC' : 'ASC'}, z.id`;
      const countRows = await db.sql.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM zones z JOIN accounts a ON a.id = z.account_id ${whereSql}`,
        params,
      );
      const rows = await db.sql.query<ZoneRow>(
        `${ZONE_SELECT} ${whereSql} ORDER BY ${order} LIMIT $${params.length + 1} OFFSET $${params.length + 2}`,
        [...params, q.perPage, (q.page - 1) * q.perPage],
      );
      return { items: rows.map(toZone), totalCount: countRows[0]?.n ?? 0 };
    },
    async all() {
      const rows = await db.sql.query<ZoneRow>(`${ZONE_SELECT} ORDER BY z.fqdn, z.id`);
      return rows.map(toZone);
    },
    async setType(id, type) {
      const found = await db.write(async (tx, changes) => {
        const rows = await tx.query<{ account_id: string }>(
          'UPDATE zones SET type = $2, modified_on = now() WHERE id = $1 RETURNING account_id',
          [id, type],
        );
        const row = rows[0];
        if (!row) return false;
        if (type === 'full') {
          const dropped = await tx.query('DELETE FROM zone_incoming WHERE zone_id = $1 RETURNING zone_id', [id]);
          if (dropped.length > 0) changes.push({ kind: 'incoming', zone_id: id, account_id: row.account_id });
        }
        changes.push({ kind: 'zone', zone_id: id, account_id: row.account_id });
        return true;
      });
      return found ? get(id) : null;
    },
    async delete(id) {
      return db.write(async (tx, changes) => {
        const rows = await tx.query<{ account_id: string }>('DELETE FROM zones WHERE id = $1 RETURNING account_id', [id]);
        const row = rows[0];
        if (!row) return null;
        changes.push({ kind: 'zone_deleted', zone_id: id, account_id: row.account_id });
        return { zoneId: id, accountId: row.account_id };
      });
    },
    async withTransfers(accountId) {
      const rows = await db.sql.query<{ id: string }>(
        `SELECT z.id FROM zones z WHERE z.account_id = $1 AND (
           EXISTS (SELECT 1 FROM zone_incoming i WHERE i.zone_id = z.id) OR
           EXISTS (SELECT 1 FROM zone_outgoing o WHERE o.zone_id = z.id))
         ORDER BY z.id`,
        [accountId],
      );
      return rows.map((r) => ({ zoneId: r.id, accountId }));
    },
  };
}
