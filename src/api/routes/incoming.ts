// /zones/{zone_id}/secondary_dns/incoming: GET/POST/PUT/DELETE of the secondary (pull) config.
// Only secondary zones; id in the answer is the zone id. PUT merges: absent fields keep their value,
// null resets auto_refresh_seconds to 86400 and peers to []. Every write calls engine.zoneChanged.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Zone } from '../../store/index.js';
import { visibleZone } from '../auth/authenticate.js';
import { ok } from '../envelope.js';
import { apiError } from '../errors.js';
import { incomingJson } from '../present.js';
import { IdResult, ZoneParams } from '../schemas/common.js';
import { IncomingCreateBody, IncomingResult, IncomingUpdateBody } from '../schemas/secondary-dns.js';
import type { RouteContext } from './context.js';
import { DEFAULT_AUTO_REFRESH, checkAutoRefresh, checkConfigName, checkPeerLinks } from './transfer-checks.js';

type ZoneReq = FastifyRequest<{ Params: { zone_id: string } }>;
const PATH = '/zones/:zone_id/secondary_dns/incoming';
const tags = ['Zone Transfers: incoming'];

/** secondaryZone loads a visible zone and refuses full zones (400). */
export async function secondaryZone(ctx: RouteContext, req: ZoneReq): Promise<Zone> {
  const zone = await visibleZone(ctx.store, req, req.params.zone_id);
  if (zone.type !== 'secondary') throw apiError('zone_not_secondary', { zone: zone.name });
  return zone;
}

export function registerIncoming(app: FastifyInstance, ctx: RouteContext): void {
  const { store, engine } = ctx;

  app.get(PATH, {
    schema: { summary: 'Secondary zone configuration details', tags, operationId: 'incoming.get', params: ZoneParams },
    config: { openapi: { result: IncomingResult } },
  }, async (req: ZoneReq) => {
    const zone = await visibleZone(store, req, req.params.zone_id);
    const incoming = await store.incoming.get(zone.id);
    if (!incoming) throw apiError('incoming_not_found');
    return ok(incomingJson(incoming));
  });

  app.post(PATH, {
    schema: { summary: 'Create secondary zone configuration', tags, operationId: 'incoming.create', params: ZoneParams, body: IncomingCreateBody },
    config: { openapi: { result: IncomingResult } },
  }, async (req: FastifyRequest<{ Params: { zone_id: string }; Body: IncomingCreateBody }>) => {
    const zone = await secondaryZone(ctx, req);
    const body = req.body;
    const name = checkConfigName(body.name, zone);
    const autoRefreshSeconds = checkAutoRefresh(body.auto_refresh_seconds ?? DEFAULT_AUTO_REFRESH);
    const peers = await checkPeerLinks(store, zone.accountId, body.peers ?? []);
    if (await store.incoming.get(zone.id)) throw apiError('incoming_exists');
    const incoming = await store.incoming.create(zone.id, { name, autoRefreshSeconds, peers });
    engine.zoneChanged(zone.id);
    return ok(incomingJson(incoming));
  });

  app.put(PATH, {
    schema: { summary: 'Update secondary zone configuration', tags, operationId: 'incoming.update', params: ZoneParams, body: IncomingUpdateBody },
    config: { openapi: { result: IncomingResult } },
  }, async (req: FastifyRequest<{ Params: { zone_id: string }; Body: IncomingUpdateBody }>) => {
    const zone = await secondaryZone(ctx, req);
    const current = await store.incoming.get(zone.id);
    if (!current) throw apiError('incoming_not_found');
    const body = req.body;
    const name = body.name === undefined ? current.name : checkConfigName(body.name, zone);
    const refresh = body.auto_refresh_seconds === undefined ? current.autoRefreshSeconds : (body.auto_refresh_seconds ?? DEFAULT_AUTO_REFRESH);
    const autoRefreshSeconds = checkAutoRefresh(refresh);
    const peers = body.peers === undefined ? current.peers : await checkPeerLinks(store, zone.accountId, body.peers ?? []);
    const incoming = await store.incoming.update(zone.id, { name, autoRefreshSeconds, peers });
    if (!incoming) throw apiError('incoming_not_found');
    engine.zoneChanged(zone.id);
    return ok(incomingJson(incoming));
  });

  app.delete(PATH, {
    schema: { summary: 'Delete secondary zone configuration', tags, operationId: 'incoming.delete', params: ZoneParams },
    config: { openapi: { result: IdResult } },
  }, async (req: ZoneReq) => {
    const zone = await visibleZone(store, req, req.params.zone_id);
    if (!(await store.incoming.delete(zone.id))) throw apiError('incoming_not_found');
    engine.zoneChanged(zone.id);
    return ok({ id: zone.id });
  });
}
