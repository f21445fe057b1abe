// Account-wide zone-transfer objects: peers, TSIG keys and ACLs. Every read and write is scoped by
// account id, so another account's object is simply absent. Deleting a peer unlinks it from its
// zones and deleting a TSIG unlinks it from its peers (FK cascades); both report the zones affected.
// TSIG secrets pass through a SecretBox (secrets.ts): sealed on write, opened on read.
import type { Db } from '../change-feed.js';
import { newId } from '../ids.js';
import { PLAINTEXT, type SecretBox } from '../secrets.js';
import type { SqlQuery } from '../sql.js';
import type { Acl, AclInput, Peer, PeerInput, Tsig, TsigInput, ZoneRef } from '../types.js';

interface PeerRow {
  id: string;
  account_id: string;
  name: string;
  ip: string | null;
  port: number | null;
  ixfr_enable: boolean | null;
  tsig_id: string | null;
}

interface TsigRow {
  id: string;
  account_id: string;
  name: string;
  algo: string;
  secret: string;
}

interface AclRow {
  id: string;
  account_id: string;
  name: string;
  ip_range: string;
}

const PEER_COLS = 'id, account_id, name, ip, port, ixfr_enable, tsig_id';
const TSIG_COLS = 'id, account_id, name, algo, secret';
const ACL_COLS = 'id, account_id, name, ip_range';

const toPeer = (r: PeerRow): Peer => ({
  id: r.id,
  accountId: r.account_id,
  name: r.name,
  ip: r.ip,
  port: r.port,
  ixfrEnable: r.ixfr_enable,
  tsigId: r.tsig_id,
});
/** secretContext is the associated data that binds a sealed secret to its row. */
const secretContext = (accountId: string, id: string): string => `tsig:${accountId}:${id}`;
const toTsig = (box: SecretBox) => (r: TsigRow): Tsig => ({
  id: r.id,
  accountId: r.account_id,
  name: r.name,
  algo: r.algo,
  secret: box.open(r.secret, secretContext(r.account_id, r.id)),
});
const toAcl = (r: AclRow): Acl => ({ id: r.id, accountId: r.account_id, name: r.name, ipRange: r.ip_range });

/** ZONES_OF_PEERS selects the zones linked (either direction) to the peers in $1::text[]. */
const ZONES_OF_PEERS = `SELECT DISTINCT zone_id, account_id FROM (
    SELECT zone_id, account_id FROM zone_incoming_peers WHERE peer_id = ANY($1::text[])
    UNION SELECT zone_id, account_id FROM zone_outgoing_peers WHERE peer_id = ANY($1::text[])) s
  ORDER BY zone_id`;

async function zonesOfPeers(tx: SqlQuery, peerIds: string[]): Promise<ZoneRef[]> {
  if (peerIds.length === 0) return [];
  const rows = await tx.query<{ zone_id: string; account_id: string }>(ZONES_OF_PEERS, [peerIds]);
  return rows.map((r) => ({ zoneId: r.zone_id, accountId: r.account_id }));
}

export interface PeerRepo {
  list(accountId: string): Promise<Peer[]>;
  get(accountId: string, id: string): Promise<Peer | null>;
  /** existing returns those of `ids` that are peers of the account. */
  existing(accountId: string, ids: string[]): Promise<string[]>;
  create(accountId: string, input: PeerInput): Promise<Peer>;
  update(accountId: string, id: string, input: PeerInput): Promise<Peer | null>;
  /** delete unlinks the peer from every zone; returns the zones that lost it, or null if absent. */
  delete(accountId: string, id: string): Promise<ZoneRef[] | null>;
  /** zonesUsing lists the zones a peer is linked to (incoming or outgoing). */
  zonesUsing(id: string): Promise<ZoneRef[]>;
}

