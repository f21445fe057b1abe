// Request authentication: `Authorization: Bearer <token>` or `X-Auth-Key` (the key is a token;
// X-Auth-Email is ignored). Admin tokens (no account) see everything; account tokens their account.
// Errors as Cloudflare's (API.md §2.3): none → 400/9106, malformed → 400/6003, unknown → 403/9109.
// Scope helpers answer 404 for other accounts' objects so their existence is not revealed.
import type { FastifyRequest } from 'fastify';
import { TOKEN_PATTERN, type Account, type Store, type Zone } from '../../store/index.js';
import { apiError } from '../errors.js';

/** Principal is the authenticated caller. */
export interface Principal {
  tokenId: string;
  /** accountId null = admin. */
  accountId: string | null;
}

declare module 'fastify' {
  interface FastifyRequest {
    principal?: Principal;
  }
  interface FastifyContextConfig {
    /** public routes skip authentication (health, readiness, OpenAPI). */
    public?: boolean;
  }
}

/** credential extracts the presented token, or throws the matching registry error. */
export function credential(headers: FastifyRequest['headers']): string {
  const authorization = headers.authorization;
  if (authorization !== undefined && authorization !== '') {
    const m = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(authorization);
    if (!m?.[1]) throw apiError('bad_auth_header');
    return m[1];
  }
  const key = headers['x-auth-key'];
  if (typeof key === 'string' && key !== '') return key;
  throw apiError('missing_auth');
}

/** authenticate resolves the request's principal or throws 400/403. */
export async function authenticate(store: Store, request: FastifyRequest): Promise<Principal> {
  const value = credential(request.headers);
  if (!TOKEN_PATTERN.test(value)) throw apiError('invalid_token');
  const token = await store.tokens.verify(value);
  if (!token) throw apiError('invalid_token');
  return { tokenId: token.id, accountId: token.accountId };
}

/** principalOf returns the request's principal (set by the auth hook on every non-public route). */
export function principalOf(request: FastifyRequest): Principal {
  if (!request.principal) throw new Error('principalOf on an unauthenticated route');
  return request.principal;
}

/** requireAdmin refuses account-bound tokens (403). */
export function requireAdmin(request: FastifyRequest, action: string): void {
  if (principalOf(request).accountId !== null) throw apiError('forbidden', { detail: `only an admin token may ${action}` });
}

/** canSee: admin sees every account; an account token only its own. */
export function canSee(principal: Principal, accountId: string): boolean {
  return principal.accountId === null || principal.accountId === accountId;
}

/** visibleAccount loads an account the caller may use, or throws 404. */
export async function visibleAccount(store: Store, request: FastifyRequest, accountId: string): Promise<Account> {
  if (!canSee(principalOf(request), accountId)) throw apiError('account_not_found');
  const account = await store.accounts.get(accountId);
  if (!account) throw apiError('account_not_found');
  return account;
}

/** visibleZone loads a zone of an account the caller may use, or throws 404. */
export async function visibleZone(store: Store, request: FastifyRequest, zoneId: string): Promise<Zone> {
  const zone = await store.zones.get(zoneId);
  if (!zone || !canSee(principalOf(request), zone.accountId)) throw apiError('zone_not_found');
  return zone;
}
