// Turns anything a route throws into a registry ApiError rendered in the envelope: ApiError as is,
// StoreError by constraint name (so races the route checks missed still name the field), Fastify's
// own errors (body too large → 413, other 4xx → 400), and the rest → 500 logged. Also the 404
// handler for unknown routes.
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { RecordNotFoundError, StoreError } from '../store/index.js';
import { fail } from './envelope.js';
import { ApiError, apiError, type ErrorName } from './errors.js';
import { IMPORT_LIMIT } from './records/zone-file.js';

/** CONSTRAINT_ERRORS maps schema constraint names to the rule and field they enforce. */
const CONSTRAINT_ERRORS: Record<string, { id: ErrorName; pointer?: string }> = {
  zones_account_fqdn_unique: { id: 'zone_exists', pointer: '/name' },
  zone_incoming_pkey: { id: 'incoming_exists' },
  zone_outgoing_pkey: { id: 'outgoing_exists' },
  zone_incoming_auto_refresh_min: { id: 'auto_refresh_too_low', pointer: '/auto_refresh_seconds' },
  zone_incoming_peers_peer_fk: { id: 'unknown_peers', pointer: '/peers' },
  zone_outgoing_peers_peer_fk: { id: 'unknown_peers', pointer: '/peers' },
  peers_tsig_fk: { id: 'unknown_tsig', pointer: '/tsig_id' },
  peers_port_range: { id: 'invalid_peer_port', pointer: '/port' },
  peers_ip_host: { id: 'invalid_peer_ip', pointer: '/ip' },
  acls_ip_range_prefix: { id: 'ip_range_too_broad', pointer: '/ip_range' },
  tsigs_algo: { id: 'invalid_tsig_algo', pointer: '/algo' },
};

/** valueAt reads the body value a JSON pointer names (for error messages). */
function valueAt(body: unknown, pointer: string | undefined): string | undefined {
  if (pointer === undefined) return undefined;
  let node: unknown = body;
  for (const key of pointer.split('/').slice(1)) {
    if (typeof node !== 'object' || node === null) return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  if (node === undefined) return undefined;
  return typeof node === 'string' ? node : JSON.stringify(node);
}

function fromStoreError(err: StoreError, body: unknown): ApiError {
  const mapped = err.constraint !== undefined ? CONSTRAINT_ERRORS[err.constraint] : undefined;
  if (mapped) return apiError(mapped.id, { value: valueAt(body, mapped.pointer) }, mapped.pointer);
  if (err.kind === 'invalid_input' || err.kind === 'out_of_range') {
    return apiError('invalid_request', { field: 'body', reason: 'a value has the wrong format or is out of range' }, '');
  }
  return apiError('constraint_violation', { detail: err.constraint ?? err.kind });
}

/** toApiError classifies any thrown value. */
export function toApiError(err: unknown, request: FastifyRequest, bodyLimit: number): ApiError {
  if (err instanceof ApiError) {
    if (err.id === 'invalid_id') return apiError('invalid_id', { path: request.url.split('?')[0] });
    return err;
  }
  if (err instanceof StoreError) return fromStoreError(err, request.body);
  if (err instanceof RecordNotFoundError) return apiError('batch_unknown_record', { value: err.recordId }, err.pointer);
  const fe = err as Partial<FastifyError>;
  if (fe.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return apiError('body_too_large', { limit: bodyLimit });
  if (fe.code === 'FST_REQ_FILE_TOO_LARGE') return apiError('import_too_large', { limit: IMPORT_LIMIT });
  if (typeof fe.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500) {
    return apiError('invalid_request', { field: 'request', reason: fe.message ?? 'invalid' });
  }
  return apiError('internal_error');
}

/** errorHandler is installed with app.setErrorHandler. */
export function errorHandler(bodyLimit: number) {
  return (err: unknown, request: FastifyRequest, reply: FastifyReply): FastifyReply => {
    const apiErr = toApiError(err, request, bodyLimit);
    if (apiErr.statusCode >= 500) request.log.error({ err }, 'request failed');
    if (apiErr.headers !== undefined) void reply.headers(apiErr.headers);
    return reply.status(apiErr.statusCode).type('application/json; charset=utf-8').send(fail(apiErr));
  };
}

export function notFoundHandler(_request: FastifyRequest, reply: FastifyReply): FastifyReply {
  return reply.status(404).type('application/json; charset=utf-8').send(fail(apiError('no_route')));
}
