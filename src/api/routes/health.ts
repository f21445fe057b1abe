// Unauthenticated liveness probe: GET /health (process up; the Docker healthcheck). Plain JSON
// {status}, not the Cloudflare envelope; served with and without the /client/v4 prefix. The
// readiness probe GET /ready lives in ops.ts with the other operations endpoints.
import type { FastifyInstance } from 'fastify';
import type { RouteContext } from './context.js';

export function registerHealth(app: FastifyInstance, _ctx: RouteContext): void {
  app.get('/health', { config: { public: true } }, async () => ({ status: 'ok' }));
}
