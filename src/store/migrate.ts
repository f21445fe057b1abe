// Forward-only SQL migrations: `migrations/NNNN_name.sql`, applied in order, each in its own
// transaction under a Postgres advisory lock, recorded in `schema_migrations`. Runs the same on pg
// and PGlite; running it again is a no-op. The folder ships as dist/store/migrations.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Sql } from './sql.js';

/** MIGRATIONS_DIR is the folder beside this module (src/store or dist/store). */
export const MIGRATIONS_DIR = fileURLToPath(new URL('./migrations/', import.meta.url));

/** Migration is one numbered script. */
export interface Migration {
  version: string;
  name: string;
  script: string;
  sha256: string;
}

const FILE = /^(\d{4})_([A-Za-z0-9_-]+)\.sql$/;
// pg_advisory_xact_lock key shared by every zonexfer instance on the database ("zxmg").
const LOCK_KEY = 0x7a786d67;

/** loadMigrations reads and orders the scripts of a folder; other files are ignored. */
export function loadMigrations(dir: string = MIGRATIONS_DIR): Migration[] {
  return readdirSync(dir)
    .filter((f) => FILE.test(f))
    .sort()
    .map((file) => {
      const m = FILE.exec(file);
      const script = readFileSync(`${dir.replace(/\/?$/, '/')}${file}`, 'utf8');
      return {
        version: m?.[1] ?? file,
        name: m?.[2] ?? file,
        script,
        sha256: createHash('sha256').update(script).digest('hex'),
      };
    });
}

/** migrate applies the pending migrations and returns the versions it applied (empty when none). */
export async function migrate(sql: Sql, migrations: Migration[] = loadMigrations()): Promise<string[]> {
  const applied: string[] = [];
  for (const migration of migrations) {
    const done = await sql.transaction(async (tx) => {
      await tx.query('SELECT pg_advisory_xact_lock($1)', [LOCK_KEY]);
      await tx.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
        version    text PRIMARY KEY,
        name       text NOT NULL,
        sha256     text NOT NULL,
        applied_at timestamptz NOT NULL DEFAULT now()
      )`);
      const rows = await tx.query('SELECT 1 FROM schema_migrations WHERE version = $1', [migration.version]);
      if (rows.length > 0) return false;
      await tx.exec(migration.script);
      await tx.query('INSERT INTO schema_migrations (version, name, sha256) VALUES ($1, $2, $3)', [
        migration.version,
        migration.name,
        migration.sha256,
      ]);
      return true;
    });
    if (done) applied.push(migration.version);
  }
  return applied;
}
