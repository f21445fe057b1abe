// Persisting versions (issue 6): every version is stored before it is announced as current, and
// at start-up (or when another instance publishes) the current version is read back instead of
// transferred again. A version whose compare-and-set loses (another instance published first) is
// dropped in favour of the stored winner, so all instances converge on one serial.

import type { ResourceRecord } from '../wire/index.js';
import { RRClass, RRType, parseName } from '../wire/index.js';
import { type ZoneDiff, type ZoneVersion, decodeDiff, decodeSnapshot, encodeDiff, encodeSnapshot, soaSerial } from '../zone/index.js';
import type { EngineContext, ZoneRuntime } from './context.js';

/**
 * persistVersion stores `version` as the zone's current one, replacing rt.storedSerial (the serial
 * the engine believes is current in the store, or null). `diffs` (from the previous version) join the journal;
 * none restarts it. Resolves 'conflict' when another writer moved the zone first.
 */
export async function persistVersion(ctx: EngineContext, rt: ZoneRuntime, version: ZoneVersion, diffs: readonly ZoneDiff[] | undefined): Promise<'saved' | 'conflict'> {
  const chunks = encodeSnapshot(version);
  const expect = rt.storedSerial;
  const r = await ctx.store.versions.save(
    rt.config.id,
    { serial: version.serial, origin: version.origin, soaTtl: version.soa.ttl, soaRdata: version.soa.rdata, recordCount: version.recordCount, chunks },
    {
      expectSerial: expect,
      ...(diffs !== undefined ? { journal: diffs.map((d) => ({ serialFrom: soaSerial(d.soaFrom.rdata), serialTo: soaSerial(d.soaTo.rdata), diff: encodeDiff(d) })) } : {}),
      journalLimit: ctx.tuning.journalLimit,
    },
  );
  if (r === 'saved') rt.storedSerial = version.serial;
  return r;
}

/** StoredState is a zone's persisted version with its journal, decoded. */
export interface StoredState {
  readonly version: ZoneVersion;
  readonly journal: ZoneDiff[];
}

/** loadStored reads and decodes the zone's current version and journal; undefined when none. */
export async function loadStored(ctx: EngineContext, zoneId: string, origin: string): Promise<StoredState | undefined> {
  const row = await ctx.store.versions.current(zoneId);
  if (row === null) return undefined;
  const name = parseName(origin);
  if (!name.ok) return undefined;
  const soa: ResourceRecord = { name: name.value, type: RRType.SOA, class: RRClass.IN, ttl: row.soaTtl, rdata: row.soaRdata };
  const v = decodeSnapshot(name.value, RRClass.IN, soa, row.chunks);
  if (!v.ok) {
    ctx.log.error({ zone: origin, err: v.error.detail }, 'stored version is damaged; ignoring it');
    return undefined;
  }
  const journal: ZoneDiff[] = [];
  for (const e of await ctx.store.versions.journal(zoneId)) {
    const d = decodeDiff(e.diff);
    if (d.ok) journal.push(d.value);
  }
  return { version: v.value, journal };
}

/** adoptStored installs a stored state as the zone's served version. */
export function adoptStored(ctx: EngineContext, rt: ZoneRuntime, s: StoredState): void {
  const cfg = rt.config;
  rt.journal = s.journal.slice(-ctx.tuning.journalLimit);
  rt.storedSerial = s.version.serial;
  ctx.registry.install({ id: cfg.id, origin: cfg.origin, role: cfg.type === 'full' ? 'primary' : 'secondary', version: s.version, expired: false });
  ctx.published(cfg.id, s.version.serial, 'stored');
}
