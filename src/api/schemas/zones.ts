// Accounts, tokens and zones: request bodies, list queries and the result shapes (for OpenAPI).
// Zone results follow Cloudflare's `Zone` (SDK zones.d.ts); fields zonexfer has no notion of carry
// fixed values (plan, meta) so typed clients find them.
import { Type, type Static } from '@sinclair/typebox';
import { Id, Nullable, PageQuery, Time } from './common.js';

export const Name = Type.String({ minLength: 1, maxLength: 255 });

export const AccountCreateBody = Type.Object({ name: Name });
export type AccountCreateBody = Static<typeof AccountCreateBody>;

export const AccountListQuery = Type.Object({ ...PageQuery, name: Type.Optional(Type.String()) });
export type AccountListQuery = Static<typeof AccountListQuery>;

export const AccountResult = Type.Object({
  id: Id,
  name: Type.String(),
  type: Type.Literal('standard'),
  created_on: Time,
  settings: Type.Object({ enforce_twofactor: Type.Boolean(), use_account_custom_ns_by_default: Type.Boolean() }),
});

export const TokenCreateBody = Type.Object({ name: Name });
export type TokenCreateBody = Static<typeof TokenCreateBody>;

export const TokenListQuery = Type.Object({ ...PageQuery });
export type TokenListQuery = Static<typeof TokenListQuery>;

export const TokenResult = Type.Object({
  id: Id,
  name: Type.String(),
  status: Type.Union([Type.Literal('active'), Type.Literal('disabled')]),
  issued_on: Time,
  modified_on: Time,
  policies: Type.Array(Type.Unknown()),
  value: Type.Optional(Type.String({ description: 'The token value; only in the create response' })),
});

export const TokenVerifyResult = Type.Object({ id: Id, status: Type.Literal('active') });

export const ZoneTypeSchema = Type.Union([Type.Literal('full'), Type.Literal('secondary'), Type.Literal('partial'), Type.Literal('internal')]);

export const ZoneCreateBody = Type.Object({
  name: Type.String({ minLength: 1, maxLength: 254 }),
  account: Type.Optional(Type.Object({ id: Type.Optional(Id) })),
  type: Type.Optional(ZoneTypeSchema),
});
export type ZoneCreateBody = Static<typeof ZoneCreateBody>;

export const ZoneEditBody = Type.Object({
  type: Type.Optional(ZoneTypeSchema),
  paused: Type.Optional(Type.Boolean()),
  vanity_name_servers: Type.Optional(Type.Array(Type.String())),
});
export type ZoneEditBody = Static<typeof ZoneEditBody>;

export const ZoneListQuery = Type.Object({
  ...PageQuery,
  name: Type.Optional(Type.String({ maxLength: 254 })),
  'account.id': Type.Optional(Id),
  'account.name': Type.Optional(Type.String()),
  status: Type.Optional(Type.String()),
  type: Type.Optional(Type.Union([Type.String(), Type.Array(Type.String())])),
  order: Type.Optional(Type.Union([Type.Literal('name'), Type.Literal('status'), Type.Literal('account.id'), Type.Literal('account.name')])),
  direction: Type.Optional(Type.Union([Type.Literal('asc'), Type.Literal('desc')])),
  match: Type.Optional(Type.Union([Type.Literal('any'), Type.Literal('all')])),
});
export type ZoneListQuery = Static<typeof ZoneListQuery>;

export const ZoneResult = Type.Object({
  id: Id,
  name: Type.String({ description: 'Zone name as given, without a trailing dot' }),
  status: Type.String(),
  paused: Type.Boolean(),
  type: Type.Union([Type.Literal('full'), Type.Literal('secondary')]),
  development_mode: Type.Integer(),
  name_servers: Type.Array(Type.String()),
  original_name_servers: Nullable(Type.Array(Type.String())),
  original_registrar: Type.Null(),
  original_dnshost: Type.Null(),
  created_on: Time,
  modified_on: Time,
  activated_on: Nullable(Time),
  account: Type.Object({ id: Id, name: Type.String() }),
  owner: Type.Object({ id: Nullable(Type.String()), name: Type.String(), type: Type.String() }),
  meta: Type.Object({}, { additionalProperties: true }),
  plan: Type.Object({}, { additionalProperties: true }),
  permissions: Type.Array(Type.String()),
});
