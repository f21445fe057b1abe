// Presentation round trips for every type with a presentation form (cases.ts) plus the RFC 3597
// generic form for every type: text → wire → text → wire gives identical octets, the canonical
// text is stable, and names print relative to an origin only when they reload the same.
import { describe, expect, it } from 'vitest';
import { type DomainName, RRType, nameFromTrusted, typeFromString, typeToString } from '../../../../src/wire/index.js';
import {
  formatGeneric,
  formatRdata,
  formatRdataPresentation,
  hasPresentation,
  parseRdataText,
  parseRdataTokens,
  tokenizeRdata,
  validateRdata,
} from '../../../../src/zone/rdata/index.js';
import { SCHEMA } from '../../../../src/zone/rdata/schema.js';
import { CASES, GENERIC_ONLY, ORIGIN_TEXT } from './cases.js';

const origin = nameFromTrusted(ORIGIN_TEXT);
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

function wire(type: number, text: string, o: DomainName = origin): Uint8Array {
  const r = parseRdataText(type, text, o);
  if (!r.ok) throw new Error(`${typeToString(type)} "${text}": ${r.error}`);
  return r.value;
}

const typeOf = (t: string): number => {
  const v = typeFromString(t);
  if (v === undefined) throw new Error(`unknown type ${t}`);
  return v;
};

/** The types the brief names; every one must have at least one case. */
const REQUIRED = [
  'A', 'AAAA', 'NS', 'CNAME', 'DNAME', 'PTR', 'MX', 'SOA', 'TXT', 'SPF', 'HINFO', 'RP', 'AFSDB', 'RT', 'KX', 'PX', 'MINFO',
  'SRV', 'NAPTR', 'CAA', 'SSHFP', 'TLSA', 'SMIMEA', 'DS', 'CDS', 'DNSKEY', 'CDNSKEY', 'RRSIG', 'NSEC', 'NSEC3', 'NSEC3PARAM',
  'OPENPGPKEY', 'ZONEMD', 'CSYNC', 'DHCID', 'URI', 'LOC', 'EUI48', 'EUI64', 'CERT', 'SVCB', 'HTTPS', 'TA', 'DLV', 'NULL', 'TYPE65534',
];

describe('the case table', () => {
  it('covers every required type and every type in the schema', () => {
    const covered = new Set(CASES.map(([t]) => typeOf(t)));
    for (const t of REQUIRED) expect(covered.has(typeOf(t)), t).toBe(true);
    for (const t of SCHEMA.keys()) expect(covered.has(t), typeToString(t)).toBe(true);
    for (const t of GENERIC_ONLY) expect(hasPresentation(typeOf(t)), t).toBe(false);
  });
});

