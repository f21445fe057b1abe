// The zone fixtures in fixtures/zones: each parses, prints and reparses to identical records;
// their content is what the file says it is (delegation, glue, wildcard, empty non-terminal, every
// type, valid Ed25519 signatures); the generator is deterministic and made big10k. Parse time of
// big10k and of a generated 100k-record zone is logged, not asserted (STYLE.md: no wall-clock
// assertions in tests).
import { verify, createPublicKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { type DomainName, RRType, type ResourceRecord, nameToWire, typeFromString, typeToString } from '../../../../src/wire/index.js';
import { SCHEMA } from '../../../../src/zone/rdata/schema.js';
import { type ParsedZone, printZoneFile } from '../../../../src/zone/zone-file/index.js';
import { exact, parseOk, show } from './helpers.js';

const DIR = resolve(fileURLToPath(new URL('../../../../fixtures/zones', import.meta.url)));
const FIXTURES = ['example.com.zone', 'dnssec.example.zone', 'types.example.zone', 'big10k.example.zone'] as const;
const read = (f: string): string => readFileSync(join(DIR, f), 'utf8');

interface Generator {
  generateZone(opts: { origin?: string; records?: number; seed?: number }): string;
}
const generator = (await import(pathToFileURL(join(DIR, 'generate.mjs')).href)) as Generator;
const signer = (await import(pathToFileURL(join(DIR, 'sign-dnssec.mjs')).href)) as { renderZone(): string };

const zones = new Map<string, ParsedZone>(FIXTURES.map((f) => [f, parseOk(read(f), { fileName: f })]));
const zone = (f: (typeof FIXTURES)[number]): ParsedZone => zones.get(f)!;
const at = (z: ParsedZone, name: string, type?: string): ResourceRecord[] =>
  z.records.filter((r) => r.name === name && (type === undefined || r.type === typeFromString(type)));

describe.each(FIXTURES)('%s', (f) => {
  it('parses, prints and reparses to identical records', () => {
    const z = zone(f);
    expect(z.records.length).toBeGreaterThan(0);
    const text = printZoneFile(z.origin, z.records);
    const back = parseOk(text, { fileName: `${f} (printed)` });
    const soa = z.records.findIndex((r) => r.type === RRType.SOA);
    expect(soa).toBe(0);
    expect(exact(back.records)).toEqual(exact(z.records));
    expect(back.origin).toBe(z.origin);
    // Printing is a fixed point after one round.
    expect(printZoneFile(back.origin, back.records)).toBe(text);
  });

  it('has one SOA at the apex and one TTL per RRset (so BIND and Knot load the same records)', () => {
    const z = zone(f);
    expect(z.records.filter((r) => r.type === RRType.SOA).map((r) => r.name)).toEqual([z.origin]);
    const ttl = new Map<string, number>();
    const seen = new Set<string>();
    for (const r of z.records) {
      // RRSIGs form one set per covered type (RFC 4034 §3: each takes its RRset's TTL).
      const covered = r.type === RRType.RRSIG ? `/${(r.rdata[0]! << 8) | r.rdata[1]!}` : '';
      const k = `${r.name.toLowerCase()} ${r.class} ${r.type}${covered}`;
      expect(ttl.get(k) ?? r.ttl, `${show(r)}`).toBe(r.ttl);
      ttl.set(k, r.ttl);
      const id = `${k} ${Buffer.from(r.rdata).toString('hex')}`;
      expect(seen.has(id), `duplicate ${show(r)}`).toBe(false);
      seen.add(id);
    }
  });
});

describe('example.com.zone', () => {
  const z = zone('example.com.zone');
  it('is a small business zone: apex, glue, mail, web, services', () => {
    expect(z.origin).toBe('example.com.');
    expect(at(z, 'example.com.', 'NS').map(show)).toEqual(['example.com. 3600 IN NS ns1.example.com.', 'example.com. 3600 IN NS ns2.example.com.']);
    expect(at(z, 'ns1.example.com.').length).toBe(2);
    expect(at(z, 'ns2.example.com.').map((r) => typeToString(r.type))).toEqual(['A', 'AAAA']);
    expect(at(z, 'example.com.', 'MX')).toHaveLength(2);
    expect(at(z, 'www.example.com.', 'CNAME').map(show)).toEqual(['www.example.com. 3600 IN CNAME example.com.']);
    expect(at(z, 'example.com.', 'TXT').map(show)[0]).toMatch(/"v=spf1 mx /);
    expect(at(z, '_sip._tcp.example.com.', 'SRV')).toHaveLength(2);
    expect(at(z, 'example.com.', 'CAA')).toHaveLength(3);
    expect(at(z, 'mail.example.com.').map((r) => r.ttl)).toEqual([300, 300]);
  });
  it('has a DKIM key longer than one character-string, split into several', () => {
    const [dkim] = at(z, 'selector1._domainkey.example.com.', 'TXT');
    expect(dkim).toBeDefined();
    const strings: number[] = [];
    for (let i = 0; i < dkim!.rdata.length; i += 1 + dkim!.rdata[i]!) strings.push(dkim!.rdata[i]!);
    expect(strings.length).toBe(3);
    expect(strings.reduce((a, b) => a + b)).toBeGreaterThan(255);
  });
  it('has a delegation with glue, a wildcard and an empty non-terminal', () => {
    expect(at(z, 'sub.example.com.', 'NS')).toHaveLength(2);
    expect(at(z, 'ns1.sub.example.com.', 'A')).toHaveLength(1);
    expect(at(z, 'ns2.sub.example.com.')).toHaveLength(2);
    expect(at(z, '*.wild.example.com.').map((r) => typeToString(r.type))).toEqual(['A', 'TXT']);
    expect(at(z, 'a.b.example.com.', 'A')).toHaveLength(1);
    expect(at(z, 'b.example.com.')).toHaveLength(0);
  });
  it('decodes TXT escapes and UTF-8 octets', () => {
    expect(at(z, 'intranet.example.com.', 'TXT').map(show)).toEqual([
      'intranet.example.com. 3600 IN TXT "internal \\"staff\\" portal; ask it\\\\help \\226\\128\\148 thanks"',
    ]);
  });
});

describe('types.example.zone', () => {
  const z = zone('types.example.zone');
  it('holds every type with a presentation form, plus RFC 3597 generic types', () => {
    const have = new Set(z.records.map((r) => r.type));
    for (const t of SCHEMA.keys()) expect(have.has(t), typeToString(t)).toBe(true);
    for (const t of [RRType.NULL, 65534, 65280, RRType.SVCB, RRType.HTTPS]) expect(have.has(t), typeToString(t)).toBe(true);
  });
  it('reads the TYPEnnn form of PX, TA and DLV as those types', () => {
    expect(at(z, 'px.types.example.').map(show)).toEqual(['px.types.example. 3600 IN PX 10 map822.types.example. mapx400.types.example.']);
    expect(at(z, 'ta.types.example.').map(show)).toEqual(['ta.types.example. 3600 IN TA 60485 5 1 2BB183AF5F22588179A53B0A98631FAD1A292118']);
  });
});

describe('dnssec.example.zone', () => {
  const z = zone('dnssec.example.zone');
  it('has DNSKEY, RRSIG, NSEC, NSEC3PARAM, NSEC3 and a DS for the child', () => {
    for (const t of ['DNSKEY', 'RRSIG', 'NSEC', 'NSEC3PARAM', 'NSEC3']) expect(z.records.some((r) => r.type === typeFromString(t)), t).toBe(true);
    expect(at(z, 'child.dnssec.example.', 'DS')).toHaveLength(1);
    expect(at(z, 'child.dnssec.example.', 'NS')).toHaveLength(1);
    expect(at(z, 'ns1.child.dnssec.example.', 'A')).toHaveLength(1);
  });

  it('is what fixtures/zones/sign-dnssec.mjs writes, byte for byte', () => {
    expect(signer.renderZone()).toBe(read('dnssec.example.zone'));
  });

  it('carries Ed25519 signatures that verify over the RRsets we parsed (RFC 4034 §3.1.8.1, RFC 8080)', () => {
    const keys = new Map<number, ReturnType<typeof createPublicKey>>();
    for (const k of at(z, z.origin, 'DNSKEY')) {
      let ac = 0;
      for (let i = 0; i < k.rdata.length; i++) ac += i & 1 ? k.rdata[i]! : k.rdata[i]! << 8;
      const tag = (ac + ((ac >> 16) & 0xffff)) & 0xffff;
      const spki = Buffer.concat([Buffer.from('302a300506032b6570032100', 'hex'), k.rdata.subarray(4)]);
      keys.set(tag, createPublicKey({ key: spki, format: 'der', type: 'spki' }));
    }
    const sigs = z.records.filter((r) => r.type === RRType.RRSIG);
    expect(sigs.length).toBeGreaterThan(20);
    for (const sig of sigs) {
      const covered = (sig.rdata[0]! << 8) | sig.rdata[1]!;
      const tag = (sig.rdata[16]! << 8) | sig.rdata[17]!;
      const signer = nameToWire(z.origin);
      const head = sig.rdata.subarray(0, 18 + signer.length);
      const signature = sig.rdata.subarray(18 + signer.length);
      const owner = nameToWire(sig.name as DomainName);
      const set = z.records.filter((r) => r.name === sig.name && r.type === covered).map((r) => Buffer.from(r.rdata)).sort(Buffer.compare);
      const ttl = head.subarray(4, 8);
      const data = Buffer.concat([head, ...set.map((d) => Buffer.concat([owner, Buffer.of(covered >> 8, covered & 255, 0, 1), ttl, Buffer.of(d.length >> 8, d.length & 255), d]))]);
      const key = keys.get(tag);
      expect(key, `key ${tag}`).toBeDefined();
      expect(verify(null, data, key!, signature), `${show(sig).slice(0, 60)}`).toBe(true);
    }
  });
});

describe('fixtures/zones/generate.mjs', () => {
  it('wrote big10k.example.zone: same arguments, same text', () => {
    expect(generator.generateZone({ origin: 'big.example.', records: 10000 })).toBe(read('big10k.example.zone'));
    expect(generator.generateZone({ origin: 'big.example.', records: 10000, seed: 1 })).toBe(read('big10k.example.zone'));
  });
  it('makes exactly --records records of the promised types, and the seed changes them', () => {
    const z = parseOk(generator.generateZone({ origin: 'g.example.', records: 500, seed: 3 }));
    expect(z.records).toHaveLength(500);
    expect(new Set(z.records.map((r) => typeToString(r.type)))).toEqual(new Set(['SOA', 'NS', 'A', 'AAAA', 'TXT', 'MX', 'CNAME']));
    expect(generator.generateZone({ origin: 'g.example.', records: 500, seed: 4 })).not.toBe(generator.generateZone({ origin: 'g.example.', records: 500, seed: 3 }));
    expect(zone('big10k.example.zone').records).toHaveLength(10000);
  });
});

describe('parse speed (logged, not asserted)', () => {
  const time = (what: string, text: string, count: number): void => {
    parseOk(text); // warm up the JIT and the name caches the way a long-running server has them
    const t0 = performance.now();
    const z = parseOk(text);
    const ms = performance.now() - t0;
    expect(z.records).toHaveLength(count);
    console.log(`zone-file parse ${what}: ${count} records in ${ms.toFixed(0)} ms (${Math.round(count / (ms / 1000))} records/s)`);
  };
  it('big10k.example.zone', () => time('big10k.example.zone', read('big10k.example.zone'), 10000), 60_000);
  it('a generated 100k-record zone', () => time('generated 100k', generator.generateZone({ origin: 'big100k.example.', records: 100000, seed: 7 }), 100000), 120_000);
  it('printing the generated 100k-record zone', { timeout: 120_000 }, () => {
    const z = parseOk(generator.generateZone({ origin: 'big100k.example.', records: 100000, seed: 7 }));
    const t0 = performance.now();
    const text = printZoneFile(z.origin, z.records);
    console.log(`zone-file print generated 100k: ${(performance.now() - t0).toFixed(0)} ms, ${text.length} chars`);
  });
});
