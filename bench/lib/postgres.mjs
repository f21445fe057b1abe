// A throwaway PostgreSQL database for a zonexfer run with --database-url: CREATE DATABASE on the
// local server (postgres://postgres@127.0.0.1:5432/postgres by default, or $BENCH_POSTGRES_URL),
// DROP DATABASE when done (also on Ctrl-C through procs.track). Only databases named
// zonexfer_bench_<pid>_<random> that this run created are ever dropped.
import { randomBytes } from 'node:crypto';
import { track } from './procs.mjs';

export const DEFAULT_POSTGRES_URL = process.env.BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

async function client(url) {
  const { default: pg } = await import('pg');
  const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  await c.connect();
  return c;
}

/**
 * createThrowawayDb resolves {url, name, drop()} or throws when the server cannot be reached.
 * drop() terminates leftover connections to that database, then drops it (idempotent).
 */
export async function createThrowawayDb(adminUrl = DEFAULT_POSTGRES_URL) {
  const name = `zonexfer_bench_${process.pid}_${randomBytes(3).toString('hex')}`;
  const c = await client(adminUrl);
  try {
    await c.query(`CREATE DATABASE ${name}`);
  } finally {
    await c.end().catch(() => {});
  }
  const u = new URL(adminUrl);
  u.pathname = `/${name}`;
  let dropped = null;
  const drop = () => {
    dropped ??= (async () => {
      untrack();
      const d = await client(adminUrl);
      try {
        await d.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [name]);
        await d.query(`DROP DATABASE IF EXISTS ${name}`);
      } finally {
        await d.end().catch(() => {});
      }
    })();
    return dropped;
  };
  const untrack = track(`postgres database ${name}`, drop);
  return { url: u.toString(), name, drop };
}

/** postgresReachable resolves null when the admin URL answers, else the reason. */
export async function postgresReachable(adminUrl = DEFAULT_POSTGRES_URL) {
  try {
    const c = await client(adminUrl);
    await c.end();
    return null;
  } catch (err) {
    return `PostgreSQL at ${adminUrl.replace(/\/\/[^@]*@/, '//…@')} not reachable: ${err.message}`;
  }
}
