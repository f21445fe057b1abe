// One DNS record from an API body to the store's input: name made absolute inside the zone ("@" is
// the apex; a name not ending in the zone gets it appended, as Cloudflare does), type from
// Cloudflare's list, content via record-codec, ttl 1 (automatic) or 30..86400, proxied false only.
// Errors are ApiErrors naming the field, under `prefix` for batch items (e.g. "/posts/2").
import type { DnsRecord, DnsRecordInput, Zone } from '../../store/index.js';
import { apiError } from '../errors.js';
import { displayName } from '../present.js';
import { dnsNameProblem } from '../validate.js';
import { PRIORITY_TYPES, canonicalContent, displayContent, displayData, recordType } from './record-codec.js';

/** RecordBody is the JSON of a record create/update/patch (unknown fields ignored). */
export interface RecordBody {
  name?: string;
  type?: string;
  content?: string;
  ttl?: number;
  priority?: number | null;
  proxied?: boolean;
  comment?: string | null;
  tags?: string[];
  data?: Record<string, unknown>;
}

const MIN_TTL = 30;
const MAX_TTL = 86400;

/** recordName returns the lower-case absolute name without the trailing dot, inside the zone. */
export function recordName(zone: Zone, name: string, pointer = '/name'): string {
  const apex = zone.fqdn.slice(0, -1);
  if (name === '@' || name === apex || name === `${apex}.`) return apex;
  const absolute = name.endsWith('.');
  let n = (absolute ? name.slice(0, -1) : name).toLowerCase();
  if (n === '@') return apex;
  const inside = n === apex || n.endsWith(`.${apex}`);
  if (!inside) {
    if (absolute) throw apiError('record_name_outside_zone', { value: name, zone: displayName(zone.name) }, pointer);
    n = `${n}.${apex}`;
  }
  const why = dnsNameProblem(n, { allowWildcard: true });
  if (why !== undefined) throw apiError('invalid_record', { type: 'DNS', reason: `name ${name}: ${why}` }, pointer);
  return n;
}

/** viewOf is the API-side body of a stored record (what PATCH merges onto). */
export function viewOf(r: DnsRecord): Required<Omit<RecordBody, 'data'>> {
  return {
    name: r.name,
    type: r.type,
    content: displayContent(r.type, r.content),
    ttl: r.ttl,
    priority: r.priority,
    proxied: r.proxied,
    comment: r.comment,
    tags: r.tags,
  };
}

/**
 * buildRecord validates a complete body (name and type present) into a store input, or throws
 * 400 naming the field under `prefix`.
 */
export function buildRecord(zone: Zone, body: RecordBody, prefix = ''): DnsRecordInput {
  if (body.name === undefined) throw apiError('invalid_request', { field: `${fieldOf(prefix)}name`, reason: 'is required' }, `${prefix}/name`);
  if (body.type === undefined) throw apiError('invalid_request', { field: `${fieldOf(prefix)}type`, reason: 'is required' }, `${prefix}/type`);
  const type = recordType(body.type);
  if (type === undefined) throw apiError('invalid_record', { type: body.type, reason: 'type not supported by this API' }, `${prefix}/type`);
  const name = recordName(zone, body.name, `${prefix}/name`);
  if (type === 'CNAME' && name === zone.fqdn.slice(0, -1)) {
    throw apiError('invalid_record', { type, reason: 'a CNAME cannot be at the zone apex (no CNAME flattening here)' }, `${prefix}/name`);
  }
  const ttl = body.ttl ?? 1;
  if (!Number.isInteger(ttl) || (ttl !== 1 && (ttl < MIN_TTL || ttl > MAX_TTL))) {
    throw apiError('invalid_record', { type, reason: `ttl must be 1 (automatic) or ${MIN_TTL}..${MAX_TTL}` }, `${prefix}/ttl`);
  }
  if (body.proxied === true) throw apiError('invalid_record', { type, reason: 'proxied records are not supported' }, `${prefix}/proxied`);
  const priority = PRIORITY_TYPES.has(type) ? body.priority : undefined;
  const canonical = canonicalContent(type, { content: body.content, priority, data: body.data });
  if (!canonical.ok) {
    throw apiError('invalid_record', { type, reason: `${canonical.error.pointer.slice(1)}: ${canonical.error.reason}` }, `${prefix}${canonical.error.pointer}`);
  }
  return {
    name,
    type,
    content: canonical.value.content,
    ttl,
    priority: canonical.value.priority,
    proxied: false,
    comment: body.comment ?? null,
    tags: [...new Set(body.tags ?? [])],
  };
}

/** mergeRecord is PATCH: the stored record's API view overlaid with the fields present in body. */
export function mergeRecord(zone: Zone, current: DnsRecord, body: RecordBody, prefix = ''): DnsRecordInput {
  const base = viewOf(current);
  const merged: RecordBody = { ...base };
  for (const [key, value] of Object.entries(body) as Array<[keyof RecordBody, unknown]>) {
    if (value !== undefined) (merged as Record<string, unknown>)[key] = value;
  }
  // New data replaces content (merged over the stored data, so a PATCH may send one field).
  if (body.data !== undefined && body.content === undefined) {
    delete merged.content;
    const sameType = body.type === undefined || body.type.toUpperCase() === current.type;
    merged.data = { ...(sameType ? displayData(current.type, current.content) : undefined), ...body.data };
  }
  if ((body.content !== undefined || body.type !== undefined) && body.priority === undefined && body.data === undefined) {
    merged.priority = body.type !== undefined && body.type.toUpperCase() !== current.type ? null : base.priority;
  }
  return buildRecord(zone, merged, prefix);
}

const fieldOf = (prefix: string): string => (prefix === '' ? '' : `${prefix.slice(1).replaceAll('/', '.')}.`);
