// Durable zone versions and IXFR journals. save() is a compare-and-set on the zone's current
// serial inside one transaction: the chunks, the move of zone_current, the journal row and the
// pruning commit together or not at all, and of several instances racing to publish, exactly
// one wins (the others reload the winner's version). Chunks are bulk-inserted a few megabytes at
// a time, so a million-record version is a handful of rows, not a million.

import type { Db } from '../change-feed.js';
import type { SqlQuery } from '../sql.js';

/** StoredVersion is a version as persisted: its SOA and snapshot chunks. */
export interface StoredVersion {
  readonly serial: number;
  readonly origin: string;
  readonly soaTtl: number;
  readonly soaRdata: Uint8Array;
  readonly recordCount: number;
  readonly chunks: readonly Uint8Array[];
}

/** JournalEntry is one stored IXFR diff. */
export interface JournalEntry {
  readonly serialFrom: number;
  readonly serialTo: number;
  readonly diff: Uint8Array;
}

export interface SaveOptions {
  /** expectSerial: the current serial this write replaces (null: the zone has none yet). */
  readonly expectSerial: number | null;
  /** journal: the diffs to the new version, in order; absent (AXFR) restarts the journal here. */
  readonly journal?: readonly JournalEntry[];
  /** journalLimit: diffs kept per zone, oldest dropped first. */
  readonly journalLimit: number;
}

export type SaveOutcome = 'saved' | 'conflict';

export interface VersionRepo {
  /** save stores a new current version unless the current serial is not `expectSerial`. */
  save(zoneId: string, v: StoredVersion, o: SaveOptions): Promise<SaveOutcome>;
  /** current returns the zone's current version, or null. */
  current(zoneId: string): Promise<StoredVersion | null>;
  /** currentSerials lists every zone's current serial (start-up). */
  currentSerials(): Promise<Map<string, number>>;
  /** journal returns the zone's diffs, oldest first. */
  journal(zoneId: string): Promise<JournalEntry[]>;
}

const toBytes = (v: unknown): Uint8Array => (v instanceof Uint8Array ? v : new Uint8Array(0));

async function insertVersion(tx: SqlQuery, zoneId: string, v: StoredVersion): Promise<void> {
  let bytes = 0;
  for (const c of v.chunks) bytes += c.length;
  await tx.query('DELETE FROM zone_versions WHERE zone_id = $1 AND serial = $2', [zoneId, v.serial]);
  await tx.query(
    `INSERT INTO zone_versions (zone_id, serial, origin, soa_ttl, soa_rdata, record_count, byte_count)
     VALUES ($1, $2, $3, $4, $5, $6, $7)`,
    [zoneId, v.serial, v.origin, v.soaTtl, v.soaRdata, v.recordCount, bytes],
  );
  for (let i = 0; i < v.chunks.length; i++) {
    await tx.query('INSERT INTO zone_version_chunks (zone_id, serial, seq, data) VALUES ($1, $2, $3, $4)', [zoneId, v.serial, i, v.chunks[i]]);
  }
}

export function versionRepo(db: Db): VersionRepo {
  return {
    async save(zoneId, v, o) {
      return db.write(async (tx, changes) => {
        const cur = await tx.query<{ serial: number }>('SELECT serial FROM zone_current WHERE zone_id = $1 FOR UPDATE', [zoneId]);
        const current = cur[0]?.serial ?? null;
        if (current !== o.expectSerial) return 'conflict';
        await insertVersion(tx, zoneId, v);
        await tx.query(
          `INSERT INTO zone_current (zone_id, serial) VALUES ($1, $2)
           ON CONFLICT (zone_id) DO UPDATE SET serial = EXCLUDED.serial, updated_at = now()`,
          [zoneId, v.serial],
        );
        await tx.query('DELETE FROM zone_versions WHERE zone_id = $1 AND serial <> $2', [zoneId, v.serial]);
        if (o.journal === undefined) {
          await tx.query('DELETE FROM zone_journal WHERE zone_id = $1', [zoneId]);
        } else {
          for (const j of o.journal) {
            await tx.query(
              `INSERT INTO zone_journal (zone_id, seq, serial_from, serial_to, diff)
               VALUES ($1, COALESCE((SELECT max(seq) FROM zone_journal WHERE zone_id = $1), 0) + 1, $2, $3, $4)`,
              [zoneId, j.serialFrom, j.serialTo, j.diff],
            );
          }
          await tx.query(
            `DELETE FROM zone_journal WHERE zone_id = $1 AND seq <= (SELECT max(seq) FROM zone_journal WHERE zone_id = $1) - $2`,
            [zoneId, o.journalLimit],
          );
        }
        changes.push({ kind: 'version', zone_id: zoneId, id: String(v.serial) });
        return 'saved';
      });
    },
    async current(zoneId) {
      const rows = await db.sql.query<{ serial: number; origin: string; soa_ttl: number; soa_rdata: unknown; record_count: number }>(
        `SELECT v.serial, v.origin, v.soa_ttl, v.soa_rdata, v.record_count
           FROM zone_current c JOIN zone_versions v ON v.zone_id = c.zone_id AND v.serial = c.serial
          WHERE c.zone_id = $1`,
        [zoneId],
      );
      const row = rows[0];
      if (row === undefined) return null;
      const chunks = await db.sql.query<{ data: unknown }>('SELECT data FROM zone_version_chunks WHERE zone_id = $1 AND serial = $2 ORDER BY seq', [zoneId, row.serial]);
      return {
        serial: Number(row.serial),
        origin: row.origin,
        soaTtl: Number(row.soa_ttl),
        soaRdata: toBytes(row.soa_rdata),
        recordCount: Number(row.record_count),
        chunks: chunks.map((c) => toBytes(c.data)),
      };
    },
    async currentSerials() {
      const rows = await db.sql.query<{ zone_id: string; serial: number }>('SELECT zone_id, serial FROM zone_current');
      return new Map(rows.map((r) => [r.zone_id, Number(r.serial)]));
    },
    async journal(zoneId) {
      const rows = await db.sql.query<{ serial_from: number; serial_to: number; diff: unknown }>(
        'SELECT serial_from, serial_to, diff FROM zone_journal WHERE zone_id = $1 ORDER BY seq',
        [zoneId],
      );
      return rows.map((r) => ({ serialFrom: Number(r.serial_from), serialTo: Number(r.serial_to), diff: toBytes(r.diff) }));
    },
  };
}
