// DNS records of a zone in Cloudflare's shape. Content arrives already validated and normalised by
// the API (through the src/zone rdata codec); the store only persists. Batch and import are one
// transaction each and publish a single `records` change.
import type { Db } from '../change-feed.js';
import { newId } from '../ids.js';
import type { SqlQuery } from '../sql.js';
import { toRfc3339 } from '../time.js';
import type { DnsRecord, DnsRecordInput, Page, RecordBatch, RecordBatchResult, RecordListQuery } from '../types.js';

interface RecordRow {
  id: string;
  zone_id: string;
  name: string;
  type: string;
  content: string;
  ttl: number;
  priority: number | null;
  proxied: boolean;
  comment: string | null;
  tags: unknown;
  created_on: string;
  modified_on: string;
}

const COLS = 'id, zone_id, name, type, content, ttl, priority, proxied, comment, tags, created_on, modified_on';

function toRecord(r: RecordRow): DnsRecord {
  const tags = Array.isArray(r.tags) ? r.tags.filter((t): t is string => typeof t === 'string') : [];
  return {
    id: r.id,
    zoneId: r.zone_id,
    name: r.name,
    type: r.type,
    content: r.content,
    ttl: r.ttl,
    priority: r.priority,
    proxied: r.proxied,
    comment: r.comment,
    tags,
    createdOn: toRfc3339(r.created_on),
    modifiedOn: toRfc3339(r.modified_on),
  };
}

async function insert(tx: SqlQuery, zoneId: string, r: DnsRecordInput): Promise<DnsRecord> {
  const rows = await tx.query<RecordRow>(
    `INSERT INTO dns_records (id, zone_id, name, type, content, ttl, priority, proxied, comment, tags)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10::jsonb) RETURNING ${COLS}`,
    [newId(), zoneId, r.name, r.type, r.content, r.ttl, r.priority, r.proxied, r.comment, JSON.stringify(r.tags)],
  );
  const row = rows[0];
  if (!row) throw new Error('dns_records insert returned no row');
  return toRecord(row);
}

async function replace(tx: SqlQuery, zoneId: string, id: string, r: DnsRecordInput): Promise<DnsRecord | null> {
  const rows = await tx.query<RecordRow>(
    `UPDATE dns_records SET name = $3, type = $4, content = $5, ttl = $6, priority = $7, proxied = $8, comment = $9,
       tags = $10::jsonb, modified_on = now()
     WHERE zone_id = $1 AND id = $2 RETURNING ${COLS}`,
    [zoneId, id, r.name, r.type, r.content, r.ttl, r.priority, r.proxied, r.comment, JSON.stringify(r.tags)],
  );
  return rows[0] ? toRecord(rows[0]) : null;
}

async function remove(tx: SqlQuery, zoneId: string, id: string): Promise<DnsRecord | null> {
  const rows = await tx.query<RecordRow>(`DELETE FROM dns_records WHERE zone_id = $1 AND id = $2 RETURNING ${COLS}`, [zoneId, id]);
  return rows[0] ? toRecord(rows[0]) : null;
}

/** RecordNotFoundError aborts a batch that names a record the zone does not have. */
export class RecordNotFoundError extends Error {
  override readonly name = 'RecordNotFoundError';
  constructor(
    readonly recordId: string,
    readonly pointer: string,
  ) {
    super(`record ${recordId} not found`);
  }
}

const ORDER: Record<NonNullable<RecordListQuery['order']>, string> = {
  type: 'type',
  name: 'name',
  content: 'content',
  ttl: 'ttl',
  proxied: 'proxied',
};

/** likePattern escapes LIKE wildcards so the value matches literally. */
function likePattern(op: 'contains' | 'startswith' | 'endswith', value: string): string {
  const v = value.replace(/[\\%_]/g, (c) => `\\${c}`);
  return op === 'contains' ? `%${v}%` : op === 'startswith' ? `${v}%` : `%${v}`;
}

export interface RecordRepo {
  list(zoneId: string, q: RecordListQuery): Promise<Page<DnsRecord>>;
  /** atNames returns the zone's records whose name is one of `names` (conflict checks). */
  atNames(zoneId: string, names: string[]): Promise<DnsRecord[]>;
  /** all returns every record of a zone (export, engine load). */
  all(zoneId: string): Promise<DnsRecord[]>;
  get(zoneId: string, id: string): Promise<DnsRecord | null>;
  create(zoneId: string, input: DnsRecordInput): Promise<DnsRecord>;
  replace(zoneId: string, id: string, input: DnsRecordInput): Promise<DnsRecord | null>;
  delete(zoneId: string, id: string): Promise<boolean>;
  /** batch applies deletes, patches, puts, posts atomically; throws RecordNotFoundError. */
  batch(zoneId: string, batch: RecordBatch): Promise<RecordBatchResult>;
  /** insertMany adds records in one transaction (zone-file import). */
  insertMany(zoneId: string, inputs: DnsRecordInput[]): Promise<number>;
}

