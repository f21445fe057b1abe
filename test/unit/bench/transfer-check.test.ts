// TransferCheck (src/bench/transfer-check.ts) against responses rendered by src/xfr/out/render.ts:
// AXFR and IXFR framing, TSIG-signed streams (RFC 8945 §5.3.1), and the failures a load tool must
// catch: missing final SOA, a final SOA that differs, a wrong count, an unsigned last message, a
// bad MAC, wrong IDs and error RCODEs.
import { describe, expect, it } from 'vitest';
import { ConsistencyCheck, TransferCheck, type TransferSummary } from '../../../src/bench/transfer-check.js';
import { type TsigKey, TsigErrorCode, TsigStreamSigner, TsigStreamVerifier, appendUnsignedTsigError, makeKey } from '../../../src/tsig/index.js';
import { Flag, MessageWriter, RRType, Rcode, type ResourceRecord, readName } from '../../../src/wire/index.js';
import { buildQuery } from '../../../src/xfr/in/client.js';
import { renderAxfr, renderIxfr } from '../../../src/xfr/out/render.js';
import { ZoneBuilder, type ZoneDiff, type ZoneVersion, applyDiff, computeDiff } from '../../../src/zone/index.js';
import { a, cname, n, ns, soa } from '../zone/helpers.js';

const ORIGIN = n('example.com.');
const NOW = 1_700_000_000;
const ID = 4242;

function build(records: ResourceRecord[]): ZoneVersion {
  const b = new ZoneBuilder(ORIGIN);
  const r = b.addAll(records);
  if (!r.ok) throw new Error(JSON.stringify(r.error));
  const v = b.build();
  if (!v.ok) throw new Error(JSON.stringify(v.error));
  return v.value;
}

function zoneRecords(count: number, serial: number): ResourceRecord[] {
  const recs = [soa('example.com.', serial), ns('example.com.', 'ns1.example.com.'), a('ns1.example.com.', '192.0.2.1'), cname('www.example.com.', 'h1.example.com.')];
  for (let i = 0; i < count; i++) recs.push(a(`h${i}.example.com.`, `10.0.${(i >> 8) & 255}.${i & 255}`));
  return recs;
}

const bigZone = (count: number, serial = 1): ZoneVersion => build(zoneRecords(count, serial));

/** withId sets the message ID on a copy of a rendered message (rendered with ID 0). */
const withId = (m: Buffer, id: number): Buffer => {
  const c = Buffer.from(m);
  c.writeUInt16BE(id, 0);
  return c;
};

const axfr = (v: ZoneVersion, id = ID): Buffer[] => [...renderAxfr(v)].map((m) => withId(m.octets, id));

/** run pushes every message and returns the last push result. */
function run(check: TransferCheck, msgs: readonly Uint8Array[]) {
  let r: ReturnType<TransferCheck['push']> | undefined;
  for (const m of msgs) {
    r = check.push(m, NOW);
    if (!r.ok) return r;
  }
  return r!;
}

const axfrCheck = (extra: Partial<ConstructorParameters<typeof TransferCheck>[0]> = {}) =>
  new TransferCheck({ origin: ORIGIN, id: ID, qtype: RRType.AXFR, ...extra });

function key(): TsigKey {
  const k = makeKey('xfr-key.example.', 'hmac-sha256', Buffer.alloc(32, 7).toString('base64'));
  if (!k.ok) throw new Error('key');
  return k.value;
}

/** signedStream signs the query, then each response message in a chain as a server does. */
function signedStream(msgs: readonly Buffer[], k: TsigKey, opts: { unsignedLast?: boolean } = {}) {
  const q = buildQuery(ORIGIN, RRType.AXFR, ID, k, NOW);
  const signer = new TsigStreamSigner(k, q.mac!);
  const out = msgs.map((m, i) => (opts.unsignedLast === true && i === msgs.length - 1 && i > 0 ? signer.pass(m) : signer.sign(m, NOW)));
  return { out, verifier: new TsigStreamVerifier(k, q.mac!) };
}

