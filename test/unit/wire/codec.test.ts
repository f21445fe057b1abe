import dnsPacket from 'dns-packet';
import { describe, expect, it } from 'vitest';
import {
  Flag, MessageWriter, RRClass, RRType, Section, decodeMessage, nameFromTrusted, nameToWire,
  type DomainName, type ResourceRecord,
} from '../../../src/wire/index.js';

const n = (s: string): DomainName => nameFromTrusted(s);
const a = (name: string, ip: string, ttl = 300): ResourceRecord => ({
  name: n(name), type: RRType.A, class: RRClass.IN, ttl, rdata: Uint8Array.from(ip.split('.').map(Number)),
});
const nsRdata = (target: string) => nameToWire(n(target));
const mxRdata = (pref: number, target: string) => Uint8Array.from([pref >> 8, pref & 255, ...nameToWire(n(target))]);

function buildResponse(records: ResourceRecord[], compress = true): Buffer {
  const w = new MessageWriter(65535, { compress });
  w.header(0x1234, Flag.QR | Flag.AA);
  w.question(n('www.example.com.'), RRType.A, RRClass.IN);
  for (const rr of records) expect(w.record(Section.Answer, rr)).toBe(true);
  return w.finish();
}

describe('MessageWriter + decodeMessage', () => {
  const records: ResourceRecord[] = [
    a('www.example.com.', '192.0.2.1'),
    a('WWW.Example.com.', '192.0.2.2'),
    { name: n('example.com.'), type: RRType.NS, class: RRClass.IN, ttl: 3600, rdata: nsRdata('ns1.example.com.') },
    { name: n('example.com.'), type: RRType.MX, class: RRClass.IN, ttl: 3600, rdata: mxRdata(10, 'mail.example.com.') },
    { name: n('x.example.com.'), type: 65534, class: RRClass.IN, ttl: 60, rdata: Uint8Array.from([1, 2, 3, 4, 5]) },
  ];

  it('round-trips records octet-exactly, compressed', () => {
    const buf = buildResponse(records);
    const r = decodeMessage(buf);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.header.id).toBe(0x1234);
    expect(r.value.questions[0]?.name).toBe('www.example.com.');
    expect(r.value.answers.map((x) => [x.name, x.type, x.ttl, Buffer.from(x.rdata).toString('hex')])).toEqual(
      records.map((x) => [x.name, x.type, x.ttl, Buffer.from(x.rdata).toString('hex')]),
    );
  });

  it('compression makes the message smaller than dns-packet writes it and dns-packet decodes it', () => {
    const ours = buildResponse(records);
    const plain = buildResponse(records, false);
    expect(ours.length).toBeLessThan(plain.length);
    const decoded = dnsPacket.decode(ours);
    expect(decoded.answers?.map((x) => x.name)).toEqual(['www.example.com', 'WWW.Example.com', 'example.com', 'example.com', 'x.example.com']);
    const mx = decoded.answers?.[3] as { data: { exchange: string; preference: number } };
    expect(mx.data).toEqual({ preference: 10, exchange: 'mail.example.com' });
  });

  it('decodes what dns-packet encodes', () => {
    const buf = dnsPacket.encode({
      type: 'response', id: 7, flags: dnsPacket.AUTHORITATIVE_ANSWER,
      questions: [{ type: 'SOA', name: 'example.org' }],
      answers: [{ type: 'SOA', name: 'example.org', ttl: 100, data: { mname: 'ns.example.org', rname: 'host.example.org', serial: 2024010101, refresh: 1, retry: 2, expire: 3, minimum: 4 } }],
    });
    const r = decodeMessage(buf);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const soa = r.value.answers[0]!;
    expect(soa.type).toBe(RRType.SOA);
    expect(Buffer.from(soa.rdata.subarray(0, 16)).toString('hex')).toBe(Buffer.from(nameToWire(n('ns.example.org.'))).toString('hex'));
  });

  it('keeps owner-name case as received and escapes special octets', () => {
    const w = new MessageWriter(512);
    w.header(1, Flag.QR);
    w.question(n('a\\.b.Example.COM.'), RRType.TXT, RRClass.IN);
    const r = decodeMessage(w.finish());
    expect(r.ok && r.value.questions[0]?.name).toBe('a\\.b.Example.COM.');
  });

  it('rolls back a record that does not fit and reports false', () => {
    const w = new MessageWriter(60);
    w.header(1, Flag.QR);
    w.question(n('www.example.com.'), RRType.A, RRClass.IN);
    expect(w.record(Section.Answer, a('www.example.com.', '192.0.2.1'))).toBe(true);
    expect(w.record(Section.Answer, a('long-name-that-will-not-fit.example.com.', '192.0.2.2'))).toBe(false);
    const r = decodeMessage(w.finish());
    expect(r.ok && r.value.answers.length).toBe(1);
  });

  it('lifts OPT into edns and keeps TSIG apart with its offset', () => {
    const w = new MessageWriter(4096);
    w.header(9, 0);
    w.question(n('example.com.'), RRType.SOA, RRClass.IN);
    w.opt({ udpSize: 1232, extendedRcode: 0, version: 0, flags: 0x8000, options: [] });
    const r = decodeMessage(w.finish());
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.edns).toMatchObject({ udpSize: 1232, version: 0, flags: 0x8000 });
    expect(r.value.additionals).toHaveLength(0);
  });
});

