// Persisting versions (issue 6): every version is stored before it is announced as current (a
// primary zone's before it is served, too; a secondary's just after it is served, see
// refresh-outcome.ts), and at start-up (or when another instance publishes) the stored state is
// read back instead of transferred again. An IXFR or API change stores only its diffs — the zone is never copied for a
// small change — and a full snapshot is written on AXFR and every SNAPSHOT_EVERY diffs, which
// bounds the replay at start-up. That periodic snapshot is written after the version is served,
// not before: writing a 1M-record zone takes most of a second, which every 64th IXFR would
// otherwise wait for. A zone changing faster than its snapshot can be written gets it on the
// critical path at 2 × SNAPSHOT_EVERY diffs, so the replay stays bounded. A lost compare-and-set
// (another instance published first) drops the version in favour of the stored winner, so all
// instances converge on one serial.

import { RRClass, RRType, type ResourceRecord, parseName } from '../wire/index.js';
import { type ZoneDiff, type ZoneVersion, applyDiff, decodeDiff, decodeSnapshot, describeZoneError, encodeDiff, encodeSnapshot, soaSerial } from '../zone/index.js';
import type { EngineContext, ZoneRuntime } from './context.js';

/** SNAPSHOT_EVERY: diffs stored after a snapshot before the next version is stored in full. */
export const SNAPSHOT_EVERY = 64;

const journalRow = (d: ZoneDiff) => ({ serialFrom: soaSerial(d.soaFrom.rdata), serialTo: soaSerial(d.soaTo.rdata), diff: encodeDiff(d) });

/**
 * persistVersion stores `version` as the zone's current one, replacing rt.storedSerial (the serial
 * the engine believes is current in the store, or null). With `diffs` (from the stored version)
 * only they are written, unless a snapshot is due or forced (AXFR); without, a full snapshot
 * restarts the journal.
 * Resolves 'conflict' when another writer moved the zone first.
 */
export async function persistVersion(ctx: EngineContext, rt: ZoneRuntime, version: ZoneVersion, diffs: readonly ZoneDiff[] | undefined, forceSnapshot = false): Promise<'saved' | 'conflict'> {
  // A secondary's diffs need not wait for the WAL flush (SaveOptions.relaxed): its primary holds
  // them too. A primary zone's changes exist nowhere else, so they do.
  const o = { expectSerial: rt.storedSerial, journalLimit: ctx.tuning.journalLimit, relaxed: rt.config.type === 'secondary' };
  const journal = diffs?.map(journalRow);
  // Diffs alone only when they start at the stored serial: a version served while its store
  // failed (refresh-outcome.ts) is not stored, and what follows it is stored whole.
  const incremental =
    !forceSnapshot && journal !== undefined && journal[0]?.serialFrom === rt.storedSerial && rt.diffsSinceSnapshot + journal.length < 2 * SNAPSHOT_EVERY;
  const r = incremental
    ? await ctx.store.versions.save(rt.config.id, { kind: 'incremental', serial: version.serial, journal }, o)
    : await ctx.store.versions.save(rt.config.id, { kind: 'full', version: storedVersion(version), ...(journal !== undefined ? { journal } : {}) }, o);
  if (r === 'saved') {
    rt.storedSerial = version.serial;
    rt.diffsSinceSnapshot = incremental ? rt.diffsSinceSnapshot + journal.length : 0;
    if (rt.diffsSinceSnapshot >= SNAPSHOT_EVERY) snapshotSoon(ctx, rt, version);
  }
  return r;
}

const storedVersion = (v: ZoneVersion) => ({ serial: v.serial, origin: v.origin, soaTtl: v.soa.ttl, soaRdata: v.soa.rdata, recordCount: v.recordCount, chunks: encodeSnapshot(v) });

/**
 * snapshotSoon writes `version`, already stored as diffs and served, as the zone's new full
 * snapshot in the background (one at a time per zone): the same serial, the journal kept for IXFR
 * out. It is a compare-and-set on that serial, so a newer version stored meanwhile wins and the
 * snapshot is dropped (the next save tries again). rt.snapshotting is awaited by Engine.stop.
 */
