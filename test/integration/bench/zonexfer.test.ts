// `zonexfer bench` against a real in-process zonexfer (API → engine → DNS): AXFR throughput with
// --json over many messages and several connections, IXFR from an older serial and from the
// current one, TSIG (every message verified; wrong key and no key reported, not retried), a
// duration-bounded run, the UDP query load with names from an AXFR, and NOTIFY latency against an
// in-process responder. Figures are checked for sanity (counts, ordering), never for speed.
import { createSocket, type Socket } from 'node:dgram';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Instance, startInstance } from '../../helpers/instance.js';
import {
  addRecord, bigZoneRows, createPrimaryZone, createTsig, newKey, servedRecords, servedSerial, serveTo,
} from '../../helpers/interop/primary.js';
import { notifyResponse } from '../../../src/notify/index.js';
import { Opcode, Rcode, decodeMessage, opcodeOf } from '../../../src/wire/index.js';
import { type AxfrJson, bench, ordered } from './helpers.js';

const ORIGIN = 'bench.example';
const TSIG_ORIGIN = 'signed.bench.example';

describe('zonexfer bench against an in-process zonexfer', () => {
  let zx: Instance;
  let server: string;
  let serial: number;
  let records: number;
  let oldSerial: number;
  const key = newKey('hmac-sha256', 'bench-key');

  beforeAll(async () => {
    zx = await startInstance({ logLevel: 'warn', tuning: { notifyTries: 1, notifyFirstTimeoutMs: 100 } });
    server = `127.0.0.1:${zx.dnsPort}`;
    const zoneId = await createPrimaryZone(zx, ORIGIN, [{ name: `www.${ORIGIN}`, type: 'A', content: '192.0.2.10', ttl: 300 }]);
    oldSerial = servedSerial(zx, zoneId);
    await addRecord(zx, zoneId, { name: `api.${ORIGIN}`, type: 'AAAA', content: '2001:db8::1', ttl: 300 });
    await zx.engine.idle();
    // Enough records for a multi-message transfer.
    await zx.store.records.insertMany(zoneId, bigZoneRows(ORIGIN, 5_000));
    zx.engine.zoneChanged(zoneId);
    await zx.engine.idle();
    await zx.cf.dns.zoneTransfers.acls.create({ account_id: zx.accountId, name: 'lo', ip_range: '127.0.0.1/32' });
    await zx.cf.dns.zoneTransfers.outgoing.create({ zone_id: zoneId, name: `${ORIGIN}.`, peers: [] });
    await zx.cf.dns.zoneTransfers.outgoing.enable({ zone_id: zoneId } as never);
    await zx.engine.idle();
    serial = servedSerial(zx, zoneId);
    records = servedRecords(zx, zoneId).length;

    // A second zone whose only peer is 127.0.0.1 with a TSIG key: transfers must be signed.
    const signedId = await createPrimaryZone(zx, TSIG_ORIGIN, [{ name: `www.${TSIG_ORIGIN}`, type: 'A', content: '192.0.2.20', ttl: 300 }]);
    await zx.store.records.insertMany(signedId, bigZoneRows(TSIG_ORIGIN, 3_000));
    zx.engine.zoneChanged(signedId);
    await zx.engine.idle();
    const tsigId = await createTsig(zx, key);
    await serveTo(zx, signedId, TSIG_ORIGIN, [{ name: 'bench', ip: '127.0.0.1', port: 9, tsigId }]);
  });

  afterAll(async () => {
    await zx?.close();
  });

  it('reports sane AXFR figures with --json', async () => {
    const r = await bench<AxfrJson>(['axfr', '--server', server, '--zone', ORIGIN, '--transfers', '8', '--concurrency', '3', '--json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const j = r.report;
    expect(j).toMatchObject({
      format: 'zonexfer-bench/1', mode: 'axfr', zone: `${ORIGIN}.`, tsig_key: null, concurrency: 3, stopped_by: 'count',
      transfers_ok: 8, transfers_failed: 0, serials: [serial], kinds: { axfr: 8 }, errors: [],
      // Both SOAs are counted, as dig and kdig do.
      records_per_transfer: records + 1,
    });
    expect(j.messages_per_transfer).toBeGreaterThan(1);
    expect(j.bytes_per_transfer).toBeGreaterThan(j.records_per_transfer * 10);
    expect(j.transfers_per_s).toBeGreaterThan(0);
    // elapsed_s is printed rounded, so the rate agrees with it to rounding only (well under 1 %).
    const expected = (j.records_per_transfer * j.transfers_ok) / j.elapsed_s;
    expect(Math.abs(j.records_per_s - expected) / expected).toBeLessThan(0.01);
    expect(j.bytes_per_s).toBeGreaterThan(j.records_per_s);
    expect(ordered(j.ttfb_ms) && ordered(j.complete_ms)).toBe(true);
    // Each transfer's first byte comes before its end, so every percentile does too.
    expect(j.ttfb_ms.p50).toBeLessThanOrEqual(j.complete_ms.p50);
    expect(j.ttfb_ms.max).toBeLessThanOrEqual(j.complete_ms.max);
    expect(j.client.cpu_s).toBeGreaterThan(0);
    expect(j.client.event_loop_utilization).toBeGreaterThan(0);
    expect(j.client.event_loop_utilization).toBeLessThanOrEqual(1);
  });

  it('checks IXFR framing from an older serial, and a lone SOA when current', async () => {
    const older = await bench<AxfrJson>(['axfr', '--server', server, '--zone', ORIGIN, '--ixfr', String(oldSerial), '--transfers', '3', '--json']);
    expect(older.code).toBe(0);
    expect(older.report).toMatchObject({ mode: 'ixfr', transfers_ok: 3, transfers_failed: 0, kinds: { ixfr: 3 }, serials: [serial] });
    // The current SOA twice plus, per difference, two SOAs and the changed records.
    expect(older.report.records_per_transfer).toBeGreaterThanOrEqual(2 + 2 * 2 + 5_001);
    const current = await bench<AxfrJson>(['axfr', '--server', server, '--zone', ORIGIN, '--ixfr', String(serial), '--transfers', '2', '--json']);
    expect(current.code).toBe(0);
    expect(current.report).toMatchObject({ kinds: { 'up-to-date': 2 }, records_per_transfer: 1, messages_per_transfer: 1 });
  });

  it('verifies TSIG on every message, and reports a wrong or missing key without retrying', async () => {
    const ok = await bench<AxfrJson>(['axfr', '--server', server, '--zone', TSIG_ORIGIN, '--tsig', key.kdigArg, '--transfers', '4', '--concurrency', '2', '--json']);
    expect(ok.code).toBe(0);
    expect(ok.report).toMatchObject({ tsig_key: 'bench-key.', transfers_ok: 4, transfers_failed: 0 });
    expect(ok.report.messages_per_transfer).toBeGreaterThan(1);
    expect(ok.report.signed_messages_per_transfer).toBe(ok.report.messages_per_transfer);

    const wrong = newKey('hmac-sha256', 'bench-key');
    const bad = await bench<AxfrJson>(['axfr', '--server', server, '--zone', TSIG_ORIGIN, '--tsig', wrong.kdigArg, '--transfers', '3', '--json']);
    expect(bad.code).toBe(1);
    expect(bad.report).toMatchObject({ transfers_ok: 0, transfers_failed: 3, errors: [{ kind: 'rcode', count: 3 }] });
    expect(bad.report.errors[0]!.example).toMatch(/NOTAUTH \(TSIG BADSIG\)/);

    const unsigned = await bench<AxfrJson>(['axfr', '--server', server, '--zone', TSIG_ORIGIN, '--transfers', '20', '--max-failures', '2', '--json']);
    expect(unsigned.code).toBe(1);
    expect(unsigned.report).toMatchObject({ stopped_by: 'failures', transfers_ok: 0, transfers_failed: 2, errors: [{ kind: 'rcode', example: 'server answered REFUSED' }] });
  });

  it('stops a --duration run by itself and prints a text report', async () => {
    const j = await bench<AxfrJson>(['axfr', '--server', server, '--zone', ORIGIN, '--duration', '300ms', '--concurrency', '2', '--json']);
    expect(j.code).toBe(0);
    expect(j.report.stopped_by).toBe('duration');
    expect(j.report.transfers_ok).toBeGreaterThanOrEqual(1);
    const text = await bench(['axfr', '--server', server, '--zone', ORIGIN, '--duration', '1200ms']);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^zonexfer bench axfr 127\.0\.0\.1:\d+ bench\.example\. serial \d+: 1\.2 s, concurrency 1/);
    expect(text.stdout).toMatch(/records {5}\d+ per transfer/);
    expect(text.stdout).toMatch(/complete {4}p50 [\d.]+ ms {2}p90/);
    // Not a terminal: progress is plain lines on stderr, never rewritten in place (the timing of
    // the lines is covered with fake timers in test/unit/bench/report.test.ts).
    expect(text.stderr).not.toContain('\r');
  });

  it('runs a small UDP query load on names read from an AXFR, and on invented names', async () => {
    const axfrNames = await bench<{ names: { source: string; count: number }; answered: number; lost: number; sent: number; rcodes: Record<string, number>; latency_ms: { p50: number; p90: number; p99: number; max: number } }>(
      ['query', '--server', server, '--zone', ORIGIN, '--duration', '400ms', '--concurrency', '4', '--json'],
    );
    expect(axfrNames.code).toBe(0);
    const q = axfrNames.report;
    expect(q.names.source).toBe('axfr');
    // bigZoneRows: every even row is an A record; plus www.
    expect(q.names.count).toBe(2_501);
    expect(q.answered).toBeGreaterThan(0);
    expect(q.answered + q.lost).toBe(q.sent);
    expect(q.rcodes['NOERROR']).toBe(q.answered);
    expect(ordered(q.latency_ms)).toBe(true);
    const random = await bench<{ names: { source: string }; rcodes: Record<string, number>; answered: number }>(
      ['query', '--server', server, '--zone', ORIGIN, '--duration', '200ms', '--random', '--json'],
    );
    expect(random.report.names.source).toBe('random');
    expect(random.report.rcodes['NXDOMAIN']).toBe(random.report.answered);
  });

  describe('notify', () => {
    let responder: Socket;
    let port: number;
    let answer = 0;
    beforeAll(async () => {
      responder = createSocket('udp4');
      responder.on('message', (buf, rinfo) => {
        const m = decodeMessage(buf);
        if (!m.ok || opcodeOf(m.value.header.flags) !== Opcode.Notify) return;
        responder.send(notifyResponse(m.value, answer), rinfo.port, rinfo.address);
      });
      await new Promise<void>((res) => responder.bind(0, '127.0.0.1', res));
      port = responder.address().port;
    });
    afterAll(() => responder.close());

    it('reports acknowledgement latency, and error answers by RCODE', async () => {
      const r = await bench<{ sent: number; acked: number; failed: number; ack_ms: { p50: number; p90: number; p99: number; max: number } }>(
        ['notify', '--target', `127.0.0.1:${port}`, '--zone', ORIGIN, '--count', '12', '--concurrency', '3', '--json'],
      );
      expect(r.code).toBe(0);
      expect(r.report).toMatchObject({ sent: 12, acked: 12, failed: 0 });
      expect(ordered(r.report.ack_ms)).toBe(true);
      answer = Rcode.NotAuth;
      const refused = await bench<{ acked: number; errors: { kind: string; count: number; example: string }[] }>(
        ['notify', '--target', `127.0.0.1:${port}`, '--zone', ORIGIN, '--count', '2', '--json'],
      );
      expect(refused.code).toBe(1);
      expect(refused.report).toMatchObject({ acked: 0, errors: [{ kind: 'rcode', count: 2, example: 'answered NOTAUTH' }] });
    });
  });
});
