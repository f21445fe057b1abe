// A whole zonexfer in one test process: store (PGlite in memory, or a Postgres schema), engine,
// DNS server (UDP+TCP on 127.0.0.1, port 0) and the API on a loopback port, wired exactly as
// src/cli/main.ts wires them, plus an admin token and one account. Tests drive it through the wire
// and the API, like users.

import Cloudflare from 'cloudflare';
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { build, ensureAdminToken } from '../../src/api/index.js';
import { Engine, type EngineTuning, applyChange } from '../../src/engine/index.js';
import { Metrics, observeDns, observeEngine } from '../../src/metrics/index.js';
import { type DnsServer, startDnsServer } from '../../src/server/index.js';
import { openPg } from '../../src/store/adapters/pg.js';
import { type Store, createStore, migrate } from '../../src/store/index.js';
import { type StoreKind, type TestStore, openTestStore } from './db.js';

export interface Instance {
  readonly store: Store;
  readonly engine: Engine;
  readonly dns: DnsServer;
  readonly api: FastifyInstance;
  /** dnsPort: UDP and TCP port of the DNS listener on 127.0.0.1. */
  readonly dnsPort: number;
  readonly apiUrl: string;
  readonly adminToken: string;
  readonly accountId: string;
  /** cf is the official SDK bound to this instance with the admin token. */
  readonly cf: Cloudflare;
  /** logs collects every log line (objects) for assertions on what happened. */
  readonly logs: Record<string, unknown>[];
  /** metrics: this instance's Prometheus registry (also served at GET /metrics, as in main.ts). */
  readonly metrics: Metrics;
  close(): Promise<void>;
}

export interface InstanceOptions {
  store?: StoreKind;
  tuning?: Partial<EngineTuning>;
  /** logLevel for the collected log (default 'debug'). */
  logLevel?: string;
  /** shared: join an existing Postgres schema instead of a fresh store (several instances, one database). */
  shared?: SharedDb;
  /** instanceId names the engine in refresh leases (default: the engine's own). */
  instanceId?: string;
}

/**
 * SharedDb is one Postgres schema several in-process instances run on (createSchema in db.ts).
 * Each instance opens its own pool and LISTEN connection; close() leaves the schema in place.
 */
export interface SharedDb {
  readonly url: string;
  readonly schema: string;
  /** adminToken: the configured admin token of every instance (40–80 chars of [0-9A-Za-z_-]). */
  readonly adminToken: string;
  /** accountId: use this account instead of creating one. */
  readonly accountId?: string;
}

async function joinSchema(shared: SharedDb): Promise<TestStore> {
  const sql = await openPg({ connectionString: shared.url, searchPath: shared.schema, max: 4 });
  await migrate(sql);
  const store = await createStore(sql);
  return { store, sql, kind: 'pg', schema: shared.schema, cleanup: () => store.close() };
}

/** startInstance starts a zonexfer in-process. Close it in afterAll. */
export async function startInstance(o: InstanceOptions = {}): Promise<Instance> {
  const ts = o.shared !== undefined ? await joinSchema(o.shared) : await openTestStore(o.store ?? 'pglite');
  const logs: Record<string, unknown>[] = [];
  const log = pino(
    { level: o.logLevel ?? 'debug' },
    {
      write(line: string) {
        try {
          logs.push(JSON.parse(line) as Record<string, unknown>);
        } catch {
          /* not JSON */
        }
      },
    },
  );
  const adminToken = o.shared !== undefined ? o.shared.adminToken : ((await ensureAdminToken(ts.store, undefined)) ?? '');
  if (o.shared !== undefined) await ensureAdminToken(ts.store, o.shared.adminToken);
  const engine = new Engine({
    store: ts.store,
    logger: log,
    ...(o.tuning !== undefined ? { tuning: o.tuning } : {}),
    ...(o.instanceId !== undefined ? { instanceId: o.instanceId } : {}),
  });
  const metrics = new Metrics({ defaultMetrics: false });
  observeEngine(metrics, engine);
  await engine.start();
  const unsubscribe = ts.store.onChange((c) => applyChange(c, engine, ts.store, () => undefined));
  const dns = await startDnsServer({
    listen: [{ host: '127.0.0.1', port: 0 }],
    zones: engine.registry,
    limits: { tcpIdleTimeoutMs: 10_000, tcpMaxConnections: 1000, tcpMaxConnectionsPerClient: 100, udpMaxPayload: 1232 },
    logger: log,
    hooks: engine.hooks(),
  });
  observeDns(metrics, dns);
  const api = build({ store: ts.store, engine, logger: false, ops: { metrics, ready: () => engine.started } });
  await api.listen({ host: '127.0.0.1', port: 0 });
  const addr = api.server.address();
  const apiPort = typeof addr === 'object' && addr !== null ? addr.port : 0;
  const apiUrl = `http://127.0.0.1:${apiPort}/client/v4`;
  const cf = new Cloudflare({ apiToken: adminToken, baseURL: apiUrl, maxRetries: 0 });
  const account = o.shared?.accountId !== undefined ? { id: o.shared.accountId } : ((await cf.accounts.create({ name: 'test', type: 'standard' } as never)) as unknown as { id: string });
  return {
    store: ts.store,
    engine,
    dns,
    api,
    dnsPort: dns.addresses()[0]!.port,
    apiUrl,
    adminToken,
    accountId: account.id,
    cf,
    logs,
    metrics,
    async close() {
      await api.close();
      await dns.close();
      unsubscribe();
      await engine.stop();
      await ts.cleanup();
    },
  };
}
