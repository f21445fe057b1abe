// Graceful shutdown of the real process (`node dist/cli/main.js serve`, built by `npm run build`):
// SIGTERM when idle exits 0 at once; SIGTERM during a transfer in from a stalled primary lets it
// run for the transfer grace (10 s) and then aborts it, keeps the abort in the history, closes the
// store and exits 0, well before the transfer's own idle timeout; a second signal exits at once.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { openStore } from '../../../src/store/index.js';
import { RRType } from '../../../src/wire/index.js';
import { FakePrimary, answerSoa, testZone } from '../../helpers/fake-primary.js';
import { REPO, type ZxProcess, killAll, startZonexfer } from '../../helpers/process.js';
import { api, eventually, rootOf } from './helpers.js';

const ORIGIN = 'stall.example.';
/** TRANSFER_GRACE_MS in src/cli/main.ts. */
const TRANSFER_GRACE_MS = 10_000;

// dist/ must hold this feature's build (npm run build), not an older one.
for (const f of ['dist/metrics/index.js', 'dist/store/migrations/0003_transfer_details.sql']) {
  if (!existsSync(join(REPO, f))) throw new Error(`${f} missing: run npm run build first`);
}

describe('shutdown of the zonexfer process', () => {
  const dirs: string[] = [];
  const primaries: FakePrimary[] = [];
  const dataDir = () => {
    const d = mkdtempSync(join(tmpdir(), 'zx-ops-'));
    dirs.push(d);
    return d;
  };
  afterEach(async () => {
    await killAll();
    for (const p of primaries.splice(0)) await p.close();
  });
  afterAll(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  /** stalledSecondary configures a secondary zone whose primary answers SOA and never the AXFR. */
  async function stalledSecondary(zx: ZxProcess): Promise<{ zoneId: string; primary: FakePrimary }> {
    const zone0 = testZone(ORIGIN, 1);
    const primary = await FakePrimary.start({ script: (req) => (req.qtype === RRType.SOA ? [answerSoa(req, zone0)] : 'stall') });
    primaries.push(primary);
    const account = (await zx.cf.accounts.create({ name: 'ops', type: 'standard' } as never)) as unknown as { id: string };
    const zt = zx.cf.dns.zoneTransfers;
    const peer = await zt.peers.create({ account_id: account.id, name: 'stalled', ip: '127.0.0.1', port: primary.port } as never);
    const zone = (await zx.cf.zones.create({ name: ORIGIN.slice(0, -1), account: { id: account.id }, type: 'secondary' })) as { id: string };
    await zt.incoming.create({ zone_id: zone.id, name: ORIGIN, peers: [peer.id], auto_refresh_seconds: 86400 });
    await eventually(() => expect(primary.asked()).toContain(RRType.AXFR), 20_000);
    return { zoneId: zone.id, primary };
  }

  it('exits 0 at once on SIGTERM when idle, and is ready and exporting metrics before', async () => {
    const zx = await startZonexfer({ dataDir: dataDir() });
    expect(await api(`${rootOf(zx.apiUrl)}/ready`, null)).toEqual({ status: 200, body: { status: 'ok' } });
    const metrics = await fetch(`${rootOf(zx.apiUrl)}/metrics`);
    expect(metrics.status).toBe(200);
    expect(await metrics.text()).toMatch(/^zonexfer_zones\{role="primary"\} 0$/m);
    const t0 = Date.now();
    const exit = await zx.kill('SIGTERM');
    expect(exit).toEqual({ code: 0, signal: null });
    expect(Date.now() - t0).toBeLessThan(5_000);
    expect(zx.logs.map((l) => l['msg'])).toEqual(expect.arrayContaining(['shutting down', 'dns server closed', 'shutdown complete']));
  });

  it('aborts a stalled transfer in after the grace and exits 0, the abort kept in the history', { timeout: 90_000 }, async () => {
    const dir = dataDir();
    // The transfer's own idle timeout (60 s) is far beyond the shutdown bound.
    const zx = await startZonexfer({ dataDir: dir, args: ['--xfr-idle-timeout-ms', '60000'] });
    const { zoneId } = await stalledSecondary(zx);
    const t0 = Date.now();
    const exit = await zx.kill('SIGTERM');
    const ms = Date.now() - t0;
    expect(exit).toEqual({ code: 0, signal: null });
    expect(ms).toBeGreaterThanOrEqual(TRANSFER_GRACE_MS - 500);
    expect(ms).toBeLessThan(TRANSFER_GRACE_MS + 5_000);
    const msgs = zx.logs.map((l) => l['msg']);
    expect(msgs).toEqual(expect.arrayContaining(['zone events still running: aborting them', 'refresh aborted', 'shutdown complete']));
    const aborted = zx.logs.find((l) => l['msg'] === 'refresh aborted')!;
    expect(aborted).toMatchObject({ zone: ORIGIN, op: 'refresh', xfr: expect.stringMatching(/^[0-9a-f]{8}$/) });

    // The store was closed cleanly: it opens again and holds the aborted refresh.
    const store = await openStore({ dataDir: dir });
    try {
      const rows = await store.zoneState.history(zoneId);
      expect(rows.at(-1)).toMatchObject({ op: 'refresh', ok: false, error: 'aborted: zonexfer is shutting down', xfrId: aborted['xfr'] });
      expect((await store.zoneState.get(zoneId))?.leaseOwner).toBeNull();
    } finally {
      await store.close();
    }
  });

  it('exits at once on a second signal', { timeout: 90_000 }, async () => {
    const zx = await startZonexfer({ dataDir: dataDir(), args: ['--xfr-idle-timeout-ms', '60000'] });
    await stalledSecondary(zx);
    const t0 = Date.now();
    const first = zx.waitLog((l) => l['msg'] === 'shutting down');
    process.kill(zx.pid, 'SIGTERM');
    await first;
    const exit = await zx.kill('SIGINT');
    expect(exit).toEqual({ code: 130, signal: null });
    expect(Date.now() - t0).toBeLessThan(3_000);
  });
});
