// DNS-records API bodies, list query and results (SDK 7.3 dns/records.d.ts). Content rules live in
// src/api/records (they need the zone codec); the schemas fix JSON types only.
import { Type, type Static } from '@sinclair/typebox';
import { Id, Nullable, Time } from './common.js';

const RecordFields = {
  name: Type.String({ minLength: 1, maxLength: 255 }),
  type: Type.String({ minLength: 1, maxLength: 16 }),
  content: Type.Optional(Type.String({ maxLength: 8192 })),
  ttl: Type.Optional(Type.Number({ description: '1 = automatic, else 30..86400' })),
  priority: Type.Optional(Nullable(Type.Number())),
  proxied: Type.Optional(Type.Boolean()),
  comment: Type.Optional(Nullable(Type.String({ maxLength: 500 }))),
  tags: Type.Optional(Type.Array(Type.String({ maxLength: 255 }), { maxItems: 50 })),
  data: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
};

export const RecordBodySchema = Type.Object(RecordFields);
export type RecordBodySchema = Static<typeof RecordBodySchema>;

export const RecordPatchSchema = Type.Partial(Type.Object(RecordFields));
export type RecordPatchSchema = Static<typeof RecordPatchSchema>;

const MAX_BATCH = 1000;

export const RecordBatchSchema = Type.Object({
  deletes: Type.Optional(Type.Array(Type.Object({ id: Id }), { maxItems: MAX_BATCH })),
  patches: Type.Optional(Type.Array(Type.Composite([Type.Object({ id: Id }), Type.Partial(Type.Object(RecordFields))]), { maxItems: MAX_BATCH })),
  puts: Type.Optional(Type.Array(Type.Composite([Type.Object({ id: Id }), Type.Object(RecordFields)]), { maxItems: MAX_BATCH })),
  posts: Type.Optional(Type.Array(Type.Object(RecordFields), { maxItems: MAX_BATCH })),
});
export type RecordBatchSchema = Static<typeof RecordBatchSchema>;

/** MAX_RECORDS_PER_PAGE: Cloudflare allows up to 5,000,000 per page; zonexfer caps lower. */
export const MAX_RECORDS_PER_PAGE = 5000;
export const DEFAULT_RECORDS_PER_PAGE = 100;

export const RecordListQuery = Type.Object({
  page: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000_000 })),
  per_page: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_RECORDS_PER_PAGE })),
  type: Type.Optional(Type.String({ maxLength: 16 })),
  name: Type.Optional(Type.String({ maxLength: 255 })),
  'name.exact': Type.Optional(Type.String({ maxLength: 255 })),
  'name.contains': Type.Optional(Type.String({ maxLength: 255 })),
  'name.startswith': Type.Optional(Type.String({ maxLength: 255 })),
  'name.endswith': Type.Optional(Type.String({ maxLength: 255 })),
  order: Type.Optional(Type.Union([Type.Literal('type'), Type.Literal('name'), Type.Literal('content'), Type.Literal('ttl'), Type.Literal('proxied')])),
  direction: Type.Optional(Type.Union([Type.Literal('asc'), Type.Literal('desc')])),
  match: Type.Optional(Type.Union([Type.Literal('any'), Type.Literal('all')])),
});
export type RecordListQuery = Static<typeof RecordListQuery>;

export const RecordResult = Type.Object({
  id: Id,
  zone_id: Id,
  zone_name: Type.String(),
  name: Type.String(),
  type: Type.String(),
  content: Type.String(),
  data: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
  priority: Type.Optional(Type.Number()),
  proxiable: Type.Boolean(),
  proxied: Type.Boolean(),
  ttl: Type.Number(),
  comment: Type.Optional(Type.String()),
  tags: Type.Array(Type.String()),
  created_on: Time,
  modified_on: Time,
});

export const RecordBatchResult = Type.Object({
  deletes: Type.Array(RecordResult),
  patches: Type.Array(RecordResult),
  puts: Type.Array(RecordResult),
  posts: Type.Array(RecordResult),
});

export const ImportResult = Type.Object({ recs_added: Type.Integer(), total_records_parsed: Type.Integer() });

export const ImportBody = Type.Object({
  file: Type.String({ description: 'BIND zone file (a multipart field or file part), at most 256 KiB' }),
  proxied: Type.Optional(Type.String({ description: 'Ignored: zonexfer does not proxy' })),
});
