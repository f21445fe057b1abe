// The refresh lease outlives its refresh by a third of leaseSeconds (src/engine/lease.ts): a zone
// NOTIFYed again within that time is refreshed without a database round trip before its IXFR; the
// lease is renewed by each refresh's last write, released once it has lingered, and released at
// once when the engine stops, so another instance can take over.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Rcode } from '../../../src/wire/index.js';
import { FakePrimary, sendNotify, testZone } from '../../helpers/fake-primary.js';
import { type Instance, startInstance } from '../../helpers/instance.js';
import { addSecondary, nextPublished, waitPublished } from '../../helpers/interop-secondary/secondary.js';
import { waitUntil } from '../persistence/helpers.js';

const LEASE_SECONDS = 3;
const OWNER = 'lease-test';

describe('secondary: the refresh lease lingers after its refresh', () => {
  let zx: Instance | undefined;
  let primary: FakePrimary | undefined;
  afterEach(async () => {
    vi.restoreAllMocks();
    await primary?.close();
    await zx?.close();
  });

  async function setUp(origin: string) {
    zx = await startInstance({ logLevel: 'info', instanceId: OWNER, tuning: { leaseSeconds: LEASE_SECONDS } });
    primary = await FakePrimary.start({ zone: testZone(origin, 1) });
    const { zoneId } = await addSecondary(zx, { origin, primary: primary.address, ixfr: true });
    await waitPublished(zx, zoneId, { serial: 1 });
    await zx.engine.idle();
    const calls: string[] = [];
    const store = zx.store.zoneState;
    const acquire = store.acquireLease.bind(store);
    const release = store.releaseLease.bind(store);
    const finish = store.finishRefresh.bind(store);
    vi.spyOn(store, 'acquireLease').mockImplementation(async (id, owner, ttl) => {
      if (id === zoneId) calls.push('acquire');
      return acquire(id, owner, ttl);
    });
    vi.spyOn(store, 'releaseLease').mockImplementation(async (id, owner) => {
      if (id === zoneId) calls.push('release');
      return release(id, owner);
    });
    vi.spyOn(store, 'finishRefresh').mockImplementation(async (id, f) => {
      if (id === zoneId) calls.push(f.lease === undefined ? 'end' : 'end+renew');
      return finish(id, f);
    });
    return { zx, primary, zoneId, calls };
  }

  async function notifyFor(zx: Instance, primary: FakePrimary, zoneId: string, origin: string, serial: number): Promise<void> {
    const published = nextPublished(zx, zoneId, { serial });
    primary.publish(testZone(origin, serial, { extra: `v${serial} 300 IN TXT "${serial}"` }));
    const res = await sendNotify({ from: '127.0.0.1', to: { host: '127.0.0.1', port: zx.dnsPort }, origin, soa: primary.zone! });
    expect(res !== undefined && (res.header.flags & 0xf) === Rcode.NoError).toBe(true);
    expect((await published).kind).toBe('ixfr-in');
    await zx.engine.idle();
  }

  it('takes no lease round trip before a refresh within the linger, renews it after, and releases it once it has lingered', async () => {
    const origin = 'lease-linger.example.';
    const { zx, primary, zoneId, calls } = await setUp(origin);
    // The first refresh's lease (the AXFR) is lingering now: both NOTIFYs find it held.
    await notifyFor(zx, primary, zoneId, origin, 2);
    await notifyFor(zx, primary, zoneId, origin, 3);
    // Each refresh renewed the lease in its last write; none asked for it first, none released it.
    expect(calls).toEqual(['end+renew', 'end+renew']);
    expect((await zx.store.zoneState.get(zoneId))?.leaseOwner).toBe(OWNER);
    // Once lingered (a third of leaseSeconds), it is released.
    await waitUntil('the lease to be released', async () => ((await zx.store.zoneState.get(zoneId))?.leaseOwner === null ? true : undefined), 5000);
    expect(calls).toEqual(['end+renew', 'end+renew', 'release']);
    // The next refresh has to take it first again.
    await notifyFor(zx, primary, zoneId, origin, 4);
    expect(calls).toEqual(['end+renew', 'end+renew', 'release', 'acquire', 'end+renew']);
  });

  it('releases a lingering lease when the engine stops', async () => {
    const origin = 'lease-stop.example.';
    const { zx, zoneId } = await setUp(origin);
    expect((await zx.store.zoneState.get(zoneId))?.leaseOwner).toBe(OWNER);
    await zx.engine.stop();
    expect((await zx.store.zoneState.get(zoneId))?.leaseOwner).toBeNull();
  });
});
