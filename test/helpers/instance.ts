// A whole zonexfer in one test process: store (PGlite in memory, or a Postgres schema), engine,
// DNS server (UDP+TCP on 127.0.0.1, port 0) and the API on a loopback port, wired exactly as
// src/cli/main.ts wires them, plus an admin token and one account. Tests drive it through the wire
// and the API, like users.

import Cloudflare from 'cloudflare';
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { build, ensureAdminToken } from '../../src/api/index.js';
import { Engine, type EngineTuning, applyChange } from '../../src/engine/index.js';
import { type DnsServer, startDnsServer } from '../../src/server/index.js';
import type { Store } from '../../src/store/index.js';
import { type StoreKind, openTestStore } from './db.js';

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
  close(): Promise<void>;
}

export interface InstanceOptions {
  store?: StoreKind;
  tuning?: Partial<EngineTuning>;
  /** logLevel for the collected log (default 'debug'). */
  logLevel?: string;
}

/** startInstance starts a zonexfer in-process. Close it in afterAll. */
export async function startInstance(o: InstanceOptions = {}): Promise<Instance> {
  const ts = await openTestStore(o.store ?? 'pglite');
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
  const adminToken = (await ensureAdminToken(ts.store, undefined)) ?? '';
  const engine = new Engine({ store: ts.store, logger: log, ...(o.tuning !== undefined ? { tuning: o.tuning } : {}) });
  await engine.start();
  const unsubscribe = ts.store.onChange((c) => applyChange(c, engine, ts.store, () => undefined));
  const dns = await startDnsServer({
    listen: [{ host: '127.0.0.1', port: 0 }],
    zones: engine.registry,
    limits: { tcpIdleTimeoutMs: 10_000, tcpMaxConnections: 1000, tcpMaxConnectionsPerClient: 100, udpMaxPayload: 1232 },
    logger: log,
    hooks: engine.hooks(),
  });
  const api = build({ store: ts.store, engine, logger: false });
  await api.listen({ host: '127.0.0.1', port: 0 });
  const addr = api.server.address();
  const apiPort = typeof addr === 'object' && addr !== null ? addr.port : 0;
  const apiUrl = `http://127.0.0.1:${apiPort}/client/v4`;
  const cf = new Cloudflare({ apiToken: adminToken, baseURL: apiUrl, maxRetries: 0 });
  const account = (await cf.accounts.create({ name: 'test', type: 'standard' } as never)) as unknown as { id: string };
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
    async close() {
      await api.close();
      await dns.close();
      unsubscribe();
      await engine.stop();
      await ts.cleanup();
    },
  };
}
