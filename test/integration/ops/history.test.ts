// GET /client/v4/zones/{zone_id}/secondary_dns/history (zonexfer extension) through HTTP with a
// bearer token: the zone's transfers and NOTIFYs, newest first, with time, type, peer, serial,
// duration, records, bytes, result, error and the transfer id of the log lines; `limit` bounds it
// (default 50, 1..1000). Tenancy as for every zone route: another account's token gets 404.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RRType, nameFromTrusted } from '../../../src/wire/index.js';
import { transferIn } from '../../../src/xfr/in/client.js';
import { FakePrimary, sendNotify, testZone } from '../../helpers/fake-primary.js';
import { type Instance, startInstance } from '../../helpers/instance.js';
import { addSecondary, nextPublished, waitFor, waitPublished } from '../../helpers/interop-secondary/secondary.js';
import { api } from './helpers.js';

const ORIGIN = 'hist.example.';

interface Entry {
  id: number;
  time: string;
  started_at: string;
  type: string;
  peer: string | null;
  serial: number | null;
  duration_ms: number;
  records: number | null;
  bytes: number | null;
  result: 'success' | 'failure';
  error: string | null;
  xfr_id: string | null;
}

describe('transfer history API', () => {
  let zx: Instance;
  let primary: FakePrimary;
  let zoneId: string;
  let ownToken: string;
  let otherToken: string;
  const url = (q = '') => `${zx.apiUrl}/zones/${zoneId}/secondary_dns/history${q}`;
  const history = async (token: string, q = '') => {
    const res = await api(url(q), token);
    expect(res.status).toBe(200);
    return res.body['result'] as Entry[];
  };
  const newToken = async (accountId: string): Promise<string> => {
    const res = await fetch(`${zx.apiUrl}/accounts/${accountId}/tokens`, {
      method: 'POST',
      headers: { authorization: `Bearer ${zx.adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'history test' }),
    });
    return ((await res.json()) as { result: { value: string } }).result.value;
  };

  beforeAll(async () => {
    zx = await startInstance({ logLevel: 'info' });
    primary = await FakePrimary.start({ zone: testZone(ORIGIN, 1) });
    zoneId = (await addSecondary(zx, { origin: ORIGIN, primary: primary.address })).zoneId;
    await waitPublished(zx, zoneId, { serial: 1 });
    // NOTIFY for serial 2 → notify-in, then axfr-in of serial 2.
    primary.publish(testZone(ORIGIN, 2, { extra: 'new 300 IN TXT "2"' }));
    const published = nextPublished(zx, zoneId, { serial: 2 });
    await sendNotify({ from: '127.0.0.1', to: { host: '127.0.0.1', port: zx.dnsPort }, origin: ORIGIN, soa: primary.zone! });
    await published;
    // Then the primary goes away: a forced AXFR fails and the refresh is kept as a failure.
    primary.script = () => 'drop';
    await zx.cf.dns.zoneTransfers.forceAXFR.create({ zone_id: zoneId } as never);
    await waitFor('the failed refresh in the history', async () => ((await zx.store.zoneState.history(zoneId, 1))[0]?.op === 'refresh' ? true : undefined));
    ownToken = await newToken(zx.accountId);
    const other = (await zx.cf.accounts.create({ name: 'other', type: 'standard' } as never)) as unknown as { id: string };
    otherToken = await newToken(other.id);
  });
  afterAll(async () => {
    await primary?.close();
    await zx?.close();
  });

  it('lists transfers and NOTIFYs newest first with their details', async () => {
    const rows = await history(ownToken);
    expect(rows.map((r) => r.type)).toEqual(['refresh', 'axfr-in', 'notify-in', 'axfr-in']);
    const [failed, second, notify, first] = rows as [Entry, Entry, Entry, Entry];
    expect(rows.map((r) => r.id)).toEqual([...rows.map((r) => r.id)].sort((a, b) => b - a));
    expect(failed).toMatchObject({ result: 'failure', peer: null, serial: 2, records: null, error: expect.stringContaining(`127.0.0.1#${primary.port}`) });
    expect(second).toMatchObject({ result: 'success', peer: '127.0.0.1', serial: 2, records: 6, error: null, xfr_id: expect.stringMatching(/^[0-9a-f]{8}$/) });
    expect(second.bytes).toBeGreaterThan(100);
    expect(second.duration_ms).toBeGreaterThanOrEqual(0);
    expect(second.duration_ms).toBeLessThan(10_000);
    expect(Date.parse(second.time)).toBeGreaterThanOrEqual(Date.parse(second.started_at));
    expect(Date.parse(second.time)).toBe(Date.parse(second.started_at) + second.duration_ms);
    expect(notify).toMatchObject({ result: 'success', peer: '127.0.0.1', serial: 2, records: null, bytes: null });
    expect(first).toMatchObject({ type: 'axfr-in', serial: 1, records: 5 });
    // The transfer id is the one on the transfer's log lines.
    const completed = zx.logs.find((l) => l['msg'] === 'AXFR completed' && l['serial'] === 2);
    expect(completed?.['xfr']).toBe(second.xfr_id);
    const failedLine = zx.logs.find((l) => l['msg'] === 'refresh failed');
    expect(failedLine?.['xfr']).toBe(failed.xfr_id);
  });

  it('bounds the list with limit (1..1000, default 50)', async () => {
    expect((await history(ownToken, '?limit=2')).map((r) => r.type)).toEqual(['refresh', 'axfr-in']);
    for (const bad of ['0', '1001', 'x']) {
      const res = await api(url(`?limit=${bad}`), ownToken);
      expect(res.status, bad).toBe(400);
      expect(res.body).toMatchObject({ success: false, errors: [{ code: 1000 }] });
    }
    expect(await history(ownToken, '?limit=1000')).toHaveLength(4);
  });

  it("answers 404 to another account's token, and to no zone", async () => {
    const res = await api(url(), otherToken);
    expect(res.status).toBe(404);
    expect(res.body).toMatchObject({ success: false, result: null });
    const missing = await api(`${zx.apiUrl}/zones/${'0'.repeat(32)}/secondary_dns/history`, ownToken);
    expect(missing.status).toBe(404);
    expect((await api(url(), null)).status).toBeGreaterThanOrEqual(400);
    // The admin token sees every account.
    expect(await history(zx.adminToken)).toHaveLength(4);
  });

  it('records transfers out of a primary zone with records and bytes', async () => {
    const zone = (await zx.cf.zones.create({ name: 'histout.example', account: { id: zx.accountId }, type: 'full' })) as { id: string };
    await zx.cf.dns.zoneTransfers.acls.create({ account_id: zx.accountId, name: 'lo', ip_range: '127.0.0.1/32' });
    await zx.cf.dns.zoneTransfers.outgoing.create({ zone_id: zone.id, name: 'histout.example.', peers: [] });
    await zx.cf.dns.zoneTransfers.outgoing.enable({ zone_id: zone.id } as never);
    await zx.engine.idle();
    const axfr = await transferIn({ peer: { host: '127.0.0.1', port: zx.dnsPort }, origin: nameFromTrusted('histout.example.'), qtype: RRType.AXFR });
    expect(axfr.ok).toBe(true);
    const rows = await waitFor('the axfr-out row', async () => {
      const r = (await api(`${zx.apiUrl}/zones/${zone.id}/secondary_dns/history`, ownToken)).body['result'] as Entry[];
      return r.length > 0 ? r : undefined;
    });
    const sent = zx.logs.find((l) => l['msg'] === 'AXFR sent' && l['zone'] === 'histout.example.');
    expect(rows[0]).toMatchObject({ type: 'axfr-out', result: 'success', peer: '127.0.0.1', records: axfr.ok ? axfr.value.records : -1, xfr_id: sent?.['xfr'] });
    expect(rows[0]!.bytes).toBe(axfr.ok ? axfr.value.bytes : -1);
  });
});
