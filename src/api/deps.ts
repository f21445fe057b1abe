// What build() needs: the store, the engine's command port (implemented by src/engine, faked in
// tests) and logger options. The API calls engine commands after each committed write so the
// running DNS engine reacts at once; the store's change feed carries the same news to other instances.
import type { FastifyBaseLogger } from 'fastify';
import type { LoggerOptions } from 'pino';
import type { Store } from '../store/index.js';
import type { AuthRateLimitOptions } from './auth/rate-limit.js';

/**
 * EngineCommands is the engine's command port. Calls are fire-and-forget: they schedule work and
 * must not throw (a throw is logged and the HTTP request still succeeds, since the write committed).
 */
export interface EngineCommands {
  /** zoneChanged: the zone, its type, its incoming/outgoing config, linked peers/TSIGs, the account's ACLs or its records changed. */
  zoneChanged(zoneId: string): void;
  /** zoneDeleted: stop serving and forget the zone. */
  zoneDeleted(zoneId: string): void;
  /** forceAxfr: pull a full transfer now (secondary zone with an incoming config). */
  forceAxfr(zoneId: string): void;
  /** forceNotify: send NOTIFY to the outgoing peers now. */
  forceNotify(zoneId: string): void;
  /** outgoingEnabled: outgoing transfers were just enabled (Cloudflare then sends NOTIFY). */
  outgoingEnabled?(zoneId: string): void;
}

/** OpsDeps: what the operations endpoints read (routes/ops.ts). */
export interface OpsDeps {
  /** metrics: the Prometheus exposition served at GET /metrics; absent, /metrics is not served. */
  metrics?: { readonly contentType: string; render(): Promise<string> };
  /** ready: false while the engine is still loading zones (GET /ready answers 503). */
  ready?: () => boolean;
}

export interface ApiDeps {
  store: Store;
  engine: EngineCommands;
  /** logger: pino options, an existing pino logger (used as is), or false for none (the default). */
  logger?: LoggerOptions | FastifyBaseLogger | false;
  /** version reported by the OpenAPI document; defaults to "0.0.0". */
  version?: string;
  /** ops: metrics and readiness for GET /metrics and GET /ready. */
  ops?: OpsDeps;
  /**
   * authRateLimit limits failed authentications per source address (default: 20 per minute, then
   * 429 with Retry-After); false turns the limit off. The address is the socket's peer address
   * (Fastify `request.ip`): behind a reverse proxy every client shares the proxy's address.
   */
  authRateLimit?: AuthRateLimitOptions | false;
}