describe('decodeMessage on malformed input', () => {
  const query = (): Buffer => {
    const w = new MessageWriter(512);
    w.header(1, 0);
    w.question(n('www.example.com.'), RRType.A, RRClass.IN);
    return w.finish();
  };

  it('short header', () => {
    expect(decodeMessage(Buffer.alloc(5))).toMatchObject({ ok: false, error: { reason: 'short-header' } });
  });
  it('count that lies', () => {
    const b = query();
    b.writeUInt16BE(2, 4);
    expect(decodeMessage(b)).toMatchObject({ ok: false, error: { reason: 'truncated' } });
  });
  it('pointer loop', () => {
    const b = Buffer.concat([query().subarray(0, 12), Buffer.from([0xc0, 12, 0, 1, 0, 1])]);
    expect(decodeMessage(b)).toMatchObject({ ok: false, error: { reason: 'pointer-loop' } });
  });
  it('forward pointer', () => {
    const b = Buffer.concat([query().subarray(0, 12), Buffer.from([0xc0, 20, 0, 1, 0, 1, 0, 0, 0])]);
    expect(decodeMessage(b)).toMatchObject({ ok: false, error: { reason: 'bad-pointer' } });
  });
  it('name over 255 octets', () => {
    const labels: number[] = [];
    for (let i = 0; i < 5; i++) labels.push(63, ...Array(63).fill(0x61));
    const b = Buffer.concat([query().subarray(0, 12), Buffer.from([...labels, 0, 0, 1, 0, 1])]);
    expect(decodeMessage(b)).toMatchObject({ ok: false, error: { reason: 'name-too-long' } });
  });
  it('truncated RDATA', () => {
    const w = new MessageWriter(512);
    w.header(1, Flag.QR);
    w.record(Section.Answer, a('x.example.', '1.2.3.4'));
    const b = w.finish();
    expect(decodeMessage(b.subarray(0, b.length - 2))).toMatchObject({ ok: false, error: { reason: 'truncated' } });
  });
  it('A record with the wrong RDATA length', () => {
    const w = new MessageWriter(512);
    w.header(1, Flag.QR);
    w.record(Section.Answer, { ...a('x.example.', '1.2.3.4'), rdata: Uint8Array.of(1, 2, 3) });
    expect(decodeMessage(w.finish())).toMatchObject({ ok: false, error: { reason: 'bad-rdata' } });
  });
  it('reserved label type', () => {
    const b = Buffer.concat([query().subarray(0, 12), Buffer.from([0x41, 0, 0, 1, 0, 1])]);
    expect(decodeMessage(b)).toMatchObject({ ok: false, error: { reason: 'bad-label-type' } });
  });
  it('trailing bytes', () => {
    expect(decodeMessage(Buffer.concat([query(), Buffer.from([0])]))).toMatchObject({ ok: false, error: { reason: 'trailing-bytes' } });
  });
  it('two OPT records', () => {
    const w = new MessageWriter(512);
    w.header(1, 0);
    w.opt({ udpSize: 512, extendedRcode: 0, version: 0, flags: 0, options: [] });
    w.opt({ udpSize: 512, extendedRcode: 0, version: 0, flags: 0, options: [] });
    expect(decodeMessage(w.finish())).toMatchObject({ ok: false, error: { reason: 'bad-opt' } });
  });
  it('never throws on random input', () => {
    let seed = 42;
    const rand = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
    const base = query();
    for (let i = 0; i < 20000; i++) {
      const b = Buffer.from(base);
      const flips = 1 + Math.floor(rand() * 4);
      for (let f = 0; f < flips; f++) b[Math.floor(rand() * b.length)] = Math.floor(rand() * 256);
      const cut = rand() < 0.3 ? b.subarray(0, Math.floor(rand() * b.length)) : b;
      expect(() => decodeMessage(cut)).not.toThrow();
    }
  });
});