describe('TransferCheck: AXFR', () => {
  const v = bigZone(20_000);
  const msgs = axfr(v);

  it('counts every record of a multi-message transfer, both SOAs included', () => {
    expect(msgs.length).toBeGreaterThan(3);
    const c = axfrCheck();
    expect(run(c, msgs)).toEqual({ ok: true, value: 'done' });
    expect(c.summary()).toEqual<TransferSummary>({
      kind: 'axfr',
      serial: 1,
      records: v.recordCount + 1,
      messages: msgs.length,
      messageOctets: msgs.reduce((s, m) => s + m.length, 0),
      signedMessages: 0,
    });
  });

  it('answers more until the final SOA', () => {
    const c = axfrCheck();
    for (const m of msgs.slice(0, -1)) expect(c.push(m, NOW)).toEqual({ ok: true, value: 'more' });
    expect(c.done).toBe(false);
    expect(c.summary()).toBeUndefined();
  });

  it('handles a zone of only its SOA (SOA, SOA)', () => {
    const c = axfrCheck();
    expect(run(c, axfr(build([soa('example.com.', 9)])))).toEqual({ ok: true, value: 'done' });
    expect(c.summary()).toMatchObject({ kind: 'axfr', serial: 9, records: 2, messages: 1 });
  });

  it('fails when the final SOA is missing (the connection closes early)', () => {
    const c = axfrCheck();
    expect(run(c, msgs.slice(0, -1))).toEqual({ ok: true, value: 'more' });
    expect(c.end()).toMatchObject({ kind: 'closed' });
    // Once failed, it stays failed.
    expect(c.push(msgs.at(-1)!, NOW)).toMatchObject({ ok: false, error: { kind: 'closed' } });
  });

  it('fails when the last SOA differs from the first (a message from another version)', () => {
    const other = axfr(bigZone(20_000, 2));
    expect(other.length).toBe(msgs.length);
    const mixed = [...msgs.slice(0, -1), other.at(-1)!];
    expect(run(axfrCheck(), mixed)).toMatchObject({ ok: false, error: { kind: 'soa' } });
  });

  it('fails when the first record is not the SOA, or the SOA is of another zone', () => {
    expect(run(axfrCheck(), msgs.slice(1))).toMatchObject({ ok: false, error: { kind: 'soa' } });
    const foreign = new TransferCheck({ origin: n('example.org.'), id: ID, qtype: RRType.AXFR });
    expect(run(foreign, msgs)).toMatchObject({ ok: false, error: { kind: 'soa', detail: expect.stringContaining('example.com.') as unknown } });
  });

  it('fails on records after the final SOA and on a message after the end', () => {
    const one = axfr(bigZone(3));
    expect(one).toHaveLength(1);
    const c = axfrCheck();
    expect(run(c, one)).toEqual({ ok: true, value: 'done' });
    expect(c.push(one[0]!, NOW)).toMatchObject({ ok: false, error: { kind: 'malformed' } });
    // A trailing A record (owner: a pointer to the question name) after the final SOA.
    const m = one[0]!;
    const tail = Buffer.from([0xc0, 0x0c, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 10, 9, 9, 9]);
    const after = Buffer.concat([m, tail]);
    after.writeUInt16BE(m.readUInt16BE(6) + 1, 6);
    expect(run(axfrCheck(), [after])).toMatchObject({ ok: false, error: { kind: 'soa', detail: expect.stringContaining('after the final SOA') as unknown } });
  });

  it('fails on a wrong ID, a query, an error RCODE, and truncated or trailing octets', () => {
    expect(run(axfrCheck(), axfr(v, ID + 1))).toMatchObject({ ok: false, error: { kind: 'malformed', detail: expect.stringContaining('ID') as unknown } });
    const query = Buffer.from(msgs[0]!);
    query.writeUInt16BE(query.readUInt16BE(2) & ~Flag.QR, 2);
    expect(run(axfrCheck(), [query])).toMatchObject({ ok: false, error: { kind: 'malformed' } });
    const refused = Buffer.from(msgs[0]!.subarray(0, 12));
    refused.writeUInt16BE(Flag.QR | Rcode.Refused, 2);
    refused.fill(0, 4, 12);
    expect(run(axfrCheck(), [refused])).toMatchObject({ ok: false, error: { kind: 'rcode', rcode: Rcode.Refused, detail: expect.stringContaining('REFUSED') as unknown } });
    expect(run(axfrCheck(), [msgs[0]!.subarray(0, msgs[0]!.length - 3)])).toMatchObject({ ok: false, error: { kind: 'malformed' } });
    expect(run(axfrCheck(), [Buffer.concat([msgs[0]!, Buffer.from([0])])])).toMatchObject({ ok: false, error: { kind: 'malformed', detail: expect.stringContaining('trailing') as unknown } });
    expect(run(axfrCheck(), [Buffer.alloc(0)])).toMatchObject({ ok: false, error: { kind: 'malformed' } });
  });

  it('shows every owner to the record hook without changing the count', () => {
    const owners = new Set<string>();
    const c = axfrCheck({ onRecord: (m, off, type) => type === RRType.CNAME && owners.add(readName(m, off)) });
    expect(run(c, msgs)).toEqual({ ok: true, value: 'done' });
    expect([...owners]).toEqual(['www.example.com.']);
    expect(c.summary()?.records).toBe(v.recordCount + 1);
  });
});

