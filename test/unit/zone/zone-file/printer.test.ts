// printZoneFile: the printed text reloads to the very same records (names with their case and
// escapes, every RDATA type, malformed RDATA of known types, other classes), in both the portable
// and the plain spelling; plus the layout promises (apex SOA first, explicit TTL and class).
import { describe, expect, it } from 'vitest';
import { type DomainName, RRClass, RRType, type ResourceRecord, labelsToName, nameFromTrusted, typeFromString } from '../../../../src/wire/index.js';
import { parseRdataText } from '../../../../src/zone/rdata/index.js';
import { formatRecordLine, printZoneFile } from '../../../../src/zone/zone-file/index.js';
import { CASES, ORIGIN_TEXT } from '../rdata/cases.js';
import { exact, parseOk } from './helpers.js';

const origin = nameFromTrusted(ORIGIN_TEXT);
const n = (s: string): DomainName => nameFromTrusted(s);
const h = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s, 'hex'));

function rr(name: string, type: number, rdataText: string, ttl = 300, cls: number = RRClass.IN): ResourceRecord {
  const r = parseRdataText(type, rdataText, origin);
  if (!r.ok) throw new Error(r.error);
  return { name: n(name), type, class: cls, ttl, rdata: r.value };
}

/** reprint prints and reparses, expecting the same records with the first apex SOA moved first. */
function reprint(records: readonly ResourceRecord[], portable?: boolean): string {
  const text = printZoneFile(origin, records, portable === undefined ? {} : { portable });
  const back = parseOk(text);
  const soa = records.findIndex((r) => r.type === RRType.SOA && r.name.toLowerCase() === origin);
  const want = soa < 0 ? [...records] : [records[soa]!, ...records.filter((_, i) => i !== soa)];
  expect(exact(back.records)).toEqual(exact(want));
  expect(back.origin).toBe(origin);
  return text;
}

const SOA = rr('example.com.', RRType.SOA, 'ns1 hostmaster 2024010101 7200 900 1209600 300', 3600);

