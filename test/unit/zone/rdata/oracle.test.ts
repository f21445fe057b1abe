// dns-packet as an independent oracle: for every type it encodes, our presentation parser must
// produce the RDATA octets dns-packet writes for the same fields (its record(type).encode, and
// a whole packet read back through our wire decoder), and dns-packet must decode our octets to
// the same fields. A seeded random sweep covers many values of the common types.
import dnsPacket from 'dns-packet';
import { describe, expect, it } from 'vitest';
import { decodeMessage, nameFromTrusted, typeFromString } from '../../../../src/wire/index.js';
import { formatRdata, parseRdataText } from '../../../../src/zone/rdata/index.js';

const origin = nameFromTrusted('example.com.');
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

interface RecordCodec {
  encode(data: unknown): Buffer;
  decode(buf: Buffer, offset?: number): unknown;
}
/** dns-packet's per-type codec (exported at runtime, absent from @types/dns-packet). */
const codec = (type: string): RecordCodec => (dnsPacket as unknown as { record(t: string): RecordCodec }).record(type);

/** oracle returns dns-packet's RDATA octets for `data` (its encoder writes RDLENGTH first). */
const oracle = (type: string, data: unknown): string => hex(codec(type).encode(data).subarray(2));

function ours(type: string, text: string): Uint8Array {
  const r = parseRdataText(typeFromString(type)!, text, origin);
  if (!r.ok) throw new Error(`${type} "${text}": ${r.error}`);
  return r.value;
}

const b = (h: string): Buffer => Buffer.from(h, 'hex');
const b64 = (s: string): Buffer => Buffer.from(s, 'base64');