function snapshotSoon(ctx: EngineContext, rt: ZoneRuntime, version: ZoneVersion): void {
  if (rt.snapshotting !== undefined) return;
  const serial = version.serial;
  rt.snapshotting = (async () => {
    // The caller serves the version first: this starts on a later turn of the event loop.
    await new Promise<void>((resolve) => setImmediate(resolve));
    if (rt.storedSerial !== serial) return;
    const r = await ctx.store.versions.save(rt.config.id, { kind: 'full', version: storedVersion(version), journal: [] }, { expectSerial: serial, journalLimit: ctx.tuning.journalLimit });
    if (r === 'saved' && rt.storedSerial === serial) rt.diffsSinceSnapshot = 0;
  })()
    .catch((e: unknown) => ctx.log.warn({ zone: rt.config.origin, serial, err: e instanceof Error ? e.message : String(e) }, 'writing the periodic snapshot failed; the diffs are stored'))
    .finally(() => {
      rt.snapshotting = undefined;
    });
}

/** StoredState is a zone's persisted version with its journal, decoded. */
export interface StoredState {
  readonly version: ZoneVersion;
  readonly journal: ZoneDiff[];
  readonly diffsSinceSnapshot: number;
}

/** replaceDamaged makes the next save a full snapshot over the damaged state (compare-and-set on its serial). */
function replaceDamaged(rt: ZoneRuntime, serial: number): void {
  rt.storedSerial = serial;
  rt.diffsSinceSnapshot = SNAPSHOT_EVERY;
}

/**
 * loadStored reads the zone's stored state: its snapshot with the later diffs applied. A damaged
 * state is ignored (undefined); with `rt`, the next version (a fresh transfer, a rebuilt primary
 * zone) replaces it with a full snapshot by compare-and-set, instead of losing to it forever.
 */
export async function loadStored(ctx: EngineContext, zoneId: string, origin: string, rt?: ZoneRuntime): Promise<StoredState | undefined> {
  const row = await ctx.store.versions.current(zoneId);
  if (row === null) return undefined;
  const name = parseName(origin);
  if (!name.ok) return undefined;
  const b = row.base;
  const soa: ResourceRecord = { name: name.value, type: RRType.SOA, class: RRClass.IN, ttl: b.soaTtl, rdata: b.soaRdata };
  const decoded = decodeSnapshot(name.value, RRClass.IN, soa, b.chunks);
  if (!decoded.ok) {
    ctx.log.error({ zone: origin, err: decoded.error.detail }, 'stored version is damaged; ignoring it');
    if (rt !== undefined) replaceDamaged(rt, row.serial);
    return undefined;
  }
  let v = decoded.value;
  for (const e of row.diffs) {
    const d = decodeDiff(e.diff);
    const next = d.ok ? applyDiff(v, d.value) : undefined;
    if (next === undefined || !next.ok) {
      ctx.log.error({ zone: origin, serial: e.serialTo, err: next === undefined ? 'damaged diff' : describeZoneError(next.error) }, 'stored diff does not apply; ignoring the stored state');
      if (rt !== undefined) replaceDamaged(rt, row.serial);
      return undefined;
    }
    v = next.value;
  }
  const journal: ZoneDiff[] = [];
  for (const e of await ctx.store.versions.journal(zoneId)) {
    const d = decodeDiff(e.diff);
    if (d.ok) journal.push(d.value);
  }
  return { version: v, journal, diffsSinceSnapshot: row.diffs.length };
}

/** adoptStored installs a stored state as the zone's served version. */
export function adoptStored(ctx: EngineContext, rt: ZoneRuntime, s: StoredState): void {
  const cfg = rt.config;
  rt.journal = s.journal.slice(-ctx.tuning.journalLimit);
  rt.storedSerial = s.version.serial;
  rt.diffsSinceSnapshot = s.diffsSinceSnapshot;
  ctx.registry.install({ id: cfg.id, origin: cfg.origin, role: cfg.type === 'full' ? 'primary' : 'secondary', version: s.version, expired: false });
  ctx.published(cfg.id, s.version.serial, 'stored');
}
