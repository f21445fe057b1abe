// Every validation rule answers 400 naming the field (errors[0].source.pointer) with nothing
// written (lists compared before and after), through the SDK's BadRequestError; plus malformed
// JSON, non-object bodies, query parameters and oversized bodies.
import Cloudflare from 'cloudflare';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { firstError, sdkError, startApi, type ApiHarness, type TestAccount } from '../helpers/api.js';
import { storeVariants } from '../helpers/db.js';

type PeerCreate = Cloudflare.DNS.ZoneTransfers.PeerCreateParams;

describe.each(storeVariants())('validation on %s', (kind) => {
  let h: ApiHarness;
  let acc: TestAccount;
  let other: TestAccount;
  let cf: Cloudflare;
  let account_id: string;

  /** refused asserts a 400 naming `pointer`, and returns the error code. */
  async function refused(call: Promise<unknown>, pointer: string): Promise<number> {
    const err = firstError(await sdkError(call, Cloudflare.BadRequestError));
    expect(err.source?.pointer, err.message).toBe(pointer);
    expect(err.code).toBeGreaterThanOrEqual(1000);
    return err.code;
  }

  /** unchanged runs `fn` and checks that `snapshot` is the same afterwards. */
  async function unchanged(snapshot: () => Promise<unknown>, fn: () => Promise<void>): Promise<void> {
    const before = await snapshot();
    await fn();
    expect(await snapshot()).toEqual(before);
  }

  beforeAll(async () => {
    h = await startApi(kind);
    acc = await h.newAccount('validation');
    other = await h.newAccount('other');
    cf = acc.client;
    account_id = acc.account.id;
  });
  afterAll(async () => {
    await h?.close();
  });

  const acls = async () => (await cf.dns.zoneTransfers.acls.list({ account_id })).result;
  const peers = async () => (await cf.dns.zoneTransfers.peers.list({ account_id })).result;
  const tsigs = async () => (await cf.dns.zoneTransfers.tsigs.list({ account_id })).result;

  it('auto_refresh_seconds below 300 (create and update)', async () => {
    const zone = await cf.zones.create({ name: 'refresh.example', account: { id: account_id }, type: 'secondary' });
    const zt = cf.dns.zoneTransfers;
    for (const v of [299, 0, -1, 300.5]) {
      expect(await refused(zt.incoming.create({ zone_id: zone.id, name: 'refresh.example', auto_refresh_seconds: v, peers: [] }), '/auto_refresh_seconds')).toBe(1020);
    }
    await sdkError(zt.incoming.get({ zone_id: zone.id }), Cloudflare.NotFoundError);
    await zt.incoming.create({ zone_id: zone.id, name: 'refresh.example', auto_refresh_seconds: 300, peers: [] });
    await unchanged(() => zt.incoming.get({ zone_id: zone.id }), async () => {
      await refused(zt.incoming.update({ zone_id: zone.id, name: 'refresh.example', auto_refresh_seconds: 10, peers: [] }), '/auto_refresh_seconds');
    });
  });

  it('ACL ip_range: not a CIDR, or broader than /24 or /64', async () => {
    const zt = cf.dns.zoneTransfers;
    await unchanged(acls, async () => {
      for (const ip_range of ['not-an-ip', '10.0.0/24', '10.0.0.0/33', '2001:db8::/129', '10.0.0.0/', 'fe80::1%eth0']) {
        expect(await refused(zt.acls.create({ account_id, name: 'bad', ip_range }), '/ip_range')).toBe(1030);
      }
      for (const ip_range of ['10.0.0.0/16', '2001:db8::/48', '0.0.0.0/0', '192.0.2.0/23', '::/0']) {
        expect(await refused(zt.acls.create({ account_id, name: 'wide', ip_range }), '/ip_range')).toBe(1031);
      }
    });
    const ok = await zt.acls.create({ account_id, name: 'ok', ip_range: '192.0.2.53/28' });
    expect(ok.ip_range).toBe('192.0.2.53/28');
    await unchanged(acls, () => refused(zt.acls.update(ok.id, { account_id, name: 'ok', ip_range: '10.0.0.0/8' }), '/ip_range').then(() => undefined));
    await zt.acls.delete(ok.id, { account_id });
  });

  it('TSIG algorithm, secret and name', async () => {
    const zt = cf.dns.zoneTransfers;
    await unchanged(tsigs, async () => {
      for (const algo of ['hmac-sha3', 'gss-tsig', 'hmac-sha512..', '']) {
        await refused(zt.tsigs.create({ account_id, name: 'k.', algo, secret: 'AAAA' }), '/algo');
      }
      for (const secret of ['not base64!', 'abc', 'AAA=A', 'zz']) {
        expect(await refused(zt.tsigs.create({ account_id, name: 'k.', algo: 'hmac-sha256', secret }), '/secret')).toBe(1041);
      }
      for (const name of ['bad..name', 'has space.', '.', 'x'.repeat(64) + '.example.']) {
        expect(await refused(zt.tsigs.create({ account_id, name, algo: 'hmac-sha256', secret: 'AAAA' }), '/name')).toBe(1042);
      }
      await refused(zt.tsigs.create({ account_id, algo: 'hmac-sha256', secret: 'AAAA' } as never), '/name');
    });
    const accepted = ['hmac-md5.sig-alg.reg.int.', 'hmac-md5', 'HMAC-SHA1.', 'hmac-sha224', 'hmac-sha256.', 'Hmac-Sha384', 'hmac-sha512', 'HMAC-MD5.SIG-ALG.REG.INT'];
    for (const algo of accepted) {
      const t = await zt.tsigs.create({ account_id, name: 'key.', algo, secret: 'deadbeef' });
      expect(t.algo).toBe(algo);
      await zt.tsigs.delete(t.id, { account_id });
    }
  });

  it('peer ip, port and tsig_id (absent or of another account)', async () => {
    const zt = cf.dns.zoneTransfers;
    const foreignKey = await other.client.dns.zoneTransfers.tsigs.create({ account_id: other.account.id, name: 'f.', algo: 'hmac-sha256', secret: 'AAAA' });
    await unchanged(peers, async () => {
      for (const ip of ['300.1.1.1', 'example.com', '10.0.0.0/24', '', 'fe80::1%eth0']) {
        await refused(zt.peers.create({ account_id, name: 'p', ip } as PeerCreate), '/ip');
      }
      for (const port of [0, 65536, 53.5, -53]) {
        expect(await refused(zt.peers.create({ account_id, name: 'p', port } as PeerCreate), '/port')).toBe(1051);
      }
      await refused(zt.peers.create({ account_id, name: 'p', port: '53' } as unknown as PeerCreate), '/port');
      await refused(zt.peers.create({ account_id, name: 'p', ixfr_enable: 'yes' } as unknown as PeerCreate), '/ixfr_enable');
      for (const tsig_id of [foreignKey.id, 'f'.repeat(32), 'not-an-id']) {
        expect(await refused(zt.peers.create({ account_id, name: 'p', tsig_id } as PeerCreate), '/tsig_id')).toBe(1052);
      }
      await refused(zt.peers.create({ account_id } as PeerCreate), '/name');
    });
    const p = await zt.peers.create({ account_id, name: 'p' });
    await unchanged(peers, async () => {
      await refused(zt.peers.update(p.id, { account_id, name: 'p', tsig_id: foreignKey.id }), '/tsig_id');
      await refused(zt.peers.update(p.id, { account_id, name: 'p', port: 70000 }), '/port');
    });
    await zt.peers.delete(p.id, { account_id });
  });

  it('incoming/outgoing peers: unknown, of another account, more than 30', async () => {
    const zt = cf.dns.zoneTransfers;
    const zone = await cf.zones.create({ name: 'links.example', account: { id: account_id }, type: 'secondary' });
    const foreign = await other.client.dns.zoneTransfers.peers.create({ account_id: other.account.id, name: 'theirs' });
    const mine = await zt.peers.create({ account_id, name: 'mine' });
    for (const bad of [[foreign.id], ['f'.repeat(32)], [mine.id, 'nope']]) {
      expect(await refused(zt.incoming.create({ zone_id: zone.id, name: 'links.example', auto_refresh_seconds: 300, peers: bad }), '/peers')).toBe(1024);
      expect(await refused(zt.outgoing.create({ zone_id: zone.id, name: 'links.example', peers: bad }), '/peers')).toBe(1024);
    }
    const many: string[] = [];
    for (let i = 0; i < 31; i++) many.push((await zt.peers.create({ account_id, name: `p${i}` })).id);
    expect(await refused(zt.incoming.create({ zone_id: zone.id, name: 'links.example', auto_refresh_seconds: 300, peers: many }), '/peers')).toBe(1025);
    await sdkError(zt.incoming.get({ zone_id: zone.id }), Cloudflare.NotFoundError);
    await sdkError(zt.outgoing.get({ zone_id: zone.id }), Cloudflare.NotFoundError);
    const thirty = await zt.incoming.create({ zone_id: zone.id, name: 'links.example', auto_refresh_seconds: 300, peers: many.slice(0, 30) });
    expect(thirty.peers).toHaveLength(30);
    await unchanged(() => zt.incoming.get({ zone_id: zone.id }), async () => {
      await refused(zt.incoming.update({ zone_id: zone.id, name: 'links.example', auto_refresh_seconds: 300, peers: many }), '/peers');
      await refused(zt.incoming.update({ zone_id: zone.id, name: 'links.example', auto_refresh_seconds: 300, peers: [foreign.id] }), '/peers');
    });
    for (const id of many) await zt.peers.delete(id, { account_id });
    await zt.peers.delete(mine.id, { account_id });
  });

  it('incoming on a full zone, name mismatch, and missing name', async () => {
    const zt = cf.dns.zoneTransfers;
    const full = await cf.zones.create({ name: 'full.example', account: { id: account_id } });
    const err = firstError(await sdkError(zt.incoming.create({ zone_id: full.id, name: 'full.example', auto_refresh_seconds: 300, peers: [] }), Cloudflare.BadRequestError));
    expect(err.code).toBe(1013);
    expect(err.message).toContain('type');
    await sdkError(zt.forceAXFR.create({ zone_id: full.id }), Cloudflare.BadRequestError);
    const sec = await cf.zones.create({ name: 'sec.example', account: { id: account_id }, type: 'secondary' });
    expect(await refused(zt.incoming.create({ zone_id: sec.id, name: 'other.example', auto_refresh_seconds: 300, peers: [] }), '/name')).toBe(1021);
    expect(await refused(zt.outgoing.create({ zone_id: sec.id, name: 'other.example', peers: [] }), '/name')).toBe(1021);
    expect(await refused(zt.incoming.create({ zone_id: sec.id, auto_refresh_seconds: 300, peers: [] } as never), '/name')).toBe(1000);
    await sdkError(zt.incoming.get({ zone_id: sec.id }), Cloudflare.NotFoundError);
  });

  it('zones: bad name, unsupported type, unknown account, duplicates', async () => {
    const zones = async () => (await cf.zones.list()).result.map((z) => z.id).sort();
    await cf.zones.create({ name: 'dup.example', account: { id: account_id } });
    await unchanged(zones, async () => {
      for (const name of ['bad..example', 'with space.example', '.']) {
        expect(await refused(cf.zones.create({ name, account: { id: account_id } }), '/name')).toBe(1010);
      }
      expect(await refused(cf.zones.create({ name: 'p.example', account: { id: account_id }, type: 'partial' }), '/type')).toBe(1012);
      expect(await refused(cf.zones.create({ name: 'x.example', account: { id: other.account.id } }), '/account/id')).toBe(1015);
      expect(await refused(cf.zones.create({ name: 'DUP.example.', account: { id: account_id } }), '/name')).toBe(1011);
      expect(await refused(cf.zones.create({ name: 'x.example', account: { id: 'nope' } }), '/account/id')).toBe(1000);
    });
    expect(await refused(h.admin.zones.create({ name: 'admin.example', account: {} }), '/account/id')).toBe(1014);
    const zone = (await cf.zones.list({ name: 'dup.example' })).result[0];
    if (!zone) throw new Error('zone missing');
    expect(await refused(cf.zones.edit({ zone_id: zone.id, type: 'internal' }), '/type')).toBe(1012);
  });

  it('malformed JSON, non-object bodies, bad query parameters, huge bodies', async () => {
    const url = `/accounts/${account_id}/secondary_dns/acls`;
    await unchanged(acls, async () => {
      const malformed = await h.raw('POST', url, { token: acc.token, body: '{"name": ', headers: { 'content-type': 'application/json' } });
      expect(malformed.status).toBe(400);
      expect(malformed.json).toMatchObject({ success: false, result: null, messages: [], errors: [{ code: 1001 }] });
      for (const body of ['[]', '"x"', '42', 'null', '']) {
        const res = await h.raw('POST', url, { token: acc.token, body, headers: { 'content-type': 'application/json' } });
        expect(res.status, body).toBe(400);
        expect(res.json.errors[0].code).toBe(1000);
      }
      const huge = await h.raw('POST', url, { token: acc.token, body: { name: 'x'.repeat(2 * 1024 * 1024), ip_range: '1.2.3.4' } });
      expect(huge.status).toBe(413);
      expect(huge.json).toMatchObject({ success: false, errors: [{ code: 1002 }] });
    });
    for (const q of ['per_page=0', 'page=0', 'page=abc', 'per_page=100000']) {
      const res = await h.raw('GET', `/zones?${q}`, { token: acc.token });
      expect(res.status, q).toBe(400);
      expect(res.json.errors[0].source.pointer).toBe(`/${q.split('=')[0]}`);
    }
    const badId = await h.raw('GET', '/zones/NOT-AN-ID', { token: acc.token });
    expect(badId.status).toBe(400);
    expect(badId.json.errors[0].code).toBe(7003);
  });
});
