// Durable versions on PGlite and PostgreSQL: a stored version reloads identical; save is a
// compare-and-set on the current serial; the journal is bounded and restarts on a full version.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type ZoneVersion, ZoneBuilder, computeDiff, decodeDiff, decodeSnapshot, encodeDiff, encodeSnapshot, soaSerial } from '../../../src/zone/index.js';
import { RRClass, RRType, nameKey, type ResourceRecord } from '../../../src/wire/index.js';
import type { StoredVersion } from '../../../src/store/index.js';
import { type TestStore, openTestStore, storeVariants } from '../../helpers/db.js';
import { a, n, soa } from '../../unit/zone/helpers.js';

function build(serial: number, extra: number): ZoneVersion {
  const b = new ZoneBuilder(n('v.example.'));
  const recs: ResourceRecord[] = [soa('v.example.', serial), a('ns1.v.example.', '192.0.2.1')];
  for (let i = 0; i < extra; i++) recs.push(a(`h${i}.deep.v.example.`, `10.0.${i >> 8}.${i & 255}`));
  b.addAll(recs);
  const r = b.build();
  if (!r.ok) throw new Error('build');
  return r.value;
}
const stored = (v: ZoneVersion, chunkSize = 4096): StoredVersion => ({
  serial: v.serial, origin: v.origin, soaTtl: v.soa.ttl, soaRdata: v.soa.rdata, recordCount: v.recordCount, chunks: encodeSnapshot(v, chunkSize),
});
const sorted = (v: ZoneVersion) => [...v.records()].map((r) => `${nameKey(r.name)} ${r.type} ${r.ttl} ${Buffer.from(r.rdata).toString('hex')}`).sort();