describe.each(CASES.map(([t, text, canon], i) => ({ name: `${i} ${t}`, t, text, canon: canon ?? text })))('$name', ({ t, text, canon }) => {
  const type = typeOf(t);

  it('text → wire → canonical text → the same wire', () => {
    const w1 = wire(type, text);
    const printed = formatRdata(type, w1);
    expect(printed).toBe(canon);
    const w2 = wire(type, printed);
    expect(hex(w2)).toBe(hex(w1));
    // The canonical text is a fixed point.
    expect(formatRdata(type, w2)).toBe(printed);
  });

  it('prints names relative to the origin and reloads them to the same octets', () => {
    const w1 = wire(type, text);
    const rel = formatRdata(type, w1, origin);
    expect(hex(wire(type, rel))).toBe(hex(w1));
    // Under another origin the relative text must not be reused blindly.
    const other = nameFromTrusted('other.test.');
    expect(hex(wire(type, formatRdata(type, w1, other), other))).toBe(hex(w1));
  });

  it('reloads from the RFC 3597 generic form (RFC 3597 §5)', () => {
    const w1 = wire(type, text);
    const g = formatGeneric(w1);
    expect(g).toMatch(/^\\# \d+( [0-9A-F]+)?$/);
    expect(hex(wire(type, g))).toBe(hex(w1));
  });

  it('validates', () => {
    expect(validateRdata(type, wire(type, text))).toBe(true);
  });

  it('parses from zone-file tokens the same as from text', () => {
    const toks = tokenizeRdata(text);
    expect(toks.ok).toBe(true);
    if (!toks.ok) return;
    const r = parseRdataTokens(type, toks.value, origin);
    expect(r.ok && hex(r.value)).toBe(hex(wire(type, text)));
  });
});

describe('specific encodings', () => {
  it('splits nothing itself: a TXT string over 255 octets is an error, split strings are fine', () => {
    const long = 'x'.repeat(256);
    const r = parseRdataText(RRType.TXT, `"${long}"`, origin);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toMatch(/longer than 255/);
    const w = wire(RRType.TXT, `"${long.slice(0, 255)}" "${long.slice(255)}"`);
    expect(w.length).toBe(256 + 2);
    expect(w[0]).toBe(255);
    expect(w[256]).toBe(1);
  });

  it('decodes TXT escapes octet for octet (RFC 1035 §5.1)', () => {
    expect(hex(wire(RRType.TXT, '"a\\"b\\\\c\\065\\255"'))).toBe('0761' + '22' + '62' + '5c' + '63' + '41' + 'ff');
    // A bare token is a character-string too, and so is a token with an escaped blank.
    expect(hex(wire(RRType.TXT, 'a\\ b'))).toBe('03612062');
    // Non-ASCII text stands for its UTF-8 octets.
    expect(hex(wire(RRType.TXT, '"é"'))).toBe('02c3a9');
  });

  it('keeps the case of names and escapes special octets', () => {
    const w = wire(RRType.CNAME, 'Www.Example.COM.');
    expect(formatRdata(RRType.CNAME, w)).toBe('Www.Example.COM.');
    expect(formatRdata(RRType.CNAME, wire(RRType.CNAME, 'a\\.b\\032c\\;d.example.'))).toBe('a\\.b\\ c\\;d.example.');
    expect(hex(wire(RRType.CNAME, 'a\\.b.'))).toBe('03612e6200');
  });

  it('completes relative names and `@` with the origin', () => {
    expect(formatRdata(RRType.MX, wire(RRType.MX, '10 @'))).toBe('10 example.com.');
    expect(formatRdata(RRType.MX, wire(RRType.MX, '10 mail'))).toBe('10 mail.example.com.');
    expect(formatRdata(RRType.MX, wire(RRType.MX, '10 mail'), origin)).toBe('10 mail');
    expect(formatRdata(RRType.MX, wire(RRType.MX, '10 @'), origin)).toBe('10 @');
    // The origin's spelling must match exactly for a name to print relative (case is data).
    expect(formatRdata(RRType.MX, wire(RRType.MX, '10 mail.EXAMPLE.com.'), origin)).toBe('10 mail.EXAMPLE.com.');
  });

  it('accepts TTL units in SOA timers and RRSIG original TTL, digits only in the serial', () => {
    expect(formatRdata(RRType.SOA, wire(RRType.SOA, 'a. b. 1 1h30m 2D 1W 5M'))).toBe('a. b. 1 5400 172800 604800 300');
    expect(parseRdataText(RRType.SOA, 'a. b. 1h 1 1 1 1', origin).ok).toBe(false);
  });

  it('reads RRSIG times as dates or seconds and prints dates (RFC 4034 §3.2)', () => {
    const w = wire(RRType.RRSIG, 'A 8 2 300 20380119031407 0 1 . AA==');
    expect(hex(w.subarray(8, 12))).toBe('7fffffff');
    expect(formatRdata(RRType.RRSIG, w)).toBe('A 8 2 300 20380119031407 19700101000000 1 . AA==');
  });

  it('prints the SVCB keys newer than RFC 9460 as keyNNNNN when asked to be portable', () => {
    const w = wire(RRType.HTTPS, '1 . alpn=h2 dohpath="/q{?dns}" ohttp');
    expect(formatRdata(RRType.HTTPS, w)).toBe('1 . alpn="h2" dohpath="/q{?dns}" ohttp');
    const p = formatRdataPresentation(RRType.HTTPS, w, undefined, { portable: true });
    expect(p).toBe('1 . alpn="h2" key7="/q{?dns}" key8');
    expect(hex(wire(RRType.HTTPS, p!))).toBe(hex(w));
  });

  it('sorts SvcParams by key on the wire and escapes commas inside alpn ids (RFC 9460 App. A.1)', () => {
    const w = wire(RRType.SVCB, '1 . port=53 alpn="a\\\\,b,c"');
    expect(formatRdata(RRType.SVCB, w)).toBe('1 . alpn="a\\\\,b,c" port=53');
    // key 1 (alpn) holds two ids: "a,b" and "c".
    expect(hex(w.subarray(3))).toBe('0001' + '0006' + '03612c62' + '0163' + '0003' + '0002' + '0035');
  });

  it('writes an APL prefix without trailing zero octets (RFC 3123 §4.1)', () => {
    expect(hex(wire(RRType.APL, '1:192.168.0.0/16'))).toBe('0001' + '10' + '02' + 'c0a8');
    expect(hex(wire(RRType.APL, '!2:::/0'))).toBe('0002' + '00' + '80');
  });

  it('uses the type mnemonics of the bitmap and TYPEnnn for the others (RFC 3845 §2.2)', () => {
    const w = wire(RRType.NSEC, 'x. A TYPE1 TYPE65534 caa');
    expect(formatRdata(RRType.NSEC, w)).toBe('x. A CAA TYPE65534');
  });

  it('prints RFC 3597 data of a known type in its own form when well-formed', () => {
    expect(formatRdata(RRType.MX, wire(RRType.MX, '\\# 5 000a 016100'))).toBe('10 a.');
    expect(formatRdata(RRType.A, wire(RRType.A, '\\# 4 C0000201'))).toBe('192.0.2.1');
  });
});
