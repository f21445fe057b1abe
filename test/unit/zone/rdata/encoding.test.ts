// Field encodings under the codecs: TTL units, hex, base64, base32hex, IPv4/IPv6 text (RFC 5952
// output), RRSIG times, and the tokenizer / escape helpers.
import { describe, expect, it } from 'vitest';
import {
  base32hexDecode,
  base32hexEncode,
  base64Decode,
  formatIPv6,
  formatSigTime,
  hexDecode,
  parseIPv4,
  parseIPv6,
  parseSigTime,
  parseTtl,
} from '../../../../src/zone/rdata/encoding.js';
import { decodeEscaped, encodeEscaped, nameFromText, parseRdataTokens, tokenizeRdata } from '../../../../src/zone/rdata/index.js';
import { RRType, nameFromTrusted, nameToWire, parseName } from '../../../../src/wire/index.js';

const hex = (b: Uint8Array | undefined): string | undefined => (b === undefined ? undefined : Buffer.from(b).toString('hex'));

describe('parseTtl', () => {
  it.each([
    ['0', 0], ['3600', 3600], ['4294967295', 4294967295], ['1h', 3600], ['1H30m', 5400], ['2d', 172800], ['1w2d3h4m5s', 788645], ['1W', 604800],
  ] as const)('%s = %i', (text, v) => expect(parseTtl(text)).toBe(v));
  it.each(['', '-1', '4294967296', '1x', 'h', '1h 2m', '1.5h', '99999999999'])('rejects %j', (text) => expect(parseTtl(text)).toBeUndefined());
});

describe('hex, base64, base32hex', () => {
  it('hexDecode takes either case and rejects odd or foreign digits', () => {
    expect(hex(hexDecode('00aAfF'))).toBe('00aaff');
    expect(hexDecode('0')).toBeUndefined();
    expect(hexDecode('0g')).toBeUndefined();
    expect(hexDecode('é0')).toBeUndefined();
  });
  it('base64Decode wants padding and the RFC 4648 §4 alphabet', () => {
    expect(hex(base64Decode('AQID'))).toBe('010203');
    expect(hex(base64Decode('AQ=='))).toBe('01');
    expect(base64Decode('AQ')).toBeUndefined();
    expect(base64Decode('A-_=')).toBeUndefined();
  });
  it('base32hex round-trips without padding (RFC 4648 §7, RFC 5155 §3.3)', () => {
    for (let n = 1; n <= 20; n++) {
      const b = Uint8Array.from({ length: n }, (_, i) => (i * 37 + n) & 255);
      const t = base32hexEncode(b);
      expect(t).toMatch(/^[0-9A-V]+$/);
      expect(hex(base32hexDecode(t))).toBe(hex(b));
      expect(hex(base32hexDecode(t.toLowerCase()))).toBe(hex(b));
    }
    expect(base32hexDecode('W0')).toBeUndefined();
    expect(base32hexDecode('0')).toBeUndefined();
    // Non-zero spare bits are not canonical.
    expect(base32hexDecode('01')).toBeUndefined();
  });
});

describe('addresses', () => {
  it('parseIPv4 is strict like inet_pton', () => {
    expect(hex(parseIPv4('192.0.2.255'))).toBe('c00002ff');
    for (const bad of ['1.2.3', '1.2.3.4.5', '256.1.1.1', '01.1.1.1', '1..1.1', ' 1.1.1.1', '1.1.1.1 ']) expect(parseIPv4(bad), bad).toBeUndefined();
  });
  it('parseIPv6 reads RFC 4291 §2.2 forms', () => {
    expect(hex(parseIPv6('::'))).toBe('0'.repeat(32));
    expect(hex(parseIPv6('::1'))).toBe('0'.repeat(31) + '1');
    expect(hex(parseIPv6('1::'))).toBe('0001' + '0'.repeat(28));
    expect(hex(parseIPv6('1:2:3:4:5:6:7::'))).toBe('0001000200030004000500060007' + '0000');
    expect(hex(parseIPv6('::ffff:192.0.2.1'))).toBe('0'.repeat(20) + 'ffffc0000201');
    expect(hex(parseIPv6('1:2:3:4:5:6:1.2.3.4'))).toBe('000100020003000400050006' + '01020304');
    for (const bad of ['1', ':::', '1:::2', '1::2::3', '1:2:3:4:5:6:7:8:9', '12345::', 'g::', '::1.2.3', '1:2:3:4:5:6:7:1.2.3.4']) expect(parseIPv6(bad), bad).toBeUndefined();
  });
  it('formatIPv6 follows RFC 5952 §4', () => {
    const f = (t: string): string => formatIPv6(parseIPv6(t)!);
    expect(f('2001:0DB8:0000:0000:0000:0000:0000:0001')).toBe('2001:db8::1');
    expect(f('2001:db8:0:1:1:1:1:1')).toBe('2001:db8:0:1:1:1:1:1'); // §4.2.2: one zero group stays
    expect(f('2001:0:0:1:0:0:0:1')).toBe('2001:0:0:1::1'); // §4.2.3: the longest run
    expect(f('2001:db8:0:0:1:0:0:1')).toBe('2001:db8::1:0:0:1'); // §4.2.3: the first of equal runs
    expect(f('::')).toBe('::');
    expect(f('1::')).toBe('1::');
  });
});

