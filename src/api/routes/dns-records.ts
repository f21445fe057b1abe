// /zones/{zone_id}/dns_records: list (paged like zones; filters type and name[.exact|.contains|
// .startswith|.endswith]), get, create, PATCH (merge), PUT (overwrite), DELETE, and batch (deletes,
// patches, puts, posts, atomically, in that order). Only `full` zones are writable; each change —
// single write or batch — calls engine.zoneChanged once.
import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { DnsRecord, DnsRecordInput, RecordListQuery as StoreListQuery, Zone } from '../../store/index.js';
import { visibleZone } from '../auth/authenticate.js';
import { ok, pageInfo } from '../envelope.js';
import { apiError } from '../errors.js';
import { findConflict, type RecordKey } from '../records/conflicts.js';
import { recordType } from '../records/record-codec.js';
import { buildRecord, mergeRecord } from '../records/record-input.js';
import { recordJson } from '../records/record-view.js';
import { IdResult, RecordParams, ZoneParams } from '../schemas/common.js';
import {
  DEFAULT_RECORDS_PER_PAGE,
  RecordBatchResult,
  RecordBatchSchema,
  RecordBodySchema,
  RecordListQuery,
  RecordPatchSchema,
  RecordResult,
} from '../schemas/records.js';
import type { RouteContext } from './context.js';

type ZoneReq = FastifyRequest<{ Params: { zone_id: string } }>;
type RecordReq = FastifyRequest<{ Params: { zone_id: string; dns_record_id: string } }>;
const BASE = '/zones/:zone_id/dns_records';
const tags = ['DNS records'];

/** writableZone: a visible `full` zone (secondary zones get their records from transfers). */
export async function writableZone(ctx: RouteContext, req: ZoneReq): Promise<Zone> {
  const zone = await visibleZone(ctx.store, req, req.params.zone_id);
  if (zone.type !== 'full') throw apiError('zone_read_only');
  return zone;
}

/**
 * checkConflicts loads the records at the names a write touches, applies the write in memory
 * (removed ids out, `added` in) and refuses duplicates and CNAME clashes with 400.
 */
export async function checkConflicts(ctx: RouteContext, zoneId: string, removedIds: Set<string>, added: RecordKey[], extraNames: string[] = []): Promise<void> {
  const names = [...new Set([...added.map((r) => r.name), ...extraNames])];
  const existing = await ctx.store.records.atNames(zoneId, names);
  const final: RecordKey[] = [...existing.filter((r) => !removedIds.has(r.id)), ...added];
  const conflict = findConflict(final);
  if (conflict !== undefined) throw apiError('record_conflict', { reason: conflict });
}

function listQuery(q: RecordListQuery): StoreListQuery {
  const page = q.page ?? 1;
  const perPage = q.per_page ?? DEFAULT_RECORDS_PER_PAGE;
  const normal = (n: string): string => (n.endsWith('.') ? n.slice(0, -1) : n).toLowerCase();
  const exact = q['name.exact'] ?? q.name;
  const type = q.type === undefined ? undefined : (recordType(q.type) ?? q.type.toUpperCase());
  const likes = (['contains', 'startswith', 'endswith'] as const).find((op) => q[`name.${op}`] !== undefined);
  return {
    page,
    perPage,
    ...(type !== undefined ? { type } : {}),
    ...(exact !== undefined ? { name: normal(exact) } : {}),
    ...(likes !== undefined ? { nameLike: { op: likes, value: q[`name.${likes}`] ?? '' } } : {}),
    ...(q.order !== undefined ? { order: q.order } : {}),
    ...(q.direction !== undefined ? { direction: q.direction } : {}),
  };
}

