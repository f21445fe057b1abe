// Bad input, measured: every operation of the OpenAPI document (so new routes are covered without
// editing this file) gets path tricks, malformed and oversized bodies, wrong JSON types, missing
// fields, semantically bad values (DNS names, CIDRs, IPs, ports, base64 secrets, ids of another
// account), bad query strings, bad credentials and malformed HTTP. Every answer must be 4xx in the
// Cloudflare envelope, never 5xx, and nothing may be written (a digest of every table and the
// engine's command log are compared around each case). Unknown fields must be ignored. The counts
// (cases tried, 5xx seen) are printed at the end. Requests go through node:http (and raw sockets
// for malformed HTTP), because fetch normalises paths like `/zones/../accounts` before sending.
import { Agent, request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApi, type ApiHarness, type TestAccount } from '../helpers/api.js';
import { storeVariants } from '../helpers/db.js';

// ---------------------------------------------------------------------------------------------
// HTTP without path normalisation.

interface Res {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- arbitrary JSON under test
  json: any;
}

interface SendOptions {
  token?: string | null;
  body?: string | Buffer;
  /** chunked: send the body in pieces without Content-Length. */
  chunked?: boolean;
  headers?: Record<string, string>;
}

const agent = new Agent({ keepAlive: true, maxSockets: 4 });

function parse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function send(port: number, method: string, path: string, o: SendOptions = {}): Promise<Res> {
  const headers: Record<string, string> = { ...o.headers };
  if (o.token !== undefined && o.token !== null) headers.authorization = `Bearer ${o.token}`;
  if (o.body !== undefined && !Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) headers['content-type'] = 'application/json';
  if (o.body !== undefined && o.chunked !== true) headers['content-length'] = String(Buffer.byteLength(o.body));
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, method, path, headers, agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json: parse(text) });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    if (o.body === undefined) {
      req.end();
    } else if (o.chunked === true) {
      const b = Buffer.from(o.body);
      for (let i = 0; i < b.length; i += 64 * 1024) req.write(b.subarray(i, i + 64 * 1024));
      req.end();
    } else {
      req.end(o.body);
    }
  });
}

/** rawHttp writes octets on a fresh socket and returns what comes back before close (or 3 s). */
function rawHttp(port: number, octets: string): Promise<string> {
  return new Promise((resolve) => {
    const s = connect({ host: '127.0.0.1', port });
    const chunks: Buffer[] = [];
    const done = () => resolve(Buffer.concat(chunks).toString('latin1'));
    const timer = setTimeout(() => {
      s.destroy();
      done();
    }, 3000);
    s.on('data', (c: Buffer) => chunks.push(c));
    s.on('error', () => undefined);
    s.on('close', () => {
      clearTimeout(timer);
      done();
    });
    s.write(octets, 'latin1');
  });
}

/** isFailureEnvelope: exactly {success:false, errors:[{code>=1000, message}, ...], messages:[], result:null}. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- arbitrary JSON under test
function isFailureEnvelope(json: any): boolean {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return false;
  if (Object.keys(json).sort().join(',') !== 'errors,messages,result,success') return false;
  if (json.success !== false || json.result !== null || !Array.isArray(json.messages) || json.messages.length !== 0) return false;
  if (!Array.isArray(json.errors) || json.errors.length === 0) return false;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- arbitrary JSON under test
  return json.errors.every((e: any) => typeof e === 'object' && e !== null && Number.isInteger(e.code) && e.code >= 1000 && typeof e.message === 'string');
}

// ---------------------------------------------------------------------------------------------
// The route list, from the OpenAPI document.

interface JsonSchema {
  type?: string | string[];
  anyOf?: JsonSchema[];
  const?: unknown;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  pattern?: string;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
}

interface Operation {
  id: string;
  method: string;
  /** path with {param} placeholders, relative to /client/v4. */
  path: string;
  params: string[];
  query: Record<string, JsonSchema>;
  body: { contentType: string; schema: JsonSchema } | undefined;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the OpenAPI document as JSON
function operations(doc: any): Operation[] {
  const out: Operation[] = [];
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the OpenAPI document as JSON
  for (const [path, ops] of Object.entries<any>(doc.paths)) {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the OpenAPI document as JSON
    for (const [method, op] of Object.entries<any>(ops)) {
      // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the OpenAPI document as JSON
      const parameters: any[] = op.parameters ?? [];
      const content = op.requestBody?.content as Record<string, { schema: JsonSchema }> | undefined;
      const [contentType, media] = content === undefined ? [] : (Object.entries(content)[0] ?? []);
      out.push({
        id: op.operationId ?? `${method} ${path}`,
        method: method.toUpperCase(),
        path,
        params: parameters.filter((p) => p.in === 'path').map((p) => p.name as string),
        query: Object.fromEntries(parameters.filter((p) => p.in === 'query').map((p) => [p.name as string, p.schema as JsonSchema])),
        body: contentType === undefined || media === undefined ? undefined : { contentType, schema: media.schema },
      });
    }
  }
  return out;
}

/** jsonTypes lists the JSON types a schema admits ('integer' also admits nothing else). */
function jsonTypes(s: JsonSchema): Set<string> {
  const out = new Set<string>();
  if (s.anyOf) for (const x of s.anyOf) for (const t of jsonTypes(x)) out.add(t);
  if (typeof s.const === 'string') out.add('string');
  if (typeof s.type === 'string') out.add(s.type);
  if (Array.isArray(s.type)) for (const t of s.type) out.add(t);
  return out;
}

function typeOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

const TYPE_PROBES: unknown[] = [12345, -1, 1.5, true, 'a-string', {}, { nested: { deep: [1] } }, [], ['x', 1], null];

/** wrongTypes are probe values whose JSON type the schema does not admit. */
function wrongTypes(s: JsonSchema): unknown[] {
  const allowed = jsonTypes(s);
  if (allowed.size === 0) return [];
  return TYPE_PROBES.filter((v) => {
    const t = typeOf(v);
    if (allowed.has(t)) return false;
    if (t === 'integer' && allowed.has('number')) return false;
    return true;
  });
}

// ---------------------------------------------------------------------------------------------
// Dictionaries of bad values.

const BAD_DNS_NAMES = ['bad..name', 'has space.example', '.', 'a\tb.example', 'x'.repeat(64) + '.example', `${'a.'.repeat(127)}example`, 'é.example', 'a/b.example', '*.*.example', '@@', '..'];
const BAD_CIDRS = ['not-an-ip', '10.0.0/24', '10.0.0.0/33', '2001:db8::/129', '10.0.0.0/', 'fe80::1%eth0/64', '10.0.0.0/24/24', '10.0.0.0/-1', '10.0.0.0/ 24', ' 10.0.0.0/24', '10.0.0.0/0024', '256.0.0.0/24', '1.2.3.4/32x', '10.0.0.0/16', '0.0.0.0/0', '::/0', '2001:db8::/48', '192.0.2.0/23', '/24', '::ffff:10.0.0.0/200'];
const BAD_IPS = ['300.1.1.1', 'example.com', '10.0.0.0/24', '', 'fe80::1%eth0', '1.2.3', '::g', '1.2.3.4 ', ' 1.2.3.4', '1.2.3.4.5', 'localhost', '0x7f.0.0.1'];
const BAD_PORTS: unknown[] = [0, 65536, 53.5, -53, 1e10, '53', 1e300];
const BAD_SECRETS = ['not base64!', 'abc', 'AAA=A', 'zz', '====', '%%%%', 'Zm9v Ym=Fy', '🙂🙂🙂🙂', 'x'.repeat(1025), ''];
const BAD_ALGOS = ['hmac-sha3', 'gss-tsig', 'hmac-', 'sha256', 'hmac-sha256..', 'x'.repeat(65), ''];
const BAD_REFRESH: unknown[] = [299, 0, -1, 300.5, 1e20, 2_147_483_648, -300];
const BAD_TTLS: unknown[] = [0, 29, 86401, -1, 1.5, 1e9];
/** BAD_CONTENT: per record type, content the type cannot hold. */
const BAD_CONTENT: Record<string, string[]> = {
  A: ['1.2.3', '::1', '256.1.1.1', 'example.com', '', '1.2.3.4 5.6.7.8'],
  AAAA: ['1.2.3.4', ':::', 'g::1', ''],
  CNAME: ['bad..name', '', 'a b'],
  MX: ['bad..name', '', 'x'.repeat(300)],
  NS: ['', 'bad..name'],
  PTR: ['', '..'],
  TXT: ['x'.repeat(8193)],
  CAA: ['0 issue', 'bogus', '256 issue "x"', '0 bad-tag! "x"'],
  SRV: ['1 2 3', 'a b c d', '70000 1 1 x.example.'],
  DS: ['1 2', 'x y z w', '1 2 3 zz'],
  SSHFP: ['1', '1 2 zz'],
  TLSA: ['3 1 1', '3 1 1 zz'],
  LOC: ['nowhere', '91 0 0 N 0 0 0 E 0m'],
  NAPTR: ['1 2'],
  URI: ['1', '1 2'],
  SVCB: ['1 . alpn', 'x'],
  HTTPS: ['1 . bogus=1', 'y'],
  DNSKEY: ['257 3', '257 3 13 !!!'],
  CERT: ['1 2'],
  OPENPGPKEY: ['!!!'],
  SMIMEA: ['3 1 1 zz'],
};

// ---------------------------------------------------------------------------------------------

