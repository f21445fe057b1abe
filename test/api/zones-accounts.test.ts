// Zones, accounts and tokens through the SDK (shapes, V4PagePaginationArray paging until an empty
// page, type conversion, delete → {id}), plus the envelope itself, the / mount, health/readiness,
// unknown routes and the OpenAPI document.
import Cloudflare from 'cloudflare';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { build } from '../../src/api/app.js';
import { ensureAdminToken } from '../../src/api/auth/bootstrap.js';
import { sdkError, startApi, type ApiHarness, type TestAccount } from '../helpers/api.js';
import { storeVariants } from '../helpers/db.js';

const TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}(Z|[+-]\d\d:\d\d)$/;

describe.each(storeVariants())('zones, accounts, tokens and plumbing on %s', (kind) => {
  let h: ApiHarness;
  let acc: TestAccount;

  beforeAll(async () => {
    h = await startApi(kind);
    acc = await h.newAccount('zones');
  });
  afterAll(async () => {
    await h?.close();
  });

  it('accounts: admin creates, lists and gets; tokens are created with a value shown once', async () => {
    const created = await h.admin.accounts.create({ name: 'Customer', type: 'standard', policies: [] } as Cloudflare.Accounts.AccountCreateParams);
    expect(created).toMatchObject({ id: expect.stringMatching(/^[0-9a-f]{32}$/), name: 'Customer', type: 'standard', created_on: expect.stringMatching(TIME) });
    expect(await h.admin.accounts.get({ account_id: created.id })).toEqual(created);
    const listed: string[] = [];
    for await (const a of h.admin.accounts.list({ per_page: 1 })) listed.push(a.id);
    expect(listed).toContain(created.id);
    expect(listed.length).toBeGreaterThanOrEqual(2);

    const token = await h.admin.accounts.tokens.create({ account_id: created.id, name: 'ci', policies: [] });
    expect(token).toMatchObject({ id: expect.stringMatching(/^[0-9a-f]{32}$/), name: 'ci', status: 'active', value: expect.stringMatching(/^[0-9A-Za-z_-]{40,80}$/) });
    const list = await h.admin.accounts.tokens.list({ account_id: created.id });
    expect(list.result).toHaveLength(1);
    expect(list.result[0]).not.toHaveProperty('value');
    expect(await h.admin.accounts.tokens.get(token.id ?? '', { account_id: created.id })).toMatchObject({ id: token.id, name: 'ci' });
    const client = h.client(token.value ?? '');
    expect((await client.accounts.list()).result.map((a) => a.id)).toEqual([created.id]);
    expect(await h.admin.accounts.tokens.delete(token.id ?? '', { account_id: created.id })).toEqual({ id: token.id });
  });

  it('zones: create (default full), get, list with filters, edit type, delete', async () => {
    const cf = acc.client;
    const account_id = acc.account.id;
    h.engine.clear();
    const zone = await cf.zones.create({ name: 'Example.COM.', account: { id: account_id } });
    expect(zone).toMatchObject({
      id: expect.stringMatching(/^[0-9a-f]{32}$/),
      name: 'Example.COM',
      status: 'active',
      type: 'full',
      name_servers: [],
      account: { id: account_id, name: 'zones' },
      created_on: expect.stringMatching(TIME),
      modified_on: expect.stringMatching(TIME),
      activated_on: expect.stringMatching(TIME),
    });
    expect(h.engine.of('zoneChanged')).toEqual([zone.id]);
    expect(await cf.zones.get({ zone_id: zone.id })).toEqual(zone);
    // A token of the account may omit account.id.
    const implicit = await h.raw('POST', '/zones', { token: acc.token, body: { name: 'implicit.example', type: 'secondary' } });
    expect(implicit.status).toBe(200);
    expect(implicit.json.result).toMatchObject({ name: 'implicit.example', type: 'secondary', account: { id: account_id } });

    expect((await cf.zones.list({ name: 'example.com' })).result.map((z) => z.id)).toEqual([zone.id]);
    expect((await cf.zones.list({ type: ['secondary'] })).result.map((z) => z.name)).toEqual(['implicit.example']);
    expect((await cf.zones.list({ account: { id: account_id } })).result).toHaveLength(2);

    // Secondary → full drops the incoming config.
    const sec = await cf.zones.create({ name: 'convert.example', account: { id: account_id }, type: 'secondary' });
    await cf.dns.zoneTransfers.incoming.create({ zone_id: sec.id, name: 'convert.example', auto_refresh_seconds: 300, peers: [] });
    h.engine.clear();
    const converted = await cf.zones.edit({ zone_id: sec.id, type: 'full' });
    expect(converted).toMatchObject({ id: sec.id, type: 'full' });
    expect(h.engine.of('zoneChanged')).toEqual([sec.id]);
    await sdkError(cf.dns.zoneTransfers.incoming.get({ zone_id: sec.id }), Cloudflare.NotFoundError);
    expect(await cf.zones.edit({ zone_id: sec.id, type: 'secondary' })).toMatchObject({ type: 'secondary' });
    expect(await cf.zones.edit({ zone_id: sec.id, paused: false })).toMatchObject({ type: 'secondary' });

    h.engine.clear();
    expect(await cf.zones.delete({ zone_id: sec.id })).toEqual({ id: sec.id });
    expect(h.engine.of('zoneDeleted')).toEqual([sec.id]);
    await sdkError(cf.zones.get({ zone_id: sec.id }), Cloudflare.NotFoundError);
    await sdkError(cf.zones.delete({ zone_id: sec.id }), Cloudflare.NotFoundError);
  });

  it('zones list pages until an empty page (V4PagePaginationArray)', async () => {
    const paging = await h.newAccount('paging');
    for (let i = 0; i < 5; i++) await paging.client.zones.create({ name: `p${i}.example`, account: { id: paging.account.id } });
    const names: string[] = [];
    for await (const z of paging.client.zones.list({ per_page: 2 })) names.push(z.name);
    expect(names).toEqual(['p0.example', 'p1.example', 'p2.example', 'p3.example', 'p4.example']);
    const page3 = await h.raw('GET', '/zones?per_page=2&page=3', { token: paging.token });
    expect(page3.json.result_info).toEqual({ page: 3, per_page: 2, count: 1, total_count: 5, total_pages: 3 });
    const past = await h.raw('GET', '/zones?per_page=2&page=9', { token: paging.token });
    expect(past.json).toMatchObject({ success: true, result: [], result_info: { page: 9, count: 0, total_count: 5 } });
    const desc = await paging.client.zones.list({ direction: 'desc', order: 'name' });
    expect(desc.result[0]?.name).toBe('p4.example');
  });

  it('answers in the envelope with application/json, also at / without the prefix', async () => {
    const res = await h.raw('GET', `/accounts/${acc.account.id}/secondary_dns/peers`, { token: acc.token });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(res.json).toEqual({ success: true, errors: [], messages: [], result: [] });
    const root = new Cloudflare({ apiToken: acc.token, baseURL: h.origin, maxRetries: 0 });
    expect((await root.dns.zoneTransfers.peers.list({ account_id: acc.account.id })).result).toEqual([]);
    const trailing = await h.raw('GET', `/accounts/${acc.account.id}/secondary_dns/peers/`, { token: acc.token });
    expect(trailing.status).toBe(200);
  });

  it('unknown routes answer 404 in the envelope', async () => {
    const res = await h.raw('GET', '/nothing/here', { token: acc.token });
    expect(res.status).toBe(404);
    expect(res.json).toEqual({ success: false, errors: [{ code: 7000, message: 'No route for that URI' }], messages: [], result: null });
    const wrongVerb = await h.raw('PATCH', `/accounts/${acc.account.id}/secondary_dns/peers`, { token: acc.token, body: {} });
    expect(wrongVerb.status).toBe(404);
  });

  it('health and readiness, with and without the prefix, without credentials', async () => {
    for (const path of ['/health', '/client/v4/health']) {
      const res = await h.raw('GET', path, { token: null, root: true });
      expect(res.status).toBe(200);
      expect(res.json).toEqual({ status: 'ok' });
    }
    for (const path of ['/ready', '/client/v4/ready']) {
      const res = await h.raw('GET', path, { token: null, root: true });
      expect(res.status).toBe(200);
      expect(res.json).toEqual({ status: 'ok' });
    }
  });

  it('serves an OpenAPI 3.1 document of the routes', async () => {
    const res = await h.raw('GET', '/client/v4/openapi.json', { token: null, root: true });
    expect(res.status).toBe(200);
    const doc = res.json;
    expect(doc.openapi).toBe('3.1.0');
    const ops: string[] = [];
    for (const [path, methods] of Object.entries(doc.paths as Record<string, Record<string, unknown>>)) {
      for (const method of Object.keys(methods)) ops.push(`${method.toUpperCase()} ${path}`);
    }
    // The seed's 28 operations, plus zonexfer's one extension (the transfer history).
    const secondary = ops.filter((o) => o.includes('/secondary_dns') && !o.endsWith('/secondary_dns/history'));
    expect(secondary).toHaveLength(28);
    expect(ops).toContain('GET /zones/{zone_id}/secondary_dns/history');
    expect(ops).toContain('POST /zones/{zone_id}/secondary_dns/force_axfr');
    expect(ops).toContain('GET /zones');
    const incomingPost = doc.paths['/zones/{zone_id}/secondary_dns/incoming'].post;
    expect(incomingPost.requestBody.content['application/json'].schema.properties).toHaveProperty('auto_refresh_seconds');
    expect(incomingPost.parameters[0]).toMatchObject({ name: 'zone_id', in: 'path', required: true });
    expect(JSON.stringify(doc)).not.toContain('/health');
  });

  it('build() takes pino options or a ready pino logger', async () => {
    for (const logger of [pino({ level: 'silent' }), { level: 'silent' }]) {
      const app = build({ store: h.store, engine: h.engine, logger });
      const res = await app.inject({ method: 'GET', url: '/health' });
      expect(res.statusCode).toBe(200);
      await app.close();
    }
  });

  it('ensureAdminToken: generates once, accepts a configured token, refuses bad ones', async () => {
    expect(await ensureAdminToken(h.store)).toBeUndefined();
    const configured = 'C'.repeat(48);
    expect(await ensureAdminToken(h.store, configured)).toBeUndefined();
    expect(await ensureAdminToken(h.store, configured)).toBeUndefined();
    expect((await h.client(configured).user.tokens.verify()).status).toBe('active');
    await expect(ensureAdminToken(h.store, 'too-short')).rejects.toThrow(/40 to 80/);
    await expect(ensureAdminToken(h.store, acc.token)).rejects.toThrow(/belongs to an account/);
  });
});