describe('TransferCheck: TSIG streams', () => {
  const k = key();
  const msgs = axfr(bigZone(20_000));

  it('verifies every message of a signed stream', () => {
    const { out, verifier } = signedStream(msgs, k);
    const c = axfrCheck({ verifier });
    expect(run(c, out)).toEqual({ ok: true, value: 'done' });
    expect(c.summary()).toMatchObject({ signedMessages: msgs.length, messages: msgs.length });
  });

  it('accepts unsigned messages between signed ones (RFC 8945 §5.3.1)', () => {
    const q = buildQuery(ORIGIN, RRType.AXFR, ID, k, NOW);
    const signer = new TsigStreamSigner(k, q.mac!);
    const out = msgs.map((m, i) => (i === 0 || i === msgs.length - 1 || i % 2 === 0 ? signer.sign(m, NOW) : signer.pass(m)));
    const c = axfrCheck({ verifier: new TsigStreamVerifier(k, q.mac!) });
    expect(run(c, out)).toEqual({ ok: true, value: 'done' });
    expect(c.summary()!.signedMessages).toBeLessThan(msgs.length);
  });

  it('fails when the last message is unsigned', () => {
    const { out, verifier } = signedStream(msgs, k, { unsignedLast: true });
    expect(run(axfrCheck({ verifier }), out)).toMatchObject({ ok: false, error: { kind: 'tsig', detail: expect.stringContaining('last-unsigned') as unknown } });
  });

  it('fails on a bad MAC', () => {
    const { out, verifier } = signedStream(msgs, k);
    const bad = Buffer.from(out[1]!);
    // With empty Other Data the MAC ends 6 octets before the end (Original ID, Error, Other Len).
    bad[bad.length - 7] = bad[bad.length - 7]! ^ 0xff;
    out[1] = bad;
    expect(run(axfrCheck({ verifier }), out)).toMatchObject({ ok: false, error: { kind: 'tsig', detail: expect.stringContaining('BADSIG') as unknown } });
  });

  it('names the TSIG error of a NOTAUTH answer (RFC 8945 §5.3.2)', () => {
    const w = new MessageWriter(512);
    w.header(ID, Flag.QR | Rcode.NotAuth);
    w.question(ORIGIN, RRType.AXFR, 1);
    const answer = appendUnsignedTsigError(w.finish(), { keyName: k.name, algorithm: n('hmac-sha256.'), timeSigned: NOW }, TsigErrorCode.BadKey);
    expect(run(axfrCheck(), [Buffer.from(answer)])).toMatchObject({ ok: false, error: { kind: 'rcode', rcode: Rcode.NotAuth, detail: 'server answered NOTAUTH (TSIG BADKEY)' } });
  });

  it('fails on an unsigned first message and on a stream signed with another key', () => {
    const { verifier } = signedStream(msgs, k);
    expect(run(axfrCheck({ verifier }), msgs)).toMatchObject({ ok: false, error: { kind: 'tsig' } });
    const other = makeKey('xfr-key.example.', 'hmac-sha256', Buffer.alloc(32, 8).toString('base64'));
    if (!other.ok) throw new Error('key');
    const { out } = signedStream(msgs, other.value);
    expect(run(axfrCheck({ verifier: signedStream(msgs, k).verifier }), out)).toMatchObject({ ok: false, error: { kind: 'tsig' } });
  });
});

