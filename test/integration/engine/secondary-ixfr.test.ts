// zonexfer as a secondary of in-process fake primaries, IXFR side (RFC 1995): an honest journal
// gives an incremental refresh; an IXFR answered with the whole zone (§4, AXFR-style) is taken as
// a full version; an IXFR answered NOTIMP/REFUSED/FORMERR, one whose deltas do not apply to what we
// hold, and one starting at another serial all fall back to AXFR on the same peer. In every case the
// zone served afterwards equals the primary's, record for record, and the primary saw exactly the
// queries the refresh state machine should send: the IXFR alone (it carries our SOA, so it is the
// serial check too, RFC 1995 §2), and only when it fails an SOA probe and then AXFR.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { RRType, Rcode } from '../../../src/wire/index.js';
import type { ZoneVersion } from '../../../src/zone/index.js';
import type { EngineContext } from '../../../src/engine/context.js';
import { SNAPSHOT_EVERY, loadStored } from '../../../src/engine/persist.js';
import type { SaveRequest } from '../../../src/store/repos/versions.js';
import {
  FakePrimary, type FakeRequest, answerAxfr, answerIxfr, answerRcode, oneRecordPerMessage, recordLines, sendNotify, testZone,
} from '../../helpers/fake-primary.js';
import { type Instance, startInstance } from '../../helpers/instance.js';
import { addSecondary, logsOf, nextPublished, publishedLog, served, soaSerialOf, waitFor, waitPublished } from '../../helpers/interop-secondary/secondary.js';