describe.each(storeVariants())('bad input on %s', (kind) => {
  let h: ApiHarness;
  let acc: TestAccount;
  let other: TestAccount;
  let port: number;
  let ops: Operation[];
  const ids = { full: '', secondary: '', peer: '', tsig: '', acl: '', token: '', record: '', otherZone: '', otherPeer: '', otherTsig: '', otherAcl: '', otherToken: '' };
  const tally = { cases: 0, fiveXX: 0, accepted: 0, notEnvelope: 0, wrote: 0 };
  const lenientTally = { cases: 0, fiveXX: 0 };
  let failures: string[] = [];
  let lastPrint = '';

  /** fingerprint digests every table (one round trip). */
  let fingerprintSql = '';
  async function fingerprint(): Promise<string> {
    const rows = await h.db.sql.query<{ fp: string }>(fingerprintSql);
    return rows[0]?.fp ?? '';
  }

  /** paramValue is a valid id for a path parameter of `path` (the objects this account owns). */
  function paramValue(name: string, path: string): string {
    switch (name) {
      case 'account_id':
        return acc.account.id;
      case 'zone_id':
        return /incoming|force_axfr/.test(path) ? ids.secondary : ids.full;
      case 'peer_id':
        return ids.peer;
      case 'tsig_id':
        return ids.tsig;
      case 'acl_id':
        return ids.acl;
      case 'token_id':
        return ids.token;
      case 'dns_record_id':
        return ids.record;
      default:
        throw new Error(`no value for path parameter ${name} (${path}): teach paramValue`);
    }
  }

  function fill(op: Operation, override: Record<string, string> = {}): string {
    return `/client/v4${op.path.replace(/\{(\w+)\}/g, (_, p: string) => override[p] ?? paramValue(p, op.path))}`;
  }

  /** tokenFor: the admin token for admin-only operations, else the account's token. */
  const tokenFor = (op: Operation): string => (op.id === 'accounts.create' ? h.adminToken : acc.token);

  /** must runs one bad-input case: 4xx in the envelope, nothing written, no engine command. */
  async function must(label: string, method: string, path: string, o: SendOptions, want?: number): Promise<Res> {
    const calls = h.engine.calls.length;
    const res = await send(port, method, path, o);
    tally.cases++;
    const problems: string[] = [];
    if (res.status >= 500) {
      tally.fiveXX++;
      problems.push('5xx');
    } else if (res.status < 400) {
      tally.accepted++;
      problems.push('accepted');
    } else if (want !== undefined && res.status !== want) {
      problems.push(`expected ${want}`);
    }
    if (res.status >= 400 && !isFailureEnvelope(res.json)) {
      tally.notEnvelope++;
      problems.push('not the envelope');
    }
    const fp = await fingerprint();
    if (fp !== lastPrint) {
      tally.wrote++;
      problems.push('wrote to the store');
      lastPrint = fp;
    }
    if (h.engine.calls.length !== calls) problems.push('called the engine');
    if (problems.length > 0) failures.push(`${label} [${method} ${path.slice(0, 120)}]: ${problems.join(', ')} → ${res.status} ${res.text.slice(0, 200)}`);
    return res;
  }

  /** lenient runs a case that may legitimately succeed: never 5xx, and any 4xx in the envelope. */
  async function lenient(label: string, method: string, path: string, o: SendOptions): Promise<Res> {
    const res = await send(port, method, path, o);
    lenientTally.cases++;
    if (res.status >= 500) {
      lenientTally.fiveXX++;
      failures.push(`${label} [${method} ${path.slice(0, 120)}]: 5xx → ${res.status} ${res.text.slice(0, 200)}`);
    } else if (res.status >= 400 && !isFailureEnvelope(res.json)) {
      failures.push(`${label} [${method} ${path.slice(0, 120)}]: not the envelope → ${res.status} ${res.text.slice(0, 200)}`);
    }
    lastPrint = await fingerprint();
    return res;
  }

  function assertNoFailures(): void {
    const list = failures;
    failures = [];
    expect(list, list.slice(0, 30).join('\n')).toEqual([]);
  }

  /** BASE_BODIES are valid bodies per operation; each bad case spoils one field. */
  function baseBody(op: Operation): Record<string, unknown> | undefined {
    const record = { type: 'A', name: 'base', content: '192.0.2.1', ttl: 300 };
    switch (op.id) {
      case 'accounts.create':
      case 'accounts.tokens.create':
        return { name: 'base' };
      case 'zones.create':
        return { name: 'new-zone.example', account: { id: acc.account.id }, type: 'full' };
      case 'zones.edit':
        return { type: 'full' };
      case 'incoming.create':
      case 'incoming.update':
        return { name: 'sec.example', auto_refresh_seconds: 300, peers: [ids.peer] };
      case 'outgoing.create':
      case 'outgoing.update':
        return { name: 'full.example', peers: [ids.peer] };
      case 'acls.create':
      case 'acls.update':
        return { name: 'base', ip_range: '192.0.2.0/24' };
      case 'peers.create':
      case 'peers.update':
        return { name: 'base', ip: '192.0.2.1', port: 53, ixfr_enable: false, tsig_id: ids.tsig };
      case 'tsigs.create':
      case 'tsigs.update':
        return { name: 'base.key.', algo: 'hmac-sha256', secret: 'AAAA' };
      case 'dns.records.create':
      case 'dns.records.update':
      case 'dns.records.edit':
        return record;
      case 'dns.records.batch':
        return { posts: [record] };
      default:
        return undefined;
    }
  }

  /** semanticBad lists [field, value] pairs that are well-typed but wrong for the operation. */
  function semanticBad(op: Operation): Array<[string, unknown]> {
    const many = (field: string, values: unknown[]): Array<[string, unknown]> => values.map((v) => [field, v]);
    const peersBad = [[ids.otherPeer], ['f'.repeat(32)], ['not-an-id'], ['x'.repeat(65)], Array.from({ length: 31 }, (_, i) => i.toString(16).padStart(32, '0')), [ids.peer, ids.otherPeer]];
    switch (op.id) {
      case 'accounts.create':
      case 'accounts.tokens.create':
        return many('name', ['', 'x'.repeat(256)]);
      case 'zones.create':
        return [
          ...many('name', [...BAD_DNS_NAMES, '', 'x'.repeat(255), 'full.example']),
          ...many('type', ['partial', 'internal', 'bogus', 'FULL', '']),
          ...many('account', [{ id: 'nope' }, { id: other.account.id }, { id: 'f'.repeat(32) }, { id: acc.account.id.toUpperCase() }]),
        ];
      case 'zones.edit':
        return many('type', ['partial', 'internal', 'bogus', '']);
      case 'incoming.create':
      case 'incoming.update':
        return [...many('name', ['other.example', 'full.example', ...BAD_DNS_NAMES, '']), ...many('auto_refresh_seconds', BAD_REFRESH), ...many('peers', peersBad)];
      case 'outgoing.create':
      case 'outgoing.update':
        return [...many('name', ['other.example', 'sec.example', ...BAD_DNS_NAMES, '']), ...many('peers', peersBad)];
      case 'acls.create':
      case 'acls.update':
        return [...many('ip_range', BAD_CIDRS), ...many('name', ['', 'x'.repeat(256)])];
      case 'peers.create':
      case 'peers.update':
        return [
          ...many('ip', BAD_IPS),
          ...many('port', BAD_PORTS),
          ...many('tsig_id', [ids.otherTsig, 'f'.repeat(32), 'not-an-id', '', 'x'.repeat(65)]),
          ...many('ixfr_enable', ['yes', 1, 'true']),
          ...many('name', ['', 'x'.repeat(256)]),
        ];
      case 'tsigs.create':
      case 'tsigs.update':
        return [...many('secret', BAD_SECRETS), ...many('algo', BAD_ALGOS), ...many('name', [...BAD_DNS_NAMES, ''])];
      case 'dns.records.create':
      case 'dns.records.update':
      case 'dns.records.edit':
        return [
          ...many('type', ['BOGUS', 'SOA', 'A6', '', 'x'.repeat(17), 'TYPE1']),
          ...many('name', ['bad..name', 'x'.repeat(64) + '.full.example', 'other.example.', 'a b', '*.*', 'x'.repeat(256)]),
          ...many('ttl', BAD_TTLS),
          ...many('proxied', [true]),
          ...many('comment', ['x'.repeat(501)]),
          ...many('tags', [['x'.repeat(256)], Array.from({ length: 51 }, (_, i) => `t${i}`), [1]]),
          ...many('content', BAD_CONTENT.A!),
        ];
      case 'dns.records.batch':
        return [
          ['deletes', [{ id: 'f'.repeat(32) }]],
          ['deletes', [{ id: 'nope' }]],
          ['patches', [{ id: 'f'.repeat(32), content: '192.0.2.2' }]],
          ['patches', [{ id: ids.record, content: '1.2.3' }]],
          ['puts', [{ id: ids.record }]],
          ['puts', [{ id: 'f'.repeat(32), type: 'A', name: 'x', content: '192.0.2.3' }]],
          ['posts', [{ type: 'A', name: 'base', content: 'nope' }]],
          ['posts', [{ type: 'CNAME', name: 'www', content: 'x.example.' }]],
          ['posts', Array.from({ length: 1001 }, () => ({ type: 'A', name: 'x', content: '192.0.2.1' }))],
          ['posts', [{ type: 'A', name: 'base', content: '192.0.2.1' }, { type: 'CNAME', name: 'base', content: 'x.example.' }]],
        ];
      default:
        return [];
    }
  }

  beforeAll(async () => {
    h = await startApi(kind);
    port = Number(new URL(h.origin).port);
    acc = await h.newAccount('bad-input');
    other = await h.newAccount('other');
    const zt = acc.client.dns.zoneTransfers;
    const account_id = acc.account.id;
    ids.tsig = (await zt.tsigs.create({ account_id, name: 'k.example.', algo: 'hmac-sha256', secret: 'AAAA' })).id;
    ids.peer = (await zt.peers.create({ account_id, name: 'p', ip: '192.0.2.1', port: 53, tsig_id: ids.tsig } as never)).id;
    ids.acl = (await zt.acls.create({ account_id, name: 'a', ip_range: '192.0.2.0/24' })).id;
    ids.full = (await acc.client.zones.create({ name: 'full.example', account: { id: account_id } })).id;
    ids.secondary = (await acc.client.zones.create({ name: 'sec.example', account: { id: account_id }, type: 'secondary' })).id;
    await zt.incoming.create({ zone_id: ids.secondary, name: 'sec.example', auto_refresh_seconds: 300, peers: [ids.peer] });
    await zt.outgoing.create({ zone_id: ids.full, name: 'full.example', peers: [ids.peer] });
    ids.record = (await acc.client.dns.records.create({ zone_id: ids.full, type: 'A', name: 'www', content: '192.0.2.10', ttl: 300 } as never)).id ?? '';
    await acc.client.dns.records.create({ zone_id: ids.full, type: 'CNAME', name: 'alias', content: 'www.full.example', ttl: 300 } as never);
    ids.token = (await acc.client.accounts.tokens.create({ account_id, name: 't', policies: [] })).id ?? '';
    const ozt = other.client.dns.zoneTransfers;
    const oid = other.account.id;
    ids.otherTsig = (await ozt.tsigs.create({ account_id: oid, name: 'o.example.', algo: 'hmac-sha256', secret: 'AAAA' })).id;
    ids.otherPeer = (await ozt.peers.create({ account_id: oid, name: 'op' })).id;
    ids.otherAcl = (await ozt.acls.create({ account_id: oid, name: 'oa', ip_range: '198.51.100.0/24' })).id;
    ids.otherZone = (await other.client.zones.create({ name: 'other.example', account: { id: oid } })).id;
    ids.otherToken = (await other.client.accounts.tokens.create({ account_id: oid, name: 'ot', policies: [] })).id ?? '';

    const tables = await h.db.sql.query<{ table_name: string }>(
      "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name",
    );
    expect(tables.length).toBeGreaterThan(5);
    fingerprintSql = `SELECT ${tables
      .map((t) => `(SELECT md5(coalesce(string_agg(x::text, ',' ORDER BY x::text), '')) FROM "${t.table_name}" x)`)
      .join(' || ')} AS fp`;
    const doc = await send(port, 'GET', '/client/v4/openapi.json');
    ops = operations(doc.json);
    expect(ops.length).toBeGreaterThan(40);
    h.engine.clear();
    lastPrint = await fingerprint();
  });

  afterAll(async () => {
    const total = tally.cases + lenientTally.cases;
    console.log(
      `[bad-input] ${kind}: ${ops?.length ?? 0} operations; ${tally.cases} must-refuse cases (5xx ${tally.fiveXX}, accepted ${tally.accepted}, ` +
        `outside the envelope ${tally.notEnvelope}, wrote ${tally.wrote}); ${lenientTally.cases} may-succeed cases (5xx ${lenientTally.fiveXX}); ` +
        `${total} requests in all, ${tally.fiveXX + lenientTally.fiveXX} answered 5xx`,
    );
    await h?.close();
  });

  it('path tricks on every path parameter of every operation', async () => {
    const tricks: Array<[string, number | undefined]> = [
      ['NOT-AN-ID', 400], ['A'.repeat(32), 400], ['0'.repeat(31), 400], ['0'.repeat(33), 400], ['g'.repeat(32), 400], ['..', 400], ['.', 400],
      ['%2e%2e', 400], ['..%2F..%2Faccounts', 400], ['%2F', 400], ['%252F', 400], ['%00', 400], ['%zz', 400], ['%', 400],
      ['x'.repeat(101), 400], ['x'.repeat(4000), 400], ["'%20OR%20'1'='1", 400], ['%E2%80%AE', 400], ['%C0%AE%C0%AE', 400],
      ['f'.repeat(32), 404], ['%66'.repeat(32), 404], [';', 400], ['*', 400], ['%20', 400],
    ];
    for (const op of ops) {
      const body = op.body?.contentType === 'application/json' ? JSON.stringify(baseBody(op) ?? {}) : undefined;
      for (const p of op.params) {
        for (const [trick, want] of tricks) {
          await must(`${op.id} ${p}=${trick.slice(0, 20)}`, op.method, fill(op, { [p]: trick }), { token: tokenFor(op), ...(body !== undefined ? { body } : {}) }, want);
        }
        // The upper-case spelling of a real id, and an empty segment (no route).
        await must(`${op.id} ${p} upper-case`, op.method, fill(op, { [p]: paramValue(p, op.path).toUpperCase() }), { token: tokenFor(op) }, 400);
        // An empty segment routes elsewhere (`/accounts/` is the list): never 5xx, never a write.
        await lenient(`${op.id} ${p} empty`, op.method, fill(op, { [p]: '' }), { token: tokenFor(op) });
      }
    }
    // Route-level tricks: never 5xx, never outside the envelope, never a write.
    const routeTricks = [
      '/client/v4/zones/../accounts', '/client/v4/./zones/x', '/client/v4//zones/x', '/client/v4/zones%2F', '/client/v4/ZONES/x',
      '/client/v4/zones/x;a=1', `/client/v4/${'a/'.repeat(2000)}`, '/client/v4/accounts/%2e%2e/secondary_dns/peers', '/client/v4/%2e%2e/%2e%2e/etc/passwd',
      '/client/v4/zones/%u0000', '/..%5c..%5cwindows', '/client/v4/user/tokens/verify/../../../accounts',
    ];
    for (const path of routeTricks) {
      for (const method of ['GET', 'POST', 'DELETE', 'PATCH', 'PUT']) await must(`route ${path.slice(0, 40)}`, method, path, { token: acc.token, body: '{}' });
    }
    assertNoFailures();
  });

  it('malformed, non-object, oversized and polluting bodies on every operation that takes JSON', async () => {
    const malformed = ['{', '{"name":', '{"a":1}}', "{'name':'x'}", '{"name":"x",}', 'NaN', '{"a":01}', '\ufeff{}x', '[', 'undefined', '{"a":"\\x41"}', '{"a":"\\ud800"', '\u0000', '{"name": "a\u0000b"}', '{"name":"x","name2":"a\\u0000b"}'];
    const nonObject = ['[]', '"x"', '42', 'null', 'true', '[{"name":"x"}]', ''];
    const deep = ['['.repeat(100_000) + ']'.repeat(100_000), '{"a":'.repeat(50_000) + '1' + '}'.repeat(50_000)];
    const huge = JSON.stringify({ name: 'x'.repeat(2 * 1024 * 1024), ip_range: '192.0.2.0/24' });
    for (const op of ops.filter((o) => o.body?.contentType === 'application/json')) {
      const path = fill(op);
      const o = { token: tokenFor(op) };
      for (const body of malformed) await must(`${op.id} malformed ${JSON.stringify(body.slice(0, 15))}`, op.method, path, { ...o, body }, 400);
      for (const body of nonObject) await must(`${op.id} non-object ${body.slice(0, 15)}`, op.method, path, { ...o, body }, 400);
      for (const body of deep) await must(`${op.id} deep nesting`, op.method, path, { ...o, body }, 400);
      await must(`${op.id} huge`, op.method, path, { ...o, body: huge }, 413);
      await must(`${op.id} huge chunked`, op.method, path, { ...o, body: huge, chunked: true }, 413);
      for (const contentType of ['text/plain', 'application/x-www-form-urlencoded', 'application/xml', 'multipart/form-data; boundary=x']) {
        await must(`${op.id} as ${contentType}`, op.method, path, { ...o, body: 'name=x&ip_range=1.2.3.4', headers: { 'content-type': contentType } }, 400);
      }
      // Prototype pollution attempts next to a spoiled field: refused, and Object.prototype intact.
      const base = baseBody(op) ?? {};
      const spoiled = Object.keys(base)[0] ?? 'name';
      for (const body of [
        `{"__proto__":{"polluted":1},"${spoiled}":12345}`,
        `{"constructor":{"prototype":{"polluted":1}},"${spoiled}":12345}`,
        `{"${spoiled}":12345,"__proto__":{"toString":1}}`,
      ]) {
        await must(`${op.id} pollution`, op.method, path, { ...o, body }, 400);
      }
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    }
    assertNoFailures();
  });

  it('wrong types, missing fields and semantically bad values, one field at a time', async () => {
    for (const op of ops.filter((o) => o.body?.contentType === 'application/json')) {
      const base = baseBody(op);
      const schema = op.body!.schema;
      const path = fill(op);
      const o = { token: tokenFor(op) };
      if (base === undefined) throw new Error(`${op.id} takes a JSON body: teach baseBody a valid one`);
      for (const field of schema.required ?? []) {
        const { [field]: _dropped, ...rest } = base;
        await must(`${op.id} missing ${field}`, op.method, path, { ...o, body: JSON.stringify(rest) }, 400);
      }
      for (const [field, propSchema] of Object.entries(schema.properties ?? {})) {
        for (const v of wrongTypes(propSchema)) {
          await must(`${op.id} ${field}=${JSON.stringify(v)}`, op.method, path, { ...o, body: JSON.stringify({ ...base, [field]: v }) }, 400);
        }
      }
      for (const [field, v] of semanticBad(op)) {
        const label = `${op.id} ${field}=${JSON.stringify(v)?.slice(0, 40)}`;
        await must(label, op.method, path, { ...o, body: JSON.stringify({ ...base, [field]: v }) });
      }
      // A NUL inside an otherwise good value (Postgres text cannot store it).
      for (const field of Object.keys(base).filter((k) => typeof base[k] === 'string')) {
        await must(`${op.id} ${field} with NUL`, op.method, path, { ...o, body: JSON.stringify({ ...base, [field]: `${String(base[field])}\u0000` }) }, 400);
      }
    }
    assertNoFailures();
  });

  it('record content that its type cannot hold, for every record type', async () => {
    const path = `/client/v4/zones/${ids.full}/dns_records`;
    for (const [type, contents] of Object.entries(BAD_CONTENT)) {
      for (const content of contents) {
        await must(`record ${type} ${JSON.stringify(content.slice(0, 30))}`, 'POST', path, { token: acc.token, body: JSON.stringify({ type, name: 'bad', content, ttl: 300 }) }, 400);
      }
    }
    for (const data of [{}, { priority: -1, weight: 1, port: 1, target: 'x.example' }, { priority: 'a' }, { weight: 1e9 }, { flags: 300, tag: 'issue', value: 'x' }, { tag: '' }]) {
      for (const type of ['SRV', 'CAA', 'URI']) {
        await must(`record ${type} data ${JSON.stringify(data)}`, 'POST', path, { token: acc.token, body: JSON.stringify({ type, name: 'bad', data, ttl: 300 }) }, 400);
      }
    }
    // Records of a secondary zone are read-only; a full zone's CNAME clashes.
    await must('record on a secondary zone', 'POST', `/client/v4/zones/${ids.secondary}/dns_records`, { token: acc.token, body: JSON.stringify({ type: 'A', name: 'x', content: '192.0.2.1' }) }, 400);
    await must('record next to a CNAME', 'POST', path, { token: acc.token, body: JSON.stringify({ type: 'A', name: 'alias', content: '192.0.2.1' }) }, 400);
    assertNoFailures();
  });

  it('zone-file imports: missing file, garbage multipart, bombs, includes, oversized', async () => {
    const path = `/client/v4/zones/${ids.full}/dns_records/import`;
    const o = { token: acc.token };
    const multipart = (boundary: string, parts: string) => ({ ...o, body: parts, headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } });
    const filePart = (text: string) => `--b\r\nContent-Disposition: form-data; name="file"; filename="z.txt"\r\nContent-Type: text/plain\r\n\r\n${text}\r\n--b--\r\n`;
    const cases: Array<[string, SendOptions, number | undefined]> = [
      ['no body', { ...o }, 400],
      ['json without file', { ...o, body: '{}' }, 400],
      ['json file number', { ...o, body: '{"file":12}' }, 400],
      ['json bomb', { ...o, body: JSON.stringify({ file: '$GENERATE 1-1048576 h$ A 10.0.0.1\n' }) }, 400],
      ['json many bombs', { ...o, body: JSON.stringify({ file: '$GENERATE 1-40000 h$ A 10.0.0.1\n'.repeat(2) }) }, 400],
      ['json include', { ...o, body: JSON.stringify({ file: '$INCLUDE /etc/passwd\n' }) }, 400],
      ['json unparsable', { ...o, body: JSON.stringify({ file: 'www IN A not-an-address\n' }) }, 400],
      ['json outside zone', { ...o, body: JSON.stringify({ file: 'www.other.example. 300 IN A 192.0.2.1\n' }) }, 400],
      ['json class CH', { ...o, body: JSON.stringify({ file: 'www 300 CH A 192.0.2.1\n' }) }, 400],
      ['json unclosed paren', { ...o, body: JSON.stringify({ file: 'www 300 IN TXT ( "a"\n' }) }, 400],
      ['json too large', { ...o, body: JSON.stringify({ file: `; ${'x'.repeat(300 * 1024)}\n` }) }, 413],
      ['multipart without parts', multipart('b', '--b--\r\n'), 400],
      ['multipart wrong field', multipart('b', '--b\r\nContent-Disposition: form-data; name="other"\r\n\r\nx\r\n--b--\r\n'), 400],
      ['multipart truncated', multipart('b', '--b\r\nContent-Disposition: form-data; name="file"; filename="z"\r\n\r\nwww 300 IN A 192.0.2.1'), undefined],
      ['multipart garbage', multipart('b', 'garbage garbage'), undefined],
      ['multipart wrong boundary', multipart('zzz', filePart('www 300 IN A 192.0.2.1')), undefined],
      ['multipart no boundary', { ...o, body: filePart('x'), headers: { 'content-type': 'multipart/form-data' } }, undefined],
      ['multipart bomb', multipart('b', filePart('$GENERATE 1-1048576 h$ A 10.0.0.1')), 400],
      ['multipart include', multipart('b', filePart('$INCLUDE zone.inc')), 400],
      ['multipart too large', multipart('b', filePart(`; ${'x'.repeat(300 * 1024)}`)), 413],
      ['multipart two files', multipart('b', `${filePart('a').replace('--b--\r\n', '')}${filePart('b')}`), undefined],
      ['multipart field too large', multipart('b', `--b\r\nContent-Disposition: form-data; name="file"\r\n\r\n; ${'x'.repeat(300 * 1024)}\r\n--b--\r\n`), 413],
    ];
    for (const [label, opts, want] of cases) await must(`import ${label}`, 'POST', path, opts, want);
    assertNoFailures();
  });

  it('bad query strings on every operation that reads one', async () => {
    for (const op of ops.filter((o) => Object.keys(o.query).length > 0)) {
      const path = fill(op);
      for (const [name, schema] of Object.entries(op.query)) {
        const types = jsonTypes(schema);
        const bad: string[] = ['%00', 'a%00b'];
        if (types.has('integer') || types.has('number')) bad.push('0', '-1', 'abc', '1.5', '99999999999', '1e99', 'NaN', '0x10');
        if (schema.anyOf?.every((s) => s.const !== undefined)) bad.push('bogus', 'x'.repeat(300));
        if (schema.pattern !== undefined) bad.push('nope', 'x'.repeat(300));
        if (schema.maxLength !== undefined) bad.push('x'.repeat(schema.maxLength + 1));
        for (const v of bad) await must(`${op.id} ?${name}=${v.slice(0, 20)}`, op.method, `${path}?${encodeURIComponent(name)}=${v}`, { token: tokenFor(op) }, 400);
        // Repeated and odd spellings: may be accepted, never 5xx.
        for (const q of [`${name}=1&${name}=2`, `${name}[]=1`, `${name}`, `${name}=`, `${name}=%zz`, `${name}=${'%ff'.repeat(10)}`]) {
          await lenient(`${op.id} ?${q}`, op.method, `${path}?${q}`, { token: tokenFor(op) });
        }
      }
    }
    // LIKE wildcards and quotes in the record name filters are data, not syntax.
    for (const q of ['name.contains=%25', 'name.contains=_', "name.startswith='", 'name.endswith=%5C', 'type=%27%3B', 'name=%22']) {
      await lenient(`records ?${q}`, 'GET', `/client/v4/zones/${ids.full}/dns_records?${q}`, { token: acc.token });
    }
    assertNoFailures();
  });

  it('bad credentials (below the failed-attempt limit) and malformed HTTP', async () => {
    const path = `/client/v4/accounts/${acc.account.id}/secondary_dns/peers`;
    const auth: Array<[string, Record<string, string>, number]> = [
      ['none', {}, 400],
      ['basic', { authorization: 'Basic Zm9vOmJhcg==' }, 400],
      ['bearer alone', { authorization: 'Bearer' }, 400],
      ['two tokens', { authorization: 'Bearer a b' }, 400],
      ['short', { authorization: `Bearer ${'x'.repeat(39)}` }, 403],
      ['long', { authorization: `Bearer ${'x'.repeat(81)}` }, 403],
      ['unknown', { authorization: `Bearer ${'x'.repeat(40)}` }, 403],
      ['x-auth-key garbage', { 'x-auth-key': '\' OR 1=1 --' }, 403],
      ['latin1', { authorization: `Bearer ${'é'.repeat(40)}` }, 403],
    ];
    for (const [label, headers, want] of auth) {
      await must(`auth ${label}`, 'GET', path, { headers }, want);
      await must(`auth ${label} (write)`, 'POST', path, { headers, body: JSON.stringify({ name: 'x' }) }, want);
    }
    const raw = [
      'GARBAGE\r\n\r\n',
      'GET /client/v4/zones HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n',
      'POST /client/v4/zones HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
      'POST /client/v4/zones HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nZZ\r\nabc\r\n',
      `GET /client/v4/zones HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`,
      'GET /client/v4/zones\u0000 HTTP/1.1\r\nHost: x\r\n\r\n',
      'GET /client/v4/zones HTTP/9.9\r\nHost: x\r\n\r\n',
      'GET /client/v4/zones HTTP/1.1\r\nHost: x\r\nBad Header: y\r\n\r\n',
    ];
    for (const octets of raw) {
      const before = await fingerprint();
      const answer = await rawHttp(port, octets);
      tally.cases++;
      const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(answer)?.[1] ?? 0);
      const body = answer.split('\r\n\r\n').slice(1).join('\r\n\r\n');
      if (status >= 500) tally.fiveXX++;
      if (answer !== '' && (status < 400 || status >= 500 || !isFailureEnvelope(parse(body)))) failures.push(`raw ${JSON.stringify(octets.slice(0, 40))}: ${answer.slice(0, 200)}`);
      expect(await fingerprint()).toBe(before);
    }
    assertNoFailures();
  });

  it('ignores unknown fields (the SDK sends policies, Terraform whole models)', async () => {
    const a = acc.account.id;
    const extra = { id: 'ignored', created_on: '2020-01-01T00:00:00Z', modified_on: 'x', zone_id: 'nope', meta: { auto_added: true }, policies: [{ effect: 'allow' }], unknown_field: [1, 2, 3] };
    const ok = async (method: string, path: string, body: Record<string, unknown>) => {
      const res = await send(port, method, `/client/v4${path}`, { token: acc.token, body: JSON.stringify({ ...extra, ...body }) });
      expect(res.status, `${method} ${path}: ${res.text.slice(0, 300)}`).toBe(200);
      expect(res.json.success).toBe(true);
      expect(res.json.result.id).not.toBe('ignored');
      expect(res.json.result.unknown_field).toBeUndefined();
      return res.json.result as { id: string };
    };
    const token = await ok('POST', `/accounts/${a}/tokens`, { name: 'sdk token', policies: [{ effect: 'allow', permission_groups: [{ id: 'x' }], resources: { '*': '*' } }], condition: {}, expires_on: '2030-01-01T00:00:00Z' });
    await send(port, 'DELETE', `/client/v4/accounts/${a}/tokens/${token.id}`, { token: acc.token });
    const peer = await ok('POST', `/accounts/${a}/secondary_dns/peers`, { name: 'tf-peer', ip: '192.0.2.9', port: 53, ixfr_enable: false, tsig_id: ids.tsig });
    await ok('PUT', `/accounts/${a}/secondary_dns/peers/${peer.id}`, { name: 'tf-peer', ip: '192.0.2.9', port: 5353 });
    await send(port, 'DELETE', `/client/v4/accounts/${a}/secondary_dns/peers/${peer.id}`, { token: acc.token });
    const tsig = await ok('POST', `/accounts/${a}/secondary_dns/tsigs`, { name: 'tf.key.', algo: 'hmac-sha256', secret: 'AAAA' });
    await send(port, 'DELETE', `/client/v4/accounts/${a}/secondary_dns/tsigs/${tsig.id}`, { token: acc.token });
    const acl = await ok('POST', `/accounts/${a}/secondary_dns/acls`, { name: 'tf-acl', ip_range: '198.51.100.0/24' });
    await send(port, 'DELETE', `/client/v4/accounts/${a}/secondary_dns/acls/${acl.id}`, { token: acc.token });
    await ok('PUT', `/zones/${ids.secondary}/secondary_dns/incoming`, { name: 'sec.example', auto_refresh_seconds: 300, peers: [ids.peer], soa_serial: 7, checked_time: 'x' });
    await ok('PUT', `/zones/${ids.full}/secondary_dns/outgoing`, { name: 'full.example', peers: [ids.peer], last_transferred_time: 'x' });
    const zone = await ok('POST', '/zones', { name: 'tf-zone.example', account: { id: a, name: 'x' }, plan: { id: 'free' }, jump_start: true });
    await send(port, 'DELETE', `/client/v4/zones/${zone.id}`, { token: acc.token });
    const rec = await ok('POST', `/zones/${ids.full}/dns_records`, { type: 'A', name: 'tf', content: '192.0.2.7', ttl: 300, proxiable: false, zone_name: 'x', settings: {} });
    await send(port, 'DELETE', `/client/v4/zones/${ids.full}/dns_records/${rec.id}`, { token: acc.token });
    lastPrint = await fingerprint();
    h.engine.clear();
  });
});
