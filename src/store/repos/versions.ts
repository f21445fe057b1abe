// Durable zone versions and IXFR journals. A zone's served state is a stored snapshot (its base)
// plus the journal diffs after it: an IXFR or an API change stores only its diff, never a copy of
// the zone; an AXFR (or the engine, from time to time) stores a new full snapshot. Every save is a
// compare-and-set on the current serial inside one transaction, so a crash leaves exactly the old
// or exactly the new state, and of several instances racing to publish exactly one wins.

import type { Db } from '../change-feed.js';
import { type CopyField, decodeCopyBinaryColumn, encodeCopyBinary } from '../copy-binary.js';
import type { SqlQuery } from '../sql.js';

/** StoredVersion is a full snapshot as persisted: its SOA and chunks. */
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

/** StoredState is what a zone serves: a base snapshot and the diffs that lead from it. */
export interface StoredState {
  readonly serial: number;
  readonly base: StoredVersion;
  /** diffs after the base, oldest first; applying them to the base gives `serial`. */
  readonly diffs: readonly JournalEntry[];
}

export type SaveRequest =
  /** full: a new snapshot; `journal` (diffs from the previous version) is kept for IXFR out. */
  | { readonly kind: 'full'; readonly version: StoredVersion; readonly journal?: readonly JournalEntry[] }
  /** incremental: only the diffs from the current serial to `serial`. */
  | { readonly kind: 'incremental'; readonly serial: number; readonly journal: readonly JournalEntry[] };

export interface SaveOptions {
  /** expectSerial: the current serial this write replaces (null: the zone has none yet). */
  readonly expectSerial: number | null;
  /** journalLimit: diffs kept per zone for IXFR out, oldest dropped first (never the ones after the base). */
  readonly journalLimit: number;
  /**
   * relaxed: an incremental save commits without waiting for its WAL flush (synchronous_commit
   * off). It is still atomic and visible to every instance at once; only a crash of the database
   * server itself within a fraction of a second may lose it. For a secondary's diffs, which its
   * primary still holds and which are pulled again after such a crash.
   */
  readonly relaxed?: boolean;
}

export type SaveOutcome = 'saved' | 'conflict';

export interface VersionRepo {
  /** save stores a new state unless the current serial is not `expectSerial`. */
  save(zoneId: string, req: SaveRequest, o: SaveOptions): Promise<SaveOutcome>;
  /** current returns the zone's stored state, or null. */
  current(zoneId: string): Promise<StoredState | null>;
  /** currentSerials lists every zone's current serial (start-up). */
  currentSerials(): Promise<Map<string, number>>;
  /** journal returns the zone's diffs, oldest first. */
  journal(zoneId: string): Promise<JournalEntry[]>;
}

const toBytes = (v: unknown): Uint8Array => (v instanceof Uint8Array ? v : typeof v === 'string' ? fromBase64(v) : new Uint8Array(0));

// Large byte strings: PGlite converts bytea parameters and results byte by byte on the event loop
// (about 1.8 s to write and 0.5 s to read a 3.5 MB chunk, during which nothing else runs, not even
// DNS answers). Snapshot chunks therefore go through a binary COPY on PGlite (copy-binary.ts:
// 40 MB written in ~0.4 s, read in ~0.05 s), journal diffs as base64 text decoded by the database
// (a tenth of the bytea cost). Reads on pg use base64 too; node-postgres sends bytea parameters
// fast already.
const fromBase64 = (s: string): Uint8Array => {
  const b = Buffer.from(s, 'base64');
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
};

