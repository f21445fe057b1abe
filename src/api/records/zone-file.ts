// Zone-file import/export through src/zone's parser and printer. Import (API.md §4.1): $ORIGIN,
// $TTL, $GENERATE; $INCLUDE refused; apex SOA skipped (the engine owns it); class IN, names in the
// zone; TTLs clamped to 30..86400 (1 = automatic, also when no TTL is given); `cf_tags=` comments
// are not read. Export prints every record as BIND text, TTL 1 as is so a re-import keeps it.
import type { DnsRecord, DnsRecordInput, Zone } from '../../store/index.js';
import { type DomainName, type ResourceRecord, ROOT, RRClass, RRType, isSubdomain, typeFromString, typeToString } from '../../wire/index.js';
import { formatRdata, parseRdataText } from '../../zone/rdata/index.js';
import { Lexer, parseRange, parseZoneFile, printZoneFile } from '../../zone/zone-file/index.js';
import { type ApiError, apiError } from '../errors.js';
import { displayName } from '../present.js';
import { PRIORITY_TYPES, recordType } from './record-codec.js';

/** IMPORT_LIMIT is Cloudflare's zone-file size limit: 256 KiB. */
export const IMPORT_LIMIT = 256 * 1024;
/**
 * IMPORT_MAX_RECORDS bounds the records one import may create, $GENERATE expansions included: the
 * parser's own cap is 2^20 records per $GENERATE line, so 34 octets of text would otherwise cost
 * half a gigabyte and seconds of CPU, and 256 KiB of such lines would exhaust the process.
 */
export const IMPORT_MAX_RECORDS = 50_000;

export interface ParsedImport {
  records: DnsRecordInput[];
  totalParsed: number;
}

function clampTtl(ttl: number): number {
  if (ttl === 1) return 1;
  return Math.min(86400, Math.max(30, ttl));
}

/** parseImport turns zone-file text into store inputs, or throws a 400 ApiError. */
export function parseImport(zone: Zone, text: string): ParsedImport {
  if (Buffer.byteLength(text, 'utf8') > IMPORT_LIMIT) throw apiError('import_too_large', { limit: IMPORT_LIMIT });
  const expected = countRecords(text);
  if (expected > IMPORT_MAX_RECORDS) {
    throw apiError('import_parse_error', { reason: `the file would create ${expected} records (with $GENERATE); at most ${IMPORT_MAX_RECORDS} per import` }, '/file');
  }
  const origin = zone.fqdn as DomainName;
  const parsed = parseZoneFile(text, { origin, defaultTtl: 1, allowInclude: false, fileName: 'file' });
  if (!parsed.ok) {
    const e = parsed.error;
    if (e.message.includes('$INCLUDE')) throw apiError('import_include', {}, '/file');
    throw apiError('import_parse_error', { reason: `line ${e.line} column ${e.column}: ${e.message}` }, '/file');
  }
  const records: DnsRecordInput[] = [];
  const apex = zone.fqdn.slice(0, -1);
  for (const rr of parsed.value.records) {
    if (rr.type === RRType.SOA && rr.name.toLowerCase() === zone.fqdn) continue;
    records.push(importRecord(zone, apex, rr));
  }
  return { records, totalParsed: parsed.value.records.length };
}

/**
 * countRecords is an upper bound of the records `text` yields, found with the lexer alone: one per
 * entry, plus the size of each well-formed $GENERATE range (malformed ones the parser refuses).
 * Stops counting at the first lexical error, which the parser reports.
 */
function countRecords(text: string): number {
  const lexer = new Lexer(text);
  let n = 0;
  for (;;) {
    const e = lexer.next();
    if (e === undefined || 'message' in e) return n;
    const head = e.tokens[0];
    if (!e.blankOwner && head !== undefined && !head.quoted && head.text.toUpperCase() === '$GENERATE') {
      const range = e.tokens[1] === undefined ? undefined : parseRange(e.tokens[1].text);
      if (range?.ok === true) n += Math.floor((range.value.stop - range.value.start) / range.value.step) + 1;
    } else {
      n++;
    }
    if (n > IMPORT_MAX_RECORDS) return n;
  }
}

function importRecord(zone: Zone, apex: string, rr: ResourceRecord): DnsRecordInput {
  const typeName = typeToString(rr.type);
  const fail = (reason: string): ApiError => apiError('import_parse_error', { reason: `${rr.name} ${typeName}: ${reason}` }, '/file');
  if (rr.class !== RRClass.IN) throw fail('only class IN records can be imported');
  if (!isSubdomain(rr.name, zone.fqdn)) throw apiError('record_name_outside_zone', { value: rr.name, zone: displayName(zone.name) }, '/file');
  const type = recordType(typeName);
  if (type === undefined) throw fail('type not supported by this API');
  const name = rr.name.slice(0, -1).toLowerCase();
  if (type === 'CNAME' && name === apex) throw fail('a CNAME cannot be at the zone apex');
  const content = formatRdata(rr.type, rr.rdata);
  const lead = /^(\d+)\s/.exec(content)?.[1];
  return {
    name,
    type,
    content,
    ttl: clampTtl(rr.ttl),
    priority: PRIORITY_TYPES.has(type) && lead !== undefined ? Number(lead) : null,
    proxied: false,
    comment: null,
    tags: [],
  };
}

/** exportZoneFile prints the zone's records as BIND text. */
export function exportZoneFile(zone: Zone, records: readonly DnsRecord[]): string {
  const rrs: ResourceRecord[] = [];
  for (const r of records) {
    const type = typeFromString(r.type);
    if (type === undefined) continue;
    const rdata = parseRdataText(type, r.content, ROOT);
    if (!rdata.ok) continue;
    rrs.push({ name: `${r.name}.` as DomainName, type, class: RRClass.IN, ttl: r.ttl, rdata: rdata.value });
  }
  return `;; Zone: ${displayName(zone.fqdn)}\n;; Exported by zonexfer\n${printZoneFile(zone.fqdn as DomainName, rrs)}`;
}
