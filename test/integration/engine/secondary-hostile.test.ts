// Hostile primaries (RFC 5936 §2.2 / §4, RFC 1995, STYLE.md "one zone version at a time"): a
// primary that streams records forever (stopped at the record limit, or at the byte limit), one
// that stalls in the middle of a transfer (stopped by the idle timeout), and ones that send records
// outside the zone (in an AXFR, in an IXFR). zonexfer aborts each transfer, records why, and keeps
// serving the previous version whole — the very same version object, not a partial copy. The
// limits and timeouts are lowered through the engine's existing tuning (EngineTuning.xfrLimits,
// .xfrTimeouts), which the refresh handler passes to every transfer.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RRClass, RRType, type ResourceRecord, nameFromTrusted } from '../../../src/wire/index.js';
import type { ZoneVersion } from '../../../src/zone/index.js';
import {
  FakePrimary, type FakeRequest, answerIxfr, answerSoa, endlessTransfer, oneRecordPerMessage, answerAxfr, recordLines, sendNotify, testZone,
} from '../../helpers/fake-primary.js';
import { type Instance, startInstance } from '../../helpers/instance.js';
import { addSecondary, ask, lastError, logsOf, recentLog, soaSerialOf, waitFor, waitPublished } from '../../helpers/interop-secondary/secondary.js';

const MAX_RECORDS = 5000;
const MAX_BYTES = 1 << 20;
const IDLE_MS = 1000;
const OVERALL_MS = 4000;

const a = (name: string, i: number): ResourceRecord => ({ name: nameFromTrusted(name), type: RRType.A, class: RRClass.IN, ttl: 300, rdata: Uint8Array.of(10, (i >> 16) & 255, (i >> 8) & 255, i & 255) });

/** bigTxt is a TXT RR of ~60 KB (235 strings of 255 octets). */
function bigTxt(name: string): ResourceRecord {
  const rdata = new Uint8Array(235 * 256);
  for (let k = 0; k < 235; k++) {
    rdata[k * 256] = 255;
    rdata.fill(0x78, k * 256 + 1, (k + 1) * 256);
  }
  return { name: nameFromTrusted(name), type: RRType.TXT, class: RRClass.IN, ttl: 300, rdata };
}

