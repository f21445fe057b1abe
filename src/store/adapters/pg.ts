// Sql adapter over a node-postgres Pool (DATABASE_URL). Owns connection options (session TimeZone
// UTC, optional search_path for per-test schemas), type parsing (timestamptz as text, int8 as
// number), transactions on one pooled client, and a dedicated LISTEN connection that reconnects.
import pg from 'pg';
import { translateError } from '../errors.js';
import { OID_INT8, OID_TIMESTAMP, OID_TIMESTAMPTZ, type QueryOptions, type Sql, type SqlQuery } from '../sql.js';

/** PgOptions configures the pg adapter. */
export interface PgOptions {
  connectionString: string;
  /** searchPath becomes `-c search_path=…` on every connection (tests: one schema per file). */
  searchPath?: string;
  max?: number;
  /** onError receives errors of idle pooled clients and of the LISTEN connection. */
  onError?: (err: Error) => void;
}

const typeParsers = {
  getTypeParser(oid: number, format?: 'text' | 'binary'): (value: string) => unknown {
    if (oid === OID_TIMESTAMPTZ || oid === OID_TIMESTAMP) return (value: string) => value;
    if (oid === OID_INT8) return (value: string) => Number(value);
    // pg's typing of getTypeParser is overloaded by format; text is the only one the pool uses.
    return pg.types.getTypeParser(oid, format ?? 'text') as (value: string) => unknown;
  },
};

/**
 * connectionConfig merges our session options into any `options` already in the URL (pg lets the
 * URL's own `options` override the config's, so it is moved out of the URL first).
 */
function connectionConfig(opts: PgOptions): pg.ClientConfig {
  const extra = ['-c TimeZone=UTC'];
  if (opts.searchPath !== undefined) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(opts.searchPath)) throw new Error(`invalid search_path ${opts.searchPath}`);
    extra.push(`-c search_path=${opts.searchPath}`);
  }
  let connectionString = opts.connectionString;
  try {
    const url = new URL(opts.connectionString);
    const existing = url.searchParams.get('options');
    if (existing !== null) {
      extra.unshift(existing);
      url.searchParams.delete('options');
      connectionString = url.toString();
    }
  } catch {
    // Not a URL (a socket path): pass it through unchanged.
  }
  return { connectionString, options: extra.join(' '), types: typeParsers };
}

type Run = (q: pg.QueryConfig) => Promise<pg.QueryResult>;

function facade(run: Run): SqlQuery {
  return {
    async query<T extends object>(text: string, params?: readonly unknown[], o?: QueryOptions): Promise<T[]> {
      try {
        // A named statement is parsed and planned once per connection (node-postgres keeps it).
        const res = await run({ text, values: params as unknown[] | undefined, ...(o?.prepare !== undefined ? { name: o.prepare } : {}) });
        return res.rows as T[];
      } catch (err) {
        throw translateError(err);
      }
    },
    async exec(script: string): Promise<void> {
      try {
        await run({ text: script });
      } catch (err) {
        throw translateError(err);
      }
    },
  };
}

/** openPg connects a pool and checks that the server answers. */
export async function openPg(opts: PgOptions): Promise<Sql> {
  const config = connectionConfig(opts);
  // min: two connections outlive the idle timeout, so a refresh after a quiet spell neither
  // connects first nor parses and plans its prepared statements again (~10 ms on the NOTIFY →
  // serving path); the pool hands out the most recently used connection first.
  const pool = new pg.Pool({ ...config, max: opts.max ?? 10, min: Math.min(2, opts.max ?? 10) });
  const onError = opts.onError ?? (() => undefined);
  pool.on('error', onError);
  await pool.query('SELECT 1');

  const base = facade((q) => pool.query(q));
  const listeners = new Map<string, Set<(payload: string) => void>>();
  let listener: pg.Client | undefined;
  let listenerReady: Promise<pg.Client> | undefined;
  let closed = false;

  async function connectListener(): Promise<pg.Client> {
    const client = new pg.Client(config);
    client.on('notification', (msg) => {
      for (const fn of listeners.get(msg.channel) ?? []) fn(msg.payload ?? '');
    });
    const lost = (err?: Error): void => {
      if (err) onError(err);
      if (listener !== client) return;
      listener = undefined;
      listenerReady = undefined;
      if (!closed && listeners.size > 0) setTimeout(() => void ensureListener().catch(onError), 500);
    };
    client.on('error', lost);
    client.on('end', () => lost());
    await client.connect();
    for (const channel of listeners.keys()) await client.query(`LISTEN ${quoteIdent(channel)}`);
    listener = client;
    return client;
  }

  function ensureListener(): Promise<pg.Client> {
    listenerReady ??= connectListener().catch((err: unknown) => {
      listenerReady = undefined;
      throw err;
    });
    return listenerReady;
  }

  return {
    kind: 'pg',
    ...base,
    async transaction<R>(fn: (tx: SqlQuery) => Promise<R>): Promise<R> {
      const client = await pool.connect();
      let broken = false;
      try {
        await client.query('BEGIN');
        const result = await fn(facade((q) => client.query(q)));
        await client.query('COMMIT');
        return result;
      } catch (err) {
        await client.query('ROLLBACK').catch(() => {
          broken = true;
        });
        throw translateError(err);
      } finally {
        client.release(broken);
      }
    },
    async listen(channel: string, fn: (payload: string) => void): Promise<() => Promise<void>> {
      let set = listeners.get(channel);
      const fresh = set === undefined;
      if (set === undefined) {
        set = new Set();
        listeners.set(channel, set);
      }
      set.add(fn);
      const client = await ensureListener();
      if (fresh) await client.query(`LISTEN ${quoteIdent(channel)}`);
      return async () => {
        const current = listeners.get(channel);
        current?.delete(fn);
        if (current && current.size === 0) {
          listeners.delete(channel);
          await listener?.query(`UNLISTEN ${quoteIdent(channel)}`).catch(() => undefined);
        }
      };
    },
    async close(): Promise<void> {
      closed = true;
      const l = listener;
      listener = undefined;
      if (l) await l.end().catch(() => undefined);
      await pool.end();
    },
  };
}

function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}