/** [type, our presentation text, the dns-packet data for the same RDATA]. */
const TABLE: readonly (readonly [string, string, unknown])[] = [
  ['A', '192.0.2.1', '192.0.2.1'],
  ['A', '255.255.255.255', '255.255.255.255'],
  ['AAAA', '2001:db8::1', '2001:db8::1'],
  ['AAAA', '::ffff:192.0.2.1', '::ffff:192.0.2.1'],
  ['AAAA', 'fe80:0:0:0:202:b3ff:fe1e:8329', 'fe80::202:b3ff:fe1e:8329'],
  ['NS', 'ns1', 'ns1.example.com'],
  ['CNAME', 'Target.Example.NET.', 'Target.Example.NET'],
  ['DNAME', 'example.net.', 'example.net'],
  ['PTR', '@', 'example.com'],
  ['MX', '10 mail', { preference: 10, exchange: 'mail.example.com' }],
  ['MX', '0 .', { preference: 0, exchange: '.' }],
  [
    'SOA',
    'ns1 hostmaster ( 2024010101 1h 15m 1w 300 )',
    { mname: 'ns1.example.com', rname: 'hostmaster.example.com', serial: 2024010101, refresh: 3600, retry: 900, expire: 604800, minimum: 300 },
  ],
  ['TXT', '"v=spf1 -all" "second string"', [Buffer.from('v=spf1 -all'), Buffer.from('second string')]],
  ['TXT', `"${'a'.repeat(255)}" "${'b'.repeat(100)}"`, [Buffer.from('a'.repeat(255)), Buffer.from('b'.repeat(100))]],
  ['TXT', '"q\\"b\\\\s\\000\\255"', [b('7122625c7300ff')]],
  ['TXT', '""', [Buffer.alloc(0)]],
  ['HINFO', '"Intel x86" Linux', { cpu: 'Intel x86', os: 'Linux' }],
  ['RP', 'admin.example.com. txt', { mbox: 'admin.example.com', txt: 'txt.example.com' }],
  ['SRV', '10 60 5060 sip.example.com.', { priority: 10, weight: 60, port: 5060, target: 'sip.example.com' }],
  [
    'NAPTR',
    '100 10 "U" "E2U+sip" "!^.*$!sip:info@example.com!" .',
    { order: 100, preference: 10, flags: 'U', services: 'E2U+sip', regexp: '!^.*$!sip:info@example.com!', replacement: '.' },
  ],
  ['CAA', '0 issue "letsencrypt.org"', { flags: 0, tag: 'issue', value: 'letsencrypt.org' }],
  ['CAA', '128 iodef "mailto:sec@example.com"', { flags: 128, tag: 'iodef', value: 'mailto:sec@example.com' }],
  ['SSHFP', '1 1 0123456789ABCDEF0123456789ABCDEF01234567', { algorithm: 1, hash: 1, fingerprint: '0123456789ABCDEF0123456789ABCDEF01234567' }],
  [
    'SSHFP',
    '4 2 123456789abcdef67890123456789abcdef67890123456789abcdef123456789',
    { algorithm: 4, hash: 2, fingerprint: '123456789abcdef67890123456789abcdef67890123456789abcdef123456789' },
  ],
  ['TLSA', '3 1 1 0C72AC70B745AC19998811B131D662C9', { usage: 3, selector: 1, matchingType: 1, certificate: b('0C72AC70B745AC19998811B131D662C9') }],
  ['DS', '60485 5 1 2BB183AF5F22588179A53B0A98631FAD1A292118', { keyTag: 60485, algorithm: 5, digestType: 1, digest: b('2BB183AF5F22588179A53B0A98631FAD1A292118') }],
  ['DS', '1 RSASHA256 2 00FF', { keyTag: 1, algorithm: 8, digestType: 2, digest: b('00FF') }],
  [
    'DNSKEY',
    '257 3 13 mdsswUyr3DPW132mOi8V9xESWE8jTo0dxCjjnopKl+GqJxpVXckHAeF+ KkxLbxILfDLUT0rAK9iUzy1L53eKGQ==',
    { flags: 257, algorithm: 13, key: b64('mdsswUyr3DPW132mOi8V9xESWE8jTo0dxCjjnopKl+GqJxpVXckHAeF+KkxLbxILfDLUT0rAK9iUzy1L53eKGQ==') },
  ],
  [
    'RRSIG',
    'A 13 3 3600 20250101000000 20241201000000 12345 example.com. dGVzdA==',
    { typeCovered: 'A', algorithm: 13, labels: 3, originalTTL: 3600, expiration: 1735689600, inception: 1733011200, keyTag: 12345, signersName: 'example.com', signature: b64('dGVzdA==') },
  ],
  // dns-packet's bitmap knows mnemonics only (TYPEnnn becomes 0), so these rows use mnemonics.
  ['NSEC', 'host.example.com. A MX RRSIG NSEC', { nextDomain: 'host.example.com', rrtypes: ['A', 'MX', 'RRSIG', 'NSEC'] }],
  ['NSEC', 'a.example.com. CAA DLV NS TA SPF', { nextDomain: 'a.example.com', rrtypes: ['NS', 'SPF', 'CAA', 'TA', 'DLV'] }],
  [
    'NSEC3',
    '1 1 12 AABBCCDD 2T7B4G4VSA5SMI47K61MV5BV1A22BOJR NS SOA RRSIG DNSKEY NSEC3PARAM',
    {
      algorithm: 1, flags: 1, iterations: 12, salt: b('AABBCCDD'),
      nextDomain: b('174eb2409fe28bcb4887a1836f957f0a8425e27b'), // base32hex 2T7B4G4V... decoded by hand
      rrtypes: ['NS', 'SOA', 'RRSIG', 'DNSKEY', 'NSEC3PARAM'],
    },
  ],
  ['NULL', '\\# 4 DEADBEEF', b('DEADBEEF')],
];

describe('dns-packet record(type).encode agrees with our parser', () => {
  it.each(TABLE.map(([t, text, data], i) => ({ name: `${i} ${t} ${text.slice(0, 40)}`, t, text, data })))('$name', ({ t, text, data }) => {
    expect(hex(ours(t, text))).toBe(oracle(t, data));
  });
});

describe('dns-packet decodes our octets to the same fields', () => {
  it('MX, SOA, SRV, CAA, DS, NSEC, RRSIG', () => {
    const dec = (t: string, text: string): unknown => {
      const w = ours(t, text);
      const framed = Buffer.concat([Buffer.of(w.length >> 8, w.length & 255), Buffer.from(w)]);
      return codec(t).decode(framed, 0);
    };
    expect(dec('MX', '10 mail')).toEqual({ preference: 10, exchange: 'mail.example.com' });
    expect(dec('SOA', 'a. b. 1 2 3 4 5')).toEqual({ mname: 'a', rname: 'b', serial: 1, refresh: 2, retry: 3, expire: 4, minimum: 5 });
    expect(dec('SRV', '1 2 3 t.')).toEqual({ priority: 1, weight: 2, port: 3, target: 't' });
    expect(dec('CAA', '128 issue "ca.example"')).toEqual({ flags: 128, tag: 'issue', value: 'ca.example', issuerCritical: true });
    expect(dec('DS', '1 8 2 ABCD')).toEqual({ keyTag: 1, algorithm: 8, digestType: 2, digest: b('ABCD') });
    expect(dec('NSEC', 'n. A AAAA RRSIG')).toEqual({ nextDomain: 'n', rrtypes: ['A', 'AAAA', 'RRSIG'] });
    expect(dec('RRSIG', 'SOA 8 2 60 20380119031407 20240101000000 7 example.com. AQID')).toMatchObject({
      typeCovered: 'SOA', algorithm: 8, labels: 2, originalTTL: 60, expiration: 0x7fffffff, inception: 1704067200, keyTag: 7, signersName: 'example.com',
    });
  });
});

