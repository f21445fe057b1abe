// Sql adapter over embedded PGlite (no DATABASE_URL): data in `<data>/pglite`, or in memory for
// tests. PGlite is one backend, so it serialises queries itself; the change feed for it is the
// in-process emitter in change-feed.ts (no listen here).
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
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
 * PGlite executes a statement synchronously on the event loop and resolves its promise at once,
 * so a chain of awaited statements (a refresh's bookkeeping after a new version is served, the
 * loading of ten thousand zones) would hold the loop for its whole length, and DNS queries,
 * NOTIFYs and transfers would wait behind it. A statement that would extend a run of statements
 * past SLICE_MS first lets the loop turn once; shorter runs pay nothing.
 */
const SLICE_MS = 4;
let sliceStart = -1;

/** turnDue notes the start of a run of statements and tells whether it has run long enough. */
function turnDue(): boolean {
  const now = performance.now();
  if (sliceStart < 0) {
    sliceStart = now;
    // Any turn of the loop ends the run (this fires before a turn() queued later resolves).
    setImmediate(() => {
      sliceStart = -1;
    });
    return false;
  }
  return now - sliceStart > SLICE_MS;
}

/** turn waits for the event loop's next turn (setImmediate: after pending I/O callbacks). */
const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

function facade(db: Runner, yieldFirst: boolean): SqlQuery {
  /** run runs one statement, errors translated; `turnFirst`: after a turn of the loop when one is due. */
  const run = async <R>(statement: () => Promise<R>, turnFirst = yieldFirst): Promise<R> => {
    if (turnFirst && turnDue()) await turn();
    try {
      return await statement();
    } catch (err) {
      throw translateError(err);
    }
  };
  return {
    query: async <T extends object>(text: string, params?: readonly unknown[]) => (await run(() => db.query<T>(text, params as unknown[] | undefined))).rows,
    // Migrations: no turn of the loop is owed before them.
    exec: async (script: string) => {
      await run(() => db.exec(script), false);
    },
    copyIn: async (copy: string, parts: readonly Uint8Array[]) => {
      await run(() => db.query(copy, [], { blob: new Blob(parts as Uint8Array<ArrayBuffer>[]) }));
    },
    copyOut: async (copy: string) => {
      const res = await run(() => db.query(copy));
      return res.blob === undefined ? new Uint8Array(0) : new Uint8Array(await res.blob.arrayBuffer());
    },
  };
}

/**
 * SETTINGS: PGlite's 128 MB of shared buffers live in its WebAssembly memory, which never shrinks:
 * storing one big zone would keep them all. Reads that miss go to files, which the OS caches. A
 * start parameter, not postgresql.conf (PGlite's `postgresqlconf` option replaces that file).
 */
const SETTINGS = { parsers, startParams: [...PGlite.defaultStartParams, '-c', 'shared_buffers=16MB'] };

/**
 * initInChild creates a new database directory in a short-lived child process: PGlite's initdb
 * grows its WebAssembly memory to ~600 MB, which a process keeps (its peak RSS for good) even
 * after the instance closes. The server then opens the initialised directory at ~170 MB.
 */
async function initInChild(dataDir: string): Promise<void> {
  const pglite = pathToFileURL(createRequire(import.meta.url).resolve('@electric-sql/pglite')).href;
  const script = `const { PGlite } = await import(${JSON.stringify(pglite)}); const db = await PGlite.create(process.argv[1]); await db.close();`;
  await new Promise<void>((resolve) => {
    // On failure the directory is created in-process below, where the error is reported.
    execFile(process.execPath, ['--input-type=module', '-e', script, dataDir], { timeout: 120_000 }, () => resolve());
  });
}

/** openPglite starts (or creates) the embedded database. */
export async function openPglite(opts: PgliteOptions = {}): Promise<Sql> {
  const inMemory = opts.dataDir === undefined || opts.dataDir.startsWith('memory://');
  if (!inMemory && opts.dataDir !== undefined) {
    mkdirSync(opts.dataDir, { recursive: true });
    if (!existsSync(join(opts.dataDir, 'PG_VERSION'))) await initInChild(opts.dataDir);
  }
  const db = inMemory ? await PGlite.create(SETTINGS) : await PGlite.create(opts.dataDir, SETTINGS);
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
