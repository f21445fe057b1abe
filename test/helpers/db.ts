// Test databases: a fresh migrated store per call, on in-memory PGlite always and on Postgres when
// DATABASE_URL is set (each in its own random schema, dropped by cleanup). storeVariants() lists the
// engines to run a suite on and prints a one-line note when the Postgres variant is skipped.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openPg } from '../../src/store/adapters/pg.js';
import { openPglite } from '../../src/store/adapters/pglite.js';
import { createStore, migrate, type Sql, type Store } from '../../src/store/index.js';

export type StoreKind = 'pglite' | 'pg';

export interface TestStore {
  store: Store;
  kind: StoreKind;
  /** sql is the store's own connection, for assertions on raw rows. */
  sql: Sql;
  /** schema is the Postgres schema of this store (pg only). */
  schema?: string;
  /** reopen opens a second store on the same database and schema, running migrate again (pg only). */
  reopen?: () => Promise<Store>;
  cleanup(): Promise<void>;
}

/** databaseUrl is DATABASE_URL, or undefined when unset or empty. */
export function databaseUrl(): string | undefined {
  const url = process.env.DATABASE_URL;
  return url === undefined || url === '' ? undefined : url;
}

let noted = false;

/** storeVariants returns ['pglite'] plus 'pg' when DATABASE_URL is set (noting the skip once). */
export function storeVariants(): StoreKind[] {
  if (databaseUrl() !== undefined) return ['pglite', 'pg'];
  if (!noted) {
    noted = true;
    console.log('[zonexfer tests] DATABASE_URL unset: Postgres variant skipped, PGlite only');
  }
  return ['pglite'];
}

async function withAdmin<R>(url: string, fn: (c: pg.Client) => Promise<R>): Promise<R> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** createSchema makes a random empty schema and returns its name. */
export async function createSchema(url: string): Promise<string> {
  const schema = `zx_test_${randomBytes(6).toString('hex')}`;
  await withAdmin(url, (c) => c.query(`CREATE SCHEMA ${schema}`));
  return schema;
}

export async function dropSchema(url: string, schema: string): Promise<void> {
  await withAdmin(url, (c) => c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`));
}

/** openTestStore opens a migrated store of the given kind; call cleanup() when done. */
export async function openTestStore(kind: StoreKind): Promise<TestStore> {
  if (kind === 'pglite') {
    const sql = await openPglite({ dataDir: 'memory://' });
    await migrate(sql);
    const store = await createStore(sql);
    return { store, sql, kind, cleanup: () => store.close() };
  }
  const url = databaseUrl();
  if (url === undefined) throw new Error('openTestStore(pg) needs DATABASE_URL');
  const schema = await createSchema(url);
  const opened: Store[] = [];
  const open = async (): Promise<{ store: Store; sql: Sql }> => {
    const sql = await openPg({ connectionString: url, searchPath: schema, max: 4 });
    await migrate(sql);
    const store = await createStore(sql);
    opened.push(store);
    return { store, sql };
  };
  const { store, sql } = await open();
  return {
    store,
    sql,
    kind,
    schema,
    reopen: async () => (await open()).store,
    async cleanup() {
      for (const s of opened) await s.close().catch(() => undefined);
      await dropSchema(url, schema);
    },
  };
}
