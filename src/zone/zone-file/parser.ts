// Master-file parser (RFC 1035 §5): $ORIGIN, $INCLUDE, $TTL (RFC 2308 §4), $GENERATE (BIND),
// relative names and `@`, blank owners, TTL and class in either order, TTL units, TYPEnnn and
// CLASSnnn (RFC 3597 §5) and every RDATA form of src/zone/rdata. No I/O: $INCLUDE goes through
// the `readInclude` port, confined to the zone's folder (no absolute paths, no `..` escapes).
// Stops at the first error, which names the file, line and column.
// Deviations: out-of-zone owners are kept (zone validation decides); with neither an explicit TTL,
// $TTL nor an earlier TTL, an SOA takes its MINIMUM as TTL (BIND's fallback) and others fail;
// after $INCLUDE the origin is restored (RFC 1035 §5.1) but the $TTL it set stays (as BIND);
// a $GENERATE rhs is BIND's single (quoted) token, or, as an extension, several bare tokens.

import {
  type DomainName,
  RRClass,
  RRType,
  type ResourceRecord,
  type Result,
  classFromString,
  err,
  ok,
  typeFromString,
} from '../../wire/index.js';
import { type RdataToken, decodeEscaped, isMetaType, nameFromText, parseRdataFields, parseTtl, tokenizeRdata } from '../rdata/index.js';
import { hasTemplate, parseRange, substitute } from './generate.js';
import { type Entry, Lexer, isLexError } from './lexer.js';

/** ZoneFileError locates the first error: file name, 1-based line and column, and what is wrong. */
export interface ZoneFileError {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly message: string;
}

/** ReadInclude is the file-reader port for $INCLUDE: a path relative to the zone's folder. */
export type ReadInclude = (path: string) => Result<string, string>;

/** ZoneFileOptions: see parseZoneFile. */
export interface ZoneFileOptions {
  /** Initial origin, as if the file began with $ORIGIN. */
  readonly origin?: DomainName;
  /** Initial $TTL. */
  readonly defaultTtl?: number;
  /** Name used in errors (default "<zone>"). */
  readonly fileName?: string;
  /** Reader for $INCLUDE; without it $INCLUDE is an error. */
  readonly readInclude?: ReadInclude;
  /** Whether $INCLUDE is allowed at all (default: when readInclude is given). */
  readonly allowInclude?: boolean;
}

/** ParsedZone is the origin and the records in file order. */
export interface ParsedZone {
  readonly origin: DomainName;
  readonly records: ResourceRecord[];
}

/** MAX_INCLUDE_DEPTH bounds $INCLUDE nesting. */
export const MAX_INCLUDE_DEPTH = 8;

interface State {
  origin: DomainName | undefined;
  firstOrigin: DomainName | undefined;
  ttlDirective: number | undefined;
  lastTtl: number | undefined;
  lastOwner: DomainName | undefined;
  lastClass: number;
  readonly records: ResourceRecord[];
  readonly opts: ZoneFileOptions;
  readonly includeStack: string[];
}

class ParseFault extends Error {
  constructor(
    readonly line: number,
    readonly column: number,
    message: string,
  ) {
    super(message);
  }
}

function failAt(t: RdataToken | undefined, entry: Entry, message: string): never {
  throw new ParseFault(t?.line ?? entry.line, t?.column ?? 1, message);
}

/** afterLast locates the position just after the last token of an entry ("missing ..." errors). */
function afterLast(entry: Entry): { line: number; column: number } {
  const t = entry.tokens[entry.tokens.length - 1]!;
  return { line: t.line ?? entry.line, column: (t.column ?? 1) + t.text.length + (t.quoted ? 2 : 0) };
}

/**
 * confineIncludePath normalises a $INCLUDE path relative to the zone's folder. Undefined for an
 * absolute path (`/x`, `\x`, `C:x`), a NUL, or a `..` that climbs out of the folder.
 */
export function confineIncludePath(path: string): string | undefined {
  if (path === '' || path.includes('\0') || /^[\\/]/.test(path) || /^[A-Za-z]:/.test(path)) return undefined;
  const out: string[] = [];
  for (const part of path.split(/[\\/]+/)) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (out.length === 0) return undefined;
      out.pop();
    } else {
      out.push(part);
    }
  }
  return out.length === 0 ? undefined : out.join('/');
}

