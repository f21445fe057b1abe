// GET /metrics (issue 8) on a whole in-process zonexfer: after queries, a refused and two accepted
// transfers out (AXFR, IXFR), a NOTIFY out, a transfer in from a fake primary, NOTIFYs in (one
// accepted, one refused) and a request signed with an unknown TSIG key, the exposition holds the
// expected series with plausible values. Every transfer and NOTIFY log line carries an `xfr` id.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeKey } from '../../../src/tsig/index.js';
import { MessageWriter, RRClass, RRType, Rcode, decodeMessage, nameFromTrusted } from '../../../src/wire/index.js';
import { querySoa, transferIn } from '../../../src/xfr/in/client.js';
import { FakePrimary, sendNotify, testZone } from '../../helpers/fake-primary.js';
import { type Instance, startInstance } from '../../helpers/instance.js';
import { addSecondary, nextPublished, waitPublished } from '../../helpers/interop-secondary/secondary.js';
import { udpExchange } from '../../helpers/server.js';
import { FakeSecondary, type Sample, eventually, scrape, value } from './helpers.js';

const PRIMARY = 'prim.example.';
const SECONDARY = 'sec.example.';

describe('GET /metrics', () => {
  let zx: Instance;
  let primary: FakePrimary;
  let secondary: FakeSecondary;
  let primaryZoneId: string;
  let secondaryZoneId: string;
  let samples: Sample[];
  const dns = () => ({ host: '127.0.0.1', port: zx.dnsPort });

  beforeAll(async () => {
    zx = await startInstance({ logLevel: 'info' });
    primary = await FakePrimary.start({ zone: testZone(SECONDARY, 1) });
    secondary = await FakeSecondary.start();

    // A primary zone; a transfer before outgoing transfers are enabled is refused.
    const zone = (await zx.cf.zones.create({ name: 'prim.example', account: { id: zx.accountId }, type: 'full' })) as { id: string };
    primaryZoneId = zone.id;
    await zx.cf.dns.records.create({ zone_id: zone.id, name: 'www.prim.example', type: 'A', content: '192.0.2.10', ttl: 300 } as never);
    await zx.engine.idle();
    const origin = nameFromTrusted(PRIMARY);
    const refused = await transferIn({ peer: dns(), origin, qtype: RRType.AXFR });
    expect(refused).toMatchObject({ ok: false, error: { kind: 'refused' } });

    // Outgoing to a peer on 127.0.0.1 (the fake secondary's port): enabling sends it a NOTIFY.
    const zt = zx.cf.dns.zoneTransfers;
    const peer = await zt.peers.create({ account_id: zx.accountId, name: 'fake-secondary', ip: '127.0.0.1', port: secondary.port } as never);
    await zt.outgoing.create({ zone_id: zone.id, name: PRIMARY, peers: [peer.id] });
    await zt.outgoing.enable({ zone_id: zone.id } as never);
    await zx.engine.idle();
    await eventually(() => expect(secondary.notifies.length).toBeGreaterThan(0));
    const axfr = await transferIn({ peer: dns(), origin, qtype: RRType.AXFR });
    if (!axfr.ok || axfr.value.outcome.kind !== 'full') throw new Error(`AXFR out failed: ${JSON.stringify(axfr)}`);
    await zx.cf.dns.records.create({ zone_id: zone.id, name: 'api.prim.example', type: 'A', content: '192.0.2.11', ttl: 300 } as never);
    await zx.engine.idle();
    const ixfr = await transferIn({ peer: dns(), origin, qtype: RRType.IXFR, currentSoa: axfr.value.outcome.version.soa });
    expect(ixfr.ok && ixfr.value.outcome.kind).toBe('incremental');

    // A secondary zone pulled from the fake primary, then a NOTIFY for serial 2 (and a refused one).
    secondaryZoneId = (await addSecondary(zx, { origin: SECONDARY, primary: primary.address })).zoneId;
    await waitPublished(zx, secondaryZoneId, { serial: 1 });
    primary.publish(testZone(SECONDARY, 2, { extra: 'new 300 IN TXT "2"' }));
    const published = nextPublished(zx, secondaryZoneId, { serial: 2 });
    expect((await sendNotify({ from: '127.0.0.1', to: dns(), origin: SECONDARY, soa: primary.zone! }))?.header.flags).toBeDefined();
    await published;
    const no = await sendNotify({ from: '127.0.0.2', to: dns(), origin: SECONDARY, soa: primary.zone! });
    expect(no === undefined ? undefined : no.header.flags & 0xf).toBe(Rcode.Refused);

    // A transfer signed with a key zonexfer does not know: NOTAUTH/BADKEY.
    const key = makeKey('unknown-key.', 'hmac-sha256', Buffer.from('an unknown key, 32 octets long..').toString('base64'));
    if (!key.ok) throw new Error('key');
    const badKey = await transferIn({ peer: { ...dns(), key: key.value }, origin, qtype: RRType.AXFR });
    expect(badKey.ok).toBe(false);

    // Queries: three answered, one for a name outside every zone (REFUSED).
    for (let i = 0; i < 3; i++) expect((await querySoa(dns(), origin)).ok).toBe(true);
    const w = new MessageWriter(512);
    w.header(4242, 0);
    w.question(nameFromTrusted('nowhere.invalid.'), RRType.A, RRClass.IN);
    const raw = await udpExchange('127.0.0.1', zx.dnsPort, w.finish());
    expect(raw !== undefined && decodeMessage(raw).ok).toBe(true);

    await zx.engine.idle();
    // The transfer-out callback runs after the last write: wait for it to be counted.
    samples = await eventually(async () => {
      const s = (await scrape(zx.apiUrl)).samples;
      expect(value(s, 'zonexfer_transfers_total', { direction: 'out', type: 'IXFR', result: 'success' })).toBe(1);
      return s;
    });
  });
  afterAll(async () => {
    await secondary?.close();
    await primary?.close();
    await zx?.close();
  });

  it('is Prometheus text, served at the root without credentials', async () => {
    const res = await scrape(zx.apiUrl);
    expect(res.status).toBe(200);
    expect(res.contentType).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(res.text).toContain('# TYPE zonexfer_transfers_total counter');
    expect(res.text).toContain('# TYPE zonexfer_transfer_duration_seconds histogram');
    const prefixed = await fetch(`${zx.apiUrl}/metrics`);
    expect(prefixed.status).toBe(404);
  });

  it('counts transfers out by zone, peer, type and result, with bytes, records and durations', () => {
    const out = { zone: PRIMARY, zone_id: primaryZoneId, direction: 'out' };
    expect(value(samples, 'zonexfer_transfers_total', { ...out, peer: '', type: 'AXFR', result: 'refused' })).toBe(1);
    expect(value(samples, 'zonexfer_transfers_total', { ...out, peer: '127.0.0.1', type: 'AXFR', result: 'success' })).toBe(1);
    expect(value(samples, 'zonexfer_transfers_total', { ...out, peer: '127.0.0.1', type: 'IXFR', result: 'success' })).toBe(1);
    // AXFR: SOA, NS, www A and the closing SOA; IXFR: the SOAs framing one diff (4) + the added A.
    expect(value(samples, 'zonexfer_transfer_records_total', { ...out, type: 'AXFR' })).toBe(4);
    expect(value(samples, 'zonexfer_transfer_records_total', { ...out, type: 'IXFR' })).toBe(5);
    const axfrBytes = value(samples, 'zonexfer_transfer_bytes_total', { ...out, type: 'AXFR' })!;
    expect(axfrBytes).toBeGreaterThan(100);
    expect(axfrBytes).toBeLessThan(1000);
    expect(value(samples, 'zonexfer_transfer_duration_seconds_count', { direction: 'out', type: 'AXFR', result: 'success' })).toBe(1);
    const seconds = value(samples, 'zonexfer_transfer_duration_seconds_sum', { direction: 'out' })!;
    expect(seconds).toBeGreaterThanOrEqual(0);
    expect(seconds).toBeLessThan(10);
  });

  it('counts transfers in from the primary', () => {
    const inbound = { zone: SECONDARY, zone_id: secondaryZoneId, direction: 'in', peer: '127.0.0.1', type: 'AXFR' };
    expect(value(samples, 'zonexfer_transfers_total', { ...inbound, result: 'success' })).toBe(2);
    // testZone: SOA, NS, ns1 A, www A (+ the TXT at serial 2), each AXFR with its closing SOA.
    expect(value(samples, 'zonexfer_transfer_records_total', inbound)).toBe(5 + 6);
    expect(value(samples, 'zonexfer_transfer_bytes_total', inbound)).toBeGreaterThan(200);
    expect(value(samples, 'zonexfer_transfer_duration_seconds_count', { direction: 'in', type: 'AXFR', result: 'success' })).toBe(2);
    const le = samples.find((s) => s.name === 'zonexfer_transfer_duration_seconds_bucket' && s.labels['direction'] === 'in' && s.labels['le'] === '+Inf');
    expect(le?.value).toBe(2);
  });

  it('counts NOTIFY in and out by result; refused ones without a peer', () => {
    expect(value(samples, 'zonexfer_notifies_total', { zone: SECONDARY, direction: 'in', peer: '127.0.0.1', result: 'success' })).toBe(1);
    expect(value(samples, 'zonexfer_notifies_total', { zone: SECONDARY, direction: 'in', peer: '', result: 'refused' })).toBe(1);
    expect(value(samples, 'zonexfer_notifies_total', { zone: PRIMARY, zone_id: primaryZoneId, direction: 'out', peer: '127.0.0.1', result: 'success' })).toBeGreaterThanOrEqual(1);
  });

  it('counts TSIG failures by reason', () => {
    expect(value(samples, 'zonexfer_tsig_failures_total', { error: 'BADKEY', reason: 'unknown-key' })).toBe(1);
  });

  it('exports the DNS server counters: queries by transport, responses by rcode', () => {
    expect(value(samples, 'zonexfer_dns_responses_total', { rcode: 'NOERROR' })).toBeGreaterThanOrEqual(3);
    expect(value(samples, 'zonexfer_dns_responses_total', { rcode: 'REFUSED' })).toBeGreaterThanOrEqual(1);
    expect(value(samples, 'zonexfer_dns_responses_total', { rcode: 'NOTAUTH' })).toBeGreaterThanOrEqual(1);
    expect(value(samples, 'zonexfer_dns_queries_total', { transport: 'udp' })).toBeGreaterThanOrEqual(6);
    expect(value(samples, 'zonexfer_dns_queries_total', { transport: 'tcp' })).toBeGreaterThanOrEqual(4);
    expect(value(samples, 'zonexfer_dns_tcp_connections')).toBeGreaterThanOrEqual(0);
  });

  it('exports per-zone serials, the refresh age of secondaries and the expired count', async () => {
    const served = zx.engine.registry.get(primaryZoneId)!.version.serial;
    expect(value(samples, 'zonexfer_zone_serial', { zone: PRIMARY, zone_id: primaryZoneId, role: 'primary' })).toBe(served);
    expect(value(samples, 'zonexfer_zone_serial', { zone: SECONDARY, role: 'secondary' })).toBe(2);
    const age = value(samples, 'zonexfer_zone_seconds_since_refresh', { zone: SECONDARY })!;
    expect(age).toBeGreaterThanOrEqual(0);
    expect(age).toBeLessThan(60);
    expect(value(samples, 'zonexfer_zone_seconds_since_refresh', { zone: PRIMARY })).toBeUndefined();
    expect(value(samples, 'zonexfer_zones', { role: 'primary' })).toBe(1);
    expect(value(samples, 'zonexfer_zones', { role: 'secondary' })).toBe(1);
    expect(value(samples, 'zonexfer_zones_expired')).toBe(0);
  });

  it('tags every transfer and NOTIFY log line with a transfer id', () => {
    const lines = zx.logs.filter((l) => ['AXFR sent', 'IXFR sent', 'AXFR completed', 'NOTIFY accepted: refresh scheduled', 'NOTIFY refused', 'NOTIFY acknowledged', 'transfer refused'].includes(String(l['msg'])));
    expect(lines.length).toBeGreaterThanOrEqual(7);
    for (const l of lines) {
      expect(l).toMatchObject({ xfr: expect.stringMatching(/^[0-9a-f]{8}$/), zone: expect.any(String), op: expect.any(String), dir: expect.any(String), remote: expect.any(String) });
    }
    const sent = lines.find((l) => l['msg'] === 'AXFR sent')!;
    expect(sent).toMatchObject({ zone: PRIMARY, op: 'axfr-out', records: 4, bytes: expect.any(Number), ms: expect.any(Number) });
    expect(new Set(lines.map((l) => l['xfr'])).size).toBe(lines.length);
  });

  it('keeps one registry per instance', async () => {
    const other = await startInstance({ logLevel: 'silent' });
    try {
      const s = (await scrape(other.apiUrl)).samples;
      expect(value(s, 'zonexfer_transfers_total')).toBeUndefined();
      expect(value(s, 'zonexfer_zones', { role: 'primary' })).toBe(0);
    } finally {
      await other.close();
    }
  });
});
