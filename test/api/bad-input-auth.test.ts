// Failed authentications are rate-limited per source address (src/api/auth/rate-limit.ts): after
// 20 bad credentials in a minute every authenticated request from that address answers 429 in the
// envelope with Retry-After, a valid token included (so a blocked client cannot tell a right
// guess), other addresses are unaffected, and the window ends on the injected clock. The official
// SDK sees its RateLimitError. Requests use inject() with remoteAddress to play many clients.
import Cloudflare from 'cloudflare';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { build } from '../../src/api/app.js';
import { AuthFailureLimiter, clientKey } from '../../src/api/auth/rate-limit.js';
import { ensureAdminToken } from '../../src/api/auth/bootstrap.js';
import { recordingEngine } from '../helpers/api.js';
import { openTestStore, type TestStore } from '../helpers/db.js';

const GOOD_IP = '192.0.2.10';
const BAD_IP = '198.51.100.66';

describe('failed-authentication rate limit', () => {
  let db: TestStore;
  let app: FastifyInstance;
  let token: string;
  let now = 1_000_000;

  beforeAll(async () => {
    db = await openTestStore('pglite');
    token = (await ensureAdminToken(db.store)) ?? '';
    app = build({ store: db.store, engine: recordingEngine(), logger: false, authRateLimit: { maxFailures: 20, windowMs: 60_000, now: () => now } });
    await app.ready();
  });
  afterAll(async () => {
    await app?.close();
    await db?.cleanup();
  });

  const get = (ip: string, authorization?: string) =>
    app.inject({ method: 'GET', url: '/client/v4/zones', remoteAddress: ip, headers: authorization === undefined ? {} : { authorization } });

  it('answers 429 with Retry-After after 20 failures, to good tokens too, for that address only', async () => {
    for (let i = 0; i < 20; i++) {
      const r = await get(BAD_IP, i % 2 === 0 ? `Bearer ${'x'.repeat(40)}` : 'Basic Zm9v');
      expect(r.statusCode).toBeGreaterThanOrEqual(400);
      expect(r.statusCode).toBeLessThan(429);
    }
    for (const auth of [`Bearer ${'y'.repeat(40)}`, `Bearer ${token}`, undefined]) {
      const r = await get(BAD_IP, auth);
      expect(r.statusCode).toBe(429);
      expect(r.headers['retry-after']).toBe('60');
      expect(r.json()).toEqual({
        success: false,
        errors: [{ code: 9110, message: 'Too many failed authentication attempts from this address; retry after 60 seconds' }],
        messages: [],
        result: null,
      });
    }
    expect((await get(GOOD_IP, `Bearer ${token}`)).statusCode).toBe(200);
    // Public routes stay open.
    expect((await app.inject({ method: 'GET', url: '/health', remoteAddress: BAD_IP })).statusCode).toBe(200);
    now += 45_000;
    expect((await get(BAD_IP, `Bearer ${token}`)).headers['retry-after']).toBe('15');
    now += 15_000;
    expect((await get(BAD_IP, `Bearer ${token}`)).statusCode).toBe(200);
  });

  it('does not count missing credentials, and a success does not reset the count', async () => {
    const ip = '203.0.113.7';
    for (let i = 0; i < 50; i++) expect((await get(ip)).statusCode).toBe(400);
    for (let i = 0; i < 19; i++) expect((await get(ip, `Bearer ${'z'.repeat(40)}`)).statusCode).toBe(403);
    expect((await get(ip, `Bearer ${token}`)).statusCode).toBe(200);
    expect((await get(ip, `Bearer ${'z'.repeat(40)}`)).statusCode).toBe(403);
    expect((await get(ip, `Bearer ${token}`)).statusCode).toBe(429);
    now += 60_000;
  });

  it('keys IPv6 clients by /64 and IPv4-mapped clients by their IPv4 address', async () => {
    expect(clientKey('2001:db8:1:2:aaaa::1')).toBe(clientKey('2001:db8:1:2::ffff'));
    expect(clientKey('2001:db8:1:2::1')).not.toBe(clientKey('2001:db8:1:3::1'));
    expect(clientKey('2001:0db8:0001:0002:0:0:0:1')).toBe(clientKey('2001:db8:1:2::1'));
    expect(clientKey('::ffff:192.0.2.1')).toBe('192.0.2.1');
    expect(clientKey('::1')).toBe('0:0:0:0::/64');
    for (let i = 0; i < 20; i++) await get(`2001:db8:77:1::${i.toString(16)}`, `Bearer ${'q'.repeat(40)}`);
    expect((await get('2001:db8:77:1:ffff::9', `Bearer ${token}`)).statusCode).toBe(429);
    expect((await get('2001:db8:77:2::9', `Bearer ${token}`)).statusCode).toBe(200);
    now += 60_000;
  });

  it('remembers a bounded number of addresses', () => {
    let t = 0;
    const limiter = new AuthFailureLimiter({ maxFailures: 2, windowMs: 1000, maxTracked: 100, now: () => t });
    for (let i = 0; i < 10_000; i++) limiter.fail(`10.0.${i >> 8}.${i & 255}`);
    expect(limiter.tracked).toBeLessThanOrEqual(100);
    t = 5000;
    limiter.fail('10.9.9.9');
    expect(limiter.tracked).toBeLessThanOrEqual(100);
    limiter.fail('10.9.9.9');
    expect(limiter.blockedFor('10.9.9.9')).toBe(1);
  });

  it('reaches the SDK as RateLimitError', async () => {
    await app.listen({ host: '127.0.0.1', port: 0 });
    const address = app.server.address();
    if (address === null || typeof address === 'string') throw new Error('no address');
    const baseURL = `http://127.0.0.1:${address.port}/client/v4`;
    const bad = new Cloudflare({ apiToken: 'w'.repeat(40), baseURL, maxRetries: 0 });
    for (let i = 0; i < 20; i++) await bad.zones.list().catch(() => undefined);
    const good = new Cloudflare({ apiToken: token, baseURL, maxRetries: 0 });
    const err = await good.zones.list().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(Cloudflare.RateLimitError);
    expect((err as InstanceType<typeof Cloudflare.RateLimitError>).headers?.get('retry-after')).toBe('60');
  });
});
