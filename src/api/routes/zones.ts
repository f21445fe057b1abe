// /zones: create, list (V4PagePaginationArray: honours ?page and answers [] past the end, filters
// name, account.id, account.name, status, type, order, direction), get, PATCH {type}, DELETE → {id}.
// Types full and secondary only. Writes call engine.zoneChanged / zoneDeleted.
import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZoneType } from '../../store/index.js';
import { canSee, principalOf, visibleZone } from '../auth/authenticate.js';
import { ok, pageInfo } from '../envelope.js';
import { apiError } from '../errors.js';
import { zoneJson } from '../present.js';
import { IdResult, ZoneParams } from '../schemas/common.js';
import { ZoneCreateBody, ZoneEditBody, ZoneListQuery, ZoneResult } from '../schemas/zones.js';
import { dnsNameProblem } from '../validate.js';
import { pageOf, type RouteContext } from './context.js';

const tags = ['Zones'];

function zoneType(value: string | undefined, fallback: ZoneType): ZoneType {
  if (value === undefined) return fallback;
  if (value === 'full' || value === 'secondary') return value;
  throw apiError('zone_type_unsupported', { value }, '/type');
}

export function registerZones(app: FastifyInstance, ctx: RouteContext): void {
  const { store, engine } = ctx;

  app.post('/zones', {
    schema: { summary: 'Create zone', tags, operationId: 'zones.create', body: ZoneCreateBody },
    config: { openapi: { result: ZoneResult } },
  }, async (req: FastifyRequest<{ Body: ZoneCreateBody }>) => {
    const principal = principalOf(req);
    const body = req.body;
    const problem = dnsNameProblem(body.name);
    if (problem !== undefined) throw apiError('invalid_zone_name', { value: body.name, reason: problem }, '/name');
    const type = zoneType(body.type, 'full');
    const accountId = body.account?.id ?? principal.accountId;
    if (accountId === null) throw apiError('account_required', {}, '/account/id');
    if (!canSee(principal, accountId) || !(await store.accounts.get(accountId))) {
      throw apiError('unknown_account', { value: accountId }, '/account/id');
    }
    const zone = await store.zones.create({ accountId, name: body.name, type });
    engine.zoneChanged(zone.id);
    return ok(zoneJson(zone));
  });

  app.get('/zones', {
    schema: { summary: 'List zones', tags, operationId: 'zones.list', querystring: ZoneListQuery },
    config: { openapi: { result: Type.Array(ZoneResult), paginated: true } },
  }, async (req: FastifyRequest<{ Querystring: ZoneListQuery }>) => {
    const principal = principalOf(req);
    const q = req.query;
    const { page, perPage } = pageOf(q);
    const wanted = q['account.id'];
    const empty = () => ok([], pageInfo(page, perPage, 0, 0));
    if (principal.accountId !== null && wanted !== undefined && wanted !== principal.accountId) return empty();
    const accountId = principal.accountId ?? wanted;
    const rawTypes = q.type === undefined ? undefined : Array.isArray(q.type) ? q.type : [q.type];
    const types = rawTypes?.filter((t): t is ZoneType => t === 'full' || t === 'secondary');
    if (rawTypes !== undefined && types?.length === 0) return empty();
    const name = q.name?.replace(/^equal:/, '');
    const result = await store.zones.list({
      ...(accountId !== undefined ? { accountId } : {}),
      ...(name !== undefined && name !== '' ? { name } : {}),
      ...(q['account.name'] !== undefined ? { accountName: q['account.name'] } : {}),
      ...(q.status !== undefined ? { status: q.status } : {}),
      ...(types !== undefined ? { types } : {}),
      ...(q.order !== undefined ? { order: q.order } : {}),
      ...(q.direction !== undefined ? { direction: q.direction } : {}),
      page,
      perPage,
    });
    return ok(result.items.map(zoneJson), pageInfo(page, perPage, result.items.length, result.totalCount));
  });

  app.get('/zones/:zone_id', {
    schema: { summary: 'Zone details', tags, operationId: 'zones.get', params: ZoneParams },
    config: { openapi: { result: ZoneResult } },
  }, async (req: FastifyRequest<{ Params: { zone_id: string } }>) => ok(zoneJson(await visibleZone(store, req, req.params.zone_id))));

  app.patch('/zones/:zone_id', {
    schema: { summary: 'Edit zone (type conversion)', tags, operationId: 'zones.edit', params: ZoneParams, body: ZoneEditBody },
    config: { openapi: { result: ZoneResult } },
  }, async (req: FastifyRequest<{ Params: { zone_id: string }; Body: ZoneEditBody }>) => {
    const zone = await visibleZone(store, req, req.params.zone_id);
    const type = zoneType(req.body.type, zone.type);
    if (type === zone.type) return ok(zoneJson(zone));
    const updated = await store.zones.setType(zone.id, type);
    if (!updated) throw apiError('zone_not_found');
    engine.zoneChanged(zone.id);
    return ok(zoneJson(updated));
  });

  app.delete('/zones/:zone_id', {
    schema: { summary: 'Delete zone', tags, operationId: 'zones.delete', params: ZoneParams },
    config: { openapi: { result: IdResult } },
  }, async (req: FastifyRequest<{ Params: { zone_id: string } }>) => {
    const zone = await visibleZone(store, req, req.params.zone_id);
    if (!(await store.zones.delete(zone.id))) throw apiError('zone_not_found');
    engine.zoneDeleted(zone.id);
    return ok({ id: zone.id });
  });
}
