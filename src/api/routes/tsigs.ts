// /accounts/{account_id}/secondary_dns/tsigs[/{tsig_id}]. name must be a DNS name (kept as sent,
// trailing dot included), algo one of the RFC 8945 HMACs in any spelling (echoed as sent), secret
// base64 or hex (returned in GET/list, as Cloudflare does). PUT merges. Updates and deletes call
// engine.zoneChanged for every zone linked to a peer using the key; deleting unlinks it from peers.
import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { TsigInput } from '../../store/index.js';
import { parseTsigAlgorithm, parseTsigSecret } from '../../tsig/index.js';
import { visibleAccount } from '../auth/authenticate.js';
import { ok } from '../envelope.js';
import { apiError } from '../errors.js';
import { tsigJson } from '../present.js';
import { AccountParams, IdResult, TsigParams } from '../schemas/common.js';
import { TsigCreateBody, TsigResult, TsigUpdateBody } from '../schemas/secondary-dns.js';
import { dnsNameProblem } from '../validate.js';
import type { RouteContext } from './context.js';

type TsigReq = FastifyRequest<{ Params: { account_id: string; tsig_id: string } }>;
const BASE = '/accounts/:account_id/secondary_dns/tsigs';
const tags = ['Zone Transfers: TSIGs'];

function checkTsig(t: TsigInput): TsigInput {
  const problem = dnsNameProblem(t.name);
  if (problem !== undefined) throw apiError('invalid_tsig_name', { value: t.name, reason: problem }, '/name');
  // The same parsers the engine uses to build the key (src/tsig), so a stored key is always usable.
  if (!parseTsigAlgorithm(t.algo).ok) throw apiError('invalid_tsig_algo', { value: t.algo }, '/algo');
  if (!parseTsigSecret(t.secret).ok) throw apiError('invalid_tsig_secret', {}, '/secret');
  return t;
}

export function registerTsigs(app: FastifyInstance, ctx: RouteContext): void {
  const { store } = ctx;

  app.get(BASE, {
    schema: { summary: 'List TSIGs', tags, operationId: 'tsigs.list', params: AccountParams },
    config: { openapi: { result: Type.Array(TsigResult) } },
  }, async (req: FastifyRequest<{ Params: { account_id: string } }>) => {
    const account = await visibleAccount(store, req, req.params.account_id);
    return ok((await store.tsigs.list(account.id)).map(tsigJson));
  });

  app.get(`${BASE}/:tsig_id`, {
    schema: { summary: 'TSIG details', tags, operationId: 'tsigs.get', params: TsigParams },
    config: { openapi: { result: TsigResult } },
  }, async (req: TsigReq) => {
    const account = await visibleAccount(store, req, req.params.account_id);
    const tsig = await store.tsigs.get(account.id, req.params.tsig_id);
    if (!tsig) throw apiError('tsig_not_found');
    return ok(tsigJson(tsig));
  });

  app.post(BASE, {
    schema: { summary: 'Create TSIG', tags, operationId: 'tsigs.create', params: AccountParams, body: TsigCreateBody },
    config: { openapi: { result: TsigResult } },
  }, async (req: FastifyRequest<{ Params: { account_id: string }; Body: TsigCreateBody }>) => {
    const account = await visibleAccount(store, req, req.params.account_id);
    const input = checkTsig({ name: req.body.name, algo: req.body.algo, secret: req.body.secret });
    return ok(tsigJson(await store.tsigs.create(account.id, input)));
  });

  app.put(`${BASE}/:tsig_id`, {
    schema: { summary: 'Update TSIG', tags, operationId: 'tsigs.update', params: TsigParams, body: TsigUpdateBody },
    config: { openapi: { result: TsigResult } },
  }, async (req: FastifyRequest<{ Params: { account_id: string; tsig_id: string }; Body: TsigUpdateBody }>) => {
    const account = await visibleAccount(store, req, req.params.account_id);
    const current = await store.tsigs.get(account.id, req.params.tsig_id);
    if (!current) throw apiError('tsig_not_found');
    const input = checkTsig({
      name: req.body.name ?? current.name,
      algo: req.body.algo ?? current.algo,
      secret: req.body.secret ?? current.secret,
    });
    const tsig = await store.tsigs.update(account.id, current.id, input);
    if (!tsig) throw apiError('tsig_not_found');
    ctx.zonesChanged(await store.tsigs.zonesUsing(tsig.id));
    return ok(tsigJson(tsig));
  });

  app.delete(`${BASE}/:tsig_id`, {
    schema: { summary: 'Delete TSIG', tags, operationId: 'tsigs.delete', params: TsigParams },
    config: { openapi: { result: IdResult } },
  }, async (req: TsigReq) => {
    const account = await visibleAccount(store, req, req.params.account_id);
    const zones = await store.tsigs.delete(account.id, req.params.tsig_id);
    if (zones === null) throw apiError('tsig_not_found');
    ctx.zonesChanged(zones);
    return ok({ id: req.params.tsig_id });
  });
}