/** A few distinct type and class tokens recur on every line; remember their values. */
const typeCache = new Map<string, number | undefined>();
const classCache = new Map<string, number | undefined>();

function cached(cache: Map<string, number | undefined>, text: string, parse: (t: string) => number | undefined): number | undefined {
  if (cache.has(text)) return cache.get(text);
  const v = parse(text);
  if (cache.size < 256) cache.set(text, v);
  return v;
}

/** Reads `[ttl] [class]` in either order starting at tokens[i]; returns the index after them. */
function ttlAndClass(entry: Entry, i: number): { i: number; ttl: number | undefined; cls: number | undefined } {
  let ttl: number | undefined;
  let cls: number | undefined;
  for (let k = 0; k < 2; k++) {
    const t = entry.tokens[i];
    if (t === undefined || t.quoted) break;
    const c0 = t.text.charCodeAt(0);
    if (ttl === undefined && c0 >= 0x30 && c0 <= 0x39) {
      const v = parseTtl(t.text);
      if (v === undefined) failAt(t, entry, `bad TTL "${t.text}"`);
      ttl = v;
      i++;
      continue;
    }
    if (cls === undefined) {
      const v = cached(classCache, t.text, classFromString);
      if (v !== undefined) {
        // RFC 2136 §2.4 / RFC 1035 §3.2.5: NONE and ANY are not data classes.
        if (v === RRClass.NONE || v === RRClass.ANY) failAt(t, entry, `class ${t.text} cannot be zone data`);
        cls = v;
        i++;
        continue;
      }
    }
    break;
  }
  return { i, ttl, cls };
}

function typeAt(entry: Entry, i: number): number {
  const t = entry.tokens[i];
  if (t === undefined) {
    const at = afterLast(entry);
    throw new ParseFault(at.line, at.column, 'missing type');
  }
  const type = t.quoted ? undefined : cached(typeCache, t.text, typeFromString);
  if (type === undefined) failAt(t, entry, `unknown type "${t.text}"`);
  if (isMetaType(type)) failAt(t, entry, `type ${t.text} cannot be zone data (RFC 6895 §3.1)`);
  return type;
}

function rdataAt(state: State, entry: Entry, tokens: readonly RdataToken[], type: number, start: number): Uint8Array {
  const r = parseRdataFields(type, tokens, state.origin, start);
  if (r.ok) return r.value;
  const t = tokens[r.error.index];
  if (t === undefined) {
    const at = afterLast({ ...entry, tokens: tokens as RdataToken[] });
    throw new ParseFault(at.line, at.column, r.error.message);
  }
  throw new ParseFault(t.line ?? entry.line, t.column ?? 1, r.error.message);
}

function resolveTtl(state: State, entry: Entry, explicit: number | undefined, type: number, rdata: Uint8Array): number {
  if (explicit !== undefined) {
    state.lastTtl = explicit;
    return explicit;
  }
  if (state.ttlDirective !== undefined) return state.ttlDirective;
  if (state.lastTtl !== undefined) return state.lastTtl;
  if (type === RRType.SOA && rdata.length >= 4) {
    const n = rdata.length;
    const min = ((rdata[n - 4]! << 24) | (rdata[n - 3]! << 16) | (rdata[n - 2]! << 8) | rdata[n - 1]!) >>> 0;
    state.lastTtl = min;
    return min;
  }
  failAt(entry.tokens[0], entry, 'no TTL given and no $TTL in effect (RFC 2308 §4)');
}

function ownerName(state: State, entry: Entry, t: RdataToken): DomainName {
  if (t.quoted) failAt(t, entry, 'owner name must not be quoted');
  const r = nameFromText(t.text, state.origin);
  if (!r.ok) failAt(t, entry, `bad owner name "${t.text}": ${r.error}`);
  return r.value;
}

