// RDATA presentation ⇄ wire, driven by the schema table. Why not dns-packet's codecs (they are
// the test oracle instead): we need field-level control and errors, names kept uncompressed and
// in their original case (dns-packet's name codec ignores escapes), every type RFC 3597 generic
// (`\# len hex`), and a printer that never prints text that would reload to other octets.
// RFC 3597 §5: any type accepts `\# len hex`; types without a presentation form print that way.
// Deviation: `\#` data for a known type is taken as given (BIND checks it); only A/AAAA lengths
// are enforced, as the wire layer does. validateRdata is the strict check for callers that want it.

import { type DomainName, FIXED_LENGTH, ROOT, type Result, err, ok } from '../../wire/index.js';
import { hexDecode, hexEncode, parseUint } from './encoding.js';
import { type FieldKind, formatField, parseField } from './fields.js';
import { Malformed, type OutToken, Sink, SyntaxFault, TokenCursor, WireReader } from './io.js';
import { SCHEMA, isMetaType } from './schema.js';
import { formatSvcParams, parseSvcParams } from './svcb.js';
import { type RdataToken, tokenizeRdata } from './tokens.js';

/** RdataSyntaxError is a parse failure with the index of the token it concerns (may equal length). */
export interface RdataSyntaxError {
  readonly message: string;
  readonly index: number;
}

function isGenericMarker(t: RdataToken | undefined): boolean {
  return t !== undefined && !t.quoted && t.text === '\\#';
}

function parseGeneric(type: number, c: TokenCursor): Uint8Array {
  c.next('\\#');
  const lenText = c.bare('RDATA length');
  const len = parseUint(lenText, 0xffff);
  if (len === undefined) c.fail(`bad RDATA length "${lenText}"`);
  const start = c.i;
  let hex = '';
  while (c.more()) hex += c.bare('hex data');
  const b = hexDecode(hex);
  if (b === undefined) c.fail('bad hex data', start);
  if (b.length !== len) c.fail(`RFC 3597 §5: length ${len} does not match ${b.length} octets of data`, start);
  const fixed = FIXED_LENGTH.get(type);
  if (fixed !== undefined && fixed !== len) c.fail(`RDATA of this type is ${fixed} octets, not ${len}`, start);
  return b;
}

/**
 * parseRdataFields parses tokens[start..] as the RDATA of `type`; without an origin, relative
 * names are an error. Failure values name the token index at fault: unknown type without `\#`, meta type, bad or missing field, trailing tokens.
 */
export function parseRdataFields(
  type: number,
  tokens: readonly RdataToken[],
  origin: DomainName | undefined,
  start = 0,
): Result<Uint8Array, RdataSyntaxError> {
  const c: TokenCursor = new TokenCursor(tokens, start, origin);
  let s: Sink | undefined;
  try {
    if (isMetaType(type)) c.fail(`type ${type} is a meta type and cannot be zone data (RFC 6895 §3.1)`, start);
    if (isGenericMarker(tokens[start])) return ok(parseGeneric(type, c));
    const schema = SCHEMA.get(type);
    if (schema === undefined) c.fail(`TYPE${type} has no presentation form here: use \\# len hex (RFC 3597 §5)`, start);
    s = new Sink();
    if (Array.isArray(schema.fields)) {
      for (const kind of schema.fields as readonly (FieldKind | 'svcparams')[]) {
        if (kind === 'svcparams') parseSvcParams(c, s);
        else parseField(kind, c, s);
      }
    } else {
      (schema.fields as Exclude<typeof schema.fields, readonly unknown[]>).parse(c, s);
    }
    if (c.more()) c.fail(`unexpected "${tokens[c.i]!.text}" after RDATA`, c.i);
    if (s.len > 0xffff) c.fail('RDATA longer than 65535 octets', start);
    return ok(s.finish());
  } catch (e) {
    if (e instanceof SyntaxFault) return err({ message: e.message, index: e.index });
    throw e;
  } finally {
    s?.release();
  }
}

function where(tokens: readonly RdataToken[], index: number): string {
  const t = tokens[index] ?? tokens[tokens.length - 1];
  return t?.column !== undefined ? ` (column ${t.column})` : '';
}

/**
 * parseRdataTokens parses tokens (as produced by the zone-file lexer or tokenizeRdata) into
 * uncompressed wire RDATA; relative names are completed with `origin`. Fails with a message.
 */
export function parseRdataTokens(type: number, tokens: readonly RdataToken[], origin: DomainName): Result<Uint8Array, string> {
  const r = parseRdataFields(type, tokens, origin);
  if (r.ok) return r;
  return err(r.error.message + where(tokens, r.error.index));
}

