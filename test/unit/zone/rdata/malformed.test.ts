// Malformed input on both sides of the codec: bad presentation text is an error value naming the
// column (never a throw), and RDATA octets that are malformed for their type are printed in the
// RFC 3597 generic form by formatRdata (never a throw), so every printed text reloads to the
// very same octets.
import { describe, expect, it } from 'vitest';
import { FIXED_LENGTH, RRType, nameFromTrusted, typeFromString, typeToString } from '../../../../src/wire/index.js';
import { formatGeneric, formatRdata, formatRdataPresentation, parseRdataText, validateRdata } from '../../../../src/zone/rdata/index.js';
import { SCHEMA } from '../../../../src/zone/rdata/schema.js';
import { CASES, ORIGIN_TEXT } from './cases.js';

const origin = nameFromTrusted(ORIGIN_TEXT);
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const h = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s.replace(/\s+/g, ''), 'hex'));

/** [type, text, expected message fragment]. */
const BAD_TEXT: readonly (readonly [string, string, RegExp])[] = [
  ['A', '1.2.3', /bad IPv4 address/],
  ['A', '01.2.3.4', /bad IPv4 address/],
  ['A', '1.2.3.4 5', /unexpected "5"/],
  ['A', '', /missing IPv4 address/],
  ['A', '\\# 3 010203', /4 octets, not 3/],
  ['AAAA', '1::2::3', /bad IPv6 address/],
  ['AAAA', '1:2:3:4:5:6:7:8:9', /bad IPv6 address/],
  ['AAAA', '12345::', /bad IPv6 address/],
  ['NS', 'a..b', /empty label/],
  ['NS', `${'a'.repeat(64)}.`, /longer than 63/],
  ['NS', `${'abcdefghi.'.repeat(26)}`, /longer than 255/],
  ['NS', 'a\\', /bad escape/],
  ['NS', '\\256.', /bad escape/],
  ['MX', '10', /missing domain name/],
  ['MX', '65536 a.', /bad 16-bit number/],
  ['MX', '-1 a.', /bad 16-bit number/],
  ['MX', '"10" a.', /must not be quoted/],
  ['SOA', 'a. b. 1 2 3 4', /missing TTL/],
  ['SOA', 'a. b. 4294967296 2 3 4 5', /bad 32-bit number/],
  ['SOA', 'a. b. 1 2 3 4 5 6', /unexpected "6"/],
  ['TXT', '', /missing character-string/],
  ['TXT', `"${'x'.repeat(256)}"`, /longer than 255/],
  ['TXT', '"abc', /unterminated quoted string/],
  ['TXT', '"a\\25"', /bad \\DDD escape/],
  ['TXT', '"a\\"', /unterminated quoted string/],
  ['TXT', '( "a"', /unbalanced/],
  ['TXT', '"a" )', /unbalanced/],
  ['HINFO', 'cpu', /missing character-string/],
  ['CAA', '0 "issue" "x"', /must not be quoted/],
  ['CAA', '0 is-sue "x"', /bad CAA tag/],
  ['CAA', '256 issue "x"', /bad 8-bit number/],
  ['CAA', '0 issue "a" "b"', /unexpected token/],
  ['SRV', '1 2 sip.', /bad 16-bit number/],
  ['NAPTR', '1 2 "a" "b" "c"', /missing domain name/],
  ['SSHFP', '1 1 zz', /bad hex data/],
  ['SSHFP', '1 1', /missing hex data/],
  ['TLSA', '3 1 1 ABC', /bad hex data/],
  ['DS', '1 2 3', /missing hex data/],
  ['DS', '1 NOSUCHALG 1 00', /bad algorithm/],
  ['DNSKEY', '256 3 13 AA=A', /bad base64/],
  ['DNSKEY', '256 3 13', /missing base64/],
  ['RRSIG', 'A 13 2 3600 20250230000000 20241201000000 1 a. AA==', /bad time/],
  ['RRSIG', 'NOTATYPE 13 2 3600 1 1 1 a. AA==', /unknown type/],
  ['RRSIG', 'A 13 2 3600 1 1 1 a.', /missing base64/],
  ['NSEC', 'a. A BOGUS', /unknown type "BOGUS"/],
  ['NSEC3', '1 0 0 - 2T7B4G4VSA5SMI47K61MV5BV1A22BOJ A', /bad base32hex/],
  ['NSEC3', '1 0 0 xyz 2T7B4G4VSA5SMI47K61MV5BV1A22BOJR', /bad salt/],
  ['NSEC3PARAM', '1 0 0', /missing salt/],
  ['LOC', '91 N 4 E 0', /bad LOC/],
  ['LOC', '52 X 4 E 0', /bad LOC coordinate/],
  ['LOC', '52 N 4 E', /missing altitude/],
  ['LOC', '52 N 4 E 0 1 2 3 4', /unexpected "4"/],
  ['EUI48', '00-00-5e-00-53', /bad EUI48/],
  ['EUI64', '00-00-5e-00-53-2a', /bad EUI64/],
  ['URI', '1 2', /missing value/],
  ['CERT', 'FOO 0 0 AA==', /bad certificate type/],
  ['APL', '3:1.2.3.4/8', /bad APL address/],
  ['APL', '1:1.2.3.4/33', /prefix 33 too long/],
  ['SVCB', '1 . alpn', /alpn needs a value/],
  ['SVCB', '1 . port=1 port=2', /duplicate SvcParamKey/],
  ['SVCB', '1 . mandatory=port', /mandatory key port is missing/],
  ['SVCB', '1 . mandatory=mandatory', /mandatory must not list itself/],
  ['SVCB', '1 . no-default-alpn', /requires alpn/],
  ['SVCB', '1 . port=99999', /bad port/],
  ['SVCB', '1 . foo=bar', /unknown SvcParamKey/],
  ['SVCB', '1 . key65535', /reserved/],
  ['SVCB', '1 . ipv4hint=1.2.3', /bad address/],
  ['SVCB', '1 . "alpn=h2"', /not a quoted string/],
  ['SVCB', '1 . constructor=x', /unknown SvcParamKey/],
  ['SVCB', '1 . __proto__=x', /unknown SvcParamKey/],
  ['SVCB', '1 . mandatory=constructor port=1', /unknown key "constructor"/],
  ['HTTPS', '1 . ech=!!', /bad base64 in ech/],
  ['TYPE65534', 'foo', /no presentation form/],
  ['TYPE65534', '\\# 3 0102', /length 3 does not match 2/],
  ['TYPE65534', '\\# x 01', /bad RDATA length/],
  ['TYPE65534', '\\# 1 0g', /bad hex data/],
  ['NULL', 'DEADBEEF', /no presentation form/],
  ['OPT', '\\# 0', /meta type/],
  ['TSIG', '\\# 0', /meta type/],
  ['ANY', '\\# 0', /meta type/],
];