export interface TsigRepo {
  list(accountId: string): Promise<Tsig[]>;
  get(accountId: string, id: string): Promise<Tsig | null>;
  create(accountId: string, input: TsigInput): Promise<Tsig>;
  update(accountId: string, id: string, input: TsigInput): Promise<Tsig | null>;
  /** delete unlinks the key from its peers; returns the zones whose peers lost it, or null. */
  delete(accountId: string, id: string): Promise<ZoneRef[] | null>;
  /** zonesUsing lists the zones linked to a peer that uses this key. */
  zonesUsing(id: string): Promise<ZoneRef[]>;
}

export interface AclRepo {
  list(accountId: string): Promise<Acl[]>;
  get(accountId: string, id: string): Promise<Acl | null>;
  create(accountId: string, input: AclInput): Promise<Acl>;
  update(accountId: string, id: string, input: AclInput): Promise<Acl | null>;
  delete(accountId: string, id: string): Promise<boolean>;
}

export function peerRepo(db: Db): PeerRepo {
  return {
    async list(accountId) {
      const rows = await db.sql.query<PeerRow>(`SELECT ${PEER_COLS} FROM peers WHERE account_id = $1 ORDER BY created_on, id`, [
        accountId,
      ]);
      return rows.map(toPeer);
    },
    async get(accountId, id) {
      const rows = await db.sql.query<PeerRow>(`SELECT ${PEER_COLS} FROM peers WHERE account_id = $1 AND id = $2`, [accountId, id]);
      return rows[0] ? toPeer(rows[0]) : null;
    },
    async existing(accountId, ids) {
      if (ids.length === 0) return [];
      const rows = await db.sql.query<{ id: string }>('SELECT id FROM peers WHERE account_id = $1 AND id = ANY($2::text[])', [
        accountId,
        ids,
      ]);
      return rows.map((r) => r.id);
    },
    async create(accountId, p) {
      return db.write(async (tx, changes) => {
        const rows = await tx.query<PeerRow>(
          `INSERT INTO peers (id, account_id, name, ip, port, ixfr_enable, tsig_id) VALUES ($1, $2, $3, $4, $5, $6, $7)
           RETURNING ${PEER_COLS}`,
          [newId(), accountId, p.name, p.ip, p.port, p.ixfrEnable, p.tsigId],
        );
        const row = rows[0];
        if (!row) throw new Error('peers insert returned no row');
        changes.push({ kind: 'peer', id: row.id, account_id: accountId });
        return toPeer(row);
      });
    },
    async update(accountId, id, p) {
      return db.write(async (tx, changes) => {
        const rows = await tx.query<PeerRow>(
          `UPDATE peers SET name = $3, ip = $4, port = $5, ixfr_enable = $6, tsig_id = $7, modified_on = now()
           WHERE account_id = $1 AND id = $2 RETURNING ${PEER_COLS}`,
          [accountId, id, p.name, p.ip, p.port, p.ixfrEnable, p.tsigId],
        );
        const row = rows[0];
        if (!row) return null;
        changes.push({ kind: 'peer', id, account_id: accountId });
        return toPeer(row);
      });
    },
    async delete(accountId, id) {
      return db.write(async (tx, changes) => {
        const zones = await zonesOfPeers(tx, [id]);
        const rows = await tx.query('DELETE FROM peers WHERE account_id = $1 AND id = $2 RETURNING id', [accountId, id]);
        if (rows.length === 0) return null;
        changes.push({ kind: 'peer', id, account_id: accountId });
        return zones;
      });
    },
    zonesUsing: (id) => zonesOfPeers(db.sql, [id]),
  };
}