describe('secondary: hostile primaries (fake primaries)', () => {
  let zx: Instance;
  const primaries: FakePrimary[] = [];
  beforeAll(async () => {
    zx = await startInstance({
      logLevel: 'info',
      tuning: { xfrLimits: { maxRecords: MAX_RECORDS, maxBytes: MAX_BYTES }, xfrTimeouts: { connectMs: 2000, idleMs: IDLE_MS, overallMs: OVERALL_MS } },
    });
  });
  afterAll(async () => {
    await Promise.all(primaries.map((p) => p.close()));
    await zx?.close();
  });

  /**
   * attack: zonexfer holds v1 from an honest primary; the primary then turns to `script` with a
   * v2 (serial 2) and NOTIFYs; resolves once that refresh failed, with what is needed to check it.
   */
  async function attack(origin: string, script: (req: FakeRequest, p: FakePrimary, v2: ZoneVersion) => ReturnType<FakePrimary['serve']>, o: { ixfr?: boolean } = {}) {
    const v1 = testZone(origin, 1, { extra: 'mail 300 IN MX 10 www\ntxt 300 IN TXT "v1"' });
    const v2 = testZone(origin, 2, { extra: 'txt 300 IN TXT "v2"' });
    const primary = await FakePrimary.start({ zone: v1 });
    primaries.push(primary);
    const { zoneId } = await addSecondary(zx, { origin, primary: primary.address, ixfr: o.ixfr ?? false });
    await waitPublished(zx, zoneId, { serial: 1 });
    const before = zx.engine.registry.get(zoneId)!.version;
    const failuresBefore = logsOf(zx, origin, 'refresh').filter((l) => l['msg'] === 'refresh failed').length;
    const mark = primary.requests.length;
    primary.publish(v2);
    primary.script = (req, p) => script(req, p, v2);
    await sendNotify({ from: '127.0.0.1', to: { host: '127.0.0.1', port: zx.dnsPort }, origin });
    await waitFor('the refresh to fail', () => (logsOf(zx, origin, 'refresh').filter((l) => l['msg'] === 'refresh failed').length > failuresBefore ? true : undefined), {
      timeoutMs: 30_000,
      detail: () => recentLog(zx),
    });
    await zx.engine.idle();
    return { primary, zoneId, v1, before, asked: primary.asked(mark) };
  }

  /** expectOldZoneWhole checks that the very version held before is still served, unexpired. */
  async function expectOldZoneWhole(origin: string, zoneId: string, v1: ZoneVersion, before: ZoneVersion): Promise<void> {
    const now = zx.engine.registry.get(zoneId)!;
    expect(now.version).toBe(before);
    expect(now.expired).toBe(false);
    expect(recordLines(now.version)).toEqual(recordLines(v1));
    expect(await soaSerialOf(zx, origin)).toBe(1);
    expect((await ask(zx, `txt.${origin}`, 'TXT'))?.answers.length).toBe(1);
    expect((await ask(zx, `r0-0.${origin}`, 'A'))?.rcode).toBe(3);
  }

  it('aborts an endless AXFR at the record limit', async () => {
    const origin = 'endless-records.example.';
    const r = await attack(origin, (req, p, v2) =>
      req.qtype === RRType.AXFR ? { stream: endlessTransfer(req, v2.soa, 500, (i, j) => a(`r${i}-${j}.${origin}`, i * 500 + j)), capBytes: 256 << 20 } : p.serve(req),
    );
    expect(r.asked).toEqual([RRType.SOA, RRType.AXFR]);
    expect(await lastError(zx, r.zoneId)).toMatch(`AXFR: transfer exceeds the records limit (${MAX_RECORDS})`);
    const report = await r.primary.streamDone();
    expect(report.endedBy).toBe('client');
    expect(report.bytes).toBeLessThan(64 << 20);
    await expectOldZoneWhole(origin, r.zoneId, r.v1, r.before);
  });

  it('aborts an endless AXFR at the byte limit', async () => {
    const origin = 'endless-bytes.example.';
    const r = await attack(origin, (req, p, v2) =>
      req.qtype === RRType.AXFR ? { stream: endlessTransfer(req, v2.soa, 1, (i) => bigTxt(`t${i}.${origin}`)), capBytes: 256 << 20 } : p.serve(req),
    );
    expect(await lastError(zx, r.zoneId)).toMatch(`AXFR: transfer exceeds the bytes limit (${MAX_BYTES})`);
    const report = await r.primary.streamDone();
    expect(report.endedBy).toBe('client');
    expect(report.bytes).toBeLessThan(64 << 20);
    await expectOldZoneWhole(origin, r.zoneId, r.v1, r.before);
  });

  it('aborts a transfer that stalls in the middle (idle timeout)', async () => {
    const origin = 'stall.example.';
    const r = await attack(origin, (req, p, v2) => {
      if (req.qtype !== RRType.AXFR) return p.serve(req);
      // The zone spread one RR per message; everything but the closing SOA, then silence.
      const msgs = oneRecordPerMessage(req, v2.records());
      return { messages: msgs, then: 'stall' };
    });
    expect(r.asked).toEqual([RRType.SOA, RRType.AXFR]);
    expect(await lastError(zx, r.zoneId)).toMatch('AXFR: timed out (idle)');
    await expectOldZoneWhole(origin, r.zoneId, r.v1, r.before);
  });

  it('aborts a transfer that drips a record at a time forever (overall timeout)', async () => {
    // One small message every 300 ms keeps the connection from ever being idle for IDLE_MS.
    const origin = 'drip.example.';
    const r = await attack(origin, (req, p, v2) =>
      req.qtype === RRType.AXFR ? { stream: endlessTransfer(req, v2.soa, 1, (i) => a(`d${i}.${origin}`, i)), capBytes: 1 << 20, intervalMs: 300 } : p.serve(req),
    );
    expect(await lastError(zx, r.zoneId)).toMatch('AXFR: timed out (overall)');
    const report = await r.primary.streamDone();
    expect(report.endedBy).toBe('client');
    await expectOldZoneWhole(origin, r.zoneId, r.v1, r.before);
  });

  it.each([
    ['another domain', 'evil.example.net.'],
    ['a name that only ends like the zone', 'evil-oz.example.'],
  ])('aborts an AXFR carrying a record of %s', async (_what, outside) => {
    const origin = outside.startsWith('evil-oz') ? 'oz.example.' : 'outside.example.';
    const r = await attack(origin, (req, p, v2) => {
      if (req.qtype !== RRType.AXFR) return p.serve(req);
      const rrs = [...v2.records()];
      return oneRecordPerMessage(req, [...rrs.slice(0, 2), a(outside, 1), ...rrs.slice(2), v2.soa]);
    });
    expect(r.asked).toEqual([RRType.SOA, RRType.AXFR]);
    expect(await lastError(zx, r.zoneId)).toMatch(`AXFR: record outside the zone: ${outside}`);
    await expectOldZoneWhole(origin, r.zoneId, r.v1, r.before);
  });

  it('rejects an IXFR adding a record outside the zone, then an AXFR doing the same', async () => {
    const origin = 'outside-ixfr.example.';
    const r = await attack(
      origin,
      (req, p, v2) => {
        if (req.qtype === RRType.IXFR) {
          const d = p.journalFrom(req.ixfrSerial!)![0]!;
          return answerIxfr(req, v2, [{ ...d, added: [...d.added, a('evil.example.net.', 7)] }]);
        }
        if (req.qtype === RRType.AXFR) {
          const msgs = oneRecordPerMessage(req, [v2.soa, a('evil.example.net.', 7), v2.soa]);
          return msgs;
        }
        return p.serve(req);
      },
      { ixfr: true },
    );
    expect(r.asked).toEqual([RRType.IXFR, RRType.SOA, RRType.AXFR]);
    expect(logsOf(zx, origin, 'ixfr-in').some((l) => l['msg'] === 'IXFR unusable, falling back to AXFR')).toBe(true);
    expect(await lastError(zx, r.zoneId)).toMatch('AXFR: record outside the zone: evil.example.net.');
    await expectOldZoneWhole(origin, r.zoneId, r.v1, r.before);
  });

  it('rejects an AXFR whose first record is the SOA of another zone', async () => {
    const origin = 'wrong-soa.example.';
    const r = await attack(origin, (req, p) => {
      if (req.qtype !== RRType.AXFR) return p.serve(req);
      const other = testZone('other.example.', 2);
      return answerAxfr(req, other);
    });
    expect(await lastError(zx, r.zoneId)).toMatch('AXFR: record outside the zone: other.example.');
    await expectOldZoneWhole(origin, r.zoneId, r.v1, r.before);
  });

  it('rejects an AXFR older than what it announced in the SOA probe', async () => {
    // The probe says serial 2, the AXFR brings serial 1 again: not newer, nothing replaces v1.
    const origin = 'older.example.';
    const r = await attack(origin, (req, _p, v2) => (req.qtype === RRType.SOA ? [answerSoa(req, v2)] : answerAxfr(req, testZone(origin, 1))));
    expect(await lastError(zx, r.zoneId)).toMatch('AXFR returned serial 1, not newer than 1');
    await expectOldZoneWhole(origin, r.zoneId, r.v1, r.before);
  });
});