describe('bad presentation text is an error value', () => {
  it.each(BAD_TEXT.map(([t, text, re], i) => ({ name: `${i} ${t} ${JSON.stringify(text).slice(0, 40)}`, t, text, re })))('$name', ({ t, text, re }) => {
    const type = typeFromString(t)!;
    let r: ReturnType<typeof parseRdataText> | undefined;
    expect(() => {
      r = parseRdataText(type, text, origin);
    }).not.toThrow();
    expect(r?.ok).toBe(false);
    if (r !== undefined && !r.ok) expect(r.error).toMatch(re);
  });

  it('names the column of the offending token', () => {
    const r = parseRdataText(RRType.MX, '10   bad..name', origin);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toMatch(/column 6\)$/);
  });

  it('never throws on arbitrary text for any type in the schema', () => {
    const r = rng(7);
    const alphabet = 'abc019.:-\\"();= \t\n#@*$+/AZ';
    for (const type of SCHEMA.keys()) {
      for (let i = 0; i < 150; i++) {
        const text = Array.from({ length: Math.floor(r() * 40) }, () => alphabet[Math.floor(r() * alphabet.length)]).join('');
        expect(() => parseRdataText(type, text, origin), `${typeToString(type)} ${JSON.stringify(text)}`).not.toThrow();
      }
    }
  });
});

/** reloads is the formatRdata contract: the text parses back to the same octets. */
function reloads(type: number, rdata: Uint8Array): void {
  let text = '';
  expect(() => {
    text = formatRdata(type, rdata);
  }, `${typeToString(type)} ${hex(rdata)}`).not.toThrow();
  const back = parseRdataText(type, text, origin);
  const fixed = FIXED_LENGTH.get(type);
  if (fixed !== undefined && fixed !== rdata.length) {
    // A/AAAA of the wrong length has no valid text at all; it still prints without throwing.
    expect(text).toBe(formatGeneric(rdata));
    expect(back.ok).toBe(false);
    return;
  }
  expect(back.ok, `${typeToString(type)} ${hex(rdata)} → ${text}`).toBe(true);
  if (back.ok) expect(hex(back.value), `${typeToString(type)} ${text}`).toBe(hex(rdata));
}