function record(state: State, entry: Entry): void {
  let i = 0;
  let owner: DomainName;
  if (entry.blankOwner) {
    if (state.lastOwner === undefined) failAt(entry.tokens[0], entry, 'no previous owner for a line starting with a blank');
    owner = state.lastOwner;
  } else {
    owner = ownerName(state, entry, entry.tokens[0]!);
    i = 1;
  }
  const tc = ttlAndClass(entry, i);
  const type = typeAt(entry, tc.i);
  const rdata = rdataAt(state, entry, entry.tokens, type, tc.i + 1);
  if (tc.cls !== undefined) state.lastClass = tc.cls;
  const ttl = resolveTtl(state, entry, tc.ttl, type, rdata);
  state.lastOwner = owner;
  state.records.push({ name: owner, type, class: state.lastClass, ttl, rdata });
}

function directiveArgs(entry: Entry, min: number, max: number): RdataToken[] {
  const args = entry.tokens.slice(1);
  const name = entry.tokens[0]!.text.toUpperCase();
  if (args.length < min) {
    const at = afterLast(entry);
    throw new ParseFault(at.line, at.column, `${name} needs ${min === max ? min : `${min} to ${max}`} argument(s)`);
  }
  if (args.length > max) failAt(args[max], entry, `unexpected "${args[max]!.text}" after ${name}`);
  return args;
}

function generate(state: State, entry: Entry): void {
  const args = directiveArgs(entry, 4, Infinity);
  const range = parseRange(args[0]!.text);
  if (!range.ok) failAt(args[0], entry, range.error);
  const lhs = args[1]!;
  const tc = ttlAndClass(entry, 3);
  const type = typeAt(entry, tc.i);
  const rhs = entry.tokens.slice(tc.i + 1);
  if (rhs.length === 0) {
    const at = afterLast(entry);
    throw new ParseFault(at.line, at.column, '$GENERATE needs a right-hand side');
  }
  if (tc.cls !== undefined) state.lastClass = tc.cls;
  // BIND reads the rhs as one token, quoted when it holds blanks (`MX "10 mail$"`), and lexes
  // it again after substitution; several bare tokens are taken as they are (an extension).
  const requote = rhs.length === 1 && rhs[0]!.quoted;
  const { start, stop, step } = range.value;
  for (let v = start; v <= stop; v += step) {
    const ownerText = substitute(lhs.text, v);
    if (!ownerText.ok) failAt(lhs, entry, ownerText.error);
    const owner = ownerName(state, entry, { ...lhs, text: ownerText.value });
    let tokens: RdataToken[] = [];
    for (const t of rhs) {
      if (!hasTemplate(t.text)) {
        tokens.push(t);
        continue;
      }
      const s = substitute(t.text, v);
      if (!s.ok) failAt(t, entry, s.error);
      tokens.push({ ...t, text: s.value });
    }
    if (requote) tokens = relex(entry, rhs[0]!, tokens[0]!.text);
    const rdata = rdataAt(state, entry, tokens, type, 0);
    const ttl = resolveTtl(state, entry, tc.ttl, type, rdata);
    state.records.push({ name: owner, type, class: state.lastClass, ttl, rdata });
  }
}

/**
 * relex splits the text of a quoted $GENERATE rhs into RDATA tokens located at that rhs. As in
 * BIND's lexer, `\"` inside the quotes stands for `"`; other escapes are kept for the fields.
 */
function relex(entry: Entry, at: RdataToken, text: string): RdataToken[] {
  let unq = '';
  for (let i = 0; i < text.length; i++) {
    if (text.charCodeAt(i) === 0x5c && i + 1 < text.length) {
      if (text[i + 1] !== '"') unq += '\\';
      unq += text[++i];
    } else {
      unq += text[i];
    }
  }
  const toks = tokenizeRdata(unq);
  if (!toks.ok) failAt(at, entry, `$GENERATE rhs: ${toks.error}`);
  return toks.value.map((t) => ({ text: t.text, quoted: t.quoted, line: at.line ?? entry.line, column: at.column ?? 1 }));
}

