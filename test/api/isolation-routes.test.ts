// Tenant isolation generated from the route list (GET /client/v4/openapi.json), so a new route is
// covered without editing this file: with account A's token, every operation that names an object
// of account B in its path (B's account, zones, peers, TSIG keys, ACLs, tokens, records, and B's
// objects under A's own account or zone) answers 404 in the envelope (never 403, never 2xx),
// writes nothing and calls no engine command; bodies that reference B's objects (a peer's tsig_id,
// a zone's peers, batch record ids, a zone's account) are refused; and no answer A can get
// contains any id, name or secret of B. Counts of cases and leaks are printed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApi, type ApiHarness, type TestAccount } from '../helpers/api.js';
import { storeVariants } from '../helpers/db.js';

interface Operation {
  id: string;
  method: string;
  path: string;
  params: string[];
  hasBody: boolean;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the OpenAPI document as JSON
function operations(doc: any): Operation[] {
  const out: Operation[] = [];
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the OpenAPI document as JSON
  for (const [path, ops] of Object.entries<any>(doc.paths)) {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the OpenAPI document as JSON
    for (const [method, op] of Object.entries<any>(ops)) {
      // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the OpenAPI document as JSON
      const params = ((op.parameters ?? []) as any[]).filter((p) => p.in === 'path').map((p) => p.name as string);
      out.push({ id: op.operationId ?? `${method} ${path}`, method: method.toUpperCase(), path, params, hasBody: op.requestBody !== undefined });
    }
  }
  return out;
}

interface Tenant {
  t: TestAccount;
  prefix: string;
  ids: { full: string; secondary: string; peer: string; tsig: string; acl: string; token: string; record: string };
  secret: string;
}

async function populate(t: TestAccount, prefix: string): Promise<Tenant> {
  const zt = t.client.dns.zoneTransfers;
  const account_id = t.account.id;
  const secret = Buffer.from(`${prefix}-secret-${'s'.repeat(20)}`).toString('base64');
  const tsig = (await zt.tsigs.create({ account_id, name: `${prefix}.key.`, algo: 'hmac-sha256', secret })).id;
  const peer = (await zt.peers.create({ account_id, name: `${prefix}-peer`, ip: '192.0.2.1', port: 53, tsig_id: tsig } as never)).id;
  const acl = (await zt.acls.create({ account_id, name: `${prefix}-acl`, ip_range: '192.0.2.0/24' })).id;
  const full = (await t.client.zones.create({ name: `${prefix}-full.example`, account: { id: account_id } })).id;
  const secondary = (await t.client.zones.create({ name: `${prefix}-sec.example`, account: { id: account_id }, type: 'secondary' })).id;
  await zt.incoming.create({ zone_id: secondary, name: `${prefix}-sec.example`, auto_refresh_seconds: 300, peers: [peer] });
  await zt.outgoing.create({ zone_id: full, name: `${prefix}-full.example`, peers: [peer] });
  await zt.outgoing.enable({ zone_id: full });
  const record = (await t.client.dns.records.create({ zone_id: full, type: 'A', name: `${prefix}-www`, content: '192.0.2.10', ttl: 300 } as never)).id ?? '';
  const token = (await t.client.accounts.tokens.create({ account_id, name: `${prefix}-token`, policies: [] })).id ?? '';
  return { t, prefix, ids: { full, secondary, peer, tsig, acl, token, record }, secret };
}

describe.each(storeVariants())('tenant isolation on every route, on %s', (kind) => {
  let h: ApiHarness;
  let A: Tenant;
  let B: Tenant;
  let ops: Operation[];
  let fingerprintSql = '';
  const tally = { cases: 0, leaks: 0, refCases: 0, refLeaks: 0, reads: 0, readLeaks: 0 };

  const fingerprint = async (): Promise<string> => (await h.db.sql.query<{ fp: string }>(fingerprintSql))[0]?.fp ?? '';

  /** ids: the value of each path parameter, from one tenant's objects (zone chosen by the route). */
  function value(x: Tenant, param: string, path: string): string {
    switch (param) {
      case 'account_id':
        return x.t.account.id;
      case 'zone_id':
        return /incoming|force_axfr/.test(path) ? x.ids.secondary : x.ids.full;
      case 'peer_id':
        return x.ids.peer;
      case 'tsig_id':
        return x.ids.tsig;
      case 'acl_id':
        return x.ids.acl;
      case 'token_id':
        return x.ids.token;
      case 'dns_record_id':
        return x.ids.record;
      default:
        throw new Error(`no value for path parameter ${param} (${path}): teach value()`);
    }
  }

  /** body: a valid body for the operation in the context of tenant `x` (so only tenancy can refuse). */
  function body(op: Operation, x: Tenant): unknown {
    const p = x.prefix;
    const record = { type: 'A', name: `${p}-new`, content: '192.0.2.20', ttl: 300 };
    switch (op.id) {
      case 'accounts.tokens.create':
        return { name: 'intruder', policies: [] };
      case 'zones.edit':
        return { type: 'secondary' };
      case 'incoming.create':
      case 'incoming.update':
        return { name: `${p}-sec.example`, auto_refresh_seconds: 600, peers: [] };
      case 'outgoing.create':
      case 'outgoing.update':
        return { name: `${p}-full.example`, peers: [] };
      case 'acls.create':
      case 'acls.update':
        return { name: 'intruder', ip_range: '198.51.100.0/24' };
      case 'peers.create':
      case 'peers.update':
        return { name: 'intruder', ip: '198.51.100.1' };
      case 'tsigs.create':
      case 'tsigs.update':
        return { name: 'intruder.', algo: 'hmac-sha256', secret: 'AAAA' };
      case 'dns.records.create':
      case 'dns.records.update':
      case 'dns.records.edit':
        return record;
      case 'dns.records.batch':
        return { posts: [record] };
      case 'dns.records.import':
        return { file: `${p}-imported 300 IN A 192.0.2.30\n` };
      default:
        return op.hasBody ? {} : undefined;
    }
  }

  beforeAll(async () => {
    h = await startApi(kind);
    A = await populate(await h.newAccount('tenant-a'), 'a');
    B = await populate(await h.newAccount('tenant-b'), 'b');
    const tables = await h.db.sql.query<{ table_name: string }>(
      "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name",
    );
    fingerprintSql = `SELECT ${tables.map((t) => `(SELECT md5(coalesce(string_agg(x::text, ',' ORDER BY x::text), '')) FROM "${t.table_name}" x)`).join(' || ')} AS fp`;
    ops = operations((await h.raw('GET', '/openapi.json', { token: null })).json);
    expect(ops.length).toBeGreaterThan(40);
    h.engine.clear();
  });

  afterAll(async () => {
    console.log(
      `[isolation] ${kind}: ${tally.cases} cross-tenant path cases (${tally.leaks} leaks), ${tally.refCases} cross-tenant references in bodies ` +
        `(${tally.refLeaks} leaks), ${tally.reads} own-scope reads scanned for the other tenant's data (${tally.readLeaks} leaks)`,
    );
    await h?.close();
  });

  it("answers 404 for the other tenant's objects on every route, writing nothing", async () => {
    const leaks: string[] = [];
    const before = await fingerprint();
    for (const op of ops.filter((o) => o.params.length > 0)) {
      // Every parameter from B; then A's account or zone with B's object under it.
      const variants: Array<Record<string, string>> = [Object.fromEntries(op.params.map((p) => [p, value(B, p, op.path)]))];
      if (op.params.length > 1) {
        for (const own of ['account_id', 'zone_id']) {
          if (op.params.includes(own)) variants.push(Object.fromEntries(op.params.map((p) => [p, value(p === own ? A : B, p, op.path)])));
        }
      }
      for (const v of variants) {
        const path = op.path.replace(/\{(\w+)\}/g, (_, p: string) => v[p]!);
        const res = await h.raw(op.method, path, { token: A.t.token, body: body(op, B) });
        tally.cases++;
        const envelope = res.json?.success === false && res.json?.result === null && Array.isArray(res.json?.errors);
        if (res.status !== 404 || !envelope) {
          tally.leaks++;
          leaks.push(`${op.id} ${op.method} ${path}: ${res.status} ${res.text.slice(0, 160)}`);
        }
      }
    }
    expect(leaks, leaks.join('\n')).toEqual([]);
    expect(await fingerprint()).toBe(before);
    expect(h.engine.calls).toEqual([]);
    expect(tally.cases).toBeGreaterThan(50);
  });

  it("refuses bodies that reference the other tenant's objects", async () => {
    const a = A.t.account.id;
    const zt = `/zones`;
    const cases: Array<[string, string, unknown]> = [
      ['POST', `/accounts/${a}/secondary_dns/peers`, { name: 'x', tsig_id: B.ids.tsig }],
      ['PUT', `/accounts/${a}/secondary_dns/peers/${A.ids.peer}`, { name: 'x', tsig_id: B.ids.tsig }],
      ['POST', `${zt}/${A.ids.secondary}/secondary_dns/incoming`, { name: 'a-sec.example', auto_refresh_seconds: 300, peers: [B.ids.peer] }],
      ['PUT', `${zt}/${A.ids.secondary}/secondary_dns/incoming`, { name: 'a-sec.example', auto_refresh_seconds: 300, peers: [A.ids.peer, B.ids.peer] }],
      ['POST', `${zt}/${A.ids.full}/secondary_dns/outgoing`, { name: 'a-full.example', peers: [B.ids.peer] }],
      ['PUT', `${zt}/${A.ids.full}/secondary_dns/outgoing`, { name: 'a-full.example', peers: [B.ids.peer] }],
      ['POST', `${zt}/${A.ids.full}/dns_records/batch`, { deletes: [{ id: B.ids.record }] }],
      ['POST', `${zt}/${A.ids.full}/dns_records/batch`, { patches: [{ id: B.ids.record, content: '192.0.2.99' }] }],
      ['POST', `${zt}/${A.ids.full}/dns_records/batch`, { puts: [{ id: B.ids.record, type: 'A', name: 'x', content: '192.0.2.99' }] }],
      ['POST', zt, { name: 'stolen.example', account: { id: B.t.account.id } }],
      ['POST', zt, { name: 'b-full.example', account: { id: B.t.account.id }, type: 'full' }],
    ];
    const leaks: string[] = [];
    const before = await fingerprint();
    for (const [method, path, b] of cases) {
      const res = await h.raw(method, path, { token: A.t.token, body: b });
      tally.refCases++;
      if (res.status !== 400) {
        tally.refLeaks++;
        leaks.push(`${method} ${path} ${JSON.stringify(b)}: ${res.status} ${res.text.slice(0, 160)}`);
      }
    }
    expect(leaks, leaks.join('\n')).toEqual([]);
    expect(await fingerprint()).toBe(before);
    // Same-account links work (the refusals above are about tenancy, not the fields).
    const own = await h.raw('PUT', `/accounts/${a}/secondary_dns/peers/${A.ids.peer}`, { token: A.t.token, body: { name: 'a-peer', ip: '192.0.2.1', port: 53, tsig_id: A.ids.tsig } });
    expect(own.status).toBe(200);
  });

  it("never shows the other tenant's ids, names or secrets in any answer", async () => {
    const needles = [B.t.account.id, ...Object.values(B.ids), B.secret, 'b-full.example', 'b-sec.example', 'b-peer', 'b-acl', 'b-token', 'b.key.', 'b-www'];
    const leaks: string[] = [];
    const scan = async (method: string, path: string) => {
      const res = await h.raw(method, path, { token: A.t.token });
      tally.reads++;
      for (const n of needles) {
        if (res.text.includes(n)) {
          tally.readLeaks++;
          leaks.push(`${method} ${path} shows ${n}`);
        }
      }
      return res;
    };
    for (const op of ops.filter((o) => o.method === 'GET')) {
      const path = op.path.replace(/\{(\w+)\}/g, (_, p: string) => value(A, p, op.path));
      const res = await scan('GET', path);
      expect(res.status, `${op.id}: ${res.text.slice(0, 200)}`).toBeLessThan(500);
    }
    for (const q of [`account.id=${B.t.account.id}`, 'name=b-full.example', 'account.name=tenant-b', 'per_page=1000', 'type=secondary']) await scan('GET', `/zones?${q}`);
    for (const q of ['name=b-www.b-full.example', 'name.contains=b-', 'per_page=5000']) await scan('GET', `/zones/${A.ids.full}/dns_records?${q}`);
    await scan('GET', '/accounts?per_page=1000');
    expect(leaks, leaks.join('\n')).toEqual([]);
    expect(tally.reads).toBeGreaterThan(20);
  });
});