/** [type, malformed RDATA hex, why]. Each prints as `\#` and fails validateRdata. */
const BAD_WIRE: readonly (readonly [string, string, string])[] = [
  ['A', '0102 03', 'short'],
  ['AAAA', '00'.repeat(15), 'short'],
  ['NS', '03 6e 73 31', 'name without its root label'],
  ['NS', 'c0 0c', 'compression pointer in RDATA'],
  ['NS', '40' + '61'.repeat(64) + '00', 'label of 64 octets'],
  ['NS', '3f'.concat('61'.repeat(63)).repeat(4) + '00', 'name over 255 octets'],
  ['NS', '00 00', 'trailing octet'],
  ['MX', '00', 'truncated preference'],
  ['SOA', '00 00 0000000100000002000000030000000400', 'timers one octet short'],
  ['TXT', '', 'no character-string'],
  ['TXT', '05 616263', 'length past the end'],
  ['HINFO', '01 61', 'one string only'],
  ['CAA', '00 00', 'empty tag'],
  ['CAA', '00 02 2d2d 78', 'tag not alphanumeric'],
  ['SSHFP', '01 01', 'empty fingerprint'],
  ['DS', '0001 08 02', 'empty digest'],
  ['DNSKEY', '0100 03 0d', 'empty key'],
  ['RRSIG', '0001 0d 02 00000e10 00000001 00000001 0001 00', 'empty signature'],
  ['NSEC', '00 00 00', 'bitmap window of length 0'],
  ['NSEC', '00 0001 00', 'bitmap with a trailing zero octet'],
  ['NSEC', '00 0101 40 0001 40', 'bitmap windows out of order'],
  ['NSEC3', '01 00 0000 00 00', 'empty next hashed owner'],
  ['LOC', '01 12 16 13 89173d2c 7f3668f0 00989680', 'version 1'],
  ['LOC', '00 a0 16 13 89173d2c 7f3668f0 00989680', 'size mantissa over 9'],
  ['LOC', '00 12 16 13 ffffffff 7f3668f0 00989680', 'latitude beyond 90 degrees'],
  ['SVCB', '0001 00 0003 0002 0035 0001 0003 026832', 'keys out of order'],
  ['SVCB', '0001 00 0003 0001 35', 'port of one octet'],
  ['SVCB', '0001 00 0002 0000', 'no-default-alpn without alpn'],
  ['SVCB', '0001 00 0001 0003 0268', 'alpn id past the end'],
  ['SVCB', '0001 00 0000 0002 0003', 'mandatory key absent'],
  ['APL', '0003 08 01 0a', 'unknown family'],
  ['APL', '0001 08 01 00', 'address with a trailing zero octet'],
  ['EUI48', '0000 5e00 53', 'short'],
  ['URI', '000a 00', 'truncated weight'],
  ['IPSECKEY', '0a 04 02', 'unknown gateway type'],
];

describe('formatRdata on malformed RDATA of a known type', () => {
  it.each(BAD_WIRE.map(([t, x, why], i) => ({ name: `${i} ${t}: ${why}`, t, x })))('$name prints as \\# and reloads', ({ t, x }) => {
    const type = typeFromString(t)!;
    const rdata = h(x);
    expect(formatRdata(type, rdata)).toBe(formatGeneric(rdata));
    expect(formatRdataPresentation(type, rdata)).toBeUndefined();
    expect(validateRdata(type, rdata)).toBe(false);
    reloads(type, rdata);
  });

  it('prints every truncation, extension and single-octet change of every case so that it reloads', () => {
    const r = rng(42);
    for (const [t, text] of CASES) {
      const type = typeFromString(t)!;
      const p = parseRdataText(type, text, origin);
      if (!p.ok) throw new Error(p.error);
      const w = p.value;
      for (let len = 0; len < w.length; len++) reloads(type, w.subarray(0, len));
      reloads(type, Uint8Array.from([...w, 0]));
      reloads(type, Uint8Array.from([...w, 0xff, 0x01]));
      for (let i = 0; i < w.length; i++) {
        const m = Uint8Array.from(w);
        m[i] = Math.floor(r() * 256);
        reloads(type, m);
      }
    }
  });

  it('prints random octets of every known type so that they reload', () => {
    const r = rng(1234);
    for (const type of SCHEMA.keys()) {
      for (let i = 0; i < 300; i++) {
        const rdata = Uint8Array.from({ length: Math.floor(r() * 40) }, () => Math.floor(r() * 256));
        reloads(type, rdata);
      }
    }
  });

  it('prints meta types and types without a presentation form generically', () => {
    expect(formatRdata(RRType.OPT, h('0001'))).toBe('\\# 2 0001');
    expect(formatRdata(RRType.TSIG, new Uint8Array(0))).toBe('\\# 0');
    expect(formatRdata(RRType.NULL, h('deadbeef'))).toBe('\\# 4 DEADBEEF');
    expect(formatRdata(65534, h('010203'))).toBe('\\# 3 010203');
    expect(validateRdata(RRType.OPT, new Uint8Array(0))).toBe(false);
    expect(validateRdata(65534, h('00'))).toBe(true);
  });
});

/** mulberry32: a seedable PRNG so failures reproduce. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