export function recordRepo(db: Db): RecordRepo {
  const changed = (zoneId: string) => ({ kind: 'records' as const, zone_id: zoneId });
  return {
    async list(zoneId, q) {
      const where = ['zone_id = $1'];
      const params: unknown[] = [zoneId];
      if (q.type !== undefined) {
        params.push(q.type);
        where.push(`type = $${params.length}`);
      }
      if (q.name !== undefined) {
        params.push(q.name);
        where.push(`name = $${params.length}`);
      }
      if (q.nameLike !== undefined) {
        params.push(likePattern(q.nameLike.op, q.nameLike.value.toLowerCase()));
        where.push(`name LIKE $${params.length}`);
      }
      if (q.content !== undefined) {
        params.push(q.content);
        where.push(`content = $${params.length}`);
      }
      const whereSql = where.join(' AND ');
      const dir = q.direction === 'desc' ? 'DESC' : 'ASC';
      const order = q.order === undefined ? 'type, name, content' : `${ORDER[q.order]} ${dir}`;
      const count = await db.sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM dns_records WHERE ${whereSql}`, params);
      const rows = await db.sql.query<RecordRow>(
        `SELECT ${COLS} FROM dns_records WHERE ${whereSql} ORDER BY ${order}, id
         LIMIT $${params.length + 1} OFFSET $${params.length + 2}`,
        [...params, q.perPage, (q.page - 1) * q.perPage],
      );
      return { items: rows.map(toRecord), totalCount: count[0]?.n ?? 0 };
    },
    async atNames(zoneId, names) {
      if (names.length === 0) return [];
      const rows = await db.sql.query<RecordRow>(
        `SELECT ${COLS} FROM dns_records WHERE zone_id = $1 AND name = ANY($2::text[]) ORDER BY name, type, content, id`,
        [zoneId, [...new Set(names)]],
      );
      return rows.map(toRecord);
    },
    async all(zoneId) {
      const rows = await db.sql.query<RecordRow>(`SELECT ${COLS} FROM dns_records WHERE zone_id = $1 ORDER BY type, name, content, id`, [
        zoneId,
      ]);
      return rows.map(toRecord);
    },
    async get(zoneId, id) {
      const rows = await db.sql.query<RecordRow>(`SELECT ${COLS} FROM dns_records WHERE zone_id = $1 AND id = $2`, [zoneId, id]);
      return rows[0] ? toRecord(rows[0]) : null;
    },
    async create(zoneId, input) {
      return db.write(async (tx, changes) => {
        const rec = await insert(tx, zoneId, input);
        changes.push(changed(zoneId));
        return rec;
      });
    },
    async replace(zoneId, id, input) {
      return db.write(async (tx, changes) => {
        const rec = await replace(tx, zoneId, id, input);
        if (rec) changes.push(changed(zoneId));
        return rec;
      });
    },
    async delete(zoneId, id) {
      return db.write(async (tx, changes) => {
        const rec = await remove(tx, zoneId, id);
        if (rec) changes.push(changed(zoneId));
        return rec !== null;
      });
    },
    async batch(zoneId, b) {
      return db.write(async (tx, changes) => {
        const result: RecordBatchResult = { deletes: [], patches: [], puts: [], posts: [] };
        for (const [i, id] of b.deletes.entries()) {
          const rec = await remove(tx, zoneId, id);
          if (!rec) throw new RecordNotFoundError(id, `/deletes/${i}/id`);
          result.deletes.push(rec);
        }
        for (const [i, p] of b.patches.entries()) {
          const rec = await replace(tx, zoneId, p.id, p.record);
          if (!rec) throw new RecordNotFoundError(p.id, `/patches/${i}/id`);
          result.patches.push(rec);
        }
        for (const [i, p] of b.puts.entries()) {
          const rec = await replace(tx, zoneId, p.id, p.record);
          if (!rec) throw new RecordNotFoundError(p.id, `/puts/${i}/id`);
          result.puts.push(rec);
        }
        for (const input of b.posts) result.posts.push(await insert(tx, zoneId, input));
        changes.push(changed(zoneId));
        return result;
      });
    },
    async insertMany(zoneId, inputs) {
      if (inputs.length === 0) return 0;
      return db.write(async (tx, changes) => {
        for (const input of inputs) await insert(tx, zoneId, input);
        changes.push(changed(zoneId));
        return inputs.length;
      });
    },
  };
}
