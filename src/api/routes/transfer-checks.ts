// Checks shared by the incoming and outgoing routes: the config name must be the zone's name
// (case and trailing dot aside), auto_refresh_seconds an integer >= 300, and the peer list at most
// 30 existing peers of the zone's account (duplicates dropped, order kept).
import { ID_PATTERN, type Store, type Zone } from '../../store/index.js';
import { apiError } from '../errors.js';
import { displayName } from '../present.js';
import { sameZoneName } from '../validate.js';

/** MAX_LINKED_PEERS is Cloudflare's per-zone limit (API.md §4). */
export const MAX_LINKED_PEERS = 30;
export const DEFAULT_AUTO_REFRESH = 86400;
const MAX_AUTO_REFRESH = 2_147_483_647;

export function checkConfigName(name: string, zone: Zone): string {
  if (!sameZoneName(name, zone.fqdn)) throw apiError('name_mismatch', { value: name, zone: displayName(zone.name) }, '/name');
  return name;
}

export function checkAutoRefresh(value: number): number {
  if (!Number.isInteger(value) || value < 300 || value > MAX_AUTO_REFRESH) {
    throw apiError('auto_refresh_too_low', { value }, '/auto_refresh_seconds');
  }
  return value;
}

/** checkPeerLinks returns the de-duplicated list or throws 400 naming `peers`. */
export async function checkPeerLinks(store: Store, accountId: string, peers: string[]): Promise<string[]> {
  const list = [...new Set(peers)];
  if (list.length > MAX_LINKED_PEERS) throw apiError('too_many_peers', { value: list.length }, '/peers');
  const wellFormed = list.filter((id) => ID_PATTERN.test(id));
  const found = new Set(await store.peers.existing(accountId, wellFormed));
  const unknown = list.filter((id) => !found.has(id));
  if (unknown.length > 0) throw apiError('unknown_peers', { value: unknown.join(', ') }, '/peers');
  return list;
}
