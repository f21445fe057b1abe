// Repository behaviour on both engines: CRUD round trips, account scoping, cascades on zone delete,
// peer/TSIG unlinking, type conversion, records batches, engine state and leases, time format.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RecordNotFoundError, type DnsRecordInput } from '../../../src/store/index.js';
import { openTestStore, storeVariants, type TestStore } from '../../helpers/db.js';

const RFC3339_MICRO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}(Z|[+-]\d\d:\d\d)$/;
const noPeerFields = { ip: null, port: null, ixfrEnable: null, tsigId: null };

function rec(name: string, content: string, type = 'A'): DnsRecordInput {
  return { name, type, content, ttl: 1, priority: null, proxied: false, comment: null, tags: [] };
}

describe.each(storeVariants())('store repositories on %s', (kind) => {
  let t: TestStore;
  beforeAll(async () => {
    t = await openTestStore(kind);
  });
  afterAll(async () => {
    await t?.cleanup();
  });

  it('creates, reads and pages accounts and tokens', async () => {
    const acc = await t.store.accounts.create('Acme');
    expect(acc.id).toMatch(/^[0-9a-f]{32}$/);
    expect(acc.createdOn).toMatch(RFC3339_MICRO);
    expect(await t.store.accounts.get(acc.id)).toEqual(acc);
    const only = await t.store.accounts.list({ page: 1, perPage: 50, onlyId: acc.id });
    expect(only).toEqual({ items: [acc], totalCount: 1 });
    const past = await t.store.accounts.list({ page: 99, perPage: 50, onlyId: acc.id });
    expect(past).toEqual({ items: [], totalCount: 1 });

    const { token, value } = await t.store.tokens.create({ accountId: acc.id, name: 'ci' });
    expect(value).toMatch(/^[0-9A-Za-z_-]{40}$/);
    expect(await t.store.tokens.verify(value)).toEqual(token);
    expect(await t.store.tokens.verify(`${value}x`)).toBeNull();
    expect((await t.store.tokens.list(acc.id, { page: 1, perPage: 20 })).items).toEqual([token]);
    const other = await t.store.accounts.create('Other');
    expect(await t.store.tokens.get(other.id, token.id)).toBeNull();
    expect(await t.store.tokens.delete(other.id, token.id)).toBe(false);
    expect(await t.store.tokens.delete(acc.id, token.id)).toBe(true);
    expect(await t.store.tokens.verify(value)).toBeNull();
    const fixed = 'x'.repeat(40);
    await t.store.tokens.create({ accountId: null, name: 'configured', value: fixed });
    expect((await t.store.tokens.verify(fixed))?.accountId).toBeNull();
    expect(await t.store.tokens.countAdmin()).toBeGreaterThan(0);
  });

  it('lists zones with filters and pages past the end', async () => {
    const acc = await t.store.accounts.create('Zones');
    const names = ['b.example', 'A.example.', 'c.example'];
    for (const name of names) await t.store.zones.create({ accountId: acc.id, name, type: name === 'c.example' ? 'secondary' : 'full' });
    const all = await t.store.zones.list({ accountId: acc.id, page: 1, perPage: 2 });
    expect(all.totalCount).toBe(3);
    expect(all.items.map((z) => z.name)).toEqual(['A.example.', 'b.example']);
    const page2 = await t.store.zones.list({ accountId: acc.id, page: 2, perPage: 2 });
    expect(page2.items.map((z) => z.fqdn)).toEqual(['c.example.']);
    expect((await t.store.zones.list({ accountId: acc.id, page: 3, perPage: 2 })).items).toEqual([]);
    const byName = await t.store.zones.list({ accountId: acc.id, name: 'a.EXAMPLE', page: 1, perPage: 20 });
    expect(byName.items.map((z) => z.name)).toEqual(['A.example.']);
    const secondary = await t.store.zones.list({ accountId: acc.id, types: ['secondary'], page: 1, perPage: 20 });
    expect(secondary.items.map((z) => z.fqdn)).toEqual(['c.example.']);
    const desc = await t.store.zones.list({ accountId: acc.id, direction: 'desc', page: 1, perPage: 20 });
    expect(desc.items[0]?.fqdn).toBe('c.example.');
    expect(desc.items[0]?.accountName).toBe('Zones');
  });

  it('links peers in order, unlinks deleted peers and TSIGs, and reports the zones affected', async () => {
    const acc = await t.store.accounts.create('Links');
    const key = await t.store.tsigs.create(acc.id, { name: 'key.', algo: 'hmac-sha512.', secret: 'ab'.repeat(32) });
    const p1 = await t.store.peers.create(acc.id, { name: 'p1', ip: '192.0.2.1', port: 53, ixfrEnable: true, tsigId: key.id });
    const p2 = await t.store.peers.create(acc.id, { name: 'p2', ...noPeerFields });
    const zone = await t.store.zones.create({ accountId: acc.id, name: 'links.example', type: 'secondary' });
    const inc = await t.store.incoming.create(zone.id, { name: 'links.example', autoRefreshSeconds: 86400, peers: [p2.id, p1.id] });
    expect(inc.peers).toEqual([p2.id, p1.id]);
    expect(inc.soaSerial).toBeNull();
    expect(inc.createdTime).toMatch(RFC3339_MICRO);
    const out = await t.store.outgoing.create(zone.id, { name: 'links.example', peers: [p1.id] });
    expect(out.enabled).toBe(false);
    expect(await t.store.peers.existing(acc.id, [p1.id, 'f'.repeat(32)])).toEqual([p1.id]);
    expect(await t.store.tsigs.zonesUsing(key.id)).toEqual([{ zoneId: zone.id, accountId: acc.id }]);

    expect(await t.store.tsigs.delete(acc.id, key.id)).toEqual([{ zoneId: zone.id, accountId: acc.id }]);
    expect((await t.store.peers.get(acc.id, p1.id))?.tsigId).toBeNull();

    expect(await t.store.peers.delete(acc.id, p1.id)).toEqual([{ zoneId: zone.id, accountId: acc.id }]);
    expect((await t.store.incoming.get(zone.id))?.peers).toEqual([p2.id]);
    expect((await t.store.outgoing.get(zone.id))?.peers).toEqual([]);
    expect(await t.store.peers.delete(acc.id, p1.id)).toBeNull();

    const updated = await t.store.incoming.update(zone.id, { name: 'links.example.', autoRefreshSeconds: 300, peers: [] });
    expect(updated).toMatchObject({ name: 'links.example.', autoRefreshSeconds: 300, peers: [] });
    expect((await t.store.outgoing.setEnabled(zone.id, true))?.enabled).toBe(true);
    expect(await t.store.zones.withTransfers(acc.id)).toEqual([{ zoneId: zone.id, accountId: acc.id }]);
  });

  it('scopes peers, TSIGs and ACLs by account', async () => {
    const a = await t.store.accounts.create('scope-a');
    const b = await t.store.accounts.create('scope-b');
    const peer = await t.store.peers.create(a.id, { name: 'p', ...noPeerFields });
    const key = await t.store.tsigs.create(a.id, { name: 'k', algo: 'hmac-sha256', secret: 'AAAA' });
    const acl = await t.store.acls.create(a.id, { name: 'n', ipRange: '192.0.2.0/24' });
    expect(await t.store.peers.get(b.id, peer.id)).toBeNull();
    expect(await t.store.tsigs.get(b.id, key.id)).toBeNull();
    expect(await t.store.acls.get(b.id, acl.id)).toBeNull();
    expect(await t.store.peers.update(b.id, peer.id, { name: 'x', ...noPeerFields })).toBeNull();
    expect(await t.store.tsigs.update(b.id, key.id, { name: 'x', algo: 'hmac-sha1', secret: 'AAAA' })).toBeNull();
    expect(await t.store.acls.update(b.id, acl.id, { name: 'x', ipRange: '192.0.2.0/24' })).toBeNull();
    expect(await t.store.acls.delete(b.id, acl.id)).toBe(false);
    expect(await t.store.peers.list(b.id)).toEqual([]);
    expect(await t.store.tsigs.list(a.id)).toEqual([key]);
    expect(await t.store.acls.list(a.id)).toEqual([acl]);
    expect(await t.store.acls.update(a.id, acl.id, { name: 'y', ipRange: '2001:db8::/64' })).toEqual({ ...acl, name: 'y', ipRange: '2001:db8::/64' });
    expect(await t.store.acls.delete(a.id, acl.id)).toBe(true);
  });

  it('converting to full drops the incoming config; deleting a zone cascades everything', async () => {
    const acc = await t.store.accounts.create('Cascade');
    const peer = await t.store.peers.create(acc.id, { name: 'p', ...noPeerFields });
    const zone = await t.store.zones.create({ accountId: acc.id, name: 'cascade.example', type: 'secondary' });
    await t.store.incoming.create(zone.id, { name: 'cascade.example', autoRefreshSeconds: 600, peers: [peer.id] });
    const full = await t.store.zones.setType(zone.id, 'full');
    expect(full?.type).toBe('full');
    expect(await t.store.incoming.get(zone.id)).toBeNull();

    await t.store.outgoing.create(zone.id, { name: 'cascade.example', peers: [peer.id] });
    await t.store.records.create(zone.id, rec('www.cascade.example', '192.0.2.1'));
    await t.store.zoneState.patch(zone.id, { serial: 7 });
    await t.store.zoneState.appendTransfer({
      zoneId: zone.id, op: 'axfr-out', remote: '192.0.2.9', serial: 7, ok: true, error: null,
      startedAt: new Date(), finishedAt: new Date(),
    });
    expect(await t.store.zones.delete(zone.id)).toEqual({ zoneId: zone.id, accountId: acc.id });
    expect(await t.store.zones.get(zone.id)).toBeNull();
    expect(await t.store.outgoing.get(zone.id)).toBeNull();
    expect(await t.store.records.all(zone.id)).toEqual([]);
    expect(await t.store.zoneState.get(zone.id)).toBeNull();
    expect(await t.store.zoneState.history(zone.id)).toEqual([]);
    expect(await t.store.peers.get(acc.id, peer.id)).not.toBeNull();
    expect(await t.store.zones.delete(zone.id)).toBeNull();
  });

  it('applies record batches atomically', async () => {
    const acc = await t.store.accounts.create('Records');
    const zone = await t.store.zones.create({ accountId: acc.id, name: 'rec.example', type: 'full' });
    const a = await t.store.records.create(zone.id, { ...rec('a.rec.example', '192.0.2.1'), tags: ['x:y'], comment: 'c' });
    expect(a).toMatchObject({ tags: ['x:y'], comment: 'c', ttl: 1, proxied: false });
    const err = await t.store.records
      .batch(zone.id, { deletes: [a.id], patches: [], puts: [{ id: 'f'.repeat(32), record: rec('b.rec.example', '192.0.2.2') }], posts: [] })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RecordNotFoundError);
    expect((err as RecordNotFoundError).pointer).toBe('/puts/0/id');
    expect(await t.store.records.get(zone.id, a.id)).toEqual(a);
    const res = await t.store.records.batch(zone.id, {
      deletes: [a.id], patches: [], puts: [], posts: [rec('c.rec.example', '192.0.2.3'), rec('c.rec.example', 'mail.rec.example', 'CNAME')],
    });
    expect(res.deletes.map((r) => r.id)).toEqual([a.id]);
    expect(res.posts).toHaveLength(2);
    const page = await t.store.records.list(zone.id, { type: 'A', page: 1, perPage: 10 });
    expect(page.totalCount).toBe(1);
    expect(await t.store.records.insertMany(zone.id, [rec('d.rec.example', '192.0.2.4')])).toBe(1);
    expect((await t.store.records.list(zone.id, { name: 'd.rec.example', page: 1, perPage: 10 })).items).toHaveLength(1);
  });

  it('keeps engine state, leases and history', async () => {
    const acc = await t.store.accounts.create('State');
    const zone = await t.store.zones.create({ accountId: acc.id, name: 'state.example', type: 'secondary' });
    await t.store.incoming.create(zone.id, { name: 'state.example', autoRefreshSeconds: 300, peers: [] });
    const st = await t.store.zoneState.patch(zone.id, { serial: 2019102400, checkedTime: '2019-10-24T17:09:42.883908+01:00', lastError: 'x' });
    expect(st.serial).toBe(2019102400);
    expect(st.checkedTime).toBe('2019-10-24T16:09:42.883908Z');
    const st2 = await t.store.zoneState.patch(zone.id, { lastError: null });
    expect(st2).toMatchObject({ serial: 2019102400, lastError: null });
    expect(await t.store.zoneState.acquireLease(zone.id, 'one', 30)).toBe(true);
    expect(await t.store.zoneState.acquireLease(zone.id, 'two', 30)).toBe(false);
    expect(await t.store.zoneState.acquireLease(zone.id, 'one', 30)).toBe(true);
    await t.store.zoneState.releaseLease(zone.id, 'one');
    expect(await t.store.zoneState.acquireLease(zone.id, 'two', 30)).toBe(true);
    await t.store.incoming.recordCheck(zone.id, { soaSerial: 4294967295, checkedTime: new Date('2020-01-01T00:00:00Z') });
    expect(await t.store.incoming.get(zone.id)).toMatchObject({ soaSerial: 4294967295, checkedTime: '2020-01-01T00:00:00.000000Z' });
    for (const ok of [false, true]) {
      await t.store.zoneState.appendTransfer({
        zoneId: zone.id, op: 'axfr-in', remote: '192.0.2.1', serial: 1, ok, error: ok ? null : 'refused',
        startedAt: new Date(), finishedAt: new Date(),
      });
    }
    const hist = await t.store.zoneState.history(zone.id, 1);
    expect(hist).toHaveLength(1);
    expect(hist[0]?.ok).toBe(true);
  });

  it('writes the end of a refresh in one statement: history in order, check, state, and the lease renewed only when free or ours', async () => {
    const acc = await t.store.accounts.create('End');
    const zone = await t.store.zones.create({ accountId: acc.id, name: 'end.example', type: 'secondary' });
    await t.store.incoming.create(zone.id, { name: 'end.example', autoRefreshSeconds: 300, peers: [] });
    const at = new Date('2026-01-02T03:04:05Z');
    const ev = (op: 'notify-in' | 'ixfr-in', serial: number | null, records: number | null = null) => ({
      zoneId: zone.id, op, remote: '192.0.2.1', serial, ok: true, error: null, startedAt: at, finishedAt: at, records, bytes: records === null ? null : 100, xfrId: op === 'ixfr-in' ? 'abcd0123' : null,
    });
    expect(await t.store.zoneState.acquireLease(zone.id, 'one', 30)).toBe(true);
    const r = await t.store.zoneState.finishRefresh(zone.id, {
      history: [ev('notify-in', 7), ev('ixfr-in', 7, 12)],
      check: { soaSerial: 7, checkedTime: at, lastError: null },
      state: { serial: 7, lastRefreshOk: at, nextRefresh: at, lastError: null },
      lease: { owner: 'one', ttlSeconds: 30 },
    });
    expect(r).toEqual({ leaseKept: true });
    const hist = await t.store.zoneState.history(zone.id);
    expect(hist.map((h) => [h.op, h.serial])).toEqual([['notify-in', 7], ['ixfr-in', 7]]);
    expect(hist[1]).toMatchObject({ remote: '192.0.2.1', ok: true, records: 12, bytes: 100, xfrId: 'abcd0123' });
    expect(await t.store.incoming.get(zone.id)).toMatchObject({ soaSerial: 7, checkedTime: '2026-01-02T03:04:05.000000Z' });
    expect(await t.store.zoneState.get(zone.id)).toMatchObject({ serial: 7, lastRefreshOk: '2026-01-02T03:04:05.000000Z', lastError: null, leaseOwner: 'one' });
    // Another owner's unexpired lease is left alone; the rest is written.
    expect(await t.store.zoneState.finishRefresh(zone.id, { history: [], state: { lastError: 'boom' }, lease: { owner: 'two', ttlSeconds: 30 } })).toEqual({ leaseKept: false });
    expect(await t.store.zoneState.get(zone.id)).toMatchObject({ serial: 7, lastError: 'boom', leaseOwner: 'one' });
    // Without a lease to renew, only the rows given.
    expect(await t.store.zoneState.finishRefresh(zone.id, { history: [ev('notify-in', 8)] })).toEqual({ leaseKept: false });
    expect((await t.store.zoneState.history(zone.id)).map((h) => h.serial)).toEqual([7, 7, 8]);
  });
});