describe('printZoneFile', () => {
  it('writes $ORIGIN, $TTL, the apex SOA first and one explicit line per record', () => {
    const text = reprint([rr('www.example.com.', RRType.A, '192.0.2.1'), SOA, rr('example.com.', RRType.NS, 'ns1')]);
    expect(text).toBe(
      [
        '$ORIGIN example.com.',
        '$TTL 3600',
        '@\t3600\tIN\tSOA\tns1.example.com. hostmaster.example.com. 2024010101 7200 900 1209600 300',
        'www\t300\tIN\tA\t192.0.2.1',
        '@\t300\tIN\tNS\tns1.example.com.',
        '',
      ].join('\n'),
    );
  });

  it('reloads every type of the case table, portable or not', () => {
    const records = [SOA, ...CASES.map(([t, text], i) => rr(`r${i}.example.com.`, typeFromString(t)!, text, i))];
    const portable = reprint(records);
    reprint(records, false);
    // Types Knot DNS 3.2 lacks by name print generically; SVCB keys above 6 print as keyNNNNN.
    expect(portable).toMatch(/\tTYPE26\t\\# /);
    expect(portable).toMatch(/\tTYPE32768\t\\# /);
    expect(portable).not.toMatch(/\tPX\t|\tTA\t|\tDLV\t|dohpath|ohttp/);
    expect(portable).toMatch(/\tTYPE10\t\\# 4 DEADBEEF/);
    expect(portable).toMatch(/\tTYPE65534\t\\# 5 0102030405/);
    const plain = printZoneFile(origin, records, { portable: false });
    expect(plain).toMatch(/\tPX\t10 /);
    expect(plain).toMatch(/dohpath="/);
  });

  it('keeps owner case and escapes, and writes names outside the origin absolute', () => {
    reprint([
      SOA,
      rr('WWW.Example.COM.', RRType.A, '192.0.2.1'),
      rr('www.EXAMPLE.com.', RRType.A, '192.0.2.2'),
      rr('a\\.b.example.com.', RRType.A, '192.0.2.3'),
      rr('x.a\\.example.com.', RRType.A, '192.0.2.4'),
      rr('\\@.example.com.', RRType.A, '192.0.2.5'),
      rr('\\$ttl.example.com.', RRType.A, '192.0.2.6'),
      rr('\\;x\\(\\)\\".example.com.', RRType.A, '192.0.2.7'),
      rr('\\000\\255\\032.example.com.', RRType.A, '192.0.2.8'),
      rr('*.wild.example.com.', RRType.A, '192.0.2.9'),
      rr('other.example.net.', RRType.A, '192.0.2.10'),
      rr('notexample.com.', RRType.A, '192.0.2.11'),
      rr('.', RRType.TXT, '"root"'),
      rr('123.example.com.', RRType.A, '192.0.2.12'),
      rr('in.example.com.', RRType.A, '192.0.2.13'),
      rr('a.example.com.', RRType.TXT, '"keep" "two"'),
    ]);
    const line = formatRecordLine(origin, rr('WWW.Example.COM.', RRType.A, '192.0.2.1'));
    expect(line).toBe('WWW.Example.COM.\t300\tIN\tA\t192.0.2.1');
  });

  it('reloads other classes and malformed RDATA of known types in the generic form', () => {
    const text = reprint([
      SOA,
      { name: n('ch.example.com.'), type: RRType.TXT, class: RRClass.CH, ttl: 0, rdata: h('0178') },
      { name: n('c9.example.com.'), type: RRType.TXT, class: 9, ttl: 1, rdata: h('0178') },
      { name: n('bad.example.com.'), type: RRType.MX, class: RRClass.IN, ttl: 2, rdata: h('000a') },
      { name: n('bad.example.com.'), type: RRType.TXT, class: RRClass.IN, ttl: 2, rdata: new Uint8Array(0) },
      { name: n('bad.example.com.'), type: RRType.HTTPS, class: RRClass.IN, ttl: 2, rdata: h('00010000030001ff') },
      { name: n('max.example.com.'), type: RRType.A, class: RRClass.IN, ttl: 0xffffffff, rdata: h('c0000201') },
    ]);
    expect(text).toMatch(/^ch\t0\tCH\tTXT\t"x"$/m);
    expect(text).toMatch(/^c9\t1\tCLASS9\tTXT\t"x"$/m);
    expect(text).toMatch(/^bad\t2\tIN\tTYPE15\t\\# 2 000A$/m);
  });

  it('writes a zone without an SOA with no $TTL (every line has its TTL)', () => {
    const text = reprint([rr('a.example.com.', RRType.A, '192.0.2.1', 5)]);
    expect(text).not.toMatch(/\$TTL/);
  });

  it('reloads random records: random owners, types and octets', () => {
    let seed = 2024;
    const rnd = (): number => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return (seed >>> 8) / 16777216;
    };
    const int = (max: number): number => Math.floor(rnd() * (max + 1));
    const types = [RRType.A, RRType.NS, RRType.MX, RRType.TXT, RRType.SRV, RRType.CAA, RRType.SVCB, RRType.NSEC, RRType.LOC, RRType.APL, RRType.DS, 65534, RRType.NULL, RRType.HINFO];
    const records: ResourceRecord[] = [SOA];
    for (let i = 0; i < 2000; i++) {
      const labels = Array.from({ length: int(3) }, () => Uint8Array.from({ length: 1 + int(6) }, () => (rnd() < 0.7 ? 0x61 + int(25) : int(255))));
      const owner = rnd() < 0.5 ? labelsToName([...labels, h('6578616d706c65'), h('636f6d')]) : labelsToName(labels);
      const type = types[int(types.length - 1)]!;
      const rdata =
        type === RRType.A
          ? Uint8Array.from({ length: 4 }, () => int(255))
          : Uint8Array.from({ length: int(24) }, () => (rnd() < 0.5 ? int(9) : int(255)));
      records.push({ name: owner, type, class: RRClass.IN, ttl: int(0xffffffff), rdata });
    }
    reprint(records);
    reprint(records, false);
  });
});