/** bytesParam is a bytea value as sent: the octets on pg, base64 text (decoded by the database) on PGlite. */
const bytesParam = (kind: 'pg' | 'pglite', v: Uint8Array): unknown => (kind === 'pg' ? v : Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64'));

/** blob returns the parameter and its placeholder for a large bytea value. */
function blob(kind: 'pg' | 'pglite', n: number, v: Uint8Array): [unknown, string] {
  return [bytesParam(kind, v), kind === 'pg' ? `$${n}` : `decode($${n}, 'base64')`];
}

async function insertVersion(tx: SqlQuery, zoneId: string, v: StoredVersion, kind: 'pg' | 'pglite'): Promise<void> {
  let bytes = 0;
  for (const c of v.chunks) bytes += c.length;
  await tx.query('DELETE FROM zone_versions WHERE zone_id = $1 AND serial = $2', [zoneId, v.serial]);
  await tx.query(
    `INSERT INTO zone_versions (zone_id, serial, origin, soa_ttl, soa_rdata, record_count, byte_count)
     VALUES ($1, $2, $3, $4, $5, $6, $7)`,
    [zoneId, v.serial, v.origin, v.soaTtl, v.soaRdata, v.recordCount, bytes],
  );
  // A few multi-megabyte rows: the bulk path for a million records is ~10 statements, or ~10
  // binary COPYs on PGlite. One COPY per chunk: PGlite copies a COPY's input three times on its
  // way into the database, so a single COPY of the whole zone would hold four copies of it at once.
  if (tx.copyIn !== undefined) {
    for (let i = 0; i < v.chunks.length; i++) {
      const row: CopyField[] = [{ text: zoneId }, { int8: v.serial }, { int4: i }, { bytea: v.chunks[i]! }];
      await tx.copyIn("COPY zone_version_chunks (zone_id, serial, seq, data) FROM '/dev/blob' WITH (FORMAT binary)", encodeCopyBinary([row]));
    }
    return;
  }
  for (let i = 0; i < v.chunks.length; i++) {
    const [data, ph] = blob(kind, 4, v.chunks[i]!);
    await tx.query(`INSERT INTO zone_version_chunks (zone_id, serial, seq, data) VALUES ($1, $2, $3, ${ph})`, [zoneId, v.serial, i, data]);
  }
}

/** COPY_OUT_FROM: snapshots at least this big are read by binary COPY on PGlite (below, a SELECT is cheaper). */
const COPY_OUT_FROM = 256 * 1024;

/** readChunks returns a stored snapshot's chunks in order (binary COPY for big ones on PGlite). */
async function readChunks(db: Db, zoneId: string, serial: number, bytes: number): Promise<Uint8Array[]> {
  const sql = db.sql;
  if (sql.copyOut !== undefined && bytes >= COPY_OUT_FROM) {
    // COPY takes no parameters: the id is quoted as a literal, the serial is a number.
    const copy = `COPY (SELECT data FROM zone_version_chunks WHERE zone_id = '${zoneId.replaceAll("'", "''")}' AND serial = ${Math.trunc(serial)} ORDER BY seq) TO '/dev/blob' WITH (FORMAT binary)`;
    return decodeCopyBinaryColumn(await sql.copyOut(copy));
  }
  const rows = await sql.query<{ data: unknown }>("SELECT encode(data, 'base64') AS data FROM zone_version_chunks WHERE zone_id = $1 AND serial = $2 ORDER BY seq", [zoneId, serial]);
  return rows.map((c) => toBytes(c.data));
}

async function appendJournal(tx: SqlQuery, zoneId: string, entries: readonly JournalEntry[], kind: 'pg' | 'pglite'): Promise<number> {
  let seq = 0;
  for (const j of entries) {
    const [diff, ph] = blob(kind, 4, j.diff);
    const rows = await tx.query<{ seq: number }>(
      `INSERT INTO zone_journal (zone_id, seq, serial_from, serial_to, diff)
       VALUES ($1, COALESCE((SELECT max(seq) FROM zone_journal WHERE zone_id = $1), 0) + 1, $2, $3, ${ph}) RETURNING seq`,
      [zoneId, j.serialFrom, j.serialTo, diff],
    );
    seq = Number(rows[0]?.seq ?? 0);
  }
  if (seq === 0) {
    const rows = await tx.query<{ seq: number | null }>('SELECT max(seq) AS seq FROM zone_journal WHERE zone_id = $1', [zoneId]);
    seq = Number(rows[0]?.seq ?? 0);
  }
  return seq;
}

/**
 * saveDiffs is the incremental save in ONE statement (the common case: every IXFR and API change,
 * on the path from NOTIFY to serving): compare-and-set on the current serial (the row lock makes
 * a concurrent writer re-check it, READ COMMITTED), journal append, pointer move, pruning and the
 * change feed. The general path in save() takes seven round trips for the same.
 */
async function saveDiffs(db: Db, zoneId: string, serial: number, journal: readonly JournalEntry[], o: SaveOptions): Promise<SaveOutcome> {
  if (o.expectSerial === null) return 'conflict';
  const pg = db.sql.kind === 'pg';
  const diffs = journal.map((j) => bytesParam(db.sql.kind, j.diff));
  const change = { kind: 'version' as const, zone_id: zoneId, id: String(serial) };
  const feed = db.feedCte('moved', 9);
  const rows = await db.sql.query<{ moved: number }>(
    `WITH cur AS (
       SELECT zone_id, base_seq FROM zone_current WHERE zone_id = $1 AND serial = $2 FOR UPDATE
     ), last AS (
       SELECT COALESCE(max(seq), 0) AS seq FROM zone_journal WHERE zone_id = $1
     ), added AS (
       INSERT INTO zone_journal (zone_id, seq, serial_from, serial_to, diff)
       SELECT cur.zone_id, last.seq + e.n, e.serial_from, e.serial_to, ${pg ? 'e.diff' : "decode(e.diff, 'base64')"}
         FROM cur, last, unnest($3::bigint[], $4::bigint[], $5::${pg ? 'bytea' : 'text'}[]) WITH ORDINALITY AS e (serial_from, serial_to, diff, n)
       RETURNING seq
     ), moved AS (
       UPDATE zone_current c SET serial = $6, updated_at = now() FROM cur WHERE c.zone_id = cur.zone_id RETURNING c.zone_id
     ), pruned AS (
       -- Keep the newest journalLimit diffs, and always every diff after the base.
       DELETE FROM zone_journal j USING cur, last
        WHERE j.zone_id = cur.zone_id AND j.seq <= cur.base_seq AND j.seq <= last.seq + $8 - $7
     )${feed.cte}${o.relaxed === true ? `, nosync AS (SELECT set_config('synchronous_commit', 'off', true))` : ''}
     SELECT (SELECT count(*) FROM moved) AS moved${feed.select}${o.relaxed === true ? ', (SELECT count(*) FROM nosync) AS nosync' : ''}`,
    [zoneId, o.expectSerial, journal.map((j) => j.serialFrom), journal.map((j) => j.serialTo), diffs, serial, o.journalLimit, journal.length, ...feed.params(change)],
    { prepare: `zx_save_diffs_${db.sql.kind}${feed.cte === '' ? '' : '_feed'}${o.relaxed === true ? '_relaxed' : ''}` },
  );
  if (Number(rows[0]?.moved ?? 0) === 0) return 'conflict';
  db.published(change);
  return 'saved';
}

export function versionRepo(db: Db): VersionRepo {
  return {
    async save(zoneId, req, o) {
      if (req.kind === 'incremental') return saveDiffs(db, zoneId, req.serial, req.journal, o);
      return db.write(async (tx, changes) => {
        const cur = await tx.query<{ serial: number }>(
          'SELECT serial FROM zone_current WHERE zone_id = $1 FOR UPDATE',
          [zoneId],
        );
        const current = cur[0] === undefined ? null : Number(cur[0].serial);
        if (current !== o.expectSerial) return 'conflict';
        // A full snapshot: the new base, its journal (diffs from the previous version) after it.
        await insertVersion(tx, zoneId, req.version, db.sql.kind);
        const serial = req.version.serial;
        const baseSerial = serial;
        if (req.journal === undefined) await tx.query('DELETE FROM zone_journal WHERE zone_id = $1', [zoneId]);
        const baseSeq = await appendJournal(tx, zoneId, req.journal ?? [], db.sql.kind);
        await tx.query(
          `INSERT INTO zone_current (zone_id, serial, base_serial, base_seq) VALUES ($1, $2, $3, $4)
           ON CONFLICT (zone_id) DO UPDATE SET serial = EXCLUDED.serial, base_serial = EXCLUDED.base_serial,
             base_seq = EXCLUDED.base_seq, updated_at = now()`,
          [zoneId, serial, baseSerial, baseSeq],
        );
        await tx.query('DELETE FROM zone_versions WHERE zone_id = $1 AND serial <> $2', [zoneId, baseSerial]);
        // Keep the newest journalLimit diffs, and always every diff after the base.
        await tx.query(
          `DELETE FROM zone_journal WHERE zone_id = $1 AND seq <= $2
             AND seq <= (SELECT max(seq) FROM zone_journal WHERE zone_id = $1) - $3`,
          [zoneId, baseSeq, o.journalLimit],
        );
        changes.push({ kind: 'version', zone_id: zoneId, id: String(serial) });
        return 'saved';
      });
    },
    async current(zoneId) {
      const rows = await db.sql.query<{ serial: number; base_seq: number; base_serial: number; origin: string; soa_ttl: number; soa_rdata: unknown; record_count: number; byte_count: number }>(
        `SELECT c.serial, c.base_seq, v.serial AS base_serial, v.origin, v.soa_ttl, v.soa_rdata, v.record_count, v.byte_count
           FROM zone_current c JOIN zone_versions v ON v.zone_id = c.zone_id AND v.serial = c.base_serial
          WHERE c.zone_id = $1`,
        [zoneId],
      );
      const row = rows[0];
      if (row === undefined) return null;
      const chunks = await readChunks(db, zoneId, Number(row.base_serial), Number(row.byte_count));
      const diffs = await db.sql.query<{ serial_from: number; serial_to: number; diff: unknown }>(
        "SELECT serial_from, serial_to, encode(diff, 'base64') AS diff FROM zone_journal WHERE zone_id = $1 AND seq > $2 ORDER BY seq",
        [zoneId, row.base_seq],
      );
      return {
        serial: Number(row.serial),
        base: {
          serial: Number(row.base_serial),
          origin: row.origin,
          soaTtl: Number(row.soa_ttl),
          soaRdata: toBytes(row.soa_rdata),
          recordCount: Number(row.record_count),
          chunks,
        },
        diffs: diffs.map((r) => ({ serialFrom: Number(r.serial_from), serialTo: Number(r.serial_to), diff: toBytes(r.diff) })),
      };
    },
    async currentSerials() {
      const rows = await db.sql.query<{ zone_id: string; serial: number }>('SELECT zone_id, serial FROM zone_current');
      return new Map(rows.map((r) => [r.zone_id, Number(r.serial)]));
    },
    async journal(zoneId) {
      const rows = await db.sql.query<{ serial_from: number; serial_to: number; diff: unknown }>(
        "SELECT serial_from, serial_to, encode(diff, 'base64') AS diff FROM zone_journal WHERE zone_id = $1 ORDER BY seq",
        [zoneId],
      );
      return rows.map((r) => ({ serialFrom: Number(r.serial_from), serialTo: Number(r.serial_to), diff: toBytes(r.diff) }));
    },
  };
}
