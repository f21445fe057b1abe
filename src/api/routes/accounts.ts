// /accounts (create: admin only; list/get: an account token sees only its own account),
// /accounts/{account_id}/tokens (create → value shown once, list without values, get, delete,
// verify) and /user/tokens/verify. Unknown body fields (the SDK's `policies`) are ignored.
import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { principalOf, requireAdmin, visibleAccount } from '../auth/authenticate.js';
import { ok, pageInfo } from '../envelope.js';
import { apiError } from '../errors.js';
import { accountJson, tokenJson } from '../present.js';
import { AccountParams, IdResult, TokenParams } from '../schemas/common.js';
import { AccountCreateBody, AccountListQuery, AccountResult, TokenCreateBody, TokenListQuery, TokenResult, TokenVerifyResult } from '../schemas/zones.js';
import { pageOf, type RouteContext } from './context.js';

const tags = ['Accounts'];

export function registerAccounts(app: FastifyInstance, ctx: RouteContext): void {
  const { store } = ctx;

  app.post('/accounts', {
    schema: { summary: 'Create account (admin token)', tags, operationId: 'accounts.create', body: AccountCreateBody },
    config: { openapi: { result: AccountResult } },
  }, async (req: FastifyRequest<{ Body: AccountCreateBody }>) => {
    requireAdmin(req, 'create accounts');
    return ok(accountJson(await store.accounts.create(req.body.name)));
  });

  app.get('/accounts', {
    schema: { summary: 'List accounts', tags, operationId: 'accounts.list', querystring: AccountListQuery },
    config: { openapi: { result: Type.Array(AccountResult), paginated: true } },
  }, async (req: FastifyRequest<{ Querystring: AccountListQuery }>) => {
    const principal = principalOf(req);
    const { page, perPage } = pageOf(req.query);
    const result = await store.accounts.list({ page, perPage, ...(principal.accountId !== null ? { onlyId: principal.accountId } : {}) });
    return ok(result.items.map(accountJson), pageInfo(page, perPage, result.items.length, result.totalCount));
  });

  app.get('/accounts/:account_id', {
    schema: { summary: 'Account details', tags, operationId: 'accounts.get', params: AccountParams },
    config: { openapi: { result: AccountResult } },
  }, async (req: FastifyRequest<{ Params: { account_id: string } }>) =>
    ok(accountJson(await visibleAccount(store, req, req.params.account_id))));

  app.post('/accounts/:account_id/tokens', {
    schema: { summary: 'Create account API token', tags, operationId: 'accounts.tokens.create', params: AccountParams, body: TokenCreateBody },
    config: { openapi: { result: TokenResult } },
  }, async (req: FastifyRequest<{ Params: { account_id: string }; Body: TokenCreateBody }>) => {
    const account = await visibleAccount(store, req, req.params.account_id);
    const { token, value } = await store.tokens.create({ accountId: account.id, name: req.body.name });
    return ok(tokenJson(token, value));
  });

  app.get('/accounts/:account_id/tokens', {
    schema: { summary: 'List account API tokens', tags, operationId: 'accounts.tokens.list', params: AccountParams, querystring: TokenListQuery },
    config: { openapi: { result: Type.Array(TokenResult), paginated: true } },
  }, async (req: FastifyRequest<{ Params: { account_id: string }; Querystring: TokenListQuery }>) => {
    const account = await visibleAccount(store, req, req.params.account_id);
    const { page, perPage } = pageOf(req.query);
    const result = await store.tokens.list(account.id, { page, perPage });
    return ok(result.items.map((t) => tokenJson(t)), pageInfo(page, perPage, result.items.length, result.totalCount));
  });

  app.get('/accounts/:account_id/tokens/verify', {
    schema: { summary: 'Verify the calling token against an account', tags, operationId: 'accounts.tokens.verify', params: AccountParams },
    config: { openapi: { result: TokenVerifyResult } },
  }, async (req: FastifyRequest<{ Params: { account_id: string } }>) => {
    await visibleAccount(store, req, req.params.account_id);
    return ok({ id: principalOf(req).tokenId, status: 'active' as const });
  });

  app.get('/accounts/:account_id/tokens/:token_id', {
    schema: { summary: 'Account API token details', tags, operationId: 'accounts.tokens.get', params: TokenParams },
    config: { openapi: { result: TokenResult } },
  }, async (req: FastifyRequest<{ Params: { account_id: string; token_id: string } }>) => {
    const account = await visibleAccount(store, req, req.params.account_id);
    const token = await store.tokens.get(account.id, req.params.token_id);
    if (!token) throw apiError('token_not_found');
    return ok(tokenJson(token));
  });

  app.delete('/accounts/:account_id/tokens/:token_id', {
    schema: { summary: 'Delete account API token', tags, operationId: 'accounts.tokens.delete', params: TokenParams },
    config: { openapi: { result: IdResult } },
  }, async (req: FastifyRequest<{ Params: { account_id: string; token_id: string } }>) => {
    const account = await visibleAccount(store, req, req.params.account_id);
    if (!(await store.tokens.delete(account.id, req.params.token_id))) throw apiError('token_not_found');
    return ok({ id: req.params.token_id });
  });

  app.get('/user/tokens/verify', {
    schema: { summary: 'Verify the calling token', tags, operationId: 'user.tokens.verify' },
    config: { openapi: { result: TokenVerifyResult } },
  }, async (req: FastifyRequest) => ok({ id: principalOf(req).tokenId, status: 'active' as const }));
}
