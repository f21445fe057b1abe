// The reload handler for primary ('full') zones: rebuild the version from the API records; when
// the content changed, bump the serial (RFC 1982), journal the diff for IXFR, publish, and NOTIFY
// the outgoing peers (RFC 1996). Unchanged content publishes nothing.

import { type Serial, type ZoneDiff, computeDiff, nextSerial, serial as toSerial } from '../../zone/index.js';
import type { ZoneConfig } from '../config.js';
import { type EngineContext, type ZoneRuntime, appendJournal } from '../context.js';
import { adoptStored, loadStored, persistVersion } from '../persist.js';
import { buildPrimaryVersion } from '../primary-zone.js';

/** dateSerial is the RFC 1912 §2.2 style YYYYMMDD00 serial for a time in ms. */
export function dateSerial(ms: number): Serial {
  const d = new Date(ms);
  return toSerial(d.getUTCFullYear() * 1000000 + (d.getUTCMonth() + 1) * 10000 + d.getUTCDate() * 100);
}

/** reloadPrimary publishes the current records of a primary zone when they changed. */
export async function reloadPrimary(ctx: EngineContext, rt: ZoneRuntime, cfg: ZoneConfig): Promise<void> {
  const rows = await ctx.store.records.all(cfg.id);
  const current = ctx.registry.get(cfg.id);
  let serial: Serial;
  let diff: ZoneDiff | undefined;
  if (current !== undefined && current.role === 'primary' && current.origin === cfg.origin) {
    const same = buildPrimaryVersion(cfg.origin, rows, current.version.serial);
    if (!same.ok) throw new Error(same.error);
    const d = computeDiff(current.version, same.value.version);
    if (d.added.length === 0 && d.removed.length === 0) return;
    serial = nextSerial(current.version.serial, dateSerial(ctx.clock.now()));
    diff = d;
  } else {
    const state = await ctx.store.zoneState.get(cfg.id);
    // A new zone starts at today's date serial; a zone that served another version before (e.g.
    // converted from secondary) moves past it so its secondaries notice (RFC 1982).
    serial = state?.serial != null ? nextSerial(toSerial(state.serial), dateSerial(ctx.clock.now())) : dateSerial(ctx.clock.now());
  }
  const built = buildPrimaryVersion(cfg.origin, rows, serial);
  if (!built.ok) throw new Error(built.error);
  for (const s of built.value.skipped) ctx.log.warn({ zone: cfg.origin, op: 'load' }, s);
  const version = built.value.version;
  const journal = diff !== undefined && current !== undefined ? { soaFrom: current.version.soa, soaTo: version.soa, removed: diff.removed, added: diff.added } : undefined;
  // Stored before it is announced (issue 6); a lost compare-and-set means another instance
  // published this change first: serve its version instead and leave the NOTIFY to it.
  const saved = await persistVersion(ctx, rt, version, journal !== undefined ? [journal] : undefined);
  if (saved === 'conflict') {
    const stored = await loadStored(ctx, cfg.id, cfg.origin, rt);
    if (stored !== undefined) adoptStored(ctx, rt, stored);
    return;
  }
  await ctx.store.zoneState.patch(cfg.id, { serial: version.serial });
  if (journal !== undefined) appendJournal(ctx, rt, journal);
  ctx.registry.install({ id: cfg.id, origin: cfg.origin, role: 'primary', version, expired: false });
  ctx.log.info({ zone: cfg.origin, op: 'load', serial: version.serial, records: version.recordCount }, 'zone published');
  ctx.published(cfg.id, version.serial, 'primary');
  if (cfg.outgoing?.enabled === true && current !== undefined) ctx.scheduler.schedule(cfg.id, 'notify-out');
}
