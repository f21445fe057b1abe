import { describe, expect, it } from 'vitest';
import { XfrParser } from '../../../src/xfr/in/parser.js';
import { renderAxfr, renderIxfr } from '../../../src/xfr/out/render.js';
import { RRClass, RRType, nameKey, type ResourceRecord } from '../../../src/wire/index.js';
import { ZoneBuilder, applyDiff, computeDiff, type ZoneVersion, serial } from '../../../src/zone/index.js';
import { a, cname, n, ns, soa } from '../zone/helpers.js';

function build(records: ResourceRecord[]): ZoneVersion {
  const b = new ZoneBuilder(n('example.com.'));
  const r = b.addAll(records);
  if (!r.ok) throw new Error(JSON.stringify(r.error));
  const v = b.build();
  if (!v.ok) throw new Error(JSON.stringify(v.error));
  return v.value;
}
const sorted = (v: ZoneVersion) => [...v.records()].map((r) => `${nameKey(r.name)} ${r.type} ${r.ttl} ${Buffer.from(r.rdata).toString('hex')}`).sort();
const withId = (m: Buffer, id: number) => {
  const c = Buffer.from(m);
  c.writeUInt16BE(id, 0);
  return c;
};

function bigZone(count: number, s = 1): ZoneVersion {
  const recs: ResourceRecord[] = [soa('example.com.', s), ns('example.com.', 'ns1.example.com.'), a('ns1.example.com.', '192.0.2.1')];
  for (let i = 0; i < count; i++) recs.push(a(`h${i}.example.com.`, `10.0.${(i >> 8) & 255}.${i & 255}`));
  recs.push(cname('www.example.com.', 'h1.example.com.'));
  return build(recs);
}

describe('AXFR render → parse', () => {
  it('round-trips a multi-message zone exactly', () => {
    const v = bigZone(20000);
    const msgs = [...renderAxfr(v)].map((m) => withId(m.octets, 77));
    expect(msgs.length).toBeGreaterThan(3);
    const p = new XfrParser({ origin: v.origin, zoneClass: RRClass.IN, qtype: RRType.AXFR, id: 77 });
    msgs.forEach((m, i) => {
      const r = p.push(m);
      expect(r.ok).toBe(true);
      expect(r.ok && r.value.status).toBe(i === msgs.length - 1 ? 'done' : 'more');
    });
    const out = p.result();
    expect(out?.kind).toBe('full');
    if (out?.kind !== 'full') return;
    expect(sorted(out.version)).toEqual(sorted(v));
  });

  it('fails on a wrong ID, a record outside the zone, a final SOA that differs, and record limits', () => {
    const v = bigZone(10);
    const [m] = [...renderAxfr(v)].map((x) => withId(x.octets, 5));
    expect(new XfrParser({ origin: v.origin, zoneClass: 1, qtype: RRType.AXFR, id: 6 }).push(m!)).toMatchObject({ ok: false, error: { kind: 'malformed' } });
    const limited = new XfrParser({ origin: v.origin, zoneClass: 1, qtype: RRType.AXFR, id: 5, limits: { maxRecords: 5, maxBytes: 1e9 } });
    expect(limited.push(m!)).toMatchObject({ ok: false, error: { kind: 'too-large', limit: 'records' } });
    const other = build([soa('example.com.', 1), a('x.example.com.', '1.1.1.1')]);
    const foreign = new XfrParser({ origin: n('example.org.'), zoneClass: 1, qtype: RRType.AXFR, id: 0 });
    expect(foreign.push([...renderAxfr(other)][0]!.octets)).toMatchObject({ ok: false });
  });
});

