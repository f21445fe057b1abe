// ZoneConfig: one zone's configuration snapshot as the engine acts on it, read from the store at
// each reload: its incoming peers (where to pull from), outgoing peers (whom to NOTIFY and let
// transfer) and the account's ACL ranges, with TSIG keys already decoded. Handlers read a
// snapshot and never the store directly for configuration.

import { type TsigKey, makeKey } from '../tsig/index.js';
import { type DomainName, parseName } from '../wire/index.js';
import type { EngineStore, PeerRow, ZoneRow } from './ports.js';

/** PeerConfig is a linked peer with its key resolved. */
export interface PeerConfig {
  readonly id: string;
  readonly name: string;
  readonly ip: string | null;
  /** port: the peer's port, 53 when unset. */
  readonly port: number;
  readonly ixfr: boolean;
  readonly key: TsigKey | undefined;
  /** keyError explains why the peer's TSIG could not be used (the peer is then skipped). */
  readonly keyError: string | undefined;
}

export interface ZoneConfig {
  readonly id: string;
  readonly accountId: string;
  readonly origin: DomainName;
  readonly type: 'full' | 'secondary';
  readonly incoming: { readonly autoRefreshSeconds: number; readonly peers: readonly PeerConfig[] } | undefined;
  readonly outgoing: { readonly enabled: boolean; readonly peers: readonly PeerConfig[] } | undefined;
  readonly aclRanges: readonly string[];
}

async function peerConfigs(store: EngineStore, accountId: string, ids: readonly string[]): Promise<PeerConfig[]> {
  const out: PeerConfig[] = [];
  for (const id of ids) {
    const p = await store.peers.get(accountId, id);
    if (p !== null) out.push(await peerConfig(store, accountId, p));
  }
  return out;
}

async function peerConfig(store: EngineStore, accountId: string, p: PeerRow): Promise<PeerConfig> {
  let key: TsigKey | undefined;
  let keyError: string | undefined;
  if (p.tsigId !== null) {
    const t = await store.tsigs.get(accountId, p.tsigId);
    if (t === null) keyError = `TSIG ${p.tsigId} not found`;
    else {
      const k = makeKey(t.name, t.algo, t.secret);
      if (k.ok) key = k.value;
      else keyError = `TSIG ${t.name}: ${k.error.kind}`;
    }
  }
  return { id: p.id, name: p.name, ip: p.ip, port: p.port ?? 53, ixfr: p.ixfrEnable === true, key, keyError };
}

/** loadZoneConfig reads a zone's configuration snapshot. */
export async function loadZoneConfig(store: EngineStore, zone: ZoneRow): Promise<ZoneConfig> {
  const origin = parseName(zone.fqdn.endsWith('.') ? zone.fqdn : zone.fqdn + '.');
  if (!origin.ok) throw new Error(`zone ${zone.id} has a bad name ${zone.fqdn}`);
  const [inc, out, acls] = await Promise.all([store.incoming.get(zone.id), store.outgoing.get(zone.id), store.acls.list(zone.accountId)]);
  return {
    id: zone.id,
    accountId: zone.accountId,
    origin: origin.value,
    type: zone.type,
    incoming: inc === null ? undefined : { autoRefreshSeconds: inc.autoRefreshSeconds, peers: await peerConfigs(store, zone.accountId, inc.peers) },
    outgoing: out === null ? undefined : { enabled: out.enabled, peers: await peerConfigs(store, zone.accountId, out.peers) },
    aclRanges: acls.map((a) => a.ipRange),
  };
}
