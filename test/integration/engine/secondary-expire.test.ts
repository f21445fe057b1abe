// SOA EXPIRE for a secondary (RFC 1034 §4.3.5, RFC 1035 §3.3.13): when the primary goes away the
// refresh fails and is retried every RETRY seconds (clamped by the engine's tuning); once EXPIRE
// seconds passed since the last successful refresh the zone answers SERVFAIL instead of stale
// data; when the primary comes back the next retry succeeds and answers come back — whether the
// primary still has the same serial (nothing to transfer) or a newer one (a transfer).
// A tiny zone (RETRY 1 s, EXPIRE 3 s) and small retry clamps keep it to a few seconds.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RRType } from '../../../src/wire/index.js';
import { FakePrimary, sendNotify, testZone } from '../../helpers/fake-primary.js';
import { type Instance, startInstance } from '../../helpers/instance.js';
import { addSecondary, ask, lastError, logsOf, recentLog, soaSerialOf, waitFor, waitPublished } from '../../helpers/interop-secondary/secondary.js';

describe('secondary: expire and recovery (fake primary)', () => {
  let zx: Instance;
  let primary: FakePrimary;
  let zoneId: string;
  const origin = 'expire.example.';
  const zone = (serial: number) => testZone(origin, serial, { retry: 1, expire: 3 });

  beforeAll(async () => {
    zx = await startInstance({
      logLevel: 'info',
      tuning: { minRetrySeconds: 1, maxRetrySeconds: 2, xfrTimeouts: { connectMs: 1000, idleMs: 2000, overallMs: 10_000 } },
    });
    primary = await FakePrimary.start({ zone: zone(1) });
    zoneId = (await addSecondary(zx, { origin, primary: primary.address })).zoneId;
    await waitPublished(zx, zoneId, { serial: 1 });
  });
  afterAll(async () => {
    await primary?.close();
    await zx?.close();
  });

  /** goAway makes the primary silent (UDP dropped, TCP reset) and starts a refresh with a NOTIFY. */
  async function goAway(): Promise<void> {
    primary.script = () => 'drop';
    await sendNotify({ from: '127.0.0.1', to: { host: '127.0.0.1', port: zx.dnsPort }, origin });
  }

  const servfail = () =>
    waitFor('the zone to answer SERVFAIL', async () => ((await soaSerialOf(zx, origin)) === 'SERVFAIL' ? true : undefined), {
      timeoutMs: 20_000,
      intervalMs: 200,
      detail: () => recentLog(zx),
    });

  it('answers SERVFAIL once EXPIRE passed without a successful refresh, and again once the primary is back (same serial)', async () => {
    expect(await soaSerialOf(zx, origin)).toBe(1);
    await goAway();
    await servfail();
    expect((await ask(zx, `www.${origin}`, 'A'))?.rcode).toBe(2);
    expect(logsOf(zx, origin).some((l) => l['msg'] === 'zone expired: answering SERVFAIL until a refresh succeeds')).toBe(true);
    // The refresh keeps failing and is retried on its own, RETRY (1 s) doubling, clamped to 2 s.
    const failures = await waitFor('a retried refresh to fail too', () => {
      const f = logsOf(zx, origin, 'refresh').filter((l) => l['msg'] === 'refresh failed');
      return f.length >= 2 ? f : undefined;
    });
    expect(failures.every((l) => (l['retryInSeconds'] as number) <= 2)).toBe(true);
    expect(await lastError(zx, zoneId)).toMatch(/SOA query: timed out/);

    // The primary comes back with the same serial: the next retry's SOA probe is enough.
    const mark = primary.requests.length;
    primary.script = undefined;
    await waitFor('answers to come back', async () => ((await soaSerialOf(zx, origin)) === 1 ? true : undefined), { timeoutMs: 20_000, detail: () => recentLog(zx) });
    expect((await ask(zx, `www.${origin}`, 'A'))?.answers.length).toBe(1);
    expect(primary.asked(mark).filter((t) => t === RRType.AXFR)).toEqual([]);
    expect(await lastError(zx, zoneId)).toBeNull();
  });

  it('comes back with the newer version when the returning primary has one', async () => {
    await goAway();
    await servfail();
    primary.publish(zone(2));
    primary.script = undefined;
    await waitPublished(zx, zoneId, { serial: 2, timeoutMs: 20_000 });
    expect(await soaSerialOf(zx, origin)).toBe(2);
    expect(zx.engine.registry.get(zoneId)?.expired).toBe(false);
  });
});
