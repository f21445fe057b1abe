// The store's schema on both engines: migrations are idempotent, and the database itself refuses
// what the API also refuses (cross-account TSIG/peer links, over-broad ACLs, short refresh).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StoreError, hashToken, loadMigrations, migrate } from '../../../src/store/index.js';
import { openTestStore, storeVariants, type TestStore } from '../../helpers/db.js';

const refusal = async (p: Promise<unknown>): Promise<StoreError> => {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(StoreError);
  return err as StoreError;
};

describe.each(storeVariants())('store schema on %s', (kind) => {
  let t: TestStore;
  beforeAll(async () => {
    t = await openTestStore(kind);
  });
  afterAll(async () => {
    await t?.cleanup();
  });

  it('applies migrations once; running them again is a no-op', async () => {
    const versions = loadMigrations().map((m) => m.version);
    expect(versions[0]).toBe('0001');
    expect(await migrate(t.sql)).toEqual([]);
    expect(await t.store.migrate()).toEqual([]);
    const rows = await t.sql.query<{ version: string }>('SELECT version FROM schema_migrations ORDER BY version');
    expect(rows.map((r) => r.version)).toEqual(versions);
    if (t.reopen) {
      const second = await t.reopen();
      const again = await t.sql.query('SELECT version FROM schema_migrations');
      expect(again).toHaveLength(versions.length);
      await second.ping();
    }
  });

  it('stores token values only as sha256', async () => {
    const { token, value } = await t.store.tokens.create({ accountId: null, name: 'admin' });
    const rows = await t.sql.query<{ value_sha256: string }>('SELECT value_sha256 FROM api_tokens WHERE id = $1', [token.id]);
    expect(rows[0]?.value_sha256).toBe(hashToken(value));
    expect(JSON.stringify(await t.sql.query('SELECT * FROM api_tokens'))).not.toContain(value);
  });

  it('refuses a peer whose TSIG belongs to another account (composite FK)', async () => {
    const a = await t.store.accounts.create('a');
    const b = await t.store.accounts.create('b');
    const key = await t.store.tsigs.create(b.id, { name: 'k.', algo: 'hmac-sha256.', secret: 'AAAA' });
    const err = await refusal(t.store.peers.create(a.id, { name: 'p', ip: null, port: null, ixfrEnable: null, tsigId: key.id }));
    expect(err.kind).toBe('foreign_key');
    expect(err.constraint).toBe('peers_tsig_fk');
    // Raw SQL too, so the refusal is the database's and not the repository's.
    const raw = await refusal(
      t.sql.query(`INSERT INTO peers (id, account_id, name, tsig_id) VALUES ($1, $2, 'x', $3)`, ['f'.repeat(32), a.id, key.id]),
    );
    expect(raw.constraint).toBe('peers_tsig_fk');
    expect(await t.store.peers.list(a.id)).toEqual([]);
    const ok = await t.store.peers.create(b.id, { name: 'p', ip: null, port: null, ixfrEnable: null, tsigId: key.id });
    expect(ok.tsigId).toBe(key.id);
  });

  it('refuses ACL ranges broader than /24 (IPv4) or /64 (IPv6)', async () => {
    const a = await t.store.accounts.create('acl');
    for (const ipRange of ['10.0.0.0/16', '2001:db8::/48', '0.0.0.0/0']) {
      const err = await refusal(t.store.acls.create(a.id, { name: 'wide', ipRange }));
      expect(err.kind).toBe('check');
      expect(err.constraint).toBe('acls_ip_range_prefix');
    }
    const bad = await refusal(t.store.acls.create(a.id, { name: 'junk', ipRange: 'not-an-ip' }));
    expect(bad.kind).toBe('invalid_input');
    for (const ipRange of ['192.0.2.53/28', '10.0.0.0/24', '2001:db8::/64', '192.0.2.1', '2001:db8::1']) {
      const acl = await t.store.acls.create(a.id, { name: 'ok', ipRange });
      expect(acl.ipRange).toBe(ipRange);
    }
    expect(await t.store.acls.list(a.id)).toHaveLength(5);
  });

  it('refuses auto_refresh_seconds below 300, bad ports and non-host peer IPs', async () => {
    const a = await t.store.accounts.create('checks');
    const zone = await t.store.zones.create({ accountId: a.id, name: 'checks.example', type: 'secondary' });
    const err = await refusal(t.store.incoming.create(zone.id, { name: 'checks.example', autoRefreshSeconds: 299, peers: [] }));
    expect(err.constraint).toBe('zone_incoming_auto_refresh_min');
    expect(await t.store.incoming.get(zone.id)).toBeNull();
    const port = await refusal(t.store.peers.create(a.id, { name: 'p', ip: null, port: 70000, ixfrEnable: null, tsigId: null }));
    expect(port.constraint).toBe('peers_port_range');
    const net = await refusal(t.store.peers.create(a.id, { name: 'p', ip: '10.0.0.0/8', port: null, ixfrEnable: null, tsigId: null }));
    expect(net.constraint).toBe('peers_ip_host');
  });

  it('refuses linking a zone to a peer of another account', async () => {
    const a = await t.store.accounts.create('link-a');
    const b = await t.store.accounts.create('link-b');
    const zone = await t.store.zones.create({ accountId: a.id, name: 'link.example', type: 'secondary' });
    const foreign = await t.store.peers.create(b.id, { name: 'p', ip: '192.0.2.1', port: 53, ixfrEnable: false, tsigId: null });
    const err = await refusal(t.store.incoming.create(zone.id, { name: 'link.example', autoRefreshSeconds: 300, peers: [foreign.id] }));
    expect(err.kind).toBe('foreign_key');
    expect(err.constraint).toBe('zone_incoming_peers_peer_fk');
    expect(await t.store.incoming.get(zone.id)).toBeNull();
    const err2 = await refusal(t.store.outgoing.create(zone.id, { name: 'link.example', peers: [foreign.id] }));
    expect(err2.constraint).toBe('zone_outgoing_peers_peer_fk');
  });

  it('keeps zone names unique per account, case- and trailing-dot-insensitively', async () => {
    const a = await t.store.accounts.create('uniq-a');
    const b = await t.store.accounts.create('uniq-b');
    await t.store.zones.create({ accountId: a.id, name: 'Example.COM', type: 'full' });
    const err = await refusal(t.store.zones.create({ accountId: a.id, name: 'example.com.', type: 'full' }));
    expect(err.kind).toBe('unique');
    expect(err.constraint).toBe('zones_account_fqdn_unique');
    const other = await t.store.zones.create({ accountId: b.id, name: 'example.com', type: 'secondary' });
    expect(other.fqdn).toBe('example.com.');
  });
});
