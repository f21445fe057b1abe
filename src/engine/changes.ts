// Following the store's change feed (PostgreSQL LISTEN/NOTIFY, or in-process for PGlite): every
// committed change, made through this instance's API or another instance's, becomes engine
// commands for the zones it touches. Commands are idempotent (a reload without a content change
// publishes nothing), so a change that also arrived as a direct API command costs one no-op.

import type { EngineCommands } from '../api/deps.js';

/** ChangeEvent is the feed's payload (src/store/change-feed.ts). */
export interface ChangeEvent {
  readonly kind: string;
  readonly zone_id?: string;
  readonly account_id?: string;
  readonly id?: string;
}

/** ChangeLookups resolve account-level changes to the zones they affect. */
export interface ChangeLookups {
  readonly peers: { zonesUsing(id: string): Promise<{ zoneId: string }[]> };
  readonly tsigs: { zonesUsing(id: string): Promise<{ zoneId: string }[]> };
  readonly zones: { withTransfers(accountId: string): Promise<{ zoneId: string }[]> };
}

/** FeedCommands: the API's commands plus the one only the feed issues. */
export interface FeedCommands extends EngineCommands {
  versionStored?(zoneId: string, serial: number): void;
}

/** applyChange turns one change into engine commands; failures go to `onError`. */
export function applyChange(change: ChangeEvent, engine: FeedCommands, store: ChangeLookups, onError: (e: unknown) => void): void {
  const each = (p: Promise<{ zoneId: string }[]>) =>
    void p.then((zones) => {
      for (const z of zones) engine.zoneChanged(z.zoneId);
    }, onError);
  switch (change.kind) {
    case 'zone':
    case 'incoming':
    case 'outgoing':
    case 'records':
      if (change.zone_id !== undefined) engine.zoneChanged(change.zone_id);
      return;
    case 'version':
      if (change.zone_id !== undefined && change.id !== undefined) engine.versionStored?.(change.zone_id, Number(change.id));
      return;
    case 'zone_deleted':
      if (change.zone_id !== undefined) engine.zoneDeleted(change.zone_id);
      return;
    case 'peer':
      if (change.id !== undefined) each(store.peers.zonesUsing(change.id));
      return;
    case 'tsig':
      if (change.id !== undefined) each(store.tsigs.zonesUsing(change.id));
      return;
    case 'acl':
      if (change.account_id !== undefined) each(store.zones.withTransfers(change.account_id));
      return;
    default:
      return;
  }
}
