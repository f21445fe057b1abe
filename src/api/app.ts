// build(deps): the Fastify application, without a listener. Routes are served under /client/v4 and
// again at /, authenticated by token, validated by TypeBox, answered in Cloudflare's envelope. Body
// parsing accepts any content type and never fails the request itself: bad JSON becomes a
// MalformedBody that only routes with a body schema refuse (the action POSTs ignore bodies).
import multipart from '@fastify/multipart';
import Fastify, { type FastifyInstance } from 'fastify';
import type { ApiDeps } from './deps.js';
import { errorHandler, notFoundHandler } from './error-handler.js';
import { clientErrorHandler, frameworkErrors, installAuth, loggingOptions } from './guards.js';
import { OpenApiCollector } from './openapi.js';
import { registerAccounts } from './routes/accounts.js';
import { registerAcls } from './routes/acls.js';
import { registerDnsRecordFiles } from './routes/dns-records-file.js';
import { registerDnsRecords } from './routes/dns-records.js';
import { routeContext, safeEngine, type RouteContext } from './routes/context.js';
import { registerForceAxfr } from './routes/force-axfr.js';
import { registerHealth } from './routes/health.js';
import { registerHistory } from './routes/history.js';
import { registerIncoming } from './routes/incoming.js';
import { registerOps } from './routes/ops.js';
import { registerOutgoing } from './routes/outgoing.js';
import { registerPeers } from './routes/peers.js';
import { registerTsigs } from './routes/tsigs.js';
import { registerZones } from './routes/zones.js';
import { MalformedBody, validatorCompiler } from './schema-compiler.js';

export type { ApiDeps, EngineCommands, OpsDeps } from './deps.js';

/** API_PREFIX is Cloudflare's stable base path (API.md §2.5). */
export const API_PREFIX = '/client/v4';
/** BODY_LIMIT for JSON bodies; larger requests get 413 in the envelope. */
export const BODY_LIMIT = 1024 * 1024;

/** NulInString: Postgres text cannot hold U+0000, so such a body is refused before any route runs. */
class NulInString extends Error {}

/** noProto drops "__proto__" keys while parsing (prototype-pollution guard) and refuses NUL in strings. */
const noProto = (key: string, value: unknown): unknown => {
  if (key === '__proto__') return undefined;
  if ((typeof value === 'string' && value.includes('\u0000')) || key.includes('\u0000')) throw new NulInString();
  return value;
};

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
      if (err instanceof NulInString) done(null, new MalformedBody('a string contains the NUL character (\\u0000)'));
      else done(null, new MalformedBody(err instanceof Error ? err.message : 'unparseable'));
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
  registerHistory(app, ctx);
  registerAcls(app, ctx);
  registerPeers(app, ctx);
  registerTsigs(app, ctx);
  registerDnsRecordFiles(app, ctx);
  registerDnsRecords(app, ctx);
}

/** build assembles the API; call `listen` (or `inject`) on the result. */
export function build(deps: ApiDeps): FastifyInstance {
  const app = Fastify({
    ...loggingOptions(deps.logger),
    bodyLimit: BODY_LIMIT,
    routerOptions: { ignoreTrailingSlash: true },
    return503OnClosing: true,
    frameworkErrors,
    clientErrorHandler,
  });
  app.setValidatorCompiler(validatorCompiler);
  installBodyParser(app);
  void app.register(multipart, { throwFileSizeLimit: true });
  app.setErrorHandler(errorHandler(BODY_LIMIT));
  app.setNotFoundHandler(notFoundHandler);

  const openapi = new OpenApiCollector(API_PREFIX);
  app.addHook('onRoute', openapi.onRoute);
  installAuth(app, deps.store, deps.authRateLimit);

  const ctx = routeContext(deps.store, safeEngine(deps.engine, app.log));
  void app.register(async (scope) => registerRoutes(scope, ctx), { prefix: API_PREFIX });
  void app.register(async (scope) => registerRoutes(scope, ctx));
  registerOps(app, deps.store, deps.ops ?? {}, ['', API_PREFIX]);
  app.get(`${API_PREFIX}/openapi.json`, { config: { public: true } }, async () => openapi.document(deps.version ?? '0.0.0'));
  return app;
}