export function tsigRepo(db: Db, box: SecretBox = PLAINTEXT): TsigRepo {
  const readTsig = toTsig(box);
  async function zonesUsing(tx: SqlQuery, id: string): Promise<ZoneRef[]> {
    const peers = await tx.query<{ id: string }>('SELECT id FROM peers WHERE tsig_id = $1', [id]);
    return zonesOfPeers(
      tx,
      peers.map((p) => p.id),
    );
  }
  return {
    async list(accountId) {
      const rows = await db.sql.query<TsigRow>(`SELECT ${TSIG_COLS} FROM tsigs WHERE account_id = $1 ORDER BY created_on, id`, [
        accountId,
      ]);
      return rows.map(readTsig);
    },
    async get(accountId, id) {
      const rows = await db.sql.query<TsigRow>(`SELECT ${TSIG_COLS} FROM tsigs WHERE account_id = $1 AND id = $2`, [accountId, id]);
      return rows[0] ? readTsig(rows[0]) : null;
    },
    async create(accountId, t) {
      const id = newId();
      return db.write(async (tx, changes) => {
        const rows = await tx.query<TsigRow>(
          `INSERT INTO tsigs (id, account_id, name, algo, secret) VALUES ($1, $2, $3, $4, $5) RETURNING ${TSIG_COLS}`,
          [id, accountId, t.name, t.algo, box.seal(t.secret, secretContext(accountId, id))],
        );
        const row = rows[0];
        if (!row) throw new Error('tsigs insert returned no row');
        changes.push({ kind: 'tsig', id: row.id, account_id: accountId });
        return readTsig(row);
      });
    },
    async update(accountId, id, t) {
      return db.write(async (tx, changes) => {
        const rows = await tx.query<TsigRow>(
          `UPDATE tsigs SET name = $3, algo = $4, secret = $5, modified_on = now()
           WHERE account_id = $1 AND id = $2 RETURNING ${TSIG_COLS}`,
          [accountId, id, t.name, t.algo, box.seal(t.secret, secretContext(accountId, id))],
        );
        const row = rows[0];
        if (!row) return null;
        changes.push({ kind: 'tsig', id, account_id: accountId });
        return readTsig(row);
      });
    },
    async delete(accountId, id) {
      return db.write(async (tx, changes) => {
        const zones = await zonesUsing(tx, id);
        const rows = await tx.query('DELETE FROM tsigs WHERE account_id = $1 AND id = $2 RETURNING id', [accountId, id]);
        if (rows.length === 0) return null;
        changes.push({ kind: 'tsig', id, account_id: accountId });
        return zones;
      });
    },
    zonesUsing: (id) => zonesUsing(db.sql, id),
  };
}

export function aclRepo(db: Db): AclRepo {
  return {
    async list(accountId) {
      const rows = await db.sql.query<AclRow>(`SELECT ${ACL_COLS} FROM acls WHERE account_id = $1 ORDER BY created_on, id`, [accountId]);
      return rows.map(toAcl);
    },
    async get(accountId, id) {
      const rows = await db.sql.query<AclRow>(`SELECT ${ACL_COLS} FROM acls WHERE account_id = $1 AND id = $2`, [accountId, id]);
      return rows[0] ? toAcl(rows[0]) : null;
    },
    async create(accountId, a) {
      return db.write(async (tx, changes) => {
        const rows = await tx.query<AclRow>(
          `INSERT INTO acls (id, account_id, name, ip_range) VALUES ($1, $2, $3, $4) RETURNING ${ACL_COLS}`,
          [newId(), accountId, a.name, a.ipRange],
        );
        const row = rows[0];
        if (!row) throw new Error('acls insert returned no row');
        changes.push({ kind: 'acl', id: row.id, account_id: accountId });
        return toAcl(row);
      });
    },
    async update(accountId, id, a) {
      return db.write(async (tx, changes) => {
        const rows = await tx.query<AclRow>(
          `UPDATE acls SET name = $3, ip_range = $4, modified_on = now() WHERE account_id = $1 AND id = $2 RETURNING ${ACL_COLS}`,
          [accountId, id, a.name, a.ipRange],
        );
        const row = rows[0];
        if (!row) return null;
        changes.push({ kind: 'acl', id, account_id: accountId });
        return toAcl(row);
      });
    },
    async delete(accountId, id) {
      return db.write(async (tx, changes) => {
        const rows = await tx.query('DELETE FROM acls WHERE account_id = $1 AND id = $2 RETURNING id', [accountId, id]);
        if (rows.length === 0) return false;
        changes.push({ kind: 'acl', id, account_id: accountId });
        return true;
      });
    },
  };
}
