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

/**
 * turn waits for the event loop's next turn. PGlite executes a statement synchronously on the
 * event loop and resolves its promise at once, so a chain of awaited statements (a refresh's
 * bookkeeping after a new version is served) would otherwise hold the loop for its whole length,
 * and DNS queries, NOTIFYs and transfers would wait behind it.
 */
const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

function facade(db: Runner, yieldFirst: boolean): SqlQuery {
  return {
    async query<T extends object>(text: string, params?: readonly unknown[]): Promise<T[]> {
      if (yieldFirst) await turn();
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
    async copyIn(copy: string, parts: readonly Uint8Array[]): Promise<void> {
      if (yieldFirst) await turn();
      try {
        await db.query(copy, [], { blob: new Blob(parts as Uint8Array<ArrayBuffer>[]) });
      } catch (err) {
        throw translateError(err);
      }
    },
    async copyOut(copy: string): Promise<Uint8Array> {
      if (yieldFirst) await turn();
      try {
        const res = await db.query(copy);
        if (res.blob === undefined) return new Uint8Array(0);
        return new Uint8Array(await res.blob.arrayBuffer());
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
  const base = facade(db, true);
  return {
    kind: 'pglite',
    ...base,
    async transaction<R>(fn: (tx: SqlQuery) => Promise<R>): Promise<R> {
      try {
        // Inside a transaction the statements run back to back: PGlite holds its only backend.
        return await db.transaction((tx) => fn(facade(tx, false)));
      } catch (err) {
        throw translateError(err);
      }
    },
    async close(): Promise<void> {
      if (!db.closed) await db.close();
    },
  };
}