export function registerDnsRecords(app: FastifyInstance, ctx: RouteContext): void {
  const { store, engine } = ctx;

  async function existing(req: RecordReq, zone: Zone): Promise<DnsRecord> {
    const rec = await store.records.get(zone.id, req.params.dns_record_id);
    if (!rec) throw apiError('record_not_found');
    return rec;
  }

  app.get(BASE, {
    schema: { summary: 'List DNS records', tags, operationId: 'dns.records.list', params: ZoneParams, querystring: RecordListQuery },
    config: { openapi: { result: Type.Array(RecordResult), paginated: true } },
  }, async (req: FastifyRequest<{ Params: { zone_id: string }; Querystring: RecordListQuery }>) => {
    const zone = await visibleZone(store, req, req.params.zone_id);
    const q = listQuery(req.query);
    const page = await store.records.list(zone.id, q);
    return ok(page.items.map((r) => recordJson(r, zone)), pageInfo(q.page, q.perPage, page.items.length, page.totalCount));
  });

  app.post(BASE, {
    schema: { summary: 'Create DNS record', tags, operationId: 'dns.records.create', params: ZoneParams, body: RecordBodySchema },
    config: { openapi: { result: RecordResult } },
  }, async (req: FastifyRequest<{ Params: { zone_id: string }; Body: RecordBodySchema }>) => {
    const zone = await writableZone(ctx, req);
    const input = buildRecord(zone, req.body);
    await checkConflicts(ctx, zone.id, new Set(), [input]);
    const rec = await store.records.create(zone.id, input);
    engine.zoneChanged(zone.id);
    return ok(recordJson(rec, zone));
  });

  app.get(`${BASE}/:dns_record_id`, {
    schema: { summary: 'DNS record details', tags, operationId: 'dns.records.get', params: RecordParams },
    config: { openapi: { result: RecordResult } },
  }, async (req: RecordReq) => {
    const zone = await visibleZone(store, req, req.params.zone_id);
    return ok(recordJson(await existing(req, zone), zone));
  });

  const replaceRoute = (method: 'PUT' | 'PATCH') => async (req: FastifyRequest<{ Params: { zone_id: string; dns_record_id: string }; Body: RecordPatchSchema }>) => {
    const zone = await writableZone(ctx, req);
    const current = await existing(req, zone);
    const input: DnsRecordInput = method === 'PUT' ? buildRecord(zone, req.body) : mergeRecord(zone, current, req.body);
    await checkConflicts(ctx, zone.id, new Set([current.id]), [{ ...input, id: current.id }], [current.name]);
    const rec = await store.records.replace(zone.id, current.id, input);
    if (!rec) throw apiError('record_not_found');
    engine.zoneChanged(zone.id);
    return ok(recordJson(rec, zone));
  };

  app.put(`${BASE}/:dns_record_id`, {
    schema: { summary: 'Overwrite DNS record', tags, operationId: 'dns.records.update', params: RecordParams, body: RecordBodySchema },
    config: { openapi: { result: RecordResult } },
  }, replaceRoute('PUT'));

  app.patch(`${BASE}/:dns_record_id`, {
    schema: { summary: 'Update DNS record', tags, operationId: 'dns.records.edit', params: RecordParams, body: RecordPatchSchema },
    config: { openapi: { result: RecordResult } },
  }, replaceRoute('PATCH'));

  app.delete(`${BASE}/:dns_record_id`, {
    schema: { summary: 'Delete DNS record', tags, operationId: 'dns.records.delete', params: RecordParams },
    config: { openapi: { result: IdResult } },
  }, async (req: RecordReq) => {
    const zone = await writableZone(ctx, req);
    const current = await existing(req, zone);
    if (!(await store.records.delete(zone.id, current.id))) throw apiError('record_not_found');
    engine.zoneChanged(zone.id);
    return ok({ id: current.id });
  });

  app.post(`${BASE}/batch`, {
    schema: { summary: 'Batch DNS records', tags, operationId: 'dns.records.batch', params: ZoneParams, body: RecordBatchSchema },
    config: { openapi: { result: RecordBatchResult } },
  }, async (req: FastifyRequest<{ Params: { zone_id: string }; Body: RecordBatchSchema }>) => {
    const zone = await writableZone(ctx, req);
    const b = req.body;
    const load = async (id: string, pointer: string): Promise<DnsRecord> => {
      const rec = await store.records.get(zone.id, id);
      if (!rec) throw apiError('batch_unknown_record', { value: id }, pointer);
      return rec;
    };
    const deletes = b.deletes ?? [];
    const removed = new Set<string>();
    const touched: string[] = [];
    for (const [i, d] of deletes.entries()) {
      const rec = await load(d.id, `/deletes/${i}/id`);
      removed.add(rec.id);
      touched.push(rec.name);
    }
    const patches: Array<{ id: string; record: DnsRecordInput }> = [];
    for (const [i, p] of (b.patches ?? []).entries()) {
      const { id, ...body } = p;
      const rec = removed.has(id) ? undefined : await load(id, `/patches/${i}/id`);
      if (!rec) throw apiError('batch_unknown_record', { value: id }, `/patches/${i}/id`);
      patches.push({ id, record: mergeRecord(zone, rec, body, `/patches/${i}`) });
      touched.push(rec.name);
    }
    const puts: Array<{ id: string; record: DnsRecordInput }> = [];
    for (const [i, p] of (b.puts ?? []).entries()) {
      const { id, ...body } = p;
      const rec = removed.has(id) ? undefined : await load(id, `/puts/${i}/id`);
      if (!rec) throw apiError('batch_unknown_record', { value: id }, `/puts/${i}/id`);
      puts.push({ id, record: buildRecord(zone, body, `/puts/${i}`) });
      touched.push(rec.name);
    }
    const posts = (b.posts ?? []).map((p, i) => buildRecord(zone, p, `/posts/${i}`));
    const replaced = new Set([...removed, ...patches.map((p) => p.id), ...puts.map((p) => p.id)]);
    const added: RecordKey[] = [...patches.map((p) => ({ ...p.record, id: p.id })), ...puts.map((p) => ({ ...p.record, id: p.id })), ...posts];
    await checkConflicts(ctx, zone.id, replaced, added, touched);
    const result = await store.records.batch(zone.id, { deletes: [...removed], patches, puts, posts });
    engine.zoneChanged(zone.id);
    const view = (list: DnsRecord[]) => list.map((r) => recordJson(r, zone));
    return ok({ deletes: view(result.deletes), patches: view(result.patches), puts: view(result.puts), posts: view(result.posts) });
  });
}