describe('secondary: IXFR and its fallbacks (fake primaries)', () => {
  let zx: Instance;
  const primaries: FakePrimary[] = [];
  beforeAll(async () => {
    zx = await startInstance({ logLevel: 'info' });
  });
  afterAll(async () => {
    await Promise.all(primaries.map((p) => p.close()));
    await zx?.close();
  });

  /** setUp: a primary serving v1 (serial 1), zonexfer transferred it (AXFR), and v2 published on the primary. */
  async function setUp(origin: string): Promise<{ primary: FakePrimary; zoneId: string; v1: ZoneVersion; v2: ZoneVersion; since: number }> {
    const v1 = testZone(origin, 1, { extra: 'old 300 IN TXT "v1"\nkeep 300 IN A 192.0.2.20' });
    const v2 = testZone(origin, 2, { extra: 'new 300 IN TXT "v2"\nkeep 300 IN A 192.0.2.20\nwww 300 IN A 192.0.2.11' });
    const primary = await FakePrimary.start({ zone: v1 });
    primaries.push(primary);
    const { zoneId } = await addSecondary(zx, { origin, primary: primary.address, ixfr: true });
    await waitPublished(zx, zoneId, { serial: 1 });
    expect(primary.asked()).toEqual([RRType.AXFR]);
    primary.publish(v2);
    return { primary, zoneId, v1, v2, since: primary.requests.length };
  }

  /** notifyAndWait sends a NOTIFY from the peer's address and waits for serial 2 to be published. */
  async function notifyAndWait(primary: FakePrimary, zoneId: string, origin: string, serial = 2) {
    const published = nextPublished(zx, zoneId, { serial });
    const res = await sendNotify({ from: '127.0.0.1', to: { host: '127.0.0.1', port: zx.dnsPort }, origin, soa: primary.zone! });
    expect(res?.header.flags !== undefined && res.header.flags & 0xf).toBe(Rcode.NoError);
    return published;
  }

  it('applies an incremental IXFR from the journal (the IXFR is the serial check: no SOA probe, no AXFR)', async () => {
    const origin = 'ixfr-ok.example.';
    const { primary, zoneId, v2, since } = await setUp(origin);
    const p = await notifyAndWait(primary, zoneId, origin);
    expect(p.kind).toBe('ixfr-in');
    expect(primary.asked(since)).toEqual([RRType.IXFR]);
    expect(primary.requests.at(-1)?.ixfrSerial).toBe(1);
    expect(recordLines(zx.engine.registry.get(zoneId)!.version)).toEqual(recordLines(v2));
    expect(await soaSerialOf(zx, origin)).toBe(2);
    expect(logsOf(zx, origin, 'ixfr-in').some((l) => l['serial'] === 2 && l['msg'] === 'IXFR completed')).toBe(true);

    // Two more versions: one IXFR carries both diffs, chained (RFC 1995 §4).
    const v3 = testZone(origin, 3, { extra: 'new 300 IN TXT "v3"\nkeep 300 IN A 192.0.2.20' });
    const v4 = testZone(origin, 4, { extra: 'new 300 IN TXT "v4"\nmore 300 IN AAAA 2001:db8::4' });
    primary.publish(v3);
    primary.publish(v4);
    const mark = primary.requests.length;
    expect((await notifyAndWait(primary, zoneId, origin, 4)).kind).toBe('ixfr-in');
    expect(primary.asked(mark)).toEqual([RRType.IXFR]);
    expect(recordLines(zx.engine.registry.get(zoneId)!.version)).toEqual(recordLines(v4));
  });

  it('takes an IXFR answered with the whole zone (AXFR-style) as a full version', async () => {
    const origin = 'ixfr-full.example.';
    const { primary, zoneId, v2, since } = await setUp(origin);
    primary.script = (req: FakeRequest, p) => (req.qtype === RRType.IXFR ? answerAxfr(req, p.zone!, { qtype: RRType.IXFR }) : p.serve(req));
    const p = await notifyAndWait(primary, zoneId, origin);
    expect(p.kind).toBe('axfr-in');
    expect(primary.asked(since)).toEqual([RRType.IXFR]);
    expect(recordLines(zx.engine.registry.get(zoneId)!.version)).toEqual(recordLines(v2));
    expect(await soaSerialOf(zx, origin)).toBe(2);
  });

  it.each([
    ['NOTIMP', Rcode.NotImp],
    ['REFUSED', Rcode.Refused],
    ['FORMERR', Rcode.FormErr],
  ])('falls back to AXFR when IXFR is answered %s', async (name, rcode) => {
    const origin = `ixfr-${name.toLowerCase()}.example.`;
    const { primary, zoneId, v2, since } = await setUp(origin);
    primary.script = (req, p) => (req.qtype === RRType.IXFR ? [answerRcode(req, rcode)] : p.serve(req));
    const p = await notifyAndWait(primary, zoneId, origin);
    expect(p.kind).toBe('axfr-in');
    expect(primary.asked(since)).toEqual([RRType.IXFR, RRType.SOA, RRType.AXFR]);
    expect(recordLines(zx.engine.registry.get(zoneId)!.version)).toEqual(recordLines(v2));
    expect(logsOf(zx, origin, 'ixfr-in').some((l) => l['msg'] === 'IXFR failed, falling back to AXFR')).toBe(true);
  });

  it('falls back to AXFR when the IXFR deltas do not apply (a deletion of an RR we do not hold)', async () => {
    const origin = 'ixfr-bad-delta.example.';
    const { primary, zoneId, v1, v2, since } = await setUp(origin);
    const bogus = zoneFromDiff(v1, v2);
    primary.script = (req, p) => (req.qtype === RRType.IXFR ? answerIxfr(req, p.zone!, [bogus]) : p.serve(req));
    const p = await notifyAndWait(primary, zoneId, origin);
    expect(p.kind).toBe('axfr-in');
    expect(primary.asked(since)).toEqual([RRType.IXFR, RRType.SOA, RRType.AXFR]);
    expect(recordLines(zx.engine.registry.get(zoneId)!.version)).toEqual(recordLines(v2));
    expect(logsOf(zx, origin, 'ixfr-in').some((l) => l['msg'] === 'IXFR unusable, falling back to AXFR')).toBe(true);
  });

  it('falls back to AXFR when the IXFR starts at a serial we do not hold', async () => {
    const origin = 'ixfr-wrong-start.example.';
    const { primary, zoneId, v2, since } = await setUp(origin);
    const other = testZone(origin, 7);
    primary.script = (req, p) =>
      req.qtype === RRType.IXFR ? answerIxfr(req, p.zone!, [{ soaFrom: other.soa, soaTo: p.zone!.soa, removed: [], added: [] }]) : p.serve(req);
    expect((await notifyAndWait(primary, zoneId, origin)).kind).toBe('axfr-in');
    expect(primary.asked(since)).toEqual([RRType.IXFR, RRType.SOA, RRType.AXFR]);
    expect(recordLines(zx.engine.registry.get(zoneId)!.version)).toEqual(recordLines(v2));
  });

  /** current: a primary serving serial 1 and zonexfer holding it; the primary has nothing newer. */
  async function current(origin: string): Promise<{ primary: FakePrimary; zoneId: string; mark: number; notify: () => Promise<unknown> }> {
    const primary = await FakePrimary.start({ zone: testZone(origin, 1) });
    primaries.push(primary);
    const { zoneId } = await addSecondary(zx, { origin, primary: primary.address, ixfr: true });
    await waitPublished(zx, zoneId, { serial: 1 });
    const notify = () => sendNotify({ from: '127.0.0.1', to: { host: '127.0.0.1', port: zx.dnsPort }, origin, soa: primary.zone! });
    return { primary, zoneId, mark: primary.requests.length, notify };
  }

  it('asks nothing more when the IXFR answers that we are current (our SOA alone, RFC 1995 §4)', async () => {
    const { primary, zoneId, mark, notify } = await current('ixfr-current.example.');
    const checkedBefore = (await zx.store.incoming.get(zoneId))?.checkedTime;
    await notify();
    await vi.waitFor(async () => expect((await zx.store.incoming.get(zoneId))?.checkedTime).not.toBe(checkedBefore), { timeout: 5000 });
    await zx.engine.idle();
    expect(primary.asked(mark)).toEqual([RRType.IXFR]);
    expect(served(zx, zoneId)?.serial).toBe(1);
  });

  it('probes the SOA after a failed IXFR and pulls nothing from a primary that is current', async () => {
    const { primary, zoneId, mark, notify } = await current('ixfr-fails-current.example.');
    primary.script = (req, p) => (req.qtype === RRType.IXFR ? [answerRcode(req, Rcode.NotImp)] : p.serve(req));
    await notify();
    await vi.waitFor(() => expect(primary.asked(mark)).toEqual([RRType.IXFR, RRType.SOA]), { timeout: 5000 });
    await zx.engine.idle();
    expect(primary.asked(mark)).toEqual([RRType.IXFR, RRType.SOA]);
    expect(served(zx, zoneId)?.serial).toBe(1);
    expect(await zx.store.incoming.get(zoneId)).toMatchObject({ soaSerial: 1, lastError: null });
  });

  it('reads an IXFR sent one RR per message (BIND transfer-format one-answer)', async () => {
    // The first message then holds only the new SOA; that is not the lone-SOA "you are current"
    // answer of RFC 1995 §4 when its serial is newer than ours.
    const origin = 'ixfr-one-answer.example.';
    const { primary, zoneId, v2, since } = await setUp(origin);
    primary.script = (req, p) => {
      if (req.qtype !== RRType.IXFR) return p.serve(req);
      const diffs = p.journalFrom(req.ixfrSerial!)!;
      const rrs = [p.zone!.soa, ...diffs.flatMap((d) => [d.soaFrom, ...d.removed, d.soaTo, ...d.added]), p.zone!.soa];
      return oneRecordPerMessage(req, rrs);
    };
    const p = await notifyAndWait(primary, zoneId, origin);
    expect(p.kind).toBe('ixfr-in');
    expect(primary.asked(since)).toEqual([RRType.IXFR]);
    expect(recordLines(zx.engine.registry.get(zoneId)!.version)).toEqual(recordLines(v2));
    expect(served(zx, zoneId)?.serial).toBe(2);
  });

  it('writes the periodic full snapshot after serving the version, not before (stored state = served)', async () => {
    const origin = 'ixfr-snapshot.example.';
    const { primary, zoneId } = await setUp(origin);
    const { order, restore } = recordSaves(zoneId, () => false);
    try {
      // v1 came by AXFR (a full snapshot); SNAPSHOT_EVERY diffs later a snapshot is due.
      const last = 2 + SNAPSHOT_EVERY;
      for (let serial = 2; serial <= last; serial++) {
        if (serial > 2) primary.publish(testZone(origin, serial, { extra: `rev 300 IN TXT "v${serial}"\nkeep 300 IN A 192.0.2.20` }));
        expect((await notifyAndWait(primary, zoneId, origin, serial)).kind).toBe('ixfr-in');
      }
      await zx.engine.idle();
      const due = 1 + SNAPSHOT_EVERY;
      // Every version was stored as its diff before it was served; the one a snapshot fell due at
      // was then written in full, after it was served, as the same serial.
      for (let serial = 2; serial <= last; serial++) {
        expect(order).toContain(`incremental ${serial} saved`);
        expect(order.indexOf(`incremental ${serial} saved`)).toBeLessThan(order.indexOf(`published ${serial}`));
      }
      expect(order.filter((l) => l.startsWith('full'))).toEqual([`full ${due} saved`]);
      expect(order.indexOf(`full ${due} saved`)).toBeGreaterThan(order.indexOf(`published ${due}`));
      const stored = await zx.store.versions.current(zoneId);
      expect(stored?.serial).toBe(last);
      expect(stored?.base.serial).toBe(due);
      expect(stored?.diffs.map((d) => d.serialTo)).toEqual([last]);
      // The journal stays whole for IXFR out, and the engine still reads the stored state back.
      expect((await zx.store.versions.journal(zoneId)).length).toBeGreaterThanOrEqual(SNAPSHOT_EVERY);
      const back = await loadStored(zx.engine['ctx'] as EngineContext, zoneId, origin);
      expect(recordLines(back!.version)).toEqual(recordLines(zx.engine.registry.get(zoneId)!.version));
    } finally {
      restore();
    }
  });

  it('serves a new version before storing it and announces it once stored; a failed store keeps it served, unannounced, and the next refresh stores it whole', async () => {
    const origin = 'ixfr-store-fails.example.';
    const { primary, zoneId, v2, since } = await setUp(origin);
    const published = publishedLog(zx);
    // Stored and announced: what the engine serves at each of its writes of serial 2.
    const servedAtSave: number[] = [];
    const realSave = zx.store.versions.save.bind(zx.store.versions);
    let failNext = true;
    const save = vi.spyOn(zx.store.versions, 'save').mockImplementation(async (id, req, o) => {
      if (id === zoneId) servedAtSave.push(zx.engine.registry.get(zoneId)!.version.serial);
      if (id === zoneId && failNext) {
        failNext = false;
        throw new Error('database unavailable');
      }
      return realSave(id, req, o);
    });
    try {
      const mark = published.length;
      await sendNotify({ from: '127.0.0.1', to: { host: '127.0.0.1', port: zx.dnsPort }, origin, soa: primary.zone! });
      await waitFor('the failed store to be logged', () => logsOf(zx, origin, 'refresh').find((l) => l['msg'] === 'new version served but not stored: not announced; refresh retried'));
      // Served (already while it was being stored), not announced, not stored.
      expect(servedAtSave).toEqual([2]);
      expect(await soaSerialOf(zx, origin)).toBe(2);
      expect(recordLines(zx.engine.registry.get(zoneId)!.version)).toEqual(recordLines(v2));
      expect(published.slice(mark).filter((e) => e.zoneId === zoneId)).toEqual([]);
      expect((await zx.store.versions.current(zoneId))?.serial).toBe(1);
      await zx.engine.idle();
      const incoming = (await zx.store.incoming.get(zoneId))!;
      expect(incoming.soaSerial).toBe(1);
      expect(incoming.lastError ?? '').toContain('storing serial 2 failed: database unavailable');

      // The next refresh: the IXFR finds the primary at serial 2, so serial 2 is stored whole and announced.
      const announced = nextPublished(zx, zoneId, { serial: 2 });
      await sendNotify({ from: '127.0.0.1', to: { host: '127.0.0.1', port: zx.dnsPort }, origin, soa: primary.zone! });
      expect((await announced).kind).toBe('stored');
      expect(primary.asked(since)).toEqual([RRType.IXFR, RRType.IXFR]);
      const stored = await zx.store.versions.current(zoneId);
      expect(stored?.serial).toBe(2);
      expect(stored?.base.serial).toBe(2);
      await zx.engine.idle();
      expect((await zx.store.incoming.get(zoneId))?.soaSerial).toBe(2);
    } finally {
      save.mockRestore();
    }
  });

  it('stores whole the version after one whose store failed (its diffs do not start at the stored serial)', async () => {
    const origin = 'ixfr-store-fails-then-change.example.';
    const { primary, zoneId } = await setUp(origin);
    const realSave = zx.store.versions.save.bind(zx.store.versions);
    let failNext = true;
    const kinds: string[] = [];
    const save = vi.spyOn(zx.store.versions, 'save').mockImplementation(async (id, req, o) => {
      if (id === zoneId) kinds.push(req.kind);
      if (id === zoneId && failNext) {
        failNext = false;
        throw new Error('database unavailable');
      }
      return realSave(id, req, o);
    });
    try {
      await sendNotify({ from: '127.0.0.1', to: { host: '127.0.0.1', port: zx.dnsPort }, origin, soa: primary.zone! });
      await waitFor('serial 2 to be served', async () => ((await soaSerialOf(zx, origin)) === 2 ? true : undefined));
      await zx.engine.idle();
      const v3 = testZone(origin, 3, { extra: 'new 300 IN TXT "v3"\nkeep 300 IN A 192.0.2.20\nmail 300 IN A 192.0.2.25' });
      primary.publish(v3);
      // The IXFR gives the diff 2 → 3; the store holds serial 1.
      expect((await notifyAndWait(primary, zoneId, origin, 3)).kind).toBe('ixfr-in');
      expect(kinds).toEqual(['incremental', 'full']);
      const stored = await zx.store.versions.current(zoneId);
      expect(stored?.serial).toBe(3);
      expect(stored?.base.serial).toBe(3);
      const ctx = (zx.engine as unknown as { ctx: EngineContext }).ctx;
      const back = await loadStored(ctx, zoneId, origin);
      expect(recordLines(back!.version)).toEqual(recordLines(v3));
    } finally {
      save.mockRestore();
    }
  });

  it('writes the snapshot on the critical path once background snapshots kept losing for 2 × SNAPSHOT_EVERY diffs', async () => {
    const origin = 'ixfr-snapshot-bound.example.';
    const { primary, zoneId } = await setUp(origin);
    // Every background snapshot (a full save with no journal) loses its compare-and-set, as it
    // would to a zone that changes faster than its snapshot can be written.
    const { order, restore } = recordSaves(zoneId, (req) => req.kind === 'full' && req.journal?.length === 0);
    try {
      const bound = 1 + 2 * SNAPSHOT_EVERY;
      for (let serial = 2; serial <= bound; serial++) {
        if (serial > 2) primary.publish(testZone(origin, serial, { extra: `rev 300 IN TXT "v${serial}"\nkeep 300 IN A 192.0.2.20` }));
        expect((await notifyAndWait(primary, zoneId, origin, serial)).kind).toBe('ixfr-in');
        await zx.engine.idle();
      }
      expect(order.filter((l) => l.startsWith('background')).length).toBe(SNAPSHOT_EVERY);
      // At the bound the version is stored in full, with its diff, before it is served.
      expect(order).toContain(`full ${bound} saved`);
      expect(order).not.toContain(`incremental ${bound} saved`);
      expect(order.indexOf(`full ${bound} saved`)).toBeLessThan(order.indexOf(`published ${bound}`));
      const stored = await zx.store.versions.current(zoneId);
      expect(stored?.base.serial).toBe(bound);
      expect(stored?.diffs).toEqual([]);
    } finally {
      restore();
    }
  });

  /**
   * recordSaves lists, in order, the zone's publications (`published S`) and store saves
   * (`incremental S saved`, `full S saved`); saves `lose` picks are not made and answer
   * 'conflict', listed as `background full S conflict`.
   */
  function recordSaves(zoneId: string, lose: (req: SaveRequest) => boolean): { order: string[]; restore: () => void } {
    const order: string[] = [];
    const onPublished = (e: { zoneId: string; serial: number }) => {
      if (e.zoneId === zoneId) order.push(`published ${e.serial}`);
    };
    zx.engine.on('published', onPublished);
    const realSave = zx.store.versions.save.bind(zx.store.versions);
    const save = vi.spyOn(zx.store.versions, 'save').mockImplementation(async (id, req, o) => {
      const lost = lose(req);
      const r = lost ? 'conflict' : await realSave(id, req, o);
      if (id === zoneId) order.push(`${lost ? 'background ' : ''}${req.kind} ${req.kind === 'full' ? req.version.serial : req.serial} ${r}`);
      return r;
    });
    return {
      order,
      restore: () => {
        save.mockRestore();
        zx.engine.off('published', onPublished);
      },
    };
  }
});

/** zoneFromDiff returns a diff from v1 to v2 that also deletes an RR v1 never had. */
function zoneFromDiff(v1: ZoneVersion, v2: ZoneVersion) {
  const ghost = testZone(v1.origin, 99, { extra: 'ghost 300 IN A 198.51.100.1' });
  const ghostRr = [...ghost.records()].find((r) => r.name.startsWith('ghost'))!;
  const added = [...v2.records()].filter((r) => r.type !== RRType.SOA);
  return { soaFrom: v1.soa, soaTo: v2.soa, removed: [ghostRr], added };
}