describe('owner names by compression pointer', () => {
  it('decodes owners that point at the previous owner, at another name, and at the question alike', () => {
    // Hand-built so the pointers are known: 12 is the question's example.com.
    const parts: number[] = [0, 9, 0x84, 0, 0, 1, 0, 9, 0, 0, 0, 0];
    const push = (...b: number[]) => parts.push(...b);
    push(7, ...Buffer.from('example'), 3, ...Buffer.from('com'), 0, 0, RRType.AXFR, 0, 1);
    const u16 = (v: number) => [v >> 8, v & 255];
    const u32 = (v: number) => [(v >>> 24) & 255, (v >>> 16) & 255, (v >>> 8) & 255, v & 255];
    const rr = (owner: number[], type: number, rdata: number[]) => push(...owner, ...u16(type), 0, 1, ...u32(300), ...u16(rdata.length), ...rdata);
    const soaRdata = [0xc0, 12, 0xc0, 12, ...u32(7), ...u32(3600), ...u32(600), ...u32(86400), ...u32(300)];
    rr([0xc0, 12], RRType.SOA, soaRdata);
    const aAt = parts.length;
    rr([1, 0x61, 0xc0, 12], RRType.A, [192, 0, 2, 1]); // a.example.com., written out
    rr([0xc0, aAt], RRType.TXT, [2, 0x68, 0x69]); // → a.example.com. (the previous owner)
    rr([0xc0, 12], RRType.A, [192, 0, 2, 2]); // → example.com. (another name)
    rr([0xc0, 12], RRType.TXT, [1, 0x7a]); // → example.com. again (the previous owner's target)
    const bAt = parts.length;
    rr([1, 0x62, 0xc0, 12], RRType.A, [192, 0, 2, 3]); // b.example.com.
    rr([0xc0, aAt], RRType.AAAA, [0x20, 1, 0x0d, 0xb8, ...new Array<number>(12).fill(0)]); // back to a.example.com.
    rr([0xc0, bAt], RRType.TXT, [1, 0x62]); // → b.example.com.
    rr([0xc0, 12], RRType.SOA, soaRdata);
    const p = new XfrParser({ origin: n('example.com.'), zoneClass: RRClass.IN, qtype: RRType.AXFR, id: 9 });
    const r = p.push(Uint8Array.from(parts));
    expect(r.ok ? r.value.status : r.error).toBe('done');
    const out = p.result();
    expect(out?.kind).toBe('full');
    if (out?.kind !== 'full') return;
    const owners = [...out.version.records()].map((x) => `${nameKey(x.name)} ${x.type}`).sort();
    expect(owners).toEqual(['a.example.com. 1', 'a.example.com. 16', 'a.example.com. 28', 'b.example.com. 1', 'b.example.com. 16', 'example.com. 1', 'example.com. 16', 'example.com. 6'].sort());
  });
});

describe('IXFR render → parse', () => {
  const v1 = bigZone(100, 10);
  const target = build([...[...v1.records()].filter((r) => r.type !== RRType.SOA && r.name !== 'h5.example.com.'), soa('example.com.', 11), a('new.example.com.', '10.9.9.9')]);
  const d1 = computeDiff(v1, target);
  const v2 = (applyDiff(v1, d1) as { ok: true; value: ZoneVersion }).value;
  const target3 = build([...[...v2.records()].filter((r) => r.type !== RRType.SOA && r.name !== 'h6.example.com.'), soa('example.com.', 12)]);
  const d2 = computeDiff(v2, target3);
  const v3 = (applyDiff(v2, d2) as { ok: true; value: ZoneVersion }).value;

  it('parses a chain of two diffs that applies to the old version', () => {
    const msgs = [...renderIxfr(v3.soa, v3.origin, [d1, d2])].map((m) => withId(m.octets, 9));
    const p = new XfrParser({ origin: v1.origin, zoneClass: 1, qtype: RRType.IXFR, id: 9, currentSerial: serial(10) });
    for (const m of msgs) expect(p.push(m).ok).toBe(true);
    const out = p.result();
    expect(out?.kind).toBe('incremental');
    if (out?.kind !== 'incremental') return;
    let cur = v1;
    for (const d of out.diffs) {
      const r = applyDiff(cur, d);
      expect(r.ok).toBe(true);
      if (r.ok) cur = r.value;
    }
    expect(sorted(cur)).toEqual(sorted(v3));
  });

  it('a lone SOA means up to date; an AXFR-style answer is a full zone', () => {
    const lone = [...renderIxfr(v3.soa, v3.origin, [])].map((m) => withId(m.octets, 1));
    const p = new XfrParser({ origin: v1.origin, zoneClass: 1, qtype: RRType.IXFR, id: 1, currentSerial: serial(12) });
    expect(p.push(lone[0]!)).toMatchObject({ ok: true, value: { status: 'done' } });
    expect(p.result()?.kind).toBe('up-to-date');
    const full = [...renderAxfr(v3, RRType.IXFR)].map((m) => withId(m.octets, 2));
    const q = new XfrParser({ origin: v1.origin, zoneClass: 1, qtype: RRType.IXFR, id: 2, currentSerial: serial(10) });
    for (const m of full) expect(q.push(m).ok).toBe(true);
    expect(q.result()?.kind).toBe('full');
  });
});
