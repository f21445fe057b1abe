// Shared TypeBox pieces: ids and path params, pagination query, nullable helper, and the envelope
// schemas used by the OpenAPI document. Bodies never set additionalProperties:false: clients send
// extra fields (SDK `policies`, spec `id`) and those are ignored, never refused.
import { Type, type TSchema } from '@sinclair/typebox';

/** Id is Cloudflare's identifier: 32 lower-case hex characters. */
export const Id = Type.String({ pattern: '^[0-9a-f]{32}$', description: 'Identifier (32 lower-case hex characters)' });

export const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);

/** Time is an RFC 3339 timestamp with microseconds. */
export const Time = Type.String({ description: 'RFC 3339 time, e.g. 2019-10-24T17:09:42.883908Z' });

export const ZoneParams = Type.Object({ zone_id: Id });
export const AccountParams = Type.Object({ account_id: Id });
export const PeerParams = Type.Object({ account_id: Id, peer_id: Id });
export const TsigParams = Type.Object({ account_id: Id, tsig_id: Id });
export const AclParams = Type.Object({ account_id: Id, acl_id: Id });
export const TokenParams = Type.Object({ account_id: Id, token_id: Id });
export const RecordParams = Type.Object({ zone_id: Id, dns_record_id: Id });

/** MAX_PER_PAGE bounds per_page; V4PagePaginationArray clients page until an empty result. */
export const MAX_PER_PAGE = 1000;
export const DEFAULT_PER_PAGE = 20;

export const PageQuery = {
  page: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000_000, description: 'Page number, from 1' })),
  per_page: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_PER_PAGE, description: `Items per page (default ${DEFAULT_PER_PAGE})` })),
};

export const ErrorItemSchema = Type.Object({
  code: Type.Integer({ minimum: 1000 }),
  message: Type.String(),
  source: Type.Optional(Type.Object({ pointer: Type.String() })),
});

export const ResultInfoSchema = Type.Object({
  page: Type.Integer(),
  per_page: Type.Integer(),
  count: Type.Integer(),
  total_count: Type.Integer(),
  total_pages: Type.Integer(),
});

/** EnvelopeOf documents a success envelope around `result`. */
export function EnvelopeOf(result: TSchema, paginated = false): TSchema {
  return Type.Object({
    success: Type.Literal(true),
    errors: Type.Array(ErrorItemSchema, { maxItems: 0 }),
    messages: Type.Array(ErrorItemSchema),
    result,
    ...(paginated ? { result_info: ResultInfoSchema } : {}),
  });
}

export const FailureEnvelopeSchema = Type.Object({
  success: Type.Literal(false),
  errors: Type.Array(ErrorItemSchema, { minItems: 1 }),
  messages: Type.Array(ErrorItemSchema),
  result: Type.Null(),
});

/** IdResult is the DELETE answer: {id}. */
export const IdResult = Type.Object({ id: Id });

/** StatusString is the plain-string result of the action endpoints ("OK", "Enabled", "Disabled"). */
export const StatusString = Type.String();
