// Interop, kdig (Knot) transferring from zonexfer as primary, configured only through its API:
// AXFR and IXFR=serial signed with `-y alg:name:secret` give exactly the zone (records as the API
// holds them, octets as zonexfer serves them; RFC 5936, RFC 1995 §4); a wrong secret or unknown key
// gets NOTAUTH with the TSIG error BADSIG / BADKEY (RFC 8945 §5.2); an address that is neither the
// peer nor in an ACL gets REFUSED; a large zone comes in many messages, each signed and verified.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RRType } from '../../src/wire/index.js';
import { soaSerial } from '../../src/zone/index.js';
import { type Instance, startInstance } from '../helpers/instance.js';
import { freePort } from '../helpers/interop/daemons.js';
import { type KdigRR, type XfrOutcome, asRR, axfrBody, kdigXfr, soaSerialOf } from '../helpers/interop/kdig.js';
import {
  type RecordSpec, addRecord, apiRecords, bigZoneRows, createPrimaryZone, createTsig, newKey, rrKey, serveTo, servedRecords, servedSerial,
  sortedKeys, transferLogs,
} from '../helpers/interop/primary.js';
import { requirePeers } from '../helpers/peers.js';

const peers = requirePeers('zonexfer_kdig', ['kdig']);

const ORIGIN = 'kdig.example';
/** PEER is the only address linked to the zone; 127.0.0.0/8 is all loopback on Linux. */
const PEER = '127.0.0.2';
const RECORDS: RecordSpec[] = [
  { name: `www.${ORIGIN}`, type: 'A', content: '192.0.2.1', ttl: 300 },
  { name: `www.${ORIGIN}`, type: 'A', content: '192.0.2.2', ttl: 300 },
  { name: `www.${ORIGIN}`, type: 'AAAA', content: '2001:db8::1', ttl: 300 },
  { name: ORIGIN, type: 'MX', content: `mail.${ORIGIN}`, ttl: 600, priority: 10 },
  { name: `mail.${ORIGIN}`, type: 'A', content: '192.0.2.25', ttl: 600 },
  { name: `txt.${ORIGIN}`, type: 'TXT', content: '"kdig pulls from zonexfer"', ttl: 120 },
  { name: `alias.${ORIGIN}`, type: 'CNAME', content: `www.${ORIGIN}`, ttl: 300 },
];

/** The TSIG RRs' error field, as kdig prints it (`… <orig id> <error> <other len>`). */
const tsigErrorOf = (rr: KdigRR): string => (rr.rdataTSIG ?? '').trim().split(/\s+/).at(-2) ?? '';

/** presentation is kdig's RFC 8427 presentation of a record's RDATA (rdataA, rdataMX, …). */
const presentation = (rr: KdigRR): string => String(rr[`rdata${rr.TYPEname ?? ''}`] ?? '');

