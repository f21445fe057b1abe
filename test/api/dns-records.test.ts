// The DNS-records API through the SDK (client.dns.records.*): Cloudflare's record shape, content
// validated and normalised by the src/zone codec, MX/SRV/URI priority, pagination and filters,
// PATCH/PUT/DELETE, atomic batches, zone-file import (SDK field and curl-style file part) and
// export, read-only secondary zones, one engine.zoneChanged per change.
import Cloudflare from 'cloudflare';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordToRR } from '../../src/engine/primary-zone.js';
import { nameFromTrusted } from '../../src/wire/index.js';
import { formatRdata } from '../../src/zone/rdata/index.js';
import { firstError, sdkError, startApi, type ApiHarness, type TestAccount } from '../helpers/api.js';
import { storeVariants } from '../helpers/db.js';

type RecordCreate = Cloudflare.DNS.RecordCreateParams;
const TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}(Z|[+-]\d\d:\d\d)$/;

describe.each(storeVariants())('DNS records via the SDK on %s', (kind) => {
  let h: ApiHarness;
  let acc: TestAccount;
  let cf: Cloudflare;
  let zone_id: string;

  beforeAll(async () => {
    h = await startApi(kind);
    acc = await h.newAccount('records');
    cf = acc.client;
    zone_id = (await cf.zones.create({ name: 'example.com', account: { id: acc.account.id } })).id;
  });
  afterAll(async () => {
    await h?.close();
  });

  const all = async (zone = zone_id) => {
    const out: Array<{ name: string; type: string; content?: string }> = [];
    for await (const r of cf.dns.records.list({ zone_id: zone, per_page: 100 })) out.push({ name: r.name, type: r.type, content: r.content });
    return out;
  };

  it('creates records in Cloudflare shape; names made absolute, content normalised', async () => {
    h.engine.clear();
    const a = await cf.dns.records.create({ zone_id, name: 'www', type: 'A', content: '192.0.2.1', ttl: 1 });
    expect(a).toEqual({
      id: expect.stringMatching(/^[0-9a-f]{32}$/),
      zone_id,
      zone_name: 'example.com',
      name: 'www.example.com',
      type: 'A',
      content: '192.0.2.1',
      proxiable: false,
      proxied: false,
      ttl: 1,
      tags: [],
      settings: {},
      meta: {},
      created_on: expect.stringMatching(TIME),
      modified_on: expect.stringMatching(TIME),
    });
    expect(h.engine.of('zoneChanged')).toEqual([zone_id]);
    const v6 = await cf.dns.records.create({ zone_id, name: 'WWW.Example.com.', type: 'AAAA', content: '2001:DB8::1', ttl: 300, comment: 'v6', tags: ['env:prod'] });
    expect(v6).toMatchObject({ name: 'www.example.com', content: '2001:db8::1', ttl: 300, comment: 'v6', tags: ['env:prod'] });
    const mx = await cf.dns.records.create({ zone_id, name: '@', type: 'MX', content: 'mail.example.com', priority: 10, ttl: 3600 });
    expect(mx).toMatchObject({ name: 'example.com', type: 'MX', content: 'mail.example.com', priority: 10 });
    const cname = await cf.dns.records.create({ zone_id, name: 'alias', type: 'CNAME', content: 'www.example.com.', ttl: 1 });
    expect(cname.content).toBe('www.example.com');
    const txt = await cf.dns.records.create({ zone_id, name: 'txt', type: 'TXT', content: 'v=spf1 include:_spf.example.net ~all', ttl: 1 });
    expect(txt.content).toBe('"v=spf1 include:_spf.example.net ~all"');
    const srv = await cf.dns.records.create({ zone_id, name: '_sip._tcp', type: 'SRV', ttl: 1, data: { priority: 1, weight: 5, port: 5060, target: 'sip.example.com' } });
    expect(srv).toMatchObject({ name: '_sip._tcp.example.com', priority: 1, content: '5 5060 sip.example.com', data: { priority: 1, weight: 5, port: 5060, target: 'sip.example.com' } });
    const caa = await cf.dns.records.create({ zone_id, name: '@', type: 'CAA', ttl: 1, data: { flags: 0, tag: 'issue', value: 'letsencrypt.org' } });
    expect(caa).toMatchObject({ content: '0 issue "letsencrypt.org"', data: { flags: 0, tag: 'issue', value: 'letsencrypt.org' } });
    expect(await cf.dns.records.get(mx.id, { zone_id })).toEqual(mx);
  });

  it('stores content the engine turns into the intended RDATA', async () => {
    const origin = nameFromTrusted('example.com.');
    const rows = await h.store.records.all(zone_id);
    const rendered = rows.map((row) => {
      const rr = recordToRR(row, origin);
      if (!rr.ok) throw new Error(rr.error);
      return `${rr.value.name} ${row.type} ${formatRdata(rr.value.type, rr.value.rdata)}`;
    });
    expect(rendered).toEqual(
      expect.arrayContaining([
        'example.com. MX 10 mail.example.com.',
        'alias.example.com. CNAME www.example.com.',
        '_sip._tcp.example.com. SRV 1 5 5060 sip.example.com.',
        'txt.example.com. TXT "v=spf1 include:_spf.example.net ~all"',
        'example.com. CAA 0 issue "letsencrypt.org"',
      ]),
    );
  });

  it('refuses bad records with 400 naming the field, writing nothing', async () => {
    const before = await all();
    const cases: Array<[RecordCreate, string]> = [
      [{ zone_id, name: 'bad', type: 'A', content: '1.2.3', ttl: 1 }, '/content'],
      [{ zone_id, name: 'bad', type: 'AAAA', content: '192.0.2.1', ttl: 1 }, '/content'],
      [{ zone_id, name: 'bad', type: 'A', content: '192.0.2.1', ttl: 5 }, '/ttl'],
      [{ zone_id, name: 'bad', type: 'A', content: '192.0.2.1', ttl: 1, proxied: true }, '/proxied'],
      [{ zone_id, name: 'bad', type: 'MX', content: 'mail.example.com', ttl: 1 } as RecordCreate, '/priority'],
      [{ zone_id, name: 'bad', type: 'SOA', content: 'x', ttl: 1 } as unknown as RecordCreate, '/type'],
      [{ zone_id, name: 'www.other.org.', type: 'A', content: '192.0.2.1', ttl: 1 }, '/name'],
      [{ zone_id, name: 'bad..name', type: 'A', content: '192.0.2.1', ttl: 1 }, '/name'],
      [{ zone_id, name: '@', type: 'CNAME', content: 'elsewhere.example.net', ttl: 1 }, '/name'],
      [{ zone_id, name: 'srv', type: 'SRV', ttl: 1, data: { priority: 1, weight: 5, target: 'x.example.com' } }, '/data/port'],
    ];
    for (const [params, pointer] of cases) {
      const err = firstError(await sdkError(cf.dns.records.create(params), Cloudflare.BadRequestError));
      expect(err.source?.pointer, `${params.name} ${params.type}: ${err.message}`).toBe(pointer);
    }
    // Conflicts: identical record, CNAME beside other data.
    await sdkError(cf.dns.records.create({ zone_id, name: 'www', type: 'A', content: '192.0.2.1', ttl: 1 }), Cloudflare.BadRequestError);
    await sdkError(cf.dns.records.create({ zone_id, name: 'www', type: 'CNAME', content: 'example.net', ttl: 1 }), Cloudflare.BadRequestError);
    await sdkError(cf.dns.records.create({ zone_id, name: 'alias', type: 'A', content: '192.0.2.9', ttl: 1 }), Cloudflare.BadRequestError);
    expect(await all()).toEqual(before);
  });

  it('lists with pagination until an empty page, and filters by type and name', async () => {
    const names: string[] = [];
    for await (const r of cf.dns.records.list({ zone_id, per_page: 2 })) names.push(`${r.type} ${r.name}`);
    expect(names).toHaveLength(7);
    const past = await h.raw('GET', `/zones/${zone_id}/dns_records?per_page=2&page=50`, { token: acc.token });
    expect(past.json).toMatchObject({ success: true, result: [], result_info: { page: 50, total_count: 7 } });
    const aaaa = await cf.dns.records.list({ zone_id, type: 'AAAA' });
    expect(aaaa.result.map((r) => r.name)).toEqual(['www.example.com']);
    const www = await cf.dns.records.list({ zone_id, name: { exact: 'www.example.com' } });
    expect(www.result.map((r) => r.type).sort()).toEqual(['A', 'AAAA']);
    const underscore = await cf.dns.records.list({ zone_id, name: { startswith: '_sip' } });
    expect(underscore.result.map((r) => r.type)).toEqual(['SRV']);
  });

  it('PATCH merges, PUT overwrites, DELETE answers {id}', async () => {
    const rec = await cf.dns.records.create({ zone_id, name: 'patch', type: 'MX', content: 'mx1.example.com', priority: 5, ttl: 300, comment: 'keep' });
    h.engine.clear();
    const patched = await cf.dns.records.edit(rec.id, { zone_id, ttl: 600 } as Cloudflare.DNS.RecordEditParams);
    expect(patched).toMatchObject({ id: rec.id, content: 'mx1.example.com', priority: 5, ttl: 600, comment: 'keep' });
    const moved = await cf.dns.records.edit(rec.id, { zone_id, content: 'mx2.example.com' } as Cloudflare.DNS.RecordEditParams);
    expect(moved).toMatchObject({ content: 'mx2.example.com', priority: 5 });
    const put = await cf.dns.records.update(rec.id, { zone_id, name: 'patch', type: 'A', content: '198.51.100.7', ttl: 1 });
    expect(put).toMatchObject({ id: rec.id, type: 'A', content: '198.51.100.7', ttl: 1 });
    expect(put).not.toHaveProperty('comment');
    expect(put).not.toHaveProperty('priority');
    expect(h.engine.of('zoneChanged')).toEqual([zone_id, zone_id, zone_id]);
    expect(await cf.dns.records.delete(rec.id, { zone_id })).toEqual({ id: rec.id });
    await sdkError(cf.dns.records.get(rec.id, { zone_id }), Cloudflare.NotFoundError);
    await sdkError(cf.dns.records.delete(rec.id, { zone_id }), Cloudflare.NotFoundError);
  });

  it('applies batches atomically with one engine notification', async () => {
    const z = (await cf.zones.create({ name: 'batch.example', account: { id: acc.account.id } })).id;
    const a = await cf.dns.records.create({ zone_id: z, name: 'a', type: 'A', content: '192.0.2.1', ttl: 1 });
    const b = await cf.dns.records.create({ zone_id: z, name: 'b', type: 'A', content: '192.0.2.2', ttl: 1 });
    const before = await all(z);
    // A bad post rolls back the whole batch.
    const bad = await sdkError(
      cf.dns.records.batch({ zone_id: z, deletes: [{ id: a.id }], posts: [{ name: 'c', type: 'A', content: 'nope', ttl: 1 }] }),
      Cloudflare.BadRequestError,
    );
    expect(firstError(bad).source?.pointer).toBe('/posts/0/content');
    const unknown = await sdkError(cf.dns.records.batch({ zone_id: z, deletes: [{ id: 'f'.repeat(32) }] }), Cloudflare.BadRequestError);
    expect(firstError(unknown).source?.pointer).toBe('/deletes/0/id');
    expect(await all(z)).toEqual(before);
    h.engine.clear();
    const res = await cf.dns.records.batch({
      zone_id: z,
      deletes: [{ id: a.id }],
      patches: [{ id: b.id, ttl: 120 } as Cloudflare.DNS.BatchPatch],
      posts: [{ name: 'a', type: 'CNAME', content: 'b.batch.example', ttl: 1 }],
    });
    expect(res.deletes?.map((r) => r.id)).toEqual([a.id]);
    expect(res.patches?.[0]).toMatchObject({ id: b.id, ttl: 120 });
    expect(res.posts?.[0]).toMatchObject({ name: 'a.batch.example', type: 'CNAME', content: 'b.batch.example' });
    expect(h.engine.of('zoneChanged')).toEqual([z]);
  });

  it('imports a BIND file (SDK field and curl file part) and exports it back', async () => {
    const z = (await cf.zones.create({ name: 'import.example', account: { id: acc.account.id } })).id;
    const file = [
      '$ORIGIN import.example.',
      '$TTL 3600',
      '@ IN SOA ns1 hostmaster 1 7200 3600 1209600 3600',
      '@ IN NS ns1.import.example.',
      'ns1 IN A 192.0.2.53',
      'www 300 IN A 192.0.2.80',
      '@ IN MX 10 mail',
      '$GENERATE 1-3 host$ A 10.0.0.$',
      'txt IN TXT "hello world"',
      '',
    ].join('\n');
    h.engine.clear();
    const res = await cf.dns.records.import({ zone_id: z, file });
    expect(res).toEqual({ recs_added: 8, total_records_parsed: 9 });
    expect(h.engine.of('zoneChanged')).toEqual([z]);
    const mx = (await cf.dns.records.list({ zone_id: z, type: 'MX' })).result[0];
    expect(mx).toMatchObject({ name: 'import.example', content: 'mail.import.example', priority: 10, ttl: 3600 });
    // Again as a curl-style file part: identical records are skipped.
    const form = new FormData();
    form.append('file', new Blob([file], { type: 'text/plain' }), 'zone.txt');
    form.append('proxied', 'false');
    const again = await fetch(`${h.baseURL}/zones/${z}/dns_records/import`, { method: 'POST', headers: { authorization: `Bearer ${acc.token}` }, body: form });
    expect(again.status).toBe(200);
    expect((await again.json()) as unknown).toMatchObject({ success: true, result: { recs_added: 0, total_records_parsed: 9 } });

    const exported = await cf.dns.records.export({ zone_id: z });
    expect(typeof exported).toBe('string');
    expect(exported).toContain('$ORIGIN import.example.');
    expect(exported).toMatch(/www\s+300\s+IN\s+A\s+192\.0\.2\.80/);
    const raw = await h.raw('GET', `/zones/${z}/dns_records/export`, { token: acc.token });
    expect(raw.headers.get('content-type')).toMatch(/^text\/plain/);
    // Round trip into a fresh zone.
    const copy = (await cf.zones.create({ name: 'import.example', account: { id: (await h.newAccount('copy')).account.id } }, { headers: { authorization: `Bearer ${h.adminToken}` } })).id;
    const back = await h.admin.dns.records.import({ zone_id: copy, file: exported });
    expect(back.recs_added).toBe(8);
  });

  it('refuses $INCLUDE, parse errors, oversized files and a missing file', async () => {
    const z = (await cf.zones.create({ name: 'bad-import.example', account: { id: acc.account.id } })).id;
    const include = firstError(await sdkError(cf.dns.records.import({ zone_id: z, file: '$INCLUDE other.zone\n' }), Cloudflare.BadRequestError));
    expect(include).toMatchObject({ code: 1205, message: '$INCLUDE directive not allowed' });
    const parse = firstError(await sdkError(cf.dns.records.import({ zone_id: z, file: 'www IN A 1.2.3\n' }), Cloudflare.BadRequestError));
    expect(parse.code).toBe(1204);
    expect(parse.message).toContain('line 1');
    const outside = await sdkError(cf.dns.records.import({ zone_id: z, file: 'www.elsewhere.org. IN A 192.0.2.1\n' }), Cloudflare.BadRequestError);
    expect(firstError(outside).code).toBe(1201);
    const big = `$ORIGIN bad-import.example.\n${'x IN TXT "' + 'a'.repeat(200) + '"\n'.repeat(1)}`.repeat(1400);
    const tooBig = await sdkError(cf.dns.records.import({ zone_id: z, file: big }), Cloudflare.APIError);
    expect(tooBig.status).toBe(413);
    const form = new FormData();
    form.append('file', new Blob([big]), 'big.zone');
    const bigPart = await fetch(`${h.baseURL}/zones/${z}/dns_records/import`, { method: 'POST', headers: { authorization: `Bearer ${acc.token}` }, body: form });
    expect(bigPart.status).toBe(413);
    const none = new FormData();
    none.append('proxied', 'true');
    const missing = await fetch(`${h.baseURL}/zones/${z}/dns_records/import`, { method: 'POST', headers: { authorization: `Bearer ${acc.token}` }, body: none });
    expect(missing.status).toBe(400);
    expect((await cf.dns.records.list({ zone_id: z })).result).toEqual([]);
  });

  it('secondary zones: list and get work, writes answer 400', async () => {
    const z = (await cf.zones.create({ name: 'secondary.example', account: { id: acc.account.id }, type: 'secondary' })).id;
    expect((await cf.dns.records.list({ zone_id: z })).result).toEqual([]);
    const code = async (p: Promise<unknown>) => firstError(await sdkError(p, Cloudflare.BadRequestError)).code;
    expect(await code(cf.dns.records.create({ zone_id: z, name: 'www', type: 'A', content: '192.0.2.1', ttl: 1 }))).toBe(1202);
    expect(await code(cf.dns.records.batch({ zone_id: z, posts: [] }))).toBe(1202);
    expect(await code(cf.dns.records.import({ zone_id: z, file: 'www IN A 192.0.2.1\n' }))).toBe(1202);
    expect(typeof (await cf.dns.records.export({ zone_id: z }))).toBe('string');
  });

  it('hides other accounts’ records (404)', async () => {
    const other = await h.newAccount('stranger');
    await sdkError(other.client.dns.records.list({ zone_id }), Cloudflare.NotFoundError);
    await sdkError(other.client.dns.records.create({ zone_id, name: 'x', type: 'A', content: '192.0.2.1', ttl: 1 }), Cloudflare.NotFoundError);
    await sdkError(other.client.dns.records.export({ zone_id }), Cloudflare.NotFoundError);
  });
});