describe('TransferCheck: IXFR', () => {
  const v1 = bigZone(100, 10);
  const step = (from: ZoneVersion, s: number, drop: string, add?: ResourceRecord): { diff: ZoneDiff; to: ZoneVersion } => {
    const target = build([...[...from.records()].filter((r) => r.type !== RRType.SOA && r.name !== drop), soa('example.com.', s), ...(add ? [add] : [])]);
    const diff = computeDiff(from, target);
    const to = applyDiff(from, diff);
    if (!to.ok) throw new Error('apply');
    return { diff, to: to.value };
  };
  const { diff: d1, to: v2 } = step(v1, 11, 'h5.example.com.', a('new.example.com.', '10.9.9.9'));
  const { diff: d2, to: v3 } = step(v2, 12, 'h6.example.com.');
  const ixfr = (diffs: ZoneDiff[], cur = v3) => [...renderIxfr(cur.soa, ORIGIN, diffs, 200)].map((m) => withId(m.octets, ID));
  const ixfrCheck = (serial: number) => new TransferCheck({ origin: ORIGIN, id: ID, qtype: RRType.IXFR, ixfrSerial: serial });

  it('checks SOA(new) [SOA(old) del… SOA(next) add…]… SOA(new) over several messages', () => {
    const msgs = ixfr([d1, d2]);
    expect(msgs.length).toBeGreaterThan(1);
    const c = ixfrCheck(10);
    expect(run(c, msgs)).toEqual({ ok: true, value: 'done' });
    // current SOA + (SOA, del, SOA, add) per diff + current SOA.
    const records = 2 + [d1, d2].reduce((s, d) => s + 2 + d.removed.length + d.added.length, 0);
    expect(c.summary()).toMatchObject({ kind: 'ixfr', serial: 12, records });
  });

  it('fails when the first difference does not start at the serial asked for', () => {
    expect(run(ixfrCheck(9), ixfr([d1, d2]))).toMatchObject({ ok: false, error: { kind: 'ixfr' } });
  });

  it('fails when the differences do not chain', () => {
    // d1 (10 → 11) then d1 again: the second starts at 10, the previous ended at 11.
    expect(run(ixfrCheck(10), ixfr([d1, d1]))).toMatchObject({ ok: false, error: { kind: 'ixfr' } });
  });

  it('fails when the IXFR ends before the announced serial', () => {
    expect(run(ixfrCheck(10), ixfr([d1], v3))).toMatchObject({ ok: false, error: { kind: 'ixfr' } });
  });

  it('takes a lone SOA as up to date (RFC 1995 §2)', () => {
    const c = ixfrCheck(12);
    expect(run(c, ixfr([]))).toEqual({ ok: true, value: 'done' });
    expect(c.summary()).toMatchObject({ kind: 'up-to-date', records: 1, serial: 12 });
  });

  it('accepts an IXFR answered AXFR-style (RFC 1995 §4)', () => {
    const msgs = [...renderAxfr(v3, RRType.IXFR)].map((m) => withId(m.octets, ID));
    const c = ixfrCheck(10);
    expect(run(c, msgs)).toEqual({ ok: true, value: 'done' });
    expect(c.summary()).toMatchObject({ kind: 'ixfr-as-axfr', records: v3.recordCount + 1 });
  });
});

describe('ConsistencyCheck', () => {
  it('fails when a transfer of the same serial has another record count', () => {
    const v = bigZone(50, 3);
    // Same serial, one record fewer: a server dropping records under load.
    const short = build(zoneRecords(49, 3));
    const c1 = axfrCheck();
    const c2 = axfrCheck();
    expect(run(c1, axfr(v))).toEqual({ ok: true, value: 'done' });
    expect(run(c2, axfr(short))).toEqual({ ok: true, value: 'done' });
    const cc = new ConsistencyCheck();
    expect(cc.check(c1.summary()!)).toBeUndefined();
    expect(cc.check(c1.summary()!)).toBeUndefined();
    expect(cc.check(c2.summary()!)).toMatchObject({ kind: 'count' });
    expect(cc.serials).toEqual([3]);
  });

  it('compares only transfers of the same serial and lists the serials', () => {
    const cc = new ConsistencyCheck();
    expect(cc.check({ kind: 'axfr', serial: 1, records: 10 })).toBeUndefined();
    expect(cc.check({ kind: 'axfr', serial: 2, records: 11 })).toBeUndefined();
    expect(cc.check({ kind: 'up-to-date', serial: 2, records: 1 })).toBeUndefined();
    expect(cc.check({ kind: 'axfr', serial: 2, records: 12 })).toMatchObject({ kind: 'count' });
    expect(cc.serials).toEqual([1, 2]);
  });
});
