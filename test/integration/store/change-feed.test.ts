// The change feed on both engines: committed writes reach onChange subscribers (on pg through
// LISTEN/NOTIFY, also across store instances); rolled-back writes publish nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Change, Store } from '../../../src/store/index.js';
import { openTestStore, storeVariants, type TestStore } from '../../helpers/db.js';

/**
 * collect records changes for one account, except the account's own creation (on pg delivery is
 * asynchronous; test files also share the NOTIFY channel).
 */
function collect(store: Store, accountId: () => string | undefined): { changes: Change[]; stop: () => void } {
  const changes: Change[] = [];
  const stop = store.onChange((c) => {
    if (c.account_id === accountId() && c.kind !== 'account') changes.push(c);
  });
  return { changes, stop };
}

async function until(cond: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out waiting for change events');
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe.each(storeVariants())('change feed on %s', (kind) => {
  let t: TestStore;
  beforeAll(async () => {
    t = await openTestStore(kind);
  });
  afterAll(async () => {
    await t?.cleanup();
  });

  it('publishes one change per committed write, with zone and account ids', async () => {
    const acc = await t.store.accounts.create('feed');
    const feed = collect(t.store, () => acc.id);
    const zone = await t.store.zones.create({ accountId: acc.id, name: 'feed.example', type: 'secondary' });
    await t.store.incoming.create(zone.id, { name: 'feed.example', autoRefreshSeconds: 300, peers: [] });
    await t.store.zones.delete(zone.id);
    await until(() => feed.changes.length >= 3);
    expect(feed.changes.map((c) => c.kind)).toEqual(['zone', 'incoming', 'zone_deleted']);
    expect(feed.changes[1]).toEqual({ kind: 'incoming', zone_id: zone.id, account_id: acc.id });
    feed.stop();
  });

  it('publishes nothing for a write that rolls back', async () => {
    const acc = await t.store.accounts.create('rollback');
    const feed = collect(t.store, () => acc.id);
    await expect(t.store.acls.create(acc.id, { name: 'wide', ipRange: '10.0.0.0/8' })).rejects.toThrow();
    await t.store.acls.create(acc.id, { name: 'ok', ipRange: '10.0.0.0/24' });
    await until(() => feed.changes.length >= 1);
    await new Promise((r) => setTimeout(r, 50));
    expect(feed.changes.map((c) => c.kind)).toEqual(['acl']);
    feed.stop();
  });

  it.runIf(kind === 'pg')('reaches other instances on the same database', async () => {
    const other = await t.reopen?.();
    if (!other) throw new Error('reopen missing');
    const acc = await t.store.accounts.create('cross');
    const feed = collect(other, () => acc.id);
    await t.store.peers.create(acc.id, { name: 'p', ip: null, port: null, ixfrEnable: null, tsigId: null });
    await until(() => feed.changes.length >= 1);
    expect(feed.changes[0]?.kind).toBe('peer');
    feed.stop();
  });
});
