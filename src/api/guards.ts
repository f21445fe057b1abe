// The API's edge guards, kept out of app.ts: log redaction (credentials and TSIG secrets never
// reach a log line), Cloudflare-envelope answers for what Fastify and Node refuse before any route
// runs (bad percent-encoding, over-long path parameters, malformed HTTP), and the authentication
// hook with its per-address limit on failed attempts (auth/rate-limit.ts).
// Secrets are compared in constant time where a comparison happens: API tokens are looked up by
// their sha256 (an equality on a digest the caller cannot steer), TSIG MACs with timingSafeEqual
// (src/tsig/digest.ts).
import type { Socket } from 'node:net';
import type { FastifyBaseLogger, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { LoggerOptions } from 'pino';
import type { Store } from '../store/index.js';
import { authenticate } from './auth/authenticate.js';
import { AuthFailureLimiter, clientKey } from './auth/rate-limit.js';
import type { ApiDeps } from './deps.js';
import { fail } from './envelope.js';
import { ApiError, apiError } from './errors.js';

/** REDACT_PATHS are the log fields that may carry a credential or a TSIG secret. */
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers["x-auth-key"]',
  'req.headers.cookie',
  'headers.authorization',
  'headers["x-auth-key"]',
  'req.body.secret',
  'body.secret',
  'secret',
  '*.secret',
  'token',
  '*.token',
];
const CENSOR = '[redacted]';

/** isLoggerInstance tells a ready pino logger from pino options (Fastify 5 takes them apart). */
function isLoggerInstance(logger: ApiDeps['logger']): logger is FastifyBaseLogger {
  return typeof logger === 'object' && typeof (logger as Partial<FastifyBaseLogger>).child === 'function';
}

/**
 * loggingOptions turns ApiDeps.logger into Fastify's logger options with REDACT_PATHS applied: a
 * ready logger gets a redacting child, pino options get the paths added to their own.
 */
export function loggingOptions(logger: ApiDeps['logger']): { loggerInstance: FastifyBaseLogger } | { logger: LoggerOptions | false } {
  if (isLoggerInstance(logger)) {
    return { loggerInstance: logger.child({}, { redact: { paths: REDACT_PATHS, censor: CENSOR } }) };
  }
  if (logger === undefined || logger === false) return { logger: false };
  const own = logger.redact;
  const paths = own === undefined ? [] : Array.isArray(own) ? own : own.paths;
  const censor = own !== undefined && !Array.isArray(own) && own.censor !== undefined ? own.censor : CENSOR;
  return { logger: { ...logger, redact: { paths: [...new Set([...paths, ...REDACT_PATHS])], censor } } };
}

/** pathOf is the request path for messages, cut short (a URL may be kilobytes long). */
function pathOf(url: string): string {
  const path = url.split('?')[0] ?? '';
  return path.length > 200 ? `${path.slice(0, 200)}…` : path;
}

/**
 * frameworkErrors answers the errors Fastify raises while routing (FST_ERR_BAD_URL: a path that is
 * not valid percent-encoding; FST_ERR_MAX_PARAM_LENGTH: a path parameter over 100 characters;
 * FST_ERR_ASYNC_CONSTRAINT) with 400 invalid_id in the envelope instead of Fastify's own shape.
 */
export function frameworkErrors(_error: Error, request: FastifyRequest, reply: FastifyReply): void {
  void reply
    .status(400)
    .type('application/json; charset=utf-8')
    .send(fail(apiError('invalid_id', { path: pathOf(request.raw.url ?? '') })));
}

/**
 * clientErrorHandler answers a request Node could not parse (bad request line, header overflow,
 * invalid characters) with 400 in the envelope, written to the raw socket, then closes it.
 */
export function clientErrorHandler(err: NodeJS.ErrnoException, socket: Socket): void {
  if (err.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy();
    return;
  }
  const reason = err.code === 'HPE_HEADER_OVERFLOW' ? 'request headers are too large' : 'malformed HTTP request';
  const body = JSON.stringify(fail(apiError('invalid_request', { field: 'request', reason })));
  socket.end(
    `HTTP/1.1 400 Bad Request\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

/** COUNTED are the authentication failures that count towards the limit (a credential was shown). */
const COUNTED = new Set(['invalid_token', 'bad_auth_header']);

/**
 * installAuth adds the onRequest hook that authenticates every non-public route: 429 first when
 * the caller's address is over its failed-attempt limit (before the token is even looked up), then
 * the credential check, whose failures are counted.
 */
export function installAuth(app: FastifyInstance, store: Store, limit: ApiDeps['authRateLimit']): void {
  const limiter = limit === false ? undefined : new AuthFailureLimiter(limit);
  app.addHook('onRequest', async (request) => {
    if (request.is404 || request.routeOptions.config.public === true) return;
    const key = limiter === undefined ? '' : clientKey(request.ip);
    const wait = limiter?.blockedFor(key);
    if (wait !== undefined) {
      const e = apiError('auth_rate_limited', { seconds: wait });
      e.headers = { 'retry-after': String(wait) };
      throw e;
    }
    try {
      request.principal = await authenticate(store, request);
    } catch (e) {
      if (limiter !== undefined && e instanceof ApiError && COUNTED.has(e.id)) limiter.fail(key);
      throw e;
    }
  });
}
