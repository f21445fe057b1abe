// The change feed: every committed write yields one Change per affected object. On pg the changes
// are sent with pg_notify inside the writing transaction (Postgres delivers them at COMMIT, to every
// instance LISTENing on `zonexfer_changes`, this one included); on PGlite they go to an in-process
// emitter after the commit. Subscribers must not throw; a throw is reported to onError and dropped.
import type { Sql, SqlQuery } from './sql.js';

/** CHANGE_CHANNEL is the NOTIFY channel shared by all instances. */
export const CHANGE_CHANNEL = 'zonexfer_changes';

/** ChangeKind is the closed set of things that change. */
export type ChangeKind =
  | 'account'
  | 'token'
  | 'zone'
  | 'zone_deleted'
  | 'incoming'
  | 'outgoing'
  | 'peer'
  | 'tsig'
  | 'acl'
  | 'records'
  | 'zone_state'
  | 'version'
  | 'refresh';

/** Change is the NOTIFY payload (JSON): what changed, and the zone/account it belongs to. */
export interface Change {
  kind: ChangeKind;
  zone_id?: string;
  account_id?: string;
  id?: string;
}

export type ChangeListener = (change: Change) => void;

/** Db is what repositories get: plain queries, and `write` for a transaction that feeds changes. */
export interface Db {
  sql: Sql;
  /** write runs fn in a transaction; the changes fn pushes are published once it commits. */
  write<R>(fn: (tx: SqlQuery, changes: Change[]) => Promise<R>): Promise<R>;
  /**
   * A write done in ONE statement (one round trip, no BEGIN/COMMIT) publishes its change itself:
   * on pg the statement carries `feedCte(...)` (pg_notify, delivered at its commit), and
   * `published` is a no-op; on PGlite feedCte is empty and `published` emits in-process.
   */
  feedCte(source: string, param: number): { cte: string; select: string; params: (change: Change) => unknown[] };
  published(change: Change): void;
}

/** ChangeFeed fans out committed changes to local subscribers. */
export class ChangeFeed {
  private readonly listeners = new Set<ChangeListener>();
  private stopListen: (() => Promise<void>) | undefined;

  constructor(
    private readonly sql: Sql,
    private readonly onError: (err: unknown) => void = () => undefined,
  ) {}

  /** crossProcess is true when changes travel through Postgres NOTIFY. */
  get crossProcess(): boolean {
    return this.sql.listen !== undefined;
  }

  /** start begins LISTENing (pg only); resolves when LISTEN is active. */
  async start(): Promise<void> {
    if (!this.sql.listen) return;
    this.stopListen = await this.sql.listen(CHANGE_CHANNEL, (payload) => {
      const change = parseChange(payload);
      if (change) this.emit(change);
    });
  }

  async stop(): Promise<void> {
    const stop = this.stopListen;
    this.stopListen = undefined;
    this.listeners.clear();
    if (stop) await stop();
  }

  subscribe(fn: ChangeListener): () => void {
    this.listeners.add(fn);
    return () => {
      this.listeners.delete(fn);
    };
  }

  /** db returns the repositories' view: `write` publishes in-transaction (pg) or after commit. */
  db(): Db {
    return {
      sql: this.sql,
      write: async <R>(fn: (tx: SqlQuery, changes: Change[]) => Promise<R>): Promise<R> => {
        const changes: Change[] = [];
        const result = await this.sql.transaction(async (tx) => {
          const r = await fn(tx, changes);
          if (this.crossProcess) {
            for (const change of changes) {
              await tx.query('SELECT pg_notify($1, $2)', [CHANGE_CHANNEL, JSON.stringify(change)]);
            }
          }
          return r;
        });
        if (!this.crossProcess) for (const change of changes) this.emit(change);
        return result;
      },
      // `source` is a CTE of the statement that yields a row when the write happened; the feed
      // CTE is referenced by the statement's final SELECT (`select`), else it would not run.
      feedCte: (source, param) =>
        this.crossProcess
          ? { cte: `, feed AS (SELECT pg_notify($${param}, $${param + 1}) FROM ${source})`, select: ', (SELECT count(*) FROM feed) AS notified', params: (c) => [CHANGE_CHANNEL, JSON.stringify(c)] }
          : { cte: '', select: '', params: () => [] },
      published: (change) => {
        if (!this.crossProcess) this.emit(change);
      },
    };
  }

  private emit(change: Change): void {
    for (const fn of this.listeners) {
      try {
        fn(change);
      } catch (err) {
        this.onError(err);
      }
    }
  }
}

function parseChange(payload: string): Change | undefined {
  try {
    const value: unknown = JSON.parse(payload);
    if (typeof value === 'object' && value !== null && typeof (value as { kind?: unknown }).kind === 'string') {
      return value as Change;
    }
  } catch {
    // Not ours: ignore.
  }
  return undefined;
}
