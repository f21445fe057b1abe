// The Sql port: the only surface the repositories use, implemented by the pg Pool adapter
// (adapters/pg.ts) and the embedded PGlite adapter (adapters/pglite.ts). Both return timestamptz
// columns as text (see time.ts) and int8 as number, so rows look the same on either engine.

/**
 * QueryOptions: `prepare` names the statement so pg parses and plans it once per connection (for
 * the few on a refresh's critical path; the text must never change under one name). PGlite
 * ignores it.
 */
export interface QueryOptions {
  readonly prepare?: string;
}

/** SqlQuery runs one parameterised statement and returns its rows. */
export interface SqlQuery {
  query<T extends object = Record<string, unknown>>(text: string, params?: readonly unknown[], o?: QueryOptions): Promise<T[]>;
  /** exec runs a multi-statement script without parameters (migrations). */
  exec(script: string): Promise<void>;
  /**
   * copyIn / copyOut run `COPY ... FROM / TO '/dev/blob'` with data in memory (copy-binary.ts);
   * only PGlite has them, its bulk path. node-postgres sends and receives bytea fast already.
   */
  copyIn?(copy: string, parts: readonly Uint8Array[]): Promise<void>;
  copyOut?(copy: string): Promise<Uint8Array>;
}

/** Sql is a connection pool (or the single PGlite backend) able to run transactions. */
export interface Sql extends SqlQuery {
  readonly kind: 'pg' | 'pglite';
  /** transaction runs fn inside BEGIN/COMMIT; a throw rolls back and is rethrown. */
  transaction<R>(fn: (tx: SqlQuery) => Promise<R>): Promise<R>;
  close(): Promise<void>;
  /**
   * listen subscribes to a Postgres NOTIFY channel and resolves once LISTEN is active; only the
   * pg adapter has it (cross-process change feed). The returned function unsubscribes.
   */
  listen?(channel: string, fn: (payload: string) => void): Promise<() => Promise<void>>;
}

/** OID_TIMESTAMPTZ and friends are the type oids whose parsing both adapters override. */
export const OID_INT8 = 20;
export const OID_TIMESTAMP = 1114;
export const OID_TIMESTAMPTZ = 1184;