describe.skipIf(!peers.run)('kdig transfers from zonexfer', () => {
  let zx: Instance;
  let zoneId: string;
  const key = newKey('hmac-sha256', 'kdig-key.');
  const signed = { key: key.kdigArg, source: PEER };

  beforeAll(async () => {
    // The peer's NOTIFY port has no listener (NOTIFY is not under test here): one quick try.
    zx = await startInstance({ tuning: { notifyTries: 1, notifyFirstTimeoutMs: 200 } });
    zoneId = await createPrimaryZone(zx, ORIGIN, RECORDS);
    const tsigId = await createTsig(zx, key);
    await serveTo(zx, zoneId, ORIGIN, [{ name: 'kdig', ip: PEER, port: await freePort(PEER), tsigId }]);
    await zx.engine.idle();
  });

  afterAll(async () => {
    await zx?.close();
  });

  /** expectSigned checks that every message of a transfer carried a TSIG of `key` with no error. */
  function expectSigned(r: XfrOutcome): void {
    expect(r.tsig).toHaveLength(r.messages.length);
    for (const t of r.tsig) {
      expect(t.NAME).toBe(key.name);
      expect(tsigErrorOf(t)).toBe('NOERROR');
    }
  }

  it('AXFR signed from the peer address is the zone: the API records, octet for octet what zonexfer serves', async () => {
    const r = await kdigXfr(zx.dnsPort, ORIGIN, 'AXFR', signed);
    expect(r.code, r.out).toBe(0);
    expectSigned(r);
    const body = axfrBody(r.records);
    // RFC 5936 §2.2: the SOA first and last, every other record once.
    expect(body[0]!.TYPE).toBe(RRType.SOA);
    expect(soaSerialOf(body[0]!)).toBe(servedSerial(zx, zoneId));
    expect(soaSerialOf(r.records.at(-1)!)).toBe(servedSerial(zx, zoneId));
    expect(sortedKeys(body.map(asRR))).toEqual(sortedKeys(servedRecords(zx, zoneId)));

    // Every API record, in the API's own spelling, is in the transfer; the rest is the SOA and the
    // apex NS zonexfer synthesises (no NS was set through the API).
    const api = await apiRecords(zx, zoneId);
    expect(api).toHaveLength(RECORDS.length);
    const fqdn = (n: string) => `${n.toLowerCase()}.`;
    for (const a of api) {
      const expected = a.type === 'MX' ? `${a.priority} ${fqdn(a.content)}` : a.type === 'CNAME' ? fqdn(a.content) : a.content;
      const match = body.filter((rr) => rr.NAME === fqdn(a.name) && rr.TYPEname === a.type && rr.TTL === a.ttl && presentation(rr) === expected);
      expect(match, `${a.name} ${a.type} ${a.content}`).toHaveLength(1);
    }
    expect(body).toHaveLength(api.length + 2);
    expect(body.filter((rr) => rr.TYPE === RRType.SOA || rr.TYPE === RRType.NS).map((rr) => `${rr.NAME} ${rr.TYPEname}`)).toEqual([`${ORIGIN}. SOA`, `${ORIGIN}. NS`]);
  });

  it('IXFR=serial signed: the journal of API changes since that serial (RFC 1995 §4), a lone SOA when current, the zone when too old', async () => {
    const s0 = servedSerial(zx, zoneId);
    await addRecord(zx, zoneId, { name: `new.${ORIGIN}`, type: 'A', content: '192.0.2.77', ttl: 300 });
    await zx.engine.idle();
    const s1 = servedSerial(zx, zoneId);
    const gone = (await apiRecords(zx, zoneId)).find((a) => a.type === 'AAAA')!;
    await zx.cf.dns.records.delete(gone.id, { zone_id: zoneId });
    await zx.engine.idle();
    const s2 = servedSerial(zx, zoneId);
    expect([s1, s2]).toEqual([s0 + 1, s0 + 2]);

    const r = await kdigXfr(zx.dnsPort, ORIGIN, `IXFR=${s0}`, signed);
    expect(r.code, r.out).toBe(0);
    expectSigned(r);
    // current SOA, then per change: old SOA, removed, new SOA, added; then the current SOA again.
    const soas = r.records.filter((rr) => rr.TYPE === RRType.SOA).map(soaSerialOf);
    expect(soas).toEqual([s2, s0, s1, s1, s2, s2]);
    const diffs = zx.engine.journal(zoneId).filter((d) => soaSerial(d.soaFrom.rdata) >= s0);
    const expected = [servedRecords(zx, zoneId).find((rr) => rr.type === RRType.SOA)!];
    for (const d of diffs) expected.push(d.soaFrom, ...d.removed, d.soaTo, ...d.added);
    expected.push(expected[0]!);
    expect(r.records.map((rr) => rrKey(asRR(rr)))).toEqual(expected.map(rrKey));
    // Read independently of the journal: the first change removed nothing and added new.<zone> A,
    // the second removed the AAAA and added nothing.
    const at = r.records.flatMap((rr, i) => (rr.TYPE === RRType.SOA ? [i] : []));
    const section = (k: number) => r.records.slice(at[k]! + 1, at[k + 1]!).map((rr) => `${rr.NAME} ${rr.TTL} ${rr.TYPEname} ${presentation(rr)}`);
    expect([section(1), section(2), section(3), section(4)]).toEqual([[], [`new.${ORIGIN}. 300 A 192.0.2.77`], [`www.${ORIGIN}. 300 AAAA ${gone.content}`], []]);

    const current = await kdigXfr(zx.dnsPort, ORIGIN, `IXFR=${s2}`, signed);
    expect(current.code, current.out).toBe(0);
    expect(current.records.map((rr) => [rr.TYPE, soaSerialOf(rr)])).toEqual([[RRType.SOA, s2]]);

    const old = await kdigXfr(zx.dnsPort, ORIGIN, `IXFR=${s0 - 1000}`, signed);
    expect(old.code, old.out).toBe(0);
    expectSigned(old);
    expect(sortedKeys(axfrBody(old.records).map(asRR))).toEqual(sortedKeys(servedRecords(zx, zoneId)));
  });

  it('a wrong secret gets NOTAUTH/BADSIG, an unknown key NOTAUTH/BADKEY, no key REFUSED — and no records', async () => {
    const other = newKey('hmac-sha256', key.name);
    const badSig = await kdigXfr(zx.dnsPort, ORIGIN, 'AXFR', { key: other.kdigArg, source: PEER });
    expect(badSig.code).not.toBe(0);
    expect(badSig.error).toBe('BADSIG');
    expect(badSig.messages.map((m) => m.RCODE)).toEqual([9]);
    expect(badSig.tsig.map(tsigErrorOf)).toEqual(['BADSIG']);
    expect(badSig.records).toEqual([]);

    const ixfrBadSig = await kdigXfr(zx.dnsPort, ORIGIN, `IXFR=${servedSerial(zx, zoneId) - 1}`, { key: other.kdigArg, source: PEER });
    expect(ixfrBadSig.error).toBe('BADSIG');
    expect(ixfrBadSig.records).toEqual([]);

    const badKey = await kdigXfr(zx.dnsPort, ORIGIN, 'AXFR', { key: newKey('hmac-sha256', 'unknown-key.').kdigArg, source: PEER });
    expect(badKey.code).not.toBe(0);
    expect(badKey.error).toBe('BADKEY');
    expect(badKey.messages.map((m) => m.RCODE)).toEqual([9]);
    expect(badKey.tsig.map(tsigErrorOf)).toEqual(['BADKEY']);
    expect(badKey.records).toEqual([]);

    const unsigned = await kdigXfr(zx.dnsPort, ORIGIN, 'AXFR', { source: PEER });
    expect(unsigned.code).not.toBe(0);
    expect(unsigned.error).toBe('REFUSED');
    expect(unsigned.messages.map((m) => m.RCODE)).toEqual([5]);
    expect(unsigned.records).toEqual([]);
  });

  it('an address that is neither the peer nor in an ACL gets REFUSED even with the key; an ACL range admits it (with the key)', async () => {
    for (const source of ['127.0.0.1', '127.0.0.3']) {
      const r = await kdigXfr(zx.dnsPort, ORIGIN, 'AXFR', { key: key.kdigArg, source });
      expect(r.error, source).toBe('REFUSED');
      expect(r.messages.map((m) => m.RCODE), source).toEqual([5]);
      expect(r.records, source).toEqual([]);
    }
    expect(zx.logs).toContainEqual(expect.objectContaining({ msg: 'transfer refused', remote: expect.stringMatching(/^127\.0\.0\.1#/), reason: '127.0.0.1 is neither a peer nor in an ACL' }));

    await zx.cf.dns.zoneTransfers.acls.create({ account_id: zx.accountId, name: 'lo3', ip_range: '127.0.0.3/32' });
    await zx.engine.idle();
    const viaAcl = await kdigXfr(zx.dnsPort, ORIGIN, 'AXFR', { key: key.kdigArg, source: '127.0.0.3' });
    expect(viaAcl.code, viaAcl.out).toBe(0);
    expectSigned(viaAcl);
    expect(sortedKeys(axfrBody(viaAcl.records).map(asRR))).toEqual(sortedKeys(servedRecords(zx, zoneId)));
    // The zone's peer has a key, so ACL sources must sign with it too; other sources stay refused.
    expect((await kdigXfr(zx.dnsPort, ORIGIN, 'AXFR', { source: '127.0.0.3' })).error).toBe('REFUSED');
    expect((await kdigXfr(zx.dnsPort, ORIGIN, 'AXFR', { key: key.kdigArg, source: '127.0.0.1' })).error).toBe('REFUSED');
  });

  it('multi-message TSIG: kdig verifies every message of a large signed AXFR', async () => {
    const origin = 'big.kdig.example';
    const big = await createPrimaryZone(zx, origin, []);
    const bigKey = newKey('hmac-sha512', 'big.kdig-key.');
    const tsigId = await createTsig(zx, bigKey);
    await serveTo(zx, big, origin, [{ name: 'kdig-big', ip: PEER, port: await freePort(PEER), tsigId }]);
    await zx.store.records.insertMany(big, bigZoneRows(origin, 5_000));
    zx.engine.zoneChanged(big);
    await zx.engine.idle();

    const r = await kdigXfr(zx.dnsPort, origin, 'AXFR', { key: bigKey.kdigArg, source: PEER });
    expect(r.code, r.out.slice(-2000)).toBe(0);
    expect(r.messages.length).toBeGreaterThanOrEqual(3);
    expect(r.tsig).toHaveLength(r.messages.length);
    expect(r.tsig.every((t) => t.NAME === bigKey.name && tsigErrorOf(t) === 'NOERROR')).toBe(true);
    expect(sortedKeys(axfrBody(r.records).map(asRR))).toEqual(sortedKeys(servedRecords(zx, big)));
    const sent = transferLogs(zx, origin, 'axfr-out').filter((l) => l['msg'] === 'AXFR sent');
    expect(sent.map((l) => [l['messages'], l['key']])).toEqual([[r.messages.length, bigKey.name]]);
  }, 180_000);
});
