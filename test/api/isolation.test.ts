// Account isolation and authentication: a token of account A gets 404 on every object of account B
// (and B's data is untouched), admin-only operations answer 403, and missing, malformed or unknown
// credentials answer 400/9106, 400/6003 and 403/9109 like Cloudflare.
import Cloudflare from 'cloudflare';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { firstError, sdkError, startApi, type ApiHarness, type TestAccount } from '../helpers/api.js';
import { storeVariants } from '../helpers/db.js';

describe.each(storeVariants())('isolation and auth on %s', (kind) => {
  let h: ApiHarness;
  let a: TestAccount;
  let b: TestAccount;
  const ids = { zone: '', fullZone: '', peer: '', tsig: '', acl: '', token: '' };

  beforeAll(async () => {
    h = await startApi(kind);
    a = await h.newAccount('A');
    b = await h.newAccount('B');
    const zt = b.client.dns.zoneTransfers;
    const account_id = b.account.id;
    ids.tsig = (await zt.tsigs.create({ account_id, name: 'b.', algo: 'hmac-sha256', secret: 'AAAA' })).id;
    ids.peer = (await zt.peers.create({ account_id, name: 'b-peer' })).id;
    ids.acl = (await zt.acls.create({ account_id, name: 'b-acl', ip_range: '192.0.2.0/24' })).id;
    ids.zone = (await b.client.zones.create({ name: 'b.example', account: { id: account_id }, type: 'secondary' })).id;
    ids.fullZone = (await b.client.zones.create({ name: 'b-full.example', account: { id: account_id } })).id;
    await zt.incoming.create({ zone_id: ids.zone, name: 'b.example', auto_refresh_seconds: 300, peers: [ids.peer] });
    await zt.outgoing.create({ zone_id: ids.fullZone, name: 'b-full.example', peers: [ids.peer] });
    ids.token = (await b.client.accounts.tokens.create({ account_id, name: 'second', policies: [] })).id ?? '';
  });
  afterAll(async () => {
    await h?.close();
  });

  async function snapshot() {
    const zt = b.client.dns.zoneTransfers;
    const account_id = b.account.id;
    return {
      peers: (await zt.peers.list({ account_id })).result,
      tsigs: (await zt.tsigs.list({ account_id })).result,
      acls: (await zt.acls.list({ account_id })).result,
      zones: (await b.client.zones.list()).result.map((z) => [z.id, z.type]),
      incoming: await zt.incoming.get({ zone_id: ids.zone }),
      outgoing: await zt.outgoing.get({ zone_id: ids.fullZone }),
      status: await zt.outgoing.status.get({ zone_id: ids.fullZone }),
      tokens: (await b.client.accounts.tokens.list({ account_id })).result.map((t) => t.id),
    };
  }

  it("answers 404 for every object of another account and changes nothing", async () => {
    const before = await snapshot();
    h.engine.clear();
    const zt = a.client.dns.zoneTransfers;
    const account_id = b.account.id;
    const zone_id = ids.zone;
    const full_id = ids.fullZone;
    const calls: Array<[string, () => Promise<unknown>]> = [
      ['account get', () => a.client.accounts.get({ account_id })],
      ['tokens list', () => a.client.accounts.tokens.list({ account_id })],
      ['token get', () => a.client.accounts.tokens.get(ids.token, { account_id })],
      ['token delete', () => a.client.accounts.tokens.delete(ids.token, { account_id })],
      ['token create', () => a.client.accounts.tokens.create({ account_id, name: 'x', policies: [] })],
      ['peers list', () => zt.peers.list({ account_id })],
      ['peer get', () => zt.peers.get(ids.peer, { account_id })],
      ['peer create', () => zt.peers.create({ account_id, name: 'x' })],
      ['peer update', () => zt.peers.update(ids.peer, { account_id, name: 'x' })],
      ['peer delete', () => zt.peers.delete(ids.peer, { account_id })],
      ['peer get via own account', () => zt.peers.get(ids.peer, { account_id: a.account.id })],
      ['peer delete via own account', () => zt.peers.delete(ids.peer, { account_id: a.account.id })],
      ['tsigs list', () => zt.tsigs.list({ account_id })],
      ['tsig get', () => zt.tsigs.get(ids.tsig, { account_id })],
      ['tsig create', () => zt.tsigs.create({ account_id, name: 'x.', algo: 'hmac-sha256', secret: 'AAAA' })],
      ['tsig update', () => zt.tsigs.update(ids.tsig, { account_id, name: 'x.', algo: 'hmac-sha256', secret: 'AAAA' })],
      ['tsig delete', () => zt.tsigs.delete(ids.tsig, { account_id })],
      ['tsig get via own account', () => zt.tsigs.get(ids.tsig, { account_id: a.account.id })],
      ['acls list', () => zt.acls.list({ account_id })],
      ['acl get', () => zt.acls.get(ids.acl, { account_id })],
      ['acl create', () => zt.acls.create({ account_id, name: 'x', ip_range: '10.0.0.0/24' })],
      ['acl update', () => zt.acls.update(ids.acl, { account_id, name: 'x', ip_range: '10.0.0.0/24' })],
      ['acl delete', () => zt.acls.delete(ids.acl, { account_id })],
      ['acl update via own account', () => zt.acls.update(ids.acl, { account_id: a.account.id, name: 'x', ip_range: '10.0.0.0/24' })],
      ['zone get', () => a.client.zones.get({ zone_id })],
      ['zone edit', () => a.client.zones.edit({ zone_id, type: 'full' })],
      ['zone delete', () => a.client.zones.delete({ zone_id })],
      ['incoming get', () => zt.incoming.get({ zone_id })],
      ['incoming create', () => zt.incoming.create({ zone_id, name: 'b.example', auto_refresh_seconds: 300, peers: [] })],
      ['incoming update', () => zt.incoming.update({ zone_id, name: 'b.example', auto_refresh_seconds: 300, peers: [] })],
      ['incoming delete', () => zt.incoming.delete({ zone_id })],
      ['force_axfr', () => zt.forceAXFR.create({ zone_id })],
      ['outgoing get', () => zt.outgoing.get({ zone_id: full_id })],
      ['outgoing create', () => zt.outgoing.create({ zone_id: full_id, name: 'b-full.example', peers: [] })],
      ['outgoing update', () => zt.outgoing.update({ zone_id: full_id, name: 'b-full.example', peers: [] })],
      ['outgoing delete', () => zt.outgoing.delete({ zone_id: full_id })],
      ['outgoing enable', () => zt.outgoing.enable({ zone_id: full_id })],
      ['outgoing disable', () => zt.outgoing.disable({ zone_id: full_id })],
      ['outgoing force_notify', () => zt.outgoing.forceNotify({ zone_id: full_id })],
      ['outgoing status', () => zt.outgoing.status.get({ zone_id: full_id })],
    ];
    for (const [what, call] of calls) {
      const err = await call().then(
        () => new Error(`${what}: succeeded across accounts`),
        (e: unknown) => e,
      );
      expect(err, what).toBeInstanceOf(Cloudflare.NotFoundError);
    }
    expect(h.engine.calls).toEqual([]);
    expect(await snapshot()).toEqual(before);
  });

  it("keeps other accounts' zones out of lists and refuses their peers in links", async () => {
    expect((await a.client.zones.list()).result).toEqual([]);
    expect((await a.client.zones.list({ account: { id: b.account.id } })).result).toEqual([]);
    expect((await a.client.accounts.list()).result.map((x) => x.id)).toEqual([a.account.id]);
    const mine = await a.client.zones.create({ name: 'a.example', account: { id: a.account.id }, type: 'secondary' });
    const err = firstError(
      await sdkError(
        a.client.dns.zoneTransfers.incoming.create({ zone_id: mine.id, name: 'a.example', auto_refresh_seconds: 300, peers: [ids.peer] }),
        Cloudflare.BadRequestError,
      ),
    );
    expect(err.source?.pointer).toBe('/peers');
    // The admin token sees both accounts.
    const all = (await h.admin.zones.list()).result.map((z) => z.name).sort();
    expect(all).toEqual(['a.example', 'b-full.example', 'b.example']);
    expect((await h.admin.zones.list({ account: { id: b.account.id } })).result).toHaveLength(2);
  });

  it('admin-only operations answer 403 to account tokens', async () => {
    const err = await sdkError(a.client.accounts.create({ name: 'nope' }), Cloudflare.PermissionDeniedError);
    expect(firstError(err).code).toBe(10000);
  });

  it('missing, malformed and unknown credentials', async () => {
    const none = await h.raw('GET', '/zones', { token: null });
    expect(none.status).toBe(400);
    expect(none.json).toEqual({
      success: false,
      errors: [{ code: 9106, message: 'Missing X-Auth-Key, X-Auth-Email or Authorization headers' }],
      messages: [],
      result: null,
    });
    const malformed = await h.raw('GET', '/zones', { token: null, headers: { authorization: 'Basic Zm9vOmJhcg==' } });
    expect(malformed.status).toBe(400);
    expect(malformed.json.errors[0]).toMatchObject({ code: 6003, error_chain: [{ code: 6111 }] });
    const bad = h.client('x'.repeat(40));
    expect(firstError(await sdkError(bad.zones.list(), Cloudflare.PermissionDeniedError)).code).toBe(9109);
    expect(firstError(await sdkError(h.client('short').user.tokens.verify(), Cloudflare.PermissionDeniedError)).code).toBe(9109);
    const verified = await a.client.user.tokens.verify();
    expect(verified).toEqual({ id: expect.stringMatching(/^[0-9a-f]{32}$/), status: 'active' });
    expect(await a.client.accounts.tokens.verify({ account_id: a.account.id })).toMatchObject({ status: 'active' });
    // Deleting a token revokes it at once.
    const created = await a.client.accounts.tokens.create({ account_id: a.account.id, name: 'short-lived', policies: [] });
    const temp = h.client(created.value ?? '');
    await temp.user.tokens.verify();
    await a.client.accounts.tokens.delete(created.id ?? '', { account_id: a.account.id });
    await sdkError(temp.user.tokens.verify(), Cloudflare.PermissionDeniedError);
  });
});
