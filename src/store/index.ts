// The store's public face: the Store interface (one repository per concept plus the change feed),
// openStore() which picks the pg or PGlite adapter and runs migrations, and openMemoryStore() for
// tests. No SQL exists outside src/store.
import { join } from 'node:path';
import { openPg } from './adapters/pg.js';
import { ChangeFeed, type ChangeListener } from './change-feed.js';
import { migrate } from './migrate.js';
import { aclRepo, peerRepo, tsigRepo, type AclRepo, type PeerRepo, type TsigRepo } from './repos/account-objects.js';
import { accountRepo, tokenRepo, type AccountRepo, type TokenRepo } from './repos/accounts.js';
import { recordRepo, type RecordRepo } from './repos/records.js';
import { incomingRepo, outgoingRepo, type IncomingRepo, type OutgoingRepo } from './repos/transfers.js';
import { zoneStateRepo, type ZoneStateRepo } from './repos/zone-state.js';
import { zoneRepo, type ZoneRepo } from './repos/zones.js';
import { versionRepo, type VersionRepo } from './repos/versions.js';
import { PLAINTEXT, secretBox, type SecretBox } from './secrets.js';
import type { Sql } from './sql.js';

export type { Change, ChangeKind, ChangeListener } from './change-feed.js';
export { CHANGE_CHANNEL } from './change-feed.js';
export { StoreError, type StoreErrorKind } from './errors.js';
export { ID_PATTERN, TOKEN_PATTERN, newId, hashToken } from './ids.js';
export { migrate, loadMigrations, MIGRATIONS_DIR } from './migrate.js';
export { RecordNotFoundError } from './repos/records.js';
export { toFqdn } from './repos/zones.js';
export type { Sql, SqlQuery } from './sql.js';
export { toRfc3339 } from './time.js';
export { SECRET_PREFIX, SecretKeyError, isSealed, secretBox, type SecretBox } from './secrets.js';
export type * from './types.js';
export type { AccountRepo, TokenRepo, ZoneRepo, IncomingRepo, OutgoingRepo, PeerRepo, TsigRepo, AclRepo, RecordRepo, ZoneStateRepo };
export type { TransferCheck } from './repos/transfers.js';
export type { JournalEntry, SaveOptions, SaveOutcome, SaveRequest, StoredState, StoredVersion, VersionRepo } from './repos/versions.js';

/** Store is everything the API and the engine persist, behind one object. */
export interface Store {
  readonly kind: 'pg' | 'pglite';
  readonly accounts: AccountRepo;
  readonly tokens: TokenRepo;
  readonly zones: ZoneRepo;
  readonly incoming: IncomingRepo;
  readonly outgoing: OutgoingRepo;
  readonly peers: PeerRepo;
  readonly tsigs: TsigRepo;
  readonly acls: AclRepo;
  readonly records: RecordRepo;
  readonly zoneState: ZoneStateRepo;
  readonly versions: VersionRepo;
  /**
   * onChange subscribes to committed changes (this instance's and, on pg, every instance's).
   * Returns the unsubscribe function.
   */
  onChange(fn: ChangeListener): () => void;
  /** ping resolves when the database answers (readiness). */
  ping(): Promise<void>;
  /** migrate applies pending migrations (openStore already did); returns the versions applied. */
  migrate(): Promise<string[]>;
  close(): Promise<void>;
}

/** OpenStoreOptions: databaseUrl selects Postgres; otherwise PGlite in `<dataDir>/pglite`. */
export interface OpenStoreOptions {
  databaseUrl?: string;
  /** dataDir for PGlite; "memory://" keeps it in memory. */
  dataDir: string;
  /** searchPath (pg only): schema for every connection; tests use one schema per file. */
  searchPath?: string;
  /** poolSize (pg only), default 10. */
  poolSize?: number;
  /** onError receives background errors (idle pool clients, LISTEN connection, listeners). */
  onError?: (err: unknown) => void;
  /**
   * secretKey (ZONEXFER_SECRET_KEY) encrypts TSIG secrets at rest: 32 octets as base64 or hex, or
   * a passphrase of at least 16 characters. Unset: secrets are stored as sent (secrets.ts).
   */
  secretKey?: string;
}

/** CreateStoreOptions: what createStore needs besides the connection. */
export interface CreateStoreOptions {
  /** secrets seals TSIG secrets at rest (default PLAINTEXT); build one with secretBox(key). */
  secrets?: SecretBox;
}

/** createStore builds the repositories over an open Sql (migrations not run). */
export async function createStore(sql: Sql, onError: (err: unknown) => void = () => undefined, options: CreateStoreOptions = {}): Promise<Store> {
  const feed = new ChangeFeed(sql, onError);
  await feed.start();
  const db = feed.db();
  return {
    kind: sql.kind,
    accounts: accountRepo(db),
    tokens: tokenRepo(db),
    zones: zoneRepo(db),
    incoming: incomingRepo(db),
    outgoing: outgoingRepo(db),
    peers: peerRepo(db),
    tsigs: tsigRepo(db, options.secrets ?? PLAINTEXT),
    acls: aclRepo(db),
    records: recordRepo(db),
    zoneState: zoneStateRepo(db),
    versions: versionRepo(db),
    onChange: (fn) => feed.subscribe(fn),
    async ping() {
      await sql.query('SELECT 1');
    },
    migrate: () => migrate(sql),
    async close() {
      await feed.stop();
      await sql.close();
    },
  };
}

/** openStore picks the adapter, runs the migrations and returns the store. */
export async function openStore(opts: OpenStoreOptions): Promise<Store> {
  const onError = opts.onError ?? (() => undefined);
  // Derived before connecting: a key too weak to use fails the start, not the first TSIG read.
  const secrets = await secretBox(opts.secretKey);
  const sql =
    opts.databaseUrl !== undefined && opts.databaseUrl !== ''
      ? await openPg({
          connectionString: opts.databaseUrl,
          ...(opts.searchPath !== undefined ? { searchPath: opts.searchPath } : {}),
          ...(opts.poolSize !== undefined ? { max: opts.poolSize } : {}),
          onError,
        })
      : // Loaded only when used: a server on PostgreSQL does not carry PGlite's module (~5 MB).
        await (await import('./adapters/pglite.js')).openPglite({ dataDir: opts.dataDir.startsWith('memory://') ? opts.dataDir : join(opts.dataDir, 'pglite') });
  try {
    await migrate(sql);
    return await createStore(sql, onError, { secrets });
  } catch (err) {
    await sql.close().catch(() => undefined);
    throw err;
  }
}

/** openMemoryStore is a migrated in-memory PGlite store (tests). */
export function openMemoryStore(): Promise<Store> {
  return openStore({ dataDir: 'memory://' });
}