describe('RRSIG times (RFC 4034 §3.2)', () => {
  it('reads YYYYMMDDHHmmSS and plain seconds', () => {
    expect(parseSigTime('20380119031407')).toBe(0x7fffffff);
    expect(parseSigTime('19700101000000')).toBe(0);
    expect(parseSigTime('1700000000')).toBe(1700000000);
    expect(parseSigTime('4294967295')).toBe(4294967295);
    expect(parseSigTime('21060207062816')).toBe(0); // past 2^32 seconds wraps (serial arithmetic)
  });
  it('rejects impossible dates', () => {
    for (const bad of ['20250230000000', '20251301000000', '20250101240000', '19691231235959', '2025010100000x', '4294967296']) expect(parseSigTime(bad), bad).toBeUndefined();
  });
  it('prints the date in 1970..2106', () => {
    expect(formatSigTime(0)).toBe('19700101000000');
    expect(formatSigTime(0xffffffff)).toBe('21060207062815');
  });
});

describe('tokens and escapes', () => {
  it('tokenizeRdata groups parentheses, drops comments and keeps positions', () => {
    const r = tokenizeRdata('a ( b\n  "c d" ) ; note\n e');
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.value).toEqual([
      { text: 'a', quoted: false, line: 1, column: 1 },
      { text: 'b', quoted: false, line: 1, column: 5 },
      { text: 'c d', quoted: true, line: 2, column: 3 },
      { text: 'e', quoted: false, line: 3, column: 2 },
    ]);
    // A quote opening inside a bare token runs to its close (the RFC 9460 key="v w" shape).
    const s = tokenizeRdata('alpn="h2 h3" port=1');
    expect(s.ok && s.value.map((t) => t.text)).toEqual(['alpn="h2 h3"', 'port=1']);
  });
  it('decodeEscaped and encodeEscaped are inverse on every octet', () => {
    const all = Uint8Array.from({ length: 256 }, (_, i) => i);
    const text = encodeEscaped(all);
    const back = decodeEscaped(text);
    expect(back.ok && hex(back.value)).toBe(hex(all));
    expect(encodeEscaped(Uint8Array.of(0x22, 0x5c, 0x41, 0x7f))).toBe('\\"\\\\A\\127');
  });
  it('the plain-name fast path agrees with parseName on names, wire octets and failures', () => {
    let seed = 11;
    const rnd = (): number => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return (seed >>> 8) / 16777216;
    };
    const alphabet = ['a', 'b', 'Z', '0', '-', '_', '*', '.', '.', '@', '$', '"', '\\', '\\.', '\\065', '\\255', '\u0001', '\u007f', 'x'.repeat(30)];
    const origins = [undefined, nameFromTrusted('.'), nameFromTrusted('Example.COM.'), nameFromTrusted(`${'o'.repeat(60)}.${'p'.repeat(60)}.${'q'.repeat(60)}.`)];
    for (let i = 0; i < 5000; i++) {
      const text = Array.from({ length: 1 + Math.floor(rnd() * 12) }, () => alphabet[Math.floor(rnd() * alphabet.length)]).join('');
      const origin = origins[i % origins.length];
      const want = parseName(text, origin);
      const got = nameFromText(text, origin);
      expect(got.ok, `${JSON.stringify(text)} under ${origin}`).toBe(want.ok);
      if (!want.ok || !got.ok) continue;
      expect(got.value).toBe(want.value);
      const wire = parseRdataTokens(RRType.NS, [{ text, quoted: false }], origin ?? nameFromTrusted('.'));
      if (origin !== undefined) expect(wire.ok && hex(wire.value), JSON.stringify(text)).toBe(hex(nameToWire(want.value)));
    }
  });

  it('nameFromText takes UTF-8 octets for non-ASCII characters and escapes them', () => {
    const r = nameFromText('café', nameFromTrusted('example.'));
    expect(r.ok && r.value).toBe('caf\\195\\169.example.');
    const e = nameFromText('', undefined);
    expect(e.ok).toBe(false);
  });
});