function include(state: State, entry: Entry): void {
  const args = directiveArgs(entry, 1, 2);
  const { opts } = state;
  const allowed = opts.allowInclude ?? opts.readInclude !== undefined;
  if (!allowed) failAt(entry.tokens[0], entry, '$INCLUDE directive not allowed');
  if (opts.readInclude === undefined) failAt(entry.tokens[0], entry, '$INCLUDE needs a file reader, and none was given');
  const raw = decodeEscaped(args[0]!.text);
  if (!raw.ok) failAt(args[0], entry, raw.error);
  const path = confineIncludePath(new TextDecoder().decode(raw.value));
  if (path === undefined) failAt(args[0], entry, `$INCLUDE path "${args[0]!.text}" leaves the zone's folder (absolute or "..")`);
  if (state.includeStack.includes(path) || state.includeStack.length > MAX_INCLUDE_DEPTH) {
    failAt(args[0], entry, `$INCLUDE "${path}" nests too deep or includes itself`);
  }
  let origin = state.origin;
  if (args[1] !== undefined) origin = ownerName(state, entry, args[1]);
  const text = opts.readInclude(path);
  if (!text.ok) failAt(args[0], entry, `cannot read $INCLUDE "${path}": ${text.error}`);
  const saved = state.origin;
  state.origin = origin;
  state.includeStack.push(path);
  // Errors inside the included file name that file.
  parseText(state, text.value, path);
  state.includeStack.pop();
  // RFC 1035 §5.1: the origin of the including file is unchanged by $INCLUDE.
  state.origin = saved;
}

class NestedFault extends Error {
  constructor(readonly error: ZoneFileError) {
    super(error.message);
  }
}

function directive(state: State, entry: Entry): void {
  const head = entry.tokens[0]!;
  switch (head.text.toUpperCase()) {
    case '$ORIGIN': {
      const [arg] = directiveArgs(entry, 1, 1);
      const o = ownerName(state, entry, arg!);
      state.origin = o;
      state.firstOrigin ??= o;
      return;
    }
    case '$TTL': {
      const [arg] = directiveArgs(entry, 1, 1);
      const v = arg!.quoted ? undefined : parseTtl(arg!.text);
      if (v === undefined) failAt(arg, entry, `bad $TTL "${arg!.text}"`);
      state.ttlDirective = v;
      return;
    }
    case '$INCLUDE':
      return include(state, entry);
    case '$GENERATE':
      return generate(state, entry);
    default:
      failAt(head, entry, `unknown directive "${head.text}"`);
  }
}

function parseText(state: State, text: string, file: string): void {
  const lexer = new Lexer(text);
  for (;;) {
    const e = lexer.next();
    if (e === undefined) return;
    if (isLexError(e)) throw new NestedFault({ file, ...e });
    try {
      const head = e.tokens[0]!;
      if (!e.blankOwner && !head.quoted && head.text.charCodeAt(0) === 0x24) directive(state, e);
      else record(state, e);
    } catch (x) {
      if (x instanceof ParseFault) throw new NestedFault({ file, line: x.line, column: x.column, message: x.message });
      throw x;
    }
  }
}

/**
 * parseZoneFile parses master-file text into records (file order, duplicates kept). The result's
 * origin is `opts.origin`, else the first $ORIGIN, else the owner of the first SOA. Fails with the
 * first error: lexical (quotes, parentheses), unknown type or class, bad RDATA, a relative name
 * with no origin, a missing TTL, a refused or unreadable $INCLUDE, a bad $GENERATE.
 */
export function parseZoneFile(text: string, opts: ZoneFileOptions = {}): Result<ParsedZone, ZoneFileError> {
  const file = opts.fileName ?? '<zone>';
  const state: State = {
    origin: opts.origin,
    firstOrigin: undefined,
    ttlDirective: opts.defaultTtl,
    lastTtl: undefined,
    lastOwner: undefined,
    lastClass: RRClass.IN,
    records: [],
    opts,
    includeStack: [],
  };
  try {
    parseText(state, text, file);
  } catch (x) {
    if (x instanceof NestedFault) return err(x.error);
    throw x;
  }
  const origin = opts.origin ?? state.firstOrigin ?? state.records.find((r) => r.type === RRType.SOA)?.name;
  if (origin === undefined) return err({ file, line: 1, column: 1, message: 'no origin: give one, or start with $ORIGIN or an SOA' });
  return ok({ origin, records: state.records });
}