/**
 * parseRdataText parses the presentation text of one RDATA (the `content` of an API record),
 * e.g. `10 mail.example.com.` for MX. Quoted strings, escapes, `( )` and `;` comments are
 * handled as in a zone file. Fails with a message naming the column.
 */
export function parseRdataText(type: number, text: string, origin: DomainName): Result<Uint8Array, string> {
  const toks = tokenizeRdata(text);
  if (!toks.ok) return toks;
  return parseRdataTokens(type, toks.value, origin);
}

/** formatGeneric renders RDATA in the RFC 3597 §5 generic form `\# len hex`. */
export function formatGeneric(rdata: Uint8Array): string {
  return rdata.length === 0 ? '\\# 0' : `\\# ${rdata.length} ${hexEncode(rdata)}`;
}

function joinTokens(out: readonly OutToken[]): string {
  let s = '';
  for (let i = 0; i < out.length; i++) {
    const t = out[i]!;
    if (i > 0) s += ' ';
    s += t.quoted ? `"${t.text}"` : t.text;
  }
  return s;
}

function sameOctets(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * presentation returns the presentation tokens of `rdata`, or undefined when the type has no
 * presentation form or the octets have no canonical one. The result is re-parsed and compared,
 * so text returned here always reloads to exactly `rdata`.
 */
function presentation(type: number, rdata: Uint8Array, origin: DomainName | undefined, opts: FormatOptions = {}): OutToken[] | undefined {
  const schema = SCHEMA.get(type);
  if (schema === undefined || isMetaType(type)) return undefined;
  const out: OutToken[] = [];
  const r = new WireReader(rdata);
  try {
    if (Array.isArray(schema.fields)) {
      for (const kind of schema.fields as readonly (FieldKind | 'svcparams')[]) {
        if (kind === 'svcparams') formatSvcParams(r, out, opts.portable === true);
        else formatField(kind, r, out, origin);
      }
    } else {
      (schema.fields as Exclude<typeof schema.fields, readonly unknown[]>).format(r, out, origin);
    }
    if (r.remaining !== 0) return undefined;
  } catch (e) {
    if (e instanceof Malformed) return undefined;
    throw e;
  }
  const back = parseRdataFields(type, out, origin ?? ROOT);
  return back.ok && sameOctets(back.value, rdata) ? out : undefined;
}

/**
 * formatRdata renders RDATA in presentation form; names are absolute, or relative to `origin`
 * when given and below it. Never throws: a type without a presentation form, or octets that are
 * malformed for their type, come out in the generic `\# len hex` form.
 */
export function formatRdata(type: number, rdata: Uint8Array, origin?: DomainName): string {
  try {
    const out = presentation(type, rdata, origin);
    return out === undefined ? formatGeneric(rdata) : joinTokens(out);
  } catch {
    return formatGeneric(rdata);
  }
}

/** FormatOptions tunes the presentation text. */
export interface FormatOptions {
  /**
   * portable spells SVCB/HTTPS SvcParamKeys above 6 (dohpath, ohttp, ...) as `keyNNNNN` (RFC 9460
   * §2.1), the form older readers (BIND 9.18, Knot DNS 3.2) accept. Default false.
   */
  readonly portable?: boolean;
}

/**
 * formatRdataPresentation is formatRdata without the fallback: undefined when the RDATA would
 * need the generic form. The zone-file printer uses it to decide between `TYPE` and `TYPEnnn`.
 */
export function formatRdataPresentation(type: number, rdata: Uint8Array, origin?: DomainName, opts?: FormatOptions): string | undefined {
  try {
    const out = presentation(type, rdata, origin, opts);
    return out === undefined ? undefined : joinTokens(out);
  } catch {
    return undefined;
  }
}

/**
 * validateRdata reports whether `rdata` is well-formed for `type`: for a type with a
 * presentation form, that it has one (every field in bounds, canonical bitmaps, SVCB rules...);
 * for A/AAAA the fixed length; for other types, only the 65535-octet limit. False for meta types.
 */
export function validateRdata(type: number, rdata: Uint8Array): boolean {
  if (isMetaType(type) || rdata.length > 0xffff) return false;
  const fixed = FIXED_LENGTH.get(type);
  if (fixed !== undefined && fixed !== rdata.length) return false;
  if (!SCHEMA.has(type)) return true;
  return formatRdataPresentation(type, rdata) !== undefined;
}

/** hasPresentation is true when `type` has a presentation form other than `\#`. */
export function hasPresentation(type: number): boolean {
  return SCHEMA.has(type);
}

/** isPortableType is false for types printed as `TYPEnnn \#` by the portable zone-file printer. */
export function isPortableType(type: number): boolean {
  return SCHEMA.get(type)?.portable ?? false;
}

export { isMetaType };