describe('a whole dns-packet message read back through our decoder', () => {
  it('carries the same RDATA octets for each type', () => {
    const rows = TABLE.filter(([t]) => t !== 'NULL');
    const answers = rows.map(([t, , data]) => ({ type: t, name: 'x.example.com', ttl: 60, class: 'IN', data }));
    const buf = dnsPacket.encode({ type: 'response', id: 1, flags: 0, answers } as unknown as dnsPacket.Packet);
    const m = decodeMessage(buf);
    expect(m.ok).toBe(true);
    if (!m.ok) return;
    expect(m.value.answers.map((rr) => hex(rr.rdata))).toEqual(rows.map(([t, text]) => hex(ours(t, text))));
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

describe('seeded random sweep against dns-packet', () => {
  const r = rng(0x5eed);
  const int = (max: number): number => Math.floor(r() * (max + 1));
  const label = (): string => Array.from({ length: 1 + int(10) }, () => 'abcdefghijklmnopqrstuvwxyz0123456789-'[int(36)]).join('').replace(/^-|-$/g, 'x');
  const host = (): string => Array.from({ length: 1 + int(3) }, label).join('.');
  const ascii = (n: number): string => Array.from({ length: n }, () => String.fromCharCode(0x20 + int(0x5e))).join('');
  const quote = (s: string): string => `"${s.replace(/[\\"]/g, (c) => '\\' + c)}"`;

  it('A, AAAA, MX, SRV, TXT, CAA, SOA: 300 values each give the same octets', () => {
    for (let i = 0; i < 300; i++) {
      const ip4 = [int(255), int(255), int(255), int(255)].join('.');
      expect(hex(ours('A', ip4))).toBe(oracle('A', ip4));
      const groups = Array.from({ length: 8 }, () => (r() < 0.4 ? 0 : int(0xffff)).toString(16));
      const ip6 = groups.join(':');
      expect(hex(ours('AAAA', ip6))).toBe(oracle('AAAA', ip6));
      const h = host();
      const pref = int(0xffff);
      expect(hex(ours('MX', `${pref} ${h}`))).toBe(oracle('MX', { preference: pref, exchange: `${h}.example.com` }));
      const srv = [int(0xffff), int(0xffff), int(0xffff)];
      expect(hex(ours('SRV', `${srv.join(' ')} ${h}.`))).toBe(oracle('SRV', { priority: srv[0], weight: srv[1], port: srv[2], target: h }));
      const strings = Array.from({ length: 1 + int(3) }, () => ascii(int(255)));
      expect(hex(ours('TXT', strings.map(quote).join(' ')))).toBe(oracle('TXT', strings.map((s) => Buffer.from(s))));
      const value = ascii(int(80));
      const tag = (['issue', 'issuewild', 'iodef'] as const)[int(2)]!;
      const flags = int(1) * 128;
      expect(hex(ours('CAA', `${flags} ${tag} ${quote(value)}`))).toBe(oracle('CAA', { flags, tag, value }));
      const t = [int(0xffffffff), int(0xffffffff), int(0xffffffff), int(0xffffffff), int(0xffffffff)];
      expect(hex(ours('SOA', `${h} r.${h} ${t.join(' ')}`))).toBe(
        oracle('SOA', { mname: `${h}.example.com`, rname: `r.${h}.example.com`, serial: t[0], refresh: t[1], retry: t[2], expire: t[3], minimum: t[4] }),
      );
    }
  });

  it('formatRdata output of those values reloads to the same octets', () => {
    for (let i = 0; i < 200; i++) {
      const text = `${int(0xffff)} ${int(0xffff)} ${int(0xffff)} ${host()}`;
      const w = ours('SRV', text);
      expect(hex(ours('SRV', formatRdata(33, w)))).toBe(hex(w));
    }
  });
});
