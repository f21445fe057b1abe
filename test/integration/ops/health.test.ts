// GET /health (liveness) and GET /ready (readiness: the database answers and the engine has loaded
// its zones) on the API listener, with and without the /client/v4 prefix and without credentials.
// Not ready answers 503 with the failing check.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { build } from '../../../src/api/index.js';
import { openTestStore, type TestStore } from '../../helpers/db.js';
import { type Instance, startInstance } from '../../helpers/instance.js';
import { api, rootOf } from './helpers.js';

const noEngine = { zoneChanged() {}, zoneDeleted() {}, forceAxfr() {}, forceNotify() {} };

describe('health and readiness', () => {
  let zx: Instance;
  beforeAll(async () => {
    zx = await startInstance({ logLevel: 'silent' });
  });
  afterAll(async () => {
    await zx?.close();
  });

  it('answers /health and /ready with 200 once the zones are loaded', async () => {
    const root = rootOf(zx.apiUrl);
    for (const path of ['/health', '/client/v4/health', '/ready', '/client/v4/ready']) {
      const res = await api(`${root}${path}`, null);
      expect(res, path).toEqual({ status: 200, body: { status: 'ok' } });
    }
  });

  it('answers /ready with 503 while the zones are loading, and /health with 200', async () => {
    const t = await openTestStore('pglite');
    let loaded = false;
    const app = build({ store: t.store, engine: noEngine, ops: { ready: () => loaded } });
    try {
      const res = await app.inject({ method: 'GET', url: '/ready' });
      expect(res.statusCode).toBe(503);
      expect(res.json()).toEqual({ status: 'unavailable', checks: { database: 'ok', zones: 'loading' } });
      expect((await app.inject({ method: 'GET', url: '/health' })).statusCode).toBe(200);
      loaded = true;
      expect((await app.inject({ method: 'GET', url: '/client/v4/ready' })).json()).toEqual({ status: 'ok' });
      // Without metrics given to build(), /metrics is not served.
      expect((await app.inject({ method: 'GET', url: '/metrics' })).statusCode).toBe(404);
    } finally {
      await app.close();
      await t.cleanup();
    }
  });

  describe('when the database is gone', () => {
    let t: TestStore;
    beforeAll(async () => {
      t = await openTestStore('pglite');
    });

    it('answers /ready with 503 and /health with 200', async () => {
      const app = build({ store: t.store, engine: noEngine, ops: { ready: () => true } });
      try {
        await t.store.close();
        const res = await app.inject({ method: 'GET', url: '/ready' });
        expect(res.statusCode).toBe(503);
        expect(res.json()).toEqual({ status: 'unavailable', checks: { database: 'unreachable', zones: 'loaded' } });
        expect((await app.inject({ method: 'GET', url: '/health' })).json()).toEqual({ status: 'ok' });
      } finally {
        await app.close();
      }
    });
  });
});
