// API test harness: build() over a fresh test store, listening on 127.0.0.1 port 0, with a
// recording fake engine, a bootstrapped admin token, SDK clients (`cloudflare`, maxRetries 0) and a
// raw fetch helper for what the SDK cannot send (odd bodies, headers, content types).
import Cloudflare from 'cloudflare';
import type { FastifyInstance } from 'fastify';
import { build } from '../../src/api/app.js';
import { ensureAdminToken } from '../../src/api/auth/bootstrap.js';
import type { EngineCommands } from '../../src/api/deps.js';
import type { Account, Store } from '../../src/store/index.js';
import { openTestStore, type StoreKind, type TestStore } from './db.js';

export type EngineCommand = keyof EngineCommands;

/** RecordingEngine remembers every command, in order. */
export interface RecordingEngine extends Required<EngineCommands> {
  calls: Array<{ command: EngineCommand; zoneId: string }>;
  /** of lists the zone ids passed to one command. */
  of(command: EngineCommand): string[];
  clear(): void;
}

export function recordingEngine(): RecordingEngine {
  const calls: RecordingEngine['calls'] = [];
  const rec = (command: EngineCommand) => (zoneId: string) => {
    calls.push({ command, zoneId });
  };
  return {
    calls,
    zoneChanged: rec('zoneChanged'),
    zoneDeleted: rec('zoneDeleted'),
    forceAxfr: rec('forceAxfr'),
    forceNotify: rec('forceNotify'),
    outgoingEnabled: rec('outgoingEnabled'),
    of: (command) => calls.filter((c) => c.command === command).map((c) => c.zoneId),
    clear: () => {
      calls.length = 0;
    },
  };
}

export interface RawResponse {
  status: number;
  headers: Headers;
  text: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- test access to arbitrary JSON
  json: any;
}

export interface RawOptions {
  token?: string | null;
  /** body: a string is sent verbatim; anything else as JSON. */
  body?: unknown;
  headers?: Record<string, string>;
  /** root: path is relative to the origin, not to /client/v4. */
  root?: boolean;
}

export interface TestAccount {
  account: Account;
  token: string;
  client: Cloudflare;
}

export interface ApiHarness {
  kind: StoreKind;
  app: FastifyInstance;
  store: Store;
  db: TestStore;
  engine: RecordingEngine;
  /** origin is http://127.0.0.1:PORT; baseURL adds /client/v4. */
  origin: string;
  baseURL: string;
  adminToken: string;
  admin: Cloudflare;
  client(token: string): Cloudflare;
  newAccount(name?: string): Promise<TestAccount>;
  raw(method: string, path: string, opts?: RawOptions): Promise<RawResponse>;
  close(): Promise<void>;
}

/** startApi starts a listening API over a fresh store of the given kind. */
export async function startApi(kind: StoreKind): Promise<ApiHarness> {
  const db = await openTestStore(kind);
  const engine = recordingEngine();
  const adminToken = await ensureAdminToken(db.store);
  if (adminToken === undefined) throw new Error('expected a generated admin token on a fresh store');
  const app = build({ store: db.store, engine, logger: false });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  if (address === null || typeof address === 'string') throw new Error('no TCP address');
  const origin = `http://127.0.0.1:${address.port}`;
  const baseURL = `${origin}/client/v4`;
  const client = (token: string): Cloudflare => new Cloudflare({ apiToken: token, baseURL, maxRetries: 0 });
  const admin = client(adminToken);
  let n = 0;

  return {
    kind,
    app,
    store: db.store,
    db,
    engine,
    origin,
    baseURL,
    adminToken,
    admin,
    client,
    async newAccount(name) {
      const account = await db.store.accounts.create(name ?? `account-${++n}`);
      const { value } = await db.store.tokens.create({ accountId: account.id, name: 'test' });
      return { account, token: value, client: client(value) };
    },
    async raw(method, path, opts = {}) {
      const headers: Record<string, string> = { ...opts.headers };
      const token = opts.token === undefined ? adminToken : opts.token;
      if (token !== null) headers.authorization = `Bearer ${token}`;
      let body: string | undefined;
      if (opts.body !== undefined) {
        body = typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body);
        if (typeof opts.body !== 'string' && !Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) {
          headers['content-type'] = 'application/json';
        }
      }
      const url = opts.root === true || path.startsWith('/client/v4') ? `${origin}${path}` : `${baseURL}${path}`;
      const res = await fetch(url, { method, headers, ...(body !== undefined ? { body } : {}) });
      const text = await res.text();
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        json = undefined;
      }
      return { status: res.status, headers: res.headers, text, json };
    },
    async close() {
      await app.close();
      await db.cleanup();
    },
  };
}

type APIError = InstanceType<typeof Cloudflare.APIError>;
type ErrorClass = abstract new (...args: never[]) => APIError;

/**
 * sdkError awaits a call expected to fail and checks the SDK error class; returns the error so the
 * test can inspect `errors[0]` (code, message, source.pointer).
 */
export async function sdkError(call: Promise<unknown>, cls: ErrorClass): Promise<APIError> {
  const err = await call.then(
    (v) => {
      throw new Error(`expected ${cls.name}, got success: ${JSON.stringify(v)}`);
    },
    (e: unknown) => e,
  );
  if (!(err instanceof cls)) throw new Error(`expected ${cls.name}, got ${String(err)}`);
  return err as APIError;
}

/** firstError is the first envelope error of an SDK error (with source, which ErrorData lacks in TS). */
export function firstError(err: APIError): { code: number; message: string; source?: { pointer?: string } } {
  const e = err.errors[0] as { code: number; message: string; source?: { pointer?: string } } | undefined;
  if (!e) throw new Error(`no errors in ${err.message}`);
  return e;
}
