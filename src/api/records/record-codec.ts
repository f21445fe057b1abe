// DNS record content between Cloudflare's API form and the stored form, through src/zone's rdata
// codec. Stored `content` is the canonical full presentation with absolute names and the priority
// included ("10 mail.example.com."), which the engine parses as is; the API shows Cloudflare's form
// (priority apart, no trailing dot on hosts, `data` for SRV/CAA/URI). Content names are absolute.
import { ROOT, type Result, err, ok, typeFromString } from '../../wire/index.js';
import { formatRdata, parseRdataText, tokenizeRdata } from '../../zone/rdata/index.js';

/** RECORD_TYPES are the types the records API accepts (Cloudflare's list, SDK 7.3). */
export const RECORD_TYPES = [
  'A', 'AAAA', 'CAA', 'CERT', 'CNAME', 'DNSKEY', 'DS', 'HTTPS', 'LOC', 'MX', 'NAPTR', 'NS', 'OPENPGPKEY',
  'PTR', 'SMIMEA', 'SRV', 'SSHFP', 'SVCB', 'TLSA', 'TXT', 'URI',
] as const;

export type RecordType = (typeof RECORD_TYPES)[number];

/** PRIORITY_TYPES carry Cloudflare's separate `priority` as their first RDATA field. */
export const PRIORITY_TYPES: ReadonlySet<string> = new Set(['MX', 'SRV', 'URI']);

/** Types whose content ends with a host name (shown without its trailing dot). */
const NAME_TAIL_TYPES: ReadonlySet<string> = new Set(['CNAME', 'NS', 'PTR', 'MX', 'SRV']);

/** DATA_TYPES accept and return a structured `data` object. */
export const DATA_TYPES: ReadonlySet<string> = new Set(['SRV', 'CAA', 'URI']);

export function recordType(type: string): RecordType | undefined {
  const upper = type.toUpperCase();
  return RECORD_TYPES.find((t) => t === upper);
}

/** FieldProblem names the body field at fault (JSON pointer relative to the record) and why. */
export interface FieldProblem {
  pointer: string;
  reason: string;
}

const problem = (pointer: string, reason: string): Result<never, FieldProblem> => err({ pointer, reason });

/**
 * quoteTxt: Cloudflare takes unquoted TXT content as one string (spaces kept); RFC 1035 would
 * split it at spaces. Content without any `"` is quoted, in pieces of at most 255 octets.
 */
function quoteTxt(content: string): string {
  if (content.includes('"') || content.includes('\\')) return content;
  const pieces: string[] = [];
  let piece = '';
  let octets = 0;
  for (const ch of content) {
    const len = Buffer.byteLength(ch);
    if (octets + len > 255) {
      pieces.push(piece);
      piece = '';
      octets = 0;
    }
    piece += ch;
    octets += len;
  }
  pieces.push(piece);
  return pieces.map((p) => `"${p}"`).join(' ');
}

function num(data: Record<string, unknown>, key: string, max: number): Result<number, FieldProblem> {
  const v = data[key];
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > max) return problem(`/data/${key}`, `must be an integer from 0 to ${max}`);
  return ok(v);
}

function str(data: Record<string, unknown>, key: string): Result<string, FieldProblem> {
  const v = data[key];
  if (typeof v !== 'string' || v === '') return problem(`/data/${key}`, 'must be a non-empty string');
  return ok(v);
}

const quote = (s: string): string => `"${s.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`;

