// POST /zones/{zone_id}/secondary_dns/force_axfr: ask the engine for a full transfer now. The body
// is ignored whatever it is (none, {}, null, any content type: API.md §1.1). Needs a secondary zone
// with an incoming config; answers the string "OK".
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ok } from '../envelope.js';
import { apiError } from '../errors.js';
import { StatusString, ZoneParams } from '../schemas/common.js';
import type { RouteContext } from './context.js';
import { secondaryZone } from './incoming.js';

export function registerForceAxfr(app: FastifyInstance, ctx: RouteContext): void {
  app.post('/zones/:zone_id/secondary_dns/force_axfr', {
    schema: { summary: 'Force AXFR', tags: ['Zone Transfers: force AXFR'], operationId: 'forceAXFR.create', params: ZoneParams },
    config: { openapi: { result: StatusString } },
  }, async (req: FastifyRequest<{ Params: { zone_id: string } }>) => {
    const zone = await secondaryZone(ctx, req);
    if (!(await ctx.store.incoming.get(zone.id))) throw apiError('incoming_not_found');
    ctx.engine.forceAxfr(zone.id);
    return ok('OK');
  });
}
