// /zones/{zone_id}/secondary_dns/outgoing[/enable|/disable|/force_notify|/status]: the primary (serve)
// config. Allowed on full and secondary zones (a secondary can relay to further secondaries).
// Created disabled ("Disabled" until enable, API.md §3). Action bodies are ignored. enable/disable/
// update/create/delete call engine.zoneChanged; enable also outgoingEnabled (engine sends NOTIFY).
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Outgoing } from '../../store/index.js';
import { visibleZone } from '../auth/authenticate.js';
import { ok } from '../envelope.js';
import { apiError } from '../errors.js';
import { outgoingJson } from '../present.js';
import { IdResult, StatusString, ZoneParams } from '../schemas/common.js';
import { OutgoingCreateBody, OutgoingResult, OutgoingUpdateBody } from '../schemas/secondary-dns.js';
import type { RouteContext } from './context.js';
import { checkConfigName, checkPeerLinks } from './transfer-checks.js';

type ZoneReq = FastifyRequest<{ Params: { zone_id: string } }>;
const PATH = '/zones/:zone_id/secondary_dns/outgoing';
const tags = ['Zone Transfers: outgoing'];

const statusOf = (o: Outgoing): 'Enabled' | 'Disabled' => (o.enabled ? 'Enabled' : 'Disabled');

export function registerOutgoing(app: FastifyInstance, ctx: RouteContext): void {
  const { store, engine } = ctx;

  async function existing(req: ZoneReq): Promise<Outgoing> {
    const zone = await visibleZone(store, req, req.params.zone_id);
    const outgoing = await store.outgoing.get(zone.id);
    if (!outgoing) throw apiError('outgoing_not_found');
    return outgoing;
  }

  app.get(PATH, {
    schema: { summary: 'Primary zone configuration details', tags, operationId: 'outgoing.get', params: ZoneParams },
    config: { openapi: { result: OutgoingResult } },
  }, async (req: ZoneReq) => ok(outgoingJson(await existing(req))));

  app.post(PATH, {
    schema: { summary: 'Create primary zone configuration', tags, operationId: 'outgoing.create', params: ZoneParams, body: OutgoingCreateBody },
    config: { openapi: { result: OutgoingResult } },
  }, async (req: FastifyRequest<{ Params: { zone_id: string }; Body: OutgoingCreateBody }>) => {
    const zone = await visibleZone(store, req, req.params.zone_id);
    const name = checkConfigName(req.body.name, zone);
    const peers = await checkPeerLinks(store, zone.accountId, req.body.peers ?? []);
    if (await store.outgoing.get(zone.id)) throw apiError('outgoing_exists');
    const outgoing = await store.outgoing.create(zone.id, { name, peers });
    engine.zoneChanged(zone.id);
    return ok(outgoingJson(outgoing));
  });

  app.put(PATH, {
    schema: { summary: 'Update primary zone configuration', tags, operationId: 'outgoing.update', params: ZoneParams, body: OutgoingUpdateBody },
    config: { openapi: { result: OutgoingResult } },
  }, async (req: FastifyRequest<{ Params: { zone_id: string }; Body: OutgoingUpdateBody }>) => {
    const zone = await visibleZone(store, req, req.params.zone_id);
    const current = await store.outgoing.get(zone.id);
    if (!current) throw apiError('outgoing_not_found');
    const name = req.body.name === undefined ? current.name : checkConfigName(req.body.name, zone);
    const peers = req.body.peers === undefined ? current.peers : await checkPeerLinks(store, zone.accountId, req.body.peers ?? []);
    const outgoing = await store.outgoing.update(zone.id, { name, peers });
    if (!outgoing) throw apiError('outgoing_not_found');
    engine.zoneChanged(zone.id);
    return ok(outgoingJson(outgoing));
  });

  app.delete(PATH, {
    schema: { summary: 'Delete primary zone configuration', tags, operationId: 'outgoing.delete', params: ZoneParams },
    config: { openapi: { result: IdResult } },
  }, async (req: ZoneReq) => {
    const zone = await visibleZone(store, req, req.params.zone_id);
    if (!(await store.outgoing.delete(zone.id))) throw apiError('outgoing_not_found');
    engine.zoneChanged(zone.id);
    return ok({ id: zone.id });
  });

  app.post(`${PATH}/enable`, {
    schema: { summary: 'Enable outgoing zone transfers', tags, operationId: 'outgoing.enable', params: ZoneParams },
    config: { openapi: { result: StatusString } },
  }, async (req: ZoneReq) => {
    const current = await existing(req);
    const outgoing = (await store.outgoing.setEnabled(current.zoneId, true)) ?? current;
    engine.zoneChanged(current.zoneId);
    engine.outgoingEnabled(current.zoneId);
    return ok(statusOf(outgoing));
  });

  app.post(`${PATH}/disable`, {
    schema: { summary: 'Disable outgoing zone transfers', tags, operationId: 'outgoing.disable', params: ZoneParams },
    config: { openapi: { result: StatusString } },
  }, async (req: ZoneReq) => {
    const current = await existing(req);
    const outgoing = (await store.outgoing.setEnabled(current.zoneId, false)) ?? current;
    engine.zoneChanged(current.zoneId);
    return ok(statusOf(outgoing));
  });

  app.post(`${PATH}/force_notify`, {
    schema: { summary: 'Force DNS NOTIFY', tags, operationId: 'outgoing.forceNotify', params: ZoneParams },
    config: { openapi: { result: StatusString } },
  }, async (req: ZoneReq) => {
    const outgoing = await existing(req);
    if (!outgoing.enabled) throw apiError('outgoing_disabled');
    engine.forceNotify(outgoing.zoneId);
    return ok('OK');
  });

  app.get(`${PATH}/status`, {
    schema: { summary: 'Get outgoing zone transfer status', tags, operationId: 'outgoing.status.get', params: ZoneParams },
    config: { openapi: { result: StatusString } },
  }, async (req: ZoneReq) => ok(statusOf(await existing(req))));
}
