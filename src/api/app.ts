// build(deps): the Fastify application, without a listener. Routes are served under /client/v4 and
// again at /, authenticated by token, validated by TypeBox, answered in Cloudflare's envelope. Body
// parsing accepts any content type and never fails the request itself: bad JSON becomes a
// MalformedBody that only routes with a body schema refuse (the action POSTs ignore bodies).
import multipart from '@fastify/multipart';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { authenticate } from './auth/authenticate.js';
import type { ApiDeps } from './deps.js';
import { errorHandler, notFoundHandler } from './error-handler.js';
import { OpenApiCollector } from './openapi.js';
import { registerAccounts } from './routes/accounts.js';
import { registerAcls } from './routes/acls.js';
import { registerDnsRecordFiles } from './routes/dns-records-file.js';
import { registerDnsRecords } from './routes/dns-records.js';
import { routeContext, safeEngine, type RouteContext } from './routes/context.js';
import { registerForceAxfr } from './routes/force-axfr.js';
import { registerHealth } from './routes/health.js';
import { registerIncoming } from './routes/incoming.js';
import { registerOutgoing } from './routes/outgoing.js';
import { registerPeers } from './routes/peers.js';
import { registerTsigs } from './routes/tsigs.js';
import { registerZones } from './routes/zones.js';
import { MalformedBody, validatorCompiler } from './schema-compiler.js';

export type { ApiDeps, EngineCommands } from './deps.js';

/** API_PREFIX is Cloudflare's stable base path (API.md §2.5). */
export const API_PREFIX = '/client/v4';
/** BODY_LIMIT for JSON bodies; larger requests get 413 in the envelope. */
export const BODY_LIMIT = 1024 * 1024;

/** noProto drops "__proto__" keys while parsing (prototype-pollution guard). */
const noProto = (key: string, value: unknown): unknown => (key === '__proto__' ? undefined : value);

function installBodyParser(app: FastifyInstance): void {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string', bodyLimit: BODY_LIMIT }, (_req, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    if (text.trim() === '') {
      done(null, undefined);
      return;
    }
    try {
      done(null, JSON.parse(text, noProto));
    } catch (err) {
      done(null, new MalformedBody(err instanceof Error ? err.message : 'unparseable'));
    }
  });
}

function registerRoutes(app: FastifyInstance, ctx: RouteContext): void {
  registerHealth(app, ctx);
  registerAccounts(app, ctx);
  registerZones(app, ctx);
  registerForceAxfr(app, ctx);
  registerIncoming(app, ctx);
  registerOutgoing(app, ctx);
  registerAcls(app, ctx);
  registerPeers(app, ctx);
  registerTsigs(app, ctx);
  registerDnsRecordFiles(app, ctx);
  registerDnsRecords(app, ctx);
}

/** isLoggerInstance tells a ready pino logger from pino options (Fastify 5 takes them apart). */
function isLoggerInstance(logger: ApiDeps['logger']): logger is FastifyBaseLogger {
  return typeof logger === 'object' && typeof (logger as Partial<FastifyBaseLogger>).child === 'function';
}

/** build assembles the API; call `listen` (or `inject`) on the result. */
export function build(deps: ApiDeps): FastifyInstance {
  const logging = isLoggerInstance(deps.logger) ? { loggerInstance: deps.logger } : { logger: deps.logger ?? false };
  const app = Fastify({
    ...logging,
    bodyLimit: BODY_LIMIT,
    routerOptions: { ignoreTrailingSlash: true },
    return503OnClosing: true,
  });
  app.setValidatorCompiler(validatorCompiler);
  installBodyParser(app);
  void app.register(multipart, { throwFileSizeLimit: true });
  app.setErrorHandler(errorHandler(BODY_LIMIT));
  app.setNotFoundHandler(notFoundHandler);

  const openapi = new OpenApiCollector(API_PREFIX);
  app.addHook('onRoute', openapi.onRoute);
  app.addHook('onRequest', async (request) => {
    if (request.is404 || request.routeOptions.config.public === true) return;
    request.principal = await authenticate(deps.store, request);
  });

  const ctx = routeContext(deps.store, safeEngine(deps.engine, app.log));
  void app.register(async (scope) => registerRoutes(scope, ctx), { prefix: API_PREFIX });
  void app.register(async (scope) => registerRoutes(scope, ctx));
  app.get(`${API_PREFIX}/openapi.json`, { config: { public: true } }, async () => openapi.document(deps.version ?? '0.0.0'));
  return app;
}