/** fromData builds the presentation text of SRV/CAA/URI from Cloudflare's `data` object. */
function fromData(type: string, data: Record<string, unknown>, priority: number | null | undefined): Result<string, FieldProblem> {
  if (type === 'SRV') {
    const p = data.priority !== undefined ? num(data, 'priority', 65535) : priority != null ? ok(priority) : problem('/data/priority', 'is required');
    const w = num(data, 'weight', 65535);
    const port = num(data, 'port', 65535);
    const target = str(data, 'target');
    if (!p.ok) return p;
    if (!w.ok) return w;
    if (!port.ok) return port;
    if (!target.ok) return target;
    return ok(`${p.value} ${w.value} ${port.value} ${target.value}`);
  }
  if (type === 'CAA') {
    const flags = data.flags === undefined ? ok(0) : num(data, 'flags', 255);
    const tag = str(data, 'tag');
    const value = typeof data.value === 'string' ? ok(data.value) : problem('/data/value', 'must be a string');
    if (!flags.ok) return flags;
    if (!tag.ok) return tag;
    if (!value.ok) return value;
    return ok(`${flags.value} ${tag.value} ${quote(value.value)}`);
  }
  // URI (RFC 7553): priority weight "target".
  if (priority == null) return problem('/priority', 'is required for URI records');
  const w = num(data, 'weight', 65535);
  const target = str(data, 'target');
  if (!w.ok) return w;
  if (!target.ok) return target;
  return ok(`${priority} ${w.value} ${quote(target.value)}`);
}

/** CanonicalContent is what the store keeps for one record. */
export interface CanonicalContent {
  content: string;
  priority: number | null;
}

/**
 * canonicalContent validates a record's content (and priority/data) for `type` with the zone
 * codec and returns the stored form. Failures name the field: /content, /priority or /data/….
 */
export function canonicalContent(
  type: RecordType,
  input: { content?: string | undefined; priority?: number | null | undefined; data?: Record<string, unknown> | undefined },
): Result<CanonicalContent, FieldProblem> {
  const typeNum = typeFromString(type);
  if (typeNum === undefined) return problem('/type', 'unknown type');
  const { priority } = input;
  if (priority != null && (!Number.isInteger(priority) || priority < 0 || priority > 65535)) {
    return problem('/priority', 'must be an integer from 0 to 65535');
  }
  let text: string;
  let pointer = '/content';
  if (input.data !== undefined && DATA_TYPES.has(type) && input.content === undefined) {
    const built = fromData(type, input.data, priority);
    if (!built.ok) return built;
    text = built.value;
    pointer = '/data';
  } else if (input.content === undefined || input.content.trim() === '') {
    return problem('/content', 'is required');
  } else if (PRIORITY_TYPES.has(type) && priority != null) {
    text = `${priority} ${input.content}`;
  } else {
    text = type === 'TXT' ? quoteTxt(input.content) : input.content;
  }
  const rdata = parseRdataText(typeNum, text, ROOT);
  if (!rdata.ok) {
    if (PRIORITY_TYPES.has(type) && priority == null && pointer === '/content') {
      return problem('/priority', `is required for ${type} records (or give the full RDATA in content)`);
    }
    return problem(pointer, rdata.error);
  }
  const content = formatRdata(typeNum, rdata.value);
  return ok({ content, priority: PRIORITY_TYPES.has(type) ? leadingNumber(content) : null });
}

function leadingNumber(content: string): number | null {
  const m = /^(\d+)\s/.exec(content);
  return m?.[1] !== undefined ? Number(m[1]) : null;
}

/** displayContent renders stored content as Cloudflare shows it. */
export function displayContent(type: string, stored: string): string {
  let content = stored;
  if (PRIORITY_TYPES.has(type)) content = content.replace(/^\d+\s+/, '');
  if (NAME_TAIL_TYPES.has(type) && content.length > 1 && content.endsWith('.') && !content.endsWith('\\.') && !content.endsWith(' .')) {
    content = content.slice(0, -1);
  }
  return content;
}

/** displayData returns Cloudflare's `data` object for SRV/CAA/URI (undefined for other types). */
export function displayData(type: string, stored: string): Record<string, unknown> | undefined {
  if (!DATA_TYPES.has(type)) return undefined;
  const toks = tokenizeRdata(stored);
  if (!toks.ok) return undefined;
  const t = toks.value.map((x) => x.text);
  if (type === 'SRV' && t.length === 4) {
    const target = t[3] ?? '';
    return { priority: Number(t[0]), weight: Number(t[1]), port: Number(t[2]), target: target.length > 1 && target.endsWith('.') ? target.slice(0, -1) : target };
  }
  if (type === 'CAA' && t.length === 3) return { flags: Number(t[0]), tag: t[1], value: t[2] };
  if (type === 'URI' && t.length === 3) return { weight: Number(t[1]), target: t[2] };
  return undefined;
}
