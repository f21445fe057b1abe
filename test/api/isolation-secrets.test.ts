// Secrets: TSIG secrets are stored encrypted when a key is configured (src/store/secrets.ts) and
// the API still returns them as sent; rows written without the key keep working and are encrypted
// on their next write; a sealed secret is bound to its row; API tokens are stored only as sha256;
// no secret or token appears in any table in the clear, nor in any log line (pino redaction).
import { createHash } from 'node:crypto';
import Cloudflare from 'cloudflare';
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { build } from '../../src/api/app.js';
import { ensureAdminToken } from '../../src/api/auth/bootstrap.js';
import { openPglite } from '../../src/store/adapters/pglite.js';
import { SECRET_PREFIX, SecretKeyError, createStore, migrate, secretBox, type Sql, type Store } from '../../src/store/index.js';
import { recordingEngine } from '../helpers/api.js';

const KEY_B64 = Buffer.alloc(32, 7).toString('base64');
const SECRET = 'c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3JldA==';
const SECRET2 = '6e6f742d746865206f6c64206f6e652c20746865206e6577206f6e65';

/** everything dumps every row of every table as text (to look for secrets in the clear). */
async function everything(sql: Sql): Promise<string> {
  const tables = await sql.query<{ table_name: string }>(
    "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'",
  );
  let out = '';
  for (const t of tables) {
    const rows = await sql.query<{ r: string }>(`SELECT x::text AS r FROM "${t.table_name}" x`);
    out += rows.map((r) => r.r).join('\n');
  }
  return out;
}

