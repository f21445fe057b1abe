// POST …/dns_records/import (multipart `file` as a file part or a plain field, or JSON {file}; at
// most 256 KiB; `proxied` ignored; identical records already present are skipped; one transaction
// and one engine.zoneChanged) and GET …/dns_records/export (raw BIND text/plain, not the envelope).
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { visibleZone } from '../auth/authenticate.js';
import { ok } from '../envelope.js';
import { ApiError, apiError } from '../errors.js';
import { sameRecord, type RecordKey } from '../records/conflicts.js';
import { IMPORT_LIMIT, exportZoneFile, parseImport } from '../records/zone-file.js';
import { ZoneParams } from '../schemas/common.js';
import { ImportBody, ImportResult } from '../schemas/records.js';
import type { RouteContext } from './context.js';
import { checkConflicts, writableZone } from './dns-records.js';

type ZoneReq = FastifyRequest<{ Params: { zone_id: string } }>;
const BASE = '/zones/:zone_id/dns_records';
const tags = ['DNS records'];

function isClientError(e: unknown): boolean {
  const status = (e as { statusCode?: unknown } | null)?.statusCode;
  return typeof status === 'number' && status >= 400 && status < 500;
}

/** readFileField returns the `file` text of a multipart request, or of a JSON body {file}. */
async function readFileField(req: ZoneReq): Promise<string> {
  if (!req.isMultipart()) {
    const body = req.body as { file?: unknown } | undefined;
    if (body && typeof body === 'object' && typeof body.file === 'string') return body.file;
    throw apiError('import_missing_file', {}, '/file');
  }
  let text: string | undefined;
  const parts = req.parts({ limits: { fileSize: IMPORT_LIMIT, fieldSize: IMPORT_LIMIT + 1, files: 1, fields: 8 } });
  try {
    for await (const part of parts) {
      if (part.type === 'file') {
        const buf = await part.toBuffer();
        if (part.fieldname === 'file') text = buf.toString('utf8');
      } else if (part.fieldname === 'file') {
        if (part.valueTruncated) throw apiError('import_too_large', { limit: IMPORT_LIMIT });
        text = String(part.value);
      }
    }
  } catch (e) {
    // The multipart parser (busboy) throws plain Errors for a body cut short or without its
    // boundary ("Unexpected end of form"): the client's fault, not a 500. Limit errors carry a
    // 4xx statusCode and are mapped by the error handler (413 for the file size).
    if (e instanceof ApiError || isClientError(e)) throw e;
    throw apiError('invalid_request', { field: 'file', reason: `malformed multipart/form-data body (${e instanceof Error ? e.message : 'unreadable'})` }, '/file');
  }
  if (text === undefined) throw apiError('import_missing_file', {}, '/file');
  return text;
}

export function registerDnsRecordFiles(app: FastifyInstance, ctx: RouteContext): void {
  const { store, engine } = ctx;

  app.get(`${BASE}/export`, {
    schema: { summary: 'Export DNS records (BIND)', tags, operationId: 'dns.records.export', params: ZoneParams },
    config: { openapi: { contentType: 'text/plain' } },
  }, async (req: ZoneReq, reply) => {
    const zone = await visibleZone(store, req, req.params.zone_id);
    const text = exportZoneFile(zone, await store.records.all(zone.id));
    return reply.type('text/plain; charset=utf-8').send(text);
  });

  app.post(`${BASE}/import`, {
    schema: { summary: 'Import DNS records (BIND)', tags, operationId: 'dns.records.import', params: ZoneParams, description: 'multipart/form-data with field `file`' },
    config: { openapi: { result: ImportResult, requestContentType: 'multipart/form-data', requestBody: ImportBody } },
  }, async (req: ZoneReq) => {
    const zone = await writableZone(ctx, req);
    const parsed = parseImport(zone, await readFileField(req));
    const existing = await store.records.atNames(zone.id, parsed.records.map((r) => r.name));
    const fresh: typeof parsed.records = [];
    const known: RecordKey[] = [...existing];
    for (const r of parsed.records) {
      if (known.some((k) => sameRecord(k, r))) continue;
      known.push(r);
      fresh.push(r);
    }
    await checkConflicts(ctx, zone.id, new Set(), fresh);
    const added = await store.records.insertMany(zone.id, fresh);
    if (added > 0) engine.zoneChanged(zone.id);
    return ok({ recs_added: added, total_records_parsed: parsed.totalParsed });
  });
}
