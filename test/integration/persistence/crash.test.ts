// Crash safety (issue 6): the real process is killed with SIGKILL at random points while it takes
// in a large zone by AXFR, while it applies an IXFR, and while a records-API batch turns into a
// new version; after each kill the store must hold exactly the old or exactly the new version of
// the zone — never a mix — with a journal that ends at that serial, and the restarted process must
// serve exactly that. Several iterations per case with random delays (logged, so a failure can be
// replayed), on PGlite (a data dir) and on Postgres (a schema); each case has its own database.
//
// ZX_CRASH_ITERATIONS (default 6) and ZX_CRASH_RECORDS (default 200000) scale the run.

import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { RRClass, RRType, type ResourceRecord, nameFromTrusted } from '../../../src/wire/index.js';
import { type ZoneVersion, compareSerial, serial as toSerial } from '../../../src/zone/index.js';
import { sendNotify } from '../../helpers/fake-primary.js';
import { type ZxProcess, killAll, startZonexfer } from '../../helpers/process.js';
import {
  type ProcessDb, type StoredZone, VersionPrimary, addPrimaryZone, addSecondaryZone, axfrOf, bigZone, digest, hosts, newProcessDb, postBatch, readStored,
  setupAccount, sleep, soaOf, storeKinds, waitUntil,
} from './helpers.js';

const ITERATIONS = Number(process.env['ZX_CRASH_ITERATIONS'] ?? 6);
const RECORDS = Number(process.env['ZX_CRASH_RECORDS'] ?? 200_000);
const BATCH = 1000;

/** Crash is one case's running state: its database, process and the versions it may end at. */
interface Crash {
  db: ProcessDb;
  zx: ZxProcess;
  readonly log: string[];
}

/**
 * inspect opens the store as the kill left it (before any restart) and decodes the zone. A refresh
 * lease the dead process held is released (noted in the log): it would lapse after the engine's
 * leaseSeconds (30 s) and only delay the next iteration's transfer; test 3 covers that lapse.
 */
async function inspect(c: Crash, zoneId: string, origin: string): Promise<StoredZone & { lease: string | null }> {
  if (c.db.databaseUrl !== undefined) await orphansDone(c.db.databaseUrl);
  const store = await c.db.open();
  try {
    const s = await readStored(store, zoneId, origin);
    const lease = (await store.zoneState.get(zoneId))?.leaseOwner ?? null;
    if (lease !== null) await store.zoneState.releaseLease(zoneId, lease);
    return { ...s, lease };
  } finally {
    await store.close();
  }
}

/**
 * orphansDone waits (at most 5 s) until PostgreSQL has finished the statements the killed process
 * left running: the server completes, and may commit, a statement whose client died. Reading the
 * store while one still runs could see its journal rows before and its zone_current row after it.
 */
async function orphansDone(url: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    for (let i = 0; i < 100; i++) {
      const r = await client.query<{ n: string }>(
        "SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND state = 'active' AND query LIKE '%zone_current%'",
      );
      if (Number(r.rows[0]?.n ?? 0) === 0) return;
      await sleep(50);
    }
  } finally {
    await client.end();
  }
}

/** journalEndsAt: the zone_journal rows (if any) end at `serial`, and chain without gaps. */
function expectJournalEndsAt(s: StoredZone, serial: number | undefined): void {
  const j = s.journalSerials;
  if (j.length === 0) return;
  expect(j.at(-1)![1]).toBe(serial);
  for (let i = 1; i < j.length; i++) expect(j[i]![0], `journal ${JSON.stringify(j)}`).toBe(j[i - 1]![1]);
}

/** restart starts the process again on the same database and checks it serves `serial` with `want` records. */
async function restartAndCheck(c: Crash, origin: string, serial: number, want: string): Promise<void> {
  c.zx = await startZonexfer({ dataDir: c.db.dataDir, databaseUrl: c.db.databaseUrl, timeoutMs: 120_000 });
  expect(await soaOf(c.zx.dnsPort, origin)).toBe(serial);
  expect(digest(await axfrOf(c.zx.dnsPort, origin))).toBe(want);
}

/** random delay in [0, max) ms. */
const randomDelay = (max: number) => Math.floor(Math.random() * max);

