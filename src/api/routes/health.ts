// Unauthenticated probes: GET /health (process up; the Docker healthcheck) and GET /ready (the
// database answers). Plain JSON {status}, not the Cloudflare envelope; served with and without the
// /client/v4 prefix.
import type { FastifyInstance } from 'fastify';
import type { RouteContext } from './context.js';

export function registerHealth(app: FastifyInstance, ctx: RouteContext): void {
  app.get('/health', { config: { public: true } }, async () => ({ status: 'ok' }));

  app.get('/ready', { config: { public: true } }, async (req, reply) => {
    try {
      await ctx.store.ping();
      return { status: 'ok' };
    } catch (err) {
      req.log.warn({ err }, 'readiness check failed');
      return reply.status(503).send({ status: 'unavailable' });
    }
  });
}