describe.each(storeVariants())('zone versions on %s', (kind) => {
  let ts: TestStore;
  let zoneId: string;
  beforeAll(async () => {
    ts = await openTestStore(kind);
    const acct = await ts.store.accounts.create('v');
    zoneId = (await ts.store.zones.create({ accountId: acct.id, name: 'v.example', type: 'secondary' })).id;
  });
  afterAll(async () => {
    await ts.cleanup();
  });

  it('stores a version and loads it back identical, many chunks', async () => {
    const v1 = build(1, 3000);
    expect(await ts.store.versions.save(zoneId, { kind: 'full', version: stored(v1) }, { expectSerial: null, journalLimit: 3 })).toBe('saved');
    const back = await ts.store.versions.current(zoneId);
    expect(back?.serial).toBe(1);
    expect(back?.diffs).toEqual([]);
    expect(back!.base.chunks.length).toBeGreaterThan(5);
    const soaRr = { name: v1.origin, type: RRType.SOA, class: RRClass.IN, ttl: back!.base.soaTtl, rdata: back!.base.soaRdata };
    const v = decodeSnapshot(v1.origin, RRClass.IN, soaRr, back!.base.chunks);
    expect(v.ok && sorted(v.value)).toEqual(sorted(v1));
    expect((await ts.store.versions.currentSerials()).get(zoneId)).toBe(1);
  });

  it('refuses a save whose expected serial is stale (another instance won)', async () => {
    const v2 = build(2, 10);
    expect(await ts.store.versions.save(zoneId, { kind: 'full', version: stored(v2) }, { expectSerial: 7, journalLimit: 3 })).toBe('conflict');
    expect((await ts.store.versions.current(zoneId))?.serial).toBe(1);
  });

  it('stores diffs without copying the zone, keeps every diff after the snapshot, restarts on a full version', async () => {
    let prev = build(1, 3000);
    for (let s = 2; s <= 6; s++) {
      const next = build(s, 3000 + s);
      const d = computeDiff(prev, next);
      const r = await ts.store.versions.save(zoneId, { kind: 'incremental', serial: s, journal: [{ serialFrom: s - 1, serialTo: s, diff: encodeDiff(d) }] }, { expectSerial: s - 1, journalLimit: 3 });
      expect(r).toBe('saved');
      prev = next;
    }
    const state = await ts.store.versions.current(zoneId);
    expect(state?.serial).toBe(6);
    expect(state?.base.serial).toBe(1);
    expect(state?.diffs.map((e) => e.serialTo)).toEqual([2, 3, 4, 5, 6]);
    const d = decodeDiff(state!.diffs[4]!.diff);
    expect(d.ok && soaSerial(d.value.soaTo.rdata)).toBe(6);
    expect(d.ok && d.value.added.length).toBe(1);
    const chunkRows = await ts.sql.query<{ c: number }>('SELECT count(*)::int AS c FROM zone_version_chunks WHERE zone_id = $1', [zoneId]);
    const baseChunks = state!.base.chunks.length;
    expect(chunkRows[0]?.c).toBe(baseChunks);
    // A full snapshot moves the base: older diffs beyond the limit go, the rest stay for IXFR out.
    const v7 = build(7, 3007);
    await ts.store.versions.save(zoneId, { kind: 'full', version: stored(v7), journal: [{ serialFrom: 6, serialTo: 7, diff: encodeDiff(computeDiff(prev, v7)) }] }, { expectSerial: 6, journalLimit: 3 });
    const after = await ts.store.versions.current(zoneId);
    expect(after?.base.serial).toBe(7);
    expect(after?.diffs).toEqual([]);
    expect((await ts.store.versions.journal(zoneId)).map((e) => e.serialTo)).toEqual([5, 6, 7]);
    await ts.store.versions.save(zoneId, { kind: 'full', version: stored(build(8, 1)) }, { expectSerial: 7, journalLimit: 3 });
    expect(await ts.store.versions.journal(zoneId)).toEqual([]);
    const rows = await ts.sql.query<{ c: number }>('SELECT count(*)::int AS c FROM zone_versions WHERE zone_id = $1', [zoneId]);
    expect(rows[0]?.c).toBe(1);
  });

  it('saves diffs in one statement: compare-and-set, several diffs at once, one winner of a race, published on the change feed', async () => {
    const seen: string[] = [];
    const off = ts.store.onChange((c) => {
      if (c.kind === 'version' && c.zone_id === zoneId) seen.push(c.id!);
    });
    try {
      const v8 = build(8, 1);
      const v9 = build(9, 2);
      const v10 = build(10, 3);
      const entry = (from: ZoneVersion, to: ZoneVersion) => ({ serialFrom: from.serial, serialTo: to.serial, diff: encodeDiff(computeDiff(from, to)) });
      const save = (serial: number, journal: ReturnType<typeof entry>[], expectSerial: number) =>
        ts.store.versions.save(zoneId, { kind: 'incremental', serial, journal }, { expectSerial, journalLimit: 3 });
      // A stale expected serial writes nothing.
      expect(await save(9, [entry(v8, v9)], 7)).toBe('conflict');
      expect((await ts.store.versions.current(zoneId))?.serial).toBe(8);
      expect(await ts.store.versions.journal(zoneId)).toEqual([]);
      // Two diffs in one save (an IXFR carrying two versions), kept in order.
      expect(await save(10, [entry(v8, v9), entry(v9, v10)], 8)).toBe('saved');
      const state = await ts.store.versions.current(zoneId);
      expect(state?.serial).toBe(10);
      expect(state?.base.serial).toBe(8);
      expect(state?.diffs.map((e) => [e.serialFrom, e.serialTo])).toEqual([[8, 9], [9, 10]]);
      const d = decodeDiff(state!.diffs[1]!.diff);
      expect(d.ok && soaSerial(d.value.soaTo.rdata)).toBe(10);
      expect(d.ok && d.value.added.length).toBe(1);
      // Two writers from serial 10 at once: exactly one wins.
      const v11a = build(11, 4);
      const v11b = build(11, 5);
      const race = await Promise.all([save(11, [entry(v10, v11a)], 10), save(11, [entry(v10, v11b)], 10)]);
      expect(race.slice().sort()).toEqual(['conflict', 'saved']);
      expect((await ts.store.versions.journal(zoneId)).map((e) => e.serialTo)).toEqual([9, 10, 11]);
      await vi.waitFor(() => expect(seen).toEqual(['10', '11']), { timeout: 5000 });
    } finally {
      off();
    }
  });

  it('saves a relaxed diff (a secondary\'s) the same way: compare-and-set, stored, on the change feed', async () => {
    const seen: string[] = [];
    const off = ts.store.onChange((c) => {
      if (c.kind === 'version' && c.zone_id === zoneId) seen.push(c.id!);
    });
    try {
      const from = (await ts.store.versions.current(zoneId))!.serial;
      const a = build(from, 6);
      const b = build(from + 1, 7);
      const journal = [{ serialFrom: from, serialTo: from + 1, diff: encodeDiff(computeDiff(a, b)) }];
      const o = { journalLimit: 3, relaxed: true };
      expect(await ts.store.versions.save(zoneId, { kind: 'incremental', serial: from + 1, journal }, { ...o, expectSerial: from - 1 })).toBe('conflict');
      expect(await ts.store.versions.save(zoneId, { kind: 'incremental', serial: from + 1, journal }, { ...o, expectSerial: from })).toBe('saved');
      const state = await ts.store.versions.current(zoneId);
      expect(state?.serial).toBe(from + 1);
      expect(state?.diffs.at(-1)?.serialTo).toBe(from + 1);
      await vi.waitFor(() => expect(seen).toEqual([String(from + 1)]), { timeout: 5000 });
    } finally {
      off();
    }
  });

  it('drops everything with the zone', async () => {
    await ts.store.zones.delete(zoneId);
    expect(await ts.store.versions.current(zoneId)).toBeNull();
  });
});