/**
 * KILL_SPAN: delays are drawn from [0, KILL_SPAN × the calibrated time of one clean run), so kills
 * land before, during and (a few) after the write; a restarted process is slower than a warm one.
 */
const KILL_SPAN = 2;

describe.each(storeKinds())('crash safety: SIGKILL at random points (real process, %s)', (kind) => {
  const cases: Crash[] = [];
  const primaries: VersionPrimary[] = [];
  afterAll(async () => {
    await killAll();
    for (const p of primaries) await p.close().catch(() => undefined);
    for (const c of cases) await c.db.cleanup().catch(() => undefined);
  });

  async function newCase(): Promise<Crash> {
    const db = await newProcessDb(kind);
    const zx = await startZonexfer({ dataDir: db.dataDir, databaseUrl: db.databaseUrl, timeoutMs: 120_000 });
    const c: Crash = { db, zx, log: [] };
    cases.push(c);
    return c;
  }

  it(`during the AXFR in of a ${RECORDS}-record zone: exactly the old or the new version`, async () => {
    const origin = 'axfr.crash.example.';
    const c = await newCase();
    let gen = 1;
    let v: ZoneVersion = bigZone(origin, gen, RECORDS, gen);
    const digests = new Map<number, string>([[v.serial, digest(v)]]);
    const primary = await VersionPrimary.start(v);
    primaries.push(primary);
    const account = await setupAccount(c.zx.cf);
    const zoneId = await addSecondaryZone(c.zx.cf, account, origin, primary.port, { ixfr: false });
    await c.zx.waitLog((l) => l['msg'] === 'AXFR completed' && l['serial'] === 1, { timeoutMs: 120_000 });

    // Calibration: one AXFR of a new generation without a kill, from force_axfr to published.
    const next = () => {
      gen++;
      v = bigZone(origin, gen, RECORDS, gen);
      digests.set(v.serial, digest(v));
      primary.publish(v, false);
    };
    // The kill is timed from the moment the primary receives the AXFR request.
    const axfrRequested = async (before: number) => {
      await waitUntil('the AXFR request', () => (primary.axfrs > before ? true : undefined), 60_000, 2);
      return Date.now();
    };
    next();
    let asked = primary.axfrs;
    await c.zx.cf.dns.zoneTransfers.forceAXFR.create({ zone_id: zoneId } as never);
    let t0 = await axfrRequested(asked);
    await c.zx.waitLog((l) => l['msg'] === 'AXFR completed' && l['serial'] === v.serial, { timeoutMs: 120_000 });
    const window = Date.now() - t0;
    c.log.push(`calibration: AXFR request to published ${window} ms`);
    let served: number = v.serial;

    const outcomes: string[] = [];
    for (let i = 0; i < ITERATIONS; i++) {
      next();
      const delay = randomDelay(window * KILL_SPAN);
      asked = primary.axfrs;
      await c.zx.cf.dns.zoneTransfers.forceAXFR.create({ zone_id: zoneId } as never);
      t0 = await axfrRequested(asked);
      await sleep(delay);
      await c.zx.kill('SIGKILL');
      const killedAfter = Date.now() - t0;
      const s = await inspect(c, zoneId, origin);
      const outcome = s.serial === served ? 'old' : s.serial === v.serial ? 'new' : `unexpected serial ${s.serial}`;
      c.log.push(`iteration ${i + 1}: killed ${killedAfter} ms after the AXFR request → ${outcome}${s.lease !== null ? ' (mid-refresh: lease held)' : ''}`);
      outcomes.push(outcome);
      expect([served, v.serial], c.log.join('\n')).toContain(s.serial);
      expect(digest(s.version!), c.log.join('\n')).toBe(digests.get(s.serial!));
      expectJournalEndsAt(s, s.serial);
      served = s.serial!;
      await restartAndCheck(c, origin, served, digests.get(served)!);
    }
    console.log(`[crash ${kind} axfr] ${c.log.join('; ')}`);
    // The zone stays refreshable after all this: one more AXFR goes through.
    next();
    await c.zx.cf.dns.zoneTransfers.forceAXFR.create({ zone_id: zoneId } as never);
    await waitUntil(`serial ${v.serial}`, async () => ((await soaOf(c.zx.dnsPort, origin)) === v.serial ? true : undefined), 120_000);
    expect(outcomes.every((o) => o === 'old' || o === 'new')).toBe(true);
  }, 900_000);

  it(`during an IXFR apply on a ${RECORDS}-record zone: exactly the old or the new version, journal at the served serial`, async () => {
    const origin = 'ixfr.crash.example.';
    const c = await newCase();
    let gen = 1;
    // Every tenth host changes from one generation to the next: IXFRs of ~10 % of the zone.
    let v: ZoneVersion = bigZone(origin, gen, RECORDS, gen, 10);
    const digests = new Map<number, string>([[v.serial, digest(v)]]);
    const primary = await VersionPrimary.start(v);
    primaries.push(primary);
    const account = await setupAccount(c.zx.cf);
    const zoneId = await addSecondaryZone(c.zx.cf, account, origin, primary.port, { ixfr: true });
    await c.zx.waitLog((l) => l['msg'] === 'AXFR completed' && l['serial'] === 1, { timeoutMs: 120_000 });
    const next = () => {
      gen++;
      v = bigZone(origin, gen, RECORDS, gen, 10);
      digests.set(v.serial, digest(v));
      primary.publish(v, true);
    };
    const notify = () => sendNotify({ from: '127.0.0.1', to: { host: '127.0.0.1', port: c.zx.dnsPort }, origin });

    // The kill is timed from the moment the primary receives the IXFR request.
    const ixfrRequested = async (before: number) => {
      await waitUntil('the IXFR request', () => (primary.ixfrs > before ? true : undefined), 60_000, 2);
      return Date.now();
    };
    next();
    let asked = primary.ixfrs;
    await notify();
    let t0 = await ixfrRequested(asked);
    await c.zx.waitLog((l) => l['msg'] === 'IXFR completed' && l['serial'] === v.serial, { timeoutMs: 120_000 });
    const window = Date.now() - t0;
    c.log.push(`calibration: IXFR request to published ${window} ms`);
    let served: number = v.serial;

    for (let i = 0; i < ITERATIONS; i++) {
      // A version the primary published but zonexfer never stored is offered again (IXFR from the
      // served serial is still in the primary's journal); otherwise a new generation.
      if (v.serial === served) next();
      const delay = randomDelay(window * KILL_SPAN);
      asked = primary.ixfrs;
      await notify();
      t0 = await ixfrRequested(asked);
      await sleep(delay);
      await c.zx.kill('SIGKILL');
      const killedAfter = Date.now() - t0;
      const s = await inspect(c, zoneId, origin);
      const outcome = s.serial === served ? 'old' : s.serial === v.serial ? 'new' : `unexpected serial ${s.serial}`;
      c.log.push(`iteration ${i + 1}: killed ${killedAfter} ms after the IXFR request → ${outcome}${s.lease !== null ? ' (mid-refresh: lease held)' : ''}, ${s.diffsAfterBase} diffs after snapshot ${s.baseSerial}`);
      expect([served, v.serial], c.log.join('\n')).toContain(s.serial);
      expect(digest(s.version!), c.log.join('\n')).toBe(digests.get(s.serial!));
      expectJournalEndsAt(s, s.serial);
      served = s.serial!;
      await restartAndCheck(c, origin, served, digests.get(served)!);
    }
    console.log(`[crash ${kind} ixfr] ${c.log.join('; ')}`);
    // Still incremental afterwards: the next change arrives by IXFR.
    if (v.serial === served) next();
    const mark = c.zx.logs.length;
    await notify();
    await c.zx.waitLog((l) => l['msg'] === 'IXFR completed' && l['serial'] === v.serial, { timeoutMs: 120_000, from: mark });
  }, 900_000);

  it('during a records-API batch: the records and the version move together, or not at all', async () => {
    const origin = 'records.crash.example.';
    const c = await newCase();
    const account = await setupAccount(c.zx.cf);
    const zoneId = await addPrimaryZone(c.zx.cf, account, origin);
    // A base of 5000 records, then one batch of BATCH new records per iteration.
    for (let k = 0; k < 5; k++) expect((await postBatch(c.zx.apiUrl, c.zx.token, zoneId, hosts(origin, k * BATCH, BATCH, 1))).status).toBe(200);
    let current = await waitUntil('the base records', async () => {
      const got = await axfrOf(c.zx.dnsPort, origin).catch(() => undefined);
      return got !== undefined && got.recordCount === 5 * BATCH + 2 ? got : undefined;
    }, 60_000);
    const rrOf = (p: { name: string; content: string; ttl: number }): ResourceRecord => ({
      name: nameFromTrusted(`${p.name}.`), type: RRType.A, class: RRClass.IN, ttl: p.ttl, rdata: Uint8Array.from(p.content.split('.').map(Number)),
    });
    const withoutSoa = (rrs: Iterable<ResourceRecord>) => [...rrs].filter((r) => r.type !== RRType.SOA);

    // Calibration: one batch without a kill, from the request to the published version.
    let nextHost = 5 * BATCH;
    const t0 = Date.now();
    const calib = hosts(origin, nextHost, BATCH, 1);
    nextHost += BATCH;
    expect((await postBatch(c.zx.apiUrl, c.zx.token, zoneId, calib)).status).toBe(200);
    current = await waitUntil('the calibration batch', async () => {
      const got = await axfrOf(c.zx.dnsPort, origin).catch(() => undefined);
      return got !== undefined && got.recordCount === current.recordCount + BATCH ? got : undefined;
    }, 60_000);
    const window = Date.now() - t0;
    c.log.push(`calibration: batch of ${BATCH} to published ${window} ms`);

    for (let i = 0; i < ITERATIONS; i++) {
      const batch = hosts(origin, nextHost, BATCH, 1);
      nextHost += BATCH;
      const oldDigest = digest(withoutSoa(current.records()));
      const newDigest = digest([...withoutSoa(current.records()), ...batch.map(rrOf)]);
      const delay = randomDelay(window * KILL_SPAN);
      const abort = new AbortController();
      const req = postBatch(c.zx.apiUrl, c.zx.token, zoneId, batch, abort.signal).catch(() => undefined);
      await sleep(delay);
      await c.zx.kill('SIGKILL');
      abort.abort();
      await req;
      // The records table: all of the batch or none of it.
      const store = await c.db.open();
      let s: StoredZone;
      let inBatch: number;
      try {
        const names = new Set(batch.map((r) => r.name));
        inBatch = (await store.records.all(zoneId)).filter((r) => names.has(r.name)).length;
        s = await readStored(store, zoneId, origin);
      } finally {
        await store.close();
      }
      const stored = digest(withoutSoa(s.version!.records()));
      const outcome = `records ${inBatch === 0 ? 'old' : inBatch === BATCH ? 'new' : `PARTIAL ${inBatch}`}, version ${stored === oldDigest ? 'old' : stored === newDigest ? 'new' : 'MIXED'} (serial ${s.serial})`;
      c.log.push(`iteration ${i + 1}: killed ${delay} ms after the request → ${outcome}`);
      expect([0, BATCH], c.log.join('\n')).toContain(inBatch);
      expect([oldDigest, newDigest], c.log.join('\n')).toContain(stored);
      // A stored new version implies committed records (the version is built from them).
      if (stored === newDigest) expect(inBatch).toBe(BATCH);
      expectJournalEndsAt(s, s.serial);
      // The restarted process serves what the records say from its first answer on: the stored
      // version when it matches them, else (a batch committed, its version not yet stored) the
      // version built at start-up from the records, under a new serial.
      c.zx = await startZonexfer({ dataDir: c.db.dataDir, databaseUrl: c.db.databaseUrl, timeoutMs: 120_000 });
      const want = inBatch === BATCH ? newDigest : oldDigest;
      current = await axfrOf(c.zx.dnsPort, origin);
      expect(digest(withoutSoa(current.records())), c.log.join('\n')).toBe(want);
      if (stored === want) expect(current.serial).toBe(s.serial);
      else expect(compareSerial(current.serial, toSerial(s.serial!))).toBe('gt');
      expect(await soaOf(c.zx.dnsPort, origin)).toBe(current.serial);
    }
    console.log(`[crash ${kind} records] ${c.log.join('; ')}`);
    // The journal of the final state ends at the served serial.
    await c.zx.stop();
    const s = await inspect(c, zoneId, origin);
    expect(s.serial).toBe(current.serial);
    expectJournalEndsAt(s, current.serial);
  }, 900_000);
});
