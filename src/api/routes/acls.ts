// /accounts/{account_id}/secondary_dns/acls[/{acl_id}]. ip_range is an address or CIDR no broader
// than /24 (IPv4) or /64 (IPv6), host bits allowed, echoed exactly as sent. ACLs apply to every zone
// of the account, so each write calls engine.zoneChanged for all the account's zones that have an
// incoming or outgoing config.
import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AclInput } from '../../store/index.js';
import { visibleAccount } from '../auth/authenticate.js';
import { ok } from '../envelope.js';
import { apiError } from '../errors.js';
import { aclJson } from '../present.js';
import { AccountParams, AclParams, IdResult } from '../schemas/common.js';
import { AclCreateBody, AclResult, AclUpdateBody } from '../schemas/secondary-dns.js';
import { MIN_ACL_PREFIX, parseIpRange } from '../validate.js';
import type { RouteContext } from './context.js';

type AclReq = FastifyRequest<{ Params: { account_id: string; acl_id: string } }>;
const BASE = '/accounts/:account_id/secondary_dns/acls';
const tags = ['Zone Transfers: ACLs'];

function checkAcl(a: AclInput): AclInput {
  const range = parseIpRange(a.ipRange);
  if (!range) throw apiError('invalid_ip_range', { value: a.ipRange }, '/ip_range');
  if (range.prefix < MIN_ACL_PREFIX[range.family]) throw apiError('ip_range_too_broad', { value: a.ipRange }, '/ip_range');
  return a;
}

export function registerAcls(app: FastifyInstance, ctx: RouteContext): void {
  const { store } = ctx;
  const accountChanged = async (accountId: string): Promise<void> => ctx.zonesChanged(await store.zones.withTransfers(accountId));

  app.get(BASE, {
    schema: { summary: 'List ACLs', tags, operationId: 'acls.list', params: AccountParams },
    config: { openapi: { result: Type.Array(AclResult) } },
  }, async (req: FastifyRequest<{ Params: { account_id: string } }>) => {
    const account = await visibleAccount(store, req, req.params.account_id);
    return ok((await store.acls.list(account.id)).map(aclJson));
  });

  app.get(`${BASE}/:acl_id`, {
    schema: { summary: 'ACL details', tags, operationId: 'acls.get', params: AclParams },
    config: { openapi: { result: AclResult } },
  }, async (req: AclReq) => {
    const account = await visibleAccount(store, req, req.params.account_id);
    const acl = await store.acls.get(account.id, req.params.acl_id);
    if (!acl) throw apiError('acl_not_found');
    return ok(aclJson(acl));
  });

  app.post(BASE, {
    schema: { summary: 'Create ACL', tags, operationId: 'acls.create', params: AccountParams, body: AclCreateBody },
    config: { openapi: { result: AclResult } },
  }, async (req: FastifyRequest<{ Params: { account_id: string }; Body: AclCreateBody }>) => {
    const account = await visibleAccount(store, req, req.params.account_id);
    const acl = await store.acls.create(account.id, checkAcl({ name: req.body.name, ipRange: req.body.ip_range }));
    await accountChanged(account.id);
    return ok(aclJson(acl));
  });

  app.put(`${BASE}/:acl_id`, {
    schema: { summary: 'Update ACL', tags, operationId: 'acls.update', params: AclParams, body: AclUpdateBody },
    config: { openapi: { result: AclResult } },
  }, async (req: FastifyRequest<{ Params: { account_id: string; acl_id: string }; Body: AclUpdateBody }>) => {
    const account = await visibleAccount(store, req, req.params.account_id);
    const current = await store.acls.get(account.id, req.params.acl_id);
    if (!current) throw apiError('acl_not_found');
    const input = checkAcl({ name: req.body.name ?? current.name, ipRange: req.body.ip_range ?? current.ipRange });
    const acl = await store.acls.update(account.id, current.id, input);
    if (!acl) throw apiError('acl_not_found');
    await accountChanged(account.id);
    return ok(aclJson(acl));
  });

  app.delete(`${BASE}/:acl_id`, {
    schema: { summary: 'Delete ACL', tags, operationId: 'acls.delete', params: AclParams },
    config: { openapi: { result: IdResult } },
  }, async (req: AclReq) => {
    const account = await visibleAccount(store, req, req.params.account_id);
    if (!(await store.acls.delete(account.id, req.params.acl_id))) throw apiError('acl_not_found');
    await accountChanged(account.id);
    return ok({ id: req.params.acl_id });
  });
}
