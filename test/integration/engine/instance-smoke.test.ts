// A full in-process zonexfer: records set through the official SDK are served at once, with a
// new serial per change, and an allowed client can AXFR the zone.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Instance, startInstance } from '../../helpers/instance.js';
import { querySoa } from '../../../src/xfr/in/client.js';
import { transferIn } from '../../../src/xfr/in/client.js';
import { RRType, nameFromTrusted } from '../../../src/wire/index.js';

describe('in-process instance', () => {
  let zx: Instance;
  beforeAll(async () => {
    zx = await startInstance();
  });
  afterAll(async () => {
    await zx.close();
  });

  it('publishes API records live and serves AXFR to an ACL source', async () => {
    const zone = (await zx.cf.zones.create({ name: 'smoke.example', account: { id: zx.accountId }, type: 'full' })) as { id: string };
    await zx.cf.dns.records.create({ zone_id: zone.id, name: 'www.smoke.example', type: 'A', content: '192.0.2.10', ttl: 300 } as never);
    await zx.engine.idle();
    const origin = nameFromTrusted('smoke.example.');
    const first = await querySoa({ host: '127.0.0.1', port: zx.dnsPort }, origin);
    expect(first.ok).toBe(true);
    await zx.cf.dns.records.create({ zone_id: zone.id, name: 'api.smoke.example', type: 'AAAA', content: '2001:db8::1', ttl: 300 } as never);
    await zx.engine.idle();
    const second = await querySoa({ host: '127.0.0.1', port: zx.dnsPort }, origin);
    expect(second.ok && first.ok && second.value.serial).toBe(first.ok ? first.value.serial + 1 : -1);

    const refused = await transferIn({ peer: { host: '127.0.0.1', port: zx.dnsPort }, origin, qtype: RRType.AXFR });
    expect(refused).toMatchObject({ ok: false, error: { kind: 'refused' } });
    await zx.cf.dns.zoneTransfers.acls.create({ account_id: zx.accountId, name: 'lo', ip_range: '127.0.0.1/32' });
    await zx.cf.dns.zoneTransfers.outgoing.create({ zone_id: zone.id, name: 'smoke.example.', peers: [] });
    await zx.cf.dns.zoneTransfers.outgoing.enable({ zone_id: zone.id } as never);
    await zx.engine.idle();
    const axfr = await transferIn({ peer: { host: '127.0.0.1', port: zx.dnsPort }, origin, qtype: RRType.AXFR });
    expect(axfr.ok).toBe(true);
    if (!axfr.ok || axfr.value.outcome.kind !== 'full') return;
    expect(axfr.value.outcome.version.recordCount).toBe(4);
    const out = (await zx.cf.dns.zoneTransfers.outgoing.get({ zone_id: zone.id })) as { last_transferred_time?: string };
    expect(out.last_transferred_time).toBeDefined();
  });
});
