// Sql adapter over embedded PGlite (no DATABASE_URL): data in `<data>/pglite`, or in memory for
// tests. PGlite is one backend, so it serialises queries itself; the change feed for it is the
// in-process emitter in change-feed.ts (no listen here).
import { mkdirSync } from 'node:fs';
import { PGlite, type Transaction } from '@electric-sql/pglite';
import { translateError } from '../errors.js';
import { OID_INT8, OID_TIMESTAMP, OID_TIMESTAMPTZ, type Sql, type SqlQuery } from '../sql.js';

/** PgliteOptions: dataDir undefined (or "memory://") keeps the database in memory. */
export interface PgliteOptions {
  dataDir?: string;
}

const parsers = {
  [OID_TIMESTAMPTZ]: (value: string) => value,
  [OID_TIMESTAMP]: (value: string) => value,
  [OID_INT8]: (value: string) => Number(value),
};

type Runner = Pick<Transaction, 'query' | 'exec'>;

function facade(db: Runner): SqlQuery {
  return {
    async query<T extends object>(text: string, params?: readonly unknown[]): Promise<T[]> {
      try {
        const res = await db.query<T>(text, params as unknown[] | undefined);
        return res.rows;
      } catch (err) {
        throw translateError(err);
      }
    },
    async exec(script: string): Promise<void> {
      try {
        await db.exec(script);
      } catch (err) {
        throw translateError(err);
      }
    },
  };
}

/** openPglite starts (or creates) the embedded database. */
export async function openPglite(opts: PgliteOptions = {}): Promise<Sql> {
  const inMemory = opts.dataDir === undefined || opts.dataDir.startsWith('memory://');
  if (!inMemory && opts.dataDir !== undefined) mkdirSync(opts.dataDir, { recursive: true });
  const db = inMemory ? await PGlite.create({ parsers }) : await PGlite.create(opts.dataDir, { parsers });
  await db.exec(`SET TIME ZONE 'UTC'`);
  const base = facade(db);
  return {
    kind: 'pglite',
    ...base,
    async transaction<R>(fn: (tx: SqlQuery) => Promise<R>): Promise<R> {
      try {
        return await db.transaction((tx) => fn(facade(tx)));
      } catch (err) {
        throw translateError(err);
      }
    },
    async close(): Promise<void> {
      if (!db.closed) await db.close();
    },
  };
}