describe('secrets at rest, hashed tokens and log redaction', () => {
  let sql: Sql;
  let plainStore: Store;
  let store: Store;
  let app: FastifyInstance;
  let cf: Cloudflare;
  let adminToken: string;
  let accountId: string;
  const logs: string[] = [];

  beforeAll(async () => {
    sql = await openPglite({ dataDir: 'memory://' });
    await migrate(sql);
    plainStore = await createStore(sql);
    store = await createStore(sql, undefined, { secrets: await secretBox(KEY_B64) });
    adminToken = (await ensureAdminToken(store)) ?? '';
    // A logger that also serialises request headers and bodies, to prove the redaction holds even then.
    const logger = pino(
      {
        level: 'trace',
        serializers: {
          req: (r: { method: string; url: string; headers: Record<string, unknown>; body?: unknown }) => ({ method: r.method, url: r.url, headers: r.headers }),
        },
      },
      { write: (line: string) => void logs.push(line) },
    );
    app = build({ store, engine: recordingEngine(), logger });
    app.addHook('preHandler', async (req) => {
      req.log.info({ body: req.body, headers: req.headers }, 'request body (test hook)');
    });
    await app.listen({ host: '127.0.0.1', port: 0 });
    const address = app.server.address();
    if (address === null || typeof address === 'string') throw new Error('no address');
    cf = new Cloudflare({ apiToken: adminToken, baseURL: `http://127.0.0.1:${address.port}/client/v4`, maxRetries: 0 });
    accountId = (await store.accounts.create('secrets')).id;
  });
  afterAll(async () => {
    await app?.close();
    await store?.close();
    await plainStore?.close().catch(() => undefined);
  });

  it('stores TSIG secrets encrypted and returns them as sent', async () => {
    const zt = cf.dns.zoneTransfers;
    const t = await zt.tsigs.create({ account_id: accountId, name: 'enc.key.', algo: 'hmac-sha256', secret: SECRET });
    expect(t.secret).toBe(SECRET);
    const [row] = await sql.query<{ secret: string }>('SELECT secret FROM tsigs WHERE id = $1', [t.id]);
    expect(row!.secret.startsWith(SECRET_PREFIX)).toBe(true);
    expect(row!.secret).not.toContain(SECRET);
    expect((await zt.tsigs.get(t.id, { account_id: accountId })).secret).toBe(SECRET);
    expect((await zt.tsigs.list({ account_id: accountId })).result.map((x) => x.secret)).toEqual([SECRET]);
    // What the engine reads (store.tsigs.get) is the plain secret.
    expect((await store.tsigs.get(accountId, t.id))?.secret).toBe(SECRET);
    const updated = await zt.tsigs.update(t.id, { account_id: accountId, name: 'enc.key.', algo: 'hmac-sha256', secret: SECRET2 });
    expect(updated.secret).toBe(SECRET2);
    const [row2] = await sql.query<{ secret: string }>('SELECT secret FROM tsigs WHERE id = $1', [t.id]);
    expect(row2!.secret.startsWith(SECRET_PREFIX)).toBe(true);
    expect(row2!.secret).not.toBe(row!.secret);
    const dump = await everything(sql);
    expect(dump).not.toContain(SECRET);
    expect(dump).not.toContain(SECRET2);
    // Without the key, the sealed row fails loudly instead of handing out ciphertext.
    await expect(plainStore.tsigs.get(accountId, t.id)).rejects.toBeInstanceOf(SecretKeyError);
    await zt.tsigs.delete(t.id, { account_id: accountId });
  });

  it('reads plaintext rows written before the key was set and encrypts them on the next write', async () => {
    const legacy = await plainStore.tsigs.create(accountId, { name: 'legacy.key.', algo: 'hmac-sha1', secret: SECRET });
    const [before] = await sql.query<{ secret: string }>('SELECT secret FROM tsigs WHERE id = $1', [legacy.id]);
    expect(before!.secret).toBe(SECRET);
    expect((await cf.dns.zoneTransfers.tsigs.get(legacy.id, { account_id: accountId })).secret).toBe(SECRET);
    await cf.dns.zoneTransfers.tsigs.update(legacy.id, { account_id: accountId, name: 'legacy.key.' } as never);
    const [after] = await sql.query<{ secret: string }>('SELECT secret FROM tsigs WHERE id = $1', [legacy.id]);
    expect(after!.secret.startsWith(SECRET_PREFIX)).toBe(true);
    expect((await store.tsigs.get(accountId, legacy.id))?.secret).toBe(SECRET);
    await store.tsigs.delete(accountId, legacy.id);
  });

  it('binds a sealed secret to its row: copied elsewhere, or read with another key, it does not open', async () => {
    const a = await store.tsigs.create(accountId, { name: 'a.key.', algo: 'hmac-sha256', secret: SECRET });
    const b = await store.tsigs.create(accountId, { name: 'b.key.', algo: 'hmac-sha256', secret: SECRET2 });
    await sql.query('UPDATE tsigs SET secret = (SELECT secret FROM tsigs WHERE id = $1) WHERE id = $2', [a.id, b.id]);
    await expect(store.tsigs.get(accountId, b.id)).rejects.toBeInstanceOf(SecretKeyError);
    const otherKey = await createStore(sql, undefined, { secrets: await secretBox('another passphrase, long enough') });
    await expect(otherKey.tsigs.get(accountId, a.id)).rejects.toBeInstanceOf(SecretKeyError);
    // (not closed: a store's close() closes the connection it shares with `store`)
    await sql.query('DELETE FROM tsigs WHERE id = ANY($1::text[])', [[a.id, b.id]]);
  });

  it('accepts 32-octet keys (base64, base64url, hex) and long passphrases; refuses short ones', async () => {
    const raw = Buffer.alloc(32, 9);
    for (const key of [raw.toString('base64'), raw.toString('base64url'), raw.toString('hex'), 'correct horse battery staple']) {
      const box = await secretBox(key);
      expect(box.encrypting).toBe(true);
      const sealed = box.seal(SECRET, 'ctx');
      expect(sealed.startsWith(SECRET_PREFIX)).toBe(true);
      expect(box.open(sealed, 'ctx')).toBe(SECRET);
      expect(() => box.open(sealed, 'other ctx')).toThrow(SecretKeyError);
      expect(box.open(SECRET, 'ctx')).toBe(SECRET);
    }
    // The raw spellings of one key are one key.
    expect((await secretBox(raw.toString('hex'))).open((await secretBox(raw.toString('base64'))).seal('x', 'c'), 'c')).toBe('x');
    await expect(secretBox('too short')).rejects.toBeInstanceOf(SecretKeyError);
    expect((await secretBox(undefined)).encrypting).toBe(false);
    expect((await secretBox('')).encrypting).toBe(false);
  });

  it('stores API tokens only as their sha256', async () => {
    const created = await cf.accounts.tokens.create({ account_id: accountId, name: 'hashed', policies: [] });
    const value = created.value ?? '';
    expect(value).toMatch(/^[0-9A-Za-z_-]{40,80}$/);
    const [row] = await sql.query<{ value_sha256: string }>('SELECT value_sha256 FROM api_tokens WHERE id = $1', [created.id]);
    expect(row!.value_sha256).toBe(createHash('sha256').update(value).digest('hex'));
    const dump = await everything(sql);
    expect(dump).not.toContain(value);
    expect(dump).not.toContain(adminToken);
    // Listing never shows a value again.
    const listed = await cf.accounts.tokens.list({ account_id: accountId });
    expect(JSON.stringify(listed.result)).not.toContain(value);
  });

  it('never logs a credential or a TSIG secret', async () => {
    const zt = cf.dns.zoneTransfers;
    const t = await zt.tsigs.create({ account_id: accountId, name: 'log.key.', algo: 'hmac-sha256', secret: SECRET });
    await zt.tsigs.update(t.id, { account_id: accountId, name: 'log.key.', algo: 'hmac-sha256', secret: SECRET2 });
    await zt.tsigs.create({ account_id: accountId, name: 'bad name!', algo: 'hmac-sha256', secret: SECRET }).catch(() => undefined);
    const other = new Cloudflare({ apiToken: 'k'.repeat(40), baseURL: cf.baseURL, maxRetries: 0 });
    await other.zones.list().catch(() => undefined);
    await fetch(`${cf.baseURL}/zones`, { headers: { 'x-auth-key': 'm'.repeat(40), 'x-auth-email': 'a@b.c' } });
    expect(logs.length).toBeGreaterThan(10);
    const text = logs.join('\n');
    expect(text).toContain('[redacted]');
    for (const needle of [SECRET, SECRET2, adminToken, 'k'.repeat(40), 'm'.repeat(40)]) expect(text).not.toContain(needle);
    await zt.tsigs.delete(t.id, { account_id: accountId });
  });
});
