// The 28 secondary_dns endpoints through the official SDK (cloudflare 7.3) against a listening
// build(): shapes as the SDK types them, id == zone id, echoed values, omitted unset fields,
// engine commands, and the compatibility traps of API.md §1.1–1.2 (bodies of action POSTs, DELETE
// bodies, peer create with every field, PUT null clears).
import Cloudflare from 'cloudflare';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApi, sdkError, type ApiHarness, type TestAccount } from '../helpers/api.js';
import { storeVariants } from '../helpers/db.js';

const TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}(Z|[+-]\d\d:\d\d)$/;
const HEX_SECRET = 'a1'.repeat(64);

describe.each(storeVariants())('secondary_dns endpoints via the SDK on %s', (kind) => {
  let h: ApiHarness;
  let acc: TestAccount;
  let cf: Cloudflare;
  let account_id: string;

  beforeAll(async () => {
    h = await startApi(kind);
    acc = await h.newAccount('transfers');
    cf = acc.client;
    account_id = acc.account.id;
  });
  afterAll(async () => {
    await h?.close();
  });

  it('TSIGs: create, get, list, update, delete (values echoed as sent)', async () => {
    const zt = cf.dns.zoneTransfers;
    const created = await zt.tsigs.create({ account_id, name: 'tsig.customer.cf.', algo: 'hmac-sha512.', secret: HEX_SECRET });
    expect(created).toEqual({ id: expect.stringMatching(/^[0-9a-f]{32}$/), name: 'tsig.customer.cf.', algo: 'hmac-sha512.', secret: HEX_SECRET });
    expect(await zt.tsigs.get(created.id, { account_id })).toEqual(created);
    const b64 = 'kyTZ'.repeat(21) + 'Ag==';
    const updated = await zt.tsigs.update(created.id, { account_id, name: 'TSIG.Customer.cf', algo: 'HMAC-SHA256', secret: b64 });
    expect(updated).toEqual({ id: created.id, name: 'TSIG.Customer.cf', algo: 'HMAC-SHA256', secret: b64 });
    const page = await zt.tsigs.list({ account_id });
    expect(page.result).toEqual([updated]);
    const items: unknown[] = [];
    for await (const t of zt.tsigs.list({ account_id })) items.push(t);
    expect(items).toEqual([updated]);
    expect(await zt.tsigs.delete(created.id, { account_id })).toEqual({ id: created.id });
    await sdkError(zt.tsigs.get(created.id, { account_id }), Cloudflare.NotFoundError);
    expect((await zt.tsigs.list({ account_id })).result).toEqual([]);
  });

  it('ACLs: create, get, list, update, delete (ip_range as given)', async () => {
    const zt = cf.dns.zoneTransfers;
    const acl = await zt.acls.create({ account_id, name: 'my-acl-1', ip_range: '192.0.2.53/28' });
    expect(acl).toEqual({ id: expect.stringMatching(/^[0-9a-f]{32}$/), name: 'my-acl-1', ip_range: '192.0.2.53/28' });
    expect(await zt.acls.get(acl.id, { account_id })).toEqual(acl);
    const v6 = await zt.acls.update(acl.id, { account_id, name: 'v6', ip_range: '2001:DB8::/64' });
    expect(v6).toEqual({ id: acl.id, name: 'v6', ip_range: '2001:DB8::/64' });
    const bare = await zt.acls.create({ account_id, name: 'host', ip_range: '1.2.3.4' });
    const listed = (await zt.acls.list({ account_id })).result;
    expect(listed).toHaveLength(2);
    expect(listed).toEqual(expect.arrayContaining([v6, bare]));
    expect(await zt.acls.delete(acl.id, { account_id })).toEqual({ id: acl.id });
    expect(await zt.acls.delete(bare.id, { account_id })).toEqual({ id: bare.id });
    await sdkError(zt.acls.delete(acl.id, { account_id }), Cloudflare.NotFoundError);
  });

  it('peers: create stores every field sent, unset fields are omitted, PUT null clears', async () => {
    const zt = cf.dns.zoneTransfers;
    const key = await zt.tsigs.create({ account_id, name: 'k.', algo: 'hmac-sha256.', secret: 'AAAA' });
    const bare = await zt.peers.create({ account_id, name: 'my-peer-1' });
    expect(bare).toEqual({ id: expect.stringMatching(/^[0-9a-f]{32}$/), name: 'my-peer-1' });
    // Terraform sends the whole model on create (API.md §1.2): the SDK type only has name.
    const full = await zt.peers.create({ account_id, name: 'full', ip: '192.0.2.53', port: 53, ixfr_enable: false, tsig_id: key.id } as Cloudflare.DNS.ZoneTransfers.PeerCreateParams);
    expect(full).toEqual({ id: expect.any(String), name: 'full', ip: '192.0.2.53', port: 53, ixfr_enable: false, tsig_id: key.id });
    expect(await zt.peers.get(full.id, { account_id })).toEqual(full);
    const v6 = await zt.peers.update(bare.id, { account_id, name: 'renamed', ip: '2001:DB8::1', port: 5353, ixfr_enable: true });
    expect(v6).toEqual({ id: bare.id, name: 'renamed', ip: '2001:DB8::1', port: 5353, ixfr_enable: true });
    // Absent fields keep their value; explicit null clears (Terraform removing an attribute).
    const raw = await h.raw('PUT', `/accounts/${account_id}/secondary_dns/peers/${full.id}`, {
      token: acc.token,
      body: { name: 'full', tsig_id: null, ip: null },
    });
    expect(raw.status).toBe(200);
    expect(raw.json.result).toEqual({ id: full.id, name: 'full', port: 53, ixfr_enable: false });
    expect((await zt.peers.list({ account_id })).result.map((p) => p.id).sort()).toEqual([bare.id, full.id].sort());
    expect(await zt.peers.delete(full.id, { account_id })).toEqual({ id: full.id });
    await sdkError(zt.peers.get(full.id, { account_id }), Cloudflare.NotFoundError);
  });

  it('incoming: create/get/update/delete on a secondary zone; id is the zone id; force_axfr', async () => {
    const zt = cf.dns.zoneTransfers;
    const peer = await zt.peers.create({ account_id, name: 'primary', ip: '192.0.2.1', port: 53 } as Cloudflare.DNS.ZoneTransfers.PeerCreateParams);
    const zone = await cf.zones.create({ name: 'www.example.com', account: { id: account_id }, type: 'secondary' });
    const zone_id = zone.id;
    await sdkError(zt.incoming.get({ zone_id }), Cloudflare.NotFoundError);
    await sdkError(zt.forceAXFR.create({ zone_id }), Cloudflare.NotFoundError);
    h.engine.clear();

    const created = await zt.incoming.create({ zone_id, name: 'www.example.com.', auto_refresh_seconds: 86400, peers: [peer.id] });
    expect(created).toEqual({
      id: zone_id,
      name: 'www.example.com.',
      auto_refresh_seconds: 86400,
      peers: [peer.id],
      created_time: expect.stringMatching(TIME),
      modified_time: expect.stringMatching(TIME),
    });
    expect(created).not.toHaveProperty('soa_serial');
    expect(created).not.toHaveProperty('checked_time');
    expect(h.engine.of('zoneChanged')).toEqual([zone_id]);
    expect(await zt.incoming.get({ zone_id })).toEqual(created);

    await sdkError(zt.incoming.create({ zone_id, name: 'www.example.com', auto_refresh_seconds: 300, peers: [] }), Cloudflare.BadRequestError);

    const updated = await zt.incoming.update({ zone_id, name: 'www.example.com', auto_refresh_seconds: 300, peers: [] });
    expect(updated).toMatchObject({ id: zone_id, name: 'www.example.com', auto_refresh_seconds: 300, peers: [] });

    // Engine results show up once recorded.
    await h.store.incoming.recordCheck(zone_id, { soaSerial: 2019102400, checkedTime: new Date() });
    expect(await zt.incoming.get({ zone_id })).toMatchObject({ soa_serial: 2019102400, checked_time: expect.stringMatching(TIME) });

    // Terraform's sweeper PUTs peers: [] only (API.md §1.2).
    const swept = await h.raw('PUT', `/zones/${zone_id}/secondary_dns/incoming`, { token: acc.token, body: { peers: [] } });
    expect(swept.status).toBe(200);
    expect(swept.json.result).toMatchObject({ name: 'www.example.com', auto_refresh_seconds: 300, peers: [] });

    h.engine.clear();
    expect(await zt.forceAXFR.create({ zone_id })).toBe('OK');
    expect(h.engine.of('forceAxfr')).toEqual([zone_id]);

    expect(await zt.incoming.delete({ zone_id })).toEqual({ id: zone_id });
    await sdkError(zt.incoming.get({ zone_id }), Cloudflare.NotFoundError);
    await sdkError(zt.incoming.delete({ zone_id }), Cloudflare.NotFoundError);
  });

  it('auto_refresh_seconds defaults to 86400', async () => {
    const zone = await cf.zones.create({ name: 'default-refresh.example', account: { id: account_id }, type: 'secondary' });
    // Unknown fields (and the spec's `id`) are ignored, never refused.
    const res = await h.raw('POST', `/zones/${zone.id}/secondary_dns/incoming`, {
      token: acc.token,
      body: { name: 'default-refresh.example', id: 'client-sent', soa_serial: 7, extra: { x: 1 } },
    });
    expect(res.status).toBe(200);
    expect(res.json.result).toMatchObject({ id: zone.id, auto_refresh_seconds: 86400, peers: [] });
    expect(res.json.result).not.toHaveProperty('soa_serial');
  });

  it('outgoing: create/get/update/delete, enable/disable/status/force_notify', async () => {
    const zt = cf.dns.zoneTransfers;
    const peer = await zt.peers.create({ account_id, name: 'secondary' });
    const zone = await cf.zones.create({ name: 'primary.example', account: { id: account_id } });
    expect(zone.type).toBe('full');
    const zone_id = zone.id;
    await sdkError(zt.outgoing.get({ zone_id }), Cloudflare.NotFoundError);
    await sdkError(zt.outgoing.status.get({ zone_id }), Cloudflare.NotFoundError);
    await sdkError(zt.outgoing.enable({ zone_id }), Cloudflare.NotFoundError);
    h.engine.clear();

    const created = await zt.outgoing.create({ zone_id, name: 'primary.example', peers: [peer.id] });
    expect(created).toEqual({ id: zone_id, name: 'primary.example', peers: [peer.id], created_time: expect.stringMatching(TIME) });
    expect(created).not.toHaveProperty('auto_refresh_seconds');
    expect(created).not.toHaveProperty('modified_time');
    expect(await zt.outgoing.get({ zone_id })).toEqual(created);
    expect(await zt.outgoing.status.get({ zone_id })).toBe('Disabled');
    await sdkError(zt.outgoing.forceNotify({ zone_id }), Cloudflare.BadRequestError);

    expect(await zt.outgoing.enable({ zone_id })).toBe('Enabled');
    expect(await zt.outgoing.status.get({ zone_id })).toBe('Enabled');
    expect(await zt.outgoing.forceNotify({ zone_id })).toBe('OK');
    expect(h.engine.of('outgoingEnabled')).toEqual([zone_id]);
    expect(h.engine.of('forceNotify')).toEqual([zone_id]);

    const updated = await zt.outgoing.update({ zone_id, name: 'PRIMARY.example.', peers: [] });
    expect(updated).toMatchObject({ id: zone_id, name: 'PRIMARY.example.', peers: [] });
    await h.store.outgoing.recordCheck(zone_id, { soaSerial: 5, lastTransferredTime: new Date() });
    expect(await zt.outgoing.get({ zone_id })).toMatchObject({ soa_serial: 5, last_transferred_time: expect.stringMatching(TIME) });

    expect(await zt.outgoing.disable({ zone_id })).toBe('Disabled');
    expect(await zt.outgoing.status.get({ zone_id })).toBe('Disabled');
    expect(h.engine.of('zoneChanged')).toEqual([zone_id, zone_id, zone_id, zone_id]);

    expect(await zt.outgoing.delete({ zone_id })).toEqual({ id: zone_id });
    await sdkError(zt.outgoing.get({ zone_id }), Cloudflare.NotFoundError);
  });

  it('action POSTs ignore their body: none, {}, null, junk, any content type', async () => {
    const zone = await cf.zones.create({ name: 'bodies.example', account: { id: account_id }, type: 'secondary' });
    await cf.dns.zoneTransfers.incoming.create({ zone_id: zone.id, name: 'bodies.example', auto_refresh_seconds: 300, peers: [] });
    await cf.dns.zoneTransfers.outgoing.create({ zone_id: zone.id, name: 'bodies.example', peers: [] });
    const base = `/zones/${zone.id}/secondary_dns`;
    const bodies: Array<{ body?: string; headers?: Record<string, string> }> = [
      {},
      { body: '{}', headers: { 'content-type': 'application/json' } },
      { body: 'null', headers: { 'content-type': 'application/json' } },
      { body: '{not json', headers: { 'content-type': 'application/json' } },
      { body: 'whatever', headers: { 'content-type': 'text/plain' } },
      { body: 'a=b', headers: { 'content-type': 'application/x-www-form-urlencoded' } },
      { body: '{}' },
    ];
    for (const b of bodies) {
      const opts = { token: acc.token, ...b };
      expect((await h.raw('POST', `${base}/force_axfr`, opts)).json.result).toBe('OK');
      expect((await h.raw('POST', `${base}/outgoing/enable`, opts)).json.result).toBe('Enabled');
      expect((await h.raw('POST', `${base}/outgoing/force_notify`, opts)).json.result).toBe('OK');
      expect((await h.raw('POST', `${base}/outgoing/disable`, opts)).json.result).toBe('Disabled');
    }
  });

  it('DELETE works with or without a JSON body', async () => {
    const zt = cf.dns.zoneTransfers;
    const a1 = await zt.acls.create({ account_id, name: 'one', ip_range: '10.0.0.1/32' });
    const a2 = await zt.acls.create({ account_id, name: 'two', ip_range: '10.0.0.2/32' });
    const withBody = await h.raw('DELETE', `/accounts/${account_id}/secondary_dns/acls/${a1.id}`, { token: acc.token, body: {} });
    expect(withBody.status).toBe(200);
    expect(withBody.json).toEqual({ success: true, errors: [], messages: [], result: { id: a1.id } });
    const without = await h.raw('DELETE', `/accounts/${account_id}/secondary_dns/acls/${a2.id}`, { token: acc.token });
    expect(without.status).toBe(200);
    expect(without.headers.get('content-type')).toContain('application/json');
  });

  it('peer and TSIG changes notify every linked zone; deleting a linked peer unlinks it', async () => {
    const zt = cf.dns.zoneTransfers;
    const key = await zt.tsigs.create({ account_id, name: 'link.', algo: 'hmac-sha1', secret: 'AAAA' });
    const peer = await zt.peers.create({ account_id, name: 'linked', tsig_id: key.id } as Cloudflare.DNS.ZoneTransfers.PeerCreateParams);
    const z1 = await cf.zones.create({ name: 'l1.example', account: { id: account_id }, type: 'secondary' });
    const z2 = await cf.zones.create({ name: 'l2.example', account: { id: account_id } });
    await zt.incoming.create({ zone_id: z1.id, name: 'l1.example', auto_refresh_seconds: 300, peers: [peer.id] });
    await zt.outgoing.create({ zone_id: z2.id, name: 'l2.example', peers: [peer.id] });
    h.engine.clear();
    await zt.tsigs.update(key.id, { account_id, name: 'link.', algo: 'hmac-sha1', secret: 'BBBB' });
    expect(h.engine.of('zoneChanged').sort()).toEqual([z1.id, z2.id].sort());
    h.engine.clear();
    await zt.peers.update(peer.id, { account_id, name: 'linked', port: 5300 });
    expect(h.engine.of('zoneChanged').sort()).toEqual([z1.id, z2.id].sort());
    h.engine.clear();
    await zt.acls.create({ account_id, name: 'notify-src', ip_range: '198.51.100.0/24' });
    expect(h.engine.of('zoneChanged')).toEqual(expect.arrayContaining([z1.id, z2.id]));
    h.engine.clear();
    expect(await zt.peers.delete(peer.id, { account_id })).toEqual({ id: peer.id });
    expect(h.engine.of('zoneChanged').sort()).toEqual([z1.id, z2.id].sort());
    expect((await zt.incoming.get({ zone_id: z1.id })).peers).toEqual([]);
    expect((await zt.outgoing.get({ zone_id: z2.id })).peers).toEqual([]);
  });

  it('X-Auth-Email + X-Auth-Key authenticate like a bearer token', async () => {
    const keyClient = new Cloudflare({ apiEmail: 'ops@example.com', apiKey: acc.token, baseURL: h.baseURL, maxRetries: 0 });
    const page = await keyClient.dns.zoneTransfers.peers.list({ account_id });
    expect(Array.isArray(page.result)).toBe(true);
  });
});
