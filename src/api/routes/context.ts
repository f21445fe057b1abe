// What every route file receives: the store and a never-throwing engine port, plus small helpers
// shared by the routes (page parameters, engine fan-out, route metadata types for OpenAPI).
import type { TSchema } from '@sinclair/typebox';
import type { FastifyBaseLogger } from 'fastify';
import type { Store, ZoneRef } from '../../store/index.js';
import type { EngineCommands } from '../deps.js';
import { DEFAULT_PER_PAGE } from '../schemas/common.js';

declare module 'fastify' {
  interface FastifySchema {
    summary?: string;
    description?: string;
    tags?: string[];
    operationId?: string;
  }
  interface FastifyContextConfig {
    /** openapi documents the success result (the envelope is added around it). */
    openapi?: { result?: TSchema; paginated?: boolean; contentType?: string; requestContentType?: string; requestBody?: TSchema };
  }
}

/** Engine is EngineCommands made total: optional commands become no-ops, throws are logged. */
export type Engine = Required<EngineCommands>;

export interface RouteContext {
  store: Store;
  engine: Engine;
  /** zonesChanged calls engine.zoneChanged once per distinct zone. */
  zonesChanged(zones: ZoneRef[]): void;
}

/** safeEngine wraps the engine so a failing command cannot fail a committed request. */
export function safeEngine(engine: EngineCommands, log: FastifyBaseLogger): Engine {
  const guard =
    (name: keyof EngineCommands, fn: ((zoneId: string) => void) | undefined) =>
    (zoneId: string): void => {
      if (!fn) return;
      try {
        fn.call(engine, zoneId);
      } catch (err) {
        log.error({ err, zone: zoneId, command: name }, 'engine command failed');
      }
    };
  return {
    zoneChanged: guard('zoneChanged', engine.zoneChanged),
    zoneDeleted: guard('zoneDeleted', engine.zoneDeleted),
    forceAxfr: guard('forceAxfr', engine.forceAxfr),
    forceNotify: guard('forceNotify', engine.forceNotify),
    outgoingEnabled: guard('outgoingEnabled', engine.outgoingEnabled),
  };
}

export function routeContext(store: Store, engine: Engine): RouteContext {
  return {
    store,
    engine,
    zonesChanged(zones) {
      for (const id of new Set(zones.map((z) => z.zoneId))) engine.zoneChanged(id);
    },
  };
}

/** pageOf reads page/per_page with Cloudflare's defaults. */
export function pageOf(q: { page?: number; per_page?: number }): { page: number; perPage: number } {
  return { page: q.page ?? 1, perPage: q.per_page ?? DEFAULT_PER_PAGE };
}
