// Operations endpoints, unauthenticated like the health probe (config.public): GET /ready
// (readiness: the database answers and the engine has loaded every zone; served with and without
// the /client/v4 prefix like /health) and GET /metrics (Prometheus text exposition, at the root
// only, when build() was given metrics). Like most exporters /metrics has no auth: bind the API to
// loopback or a private network (--api), or filter it in front. Plain JSON {status}, not the
// Cloudflare envelope, as for /health: probes read the status code.
import type { FastifyInstance } from 'fastify';
import type { Store } from '../../store/index.js';
import type { OpsDeps } from '../deps.js';

/** registerOps adds /ready under each of `prefixes` ('' is the root) and /metrics at the root. */
export function registerOps(app: FastifyInstance, store: Store, ops: OpsDeps, prefixes: readonly string[]): void {
  for (const prefix of prefixes) {
    app.get(`${prefix}/ready`, { config: { public: true } }, async (req, reply) => {
      let database: 'ok' | 'unreachable' = 'ok';
      try {
        await store.ping();
      } catch (err) {
        req.log.warn({ err }, 'readiness check failed: database');
        database = 'unreachable';
      }
      const zones = ops.ready === undefined || ops.ready() ? 'loaded' : 'loading';
      if (database === 'ok' && zones === 'loaded') return { status: 'ok' };
      return reply.status(503).send({ status: 'unavailable', checks: { database, zones } });
    });
  }

  const metrics = ops.metrics;
  if (metrics === undefined) return;
  app.get('/metrics', { config: { public: true } }, async (_req, reply) => {
    const text = await metrics.render();
    return reply.type(metrics.contentType).send(text);
  });
}
