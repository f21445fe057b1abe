// Restart without re-transfer (issue 6), on the real process (`node dist/cli/main.js serve`), on
// PGlite (a data dir) and on Postgres (a schema): a secondary zone pulled from a primary and a
// primary ('full') zone made through the records API are served again by a restarted zonexfer
// from the store alone — the secondary's primary is gone (a tripwire listens on its port and
// must see nothing) and the primary zone keeps its serial (nothing changed, nothing bumped).

import { type Socket as UdpSocket, createSocket } from 'node:dgram';
import { type Server, createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RRType } from '../../../src/wire/index.js';
import { soaSerial } from '../../../src/zone/index.js';
import { type ZxProcess, killAll, startZonexfer } from '../../helpers/process.js';
import {
  type ProcessDb, VersionPrimary, addPrimaryZone, addSecondaryZone, axfrOf, bigZone, digest, hosts, ixfrOf, newProcessDb, postBatch, readStored, setupAccount,
  sleep, soaOf, storeKinds, waitUntil,
} from './helpers.js';

/** Tripwire listens on UDP and TCP `port` and records every contact (a primary that must stay unasked). */
async function tripwire(port: number): Promise<{ contacts: string[]; close(): Promise<void> }> {
  const contacts: string[] = [];
  const udp: UdpSocket = createSocket('udp4');
  udp.on('message', (_m, r) => contacts.push(`udp from ${r.address}#${r.port}`));
  await new Promise<void>((res, rej) => {
    udp.once('error', rej);
    udp.bind(port, '127.0.0.1', () => res());
  });
  const tcp: Server = createServer((s) => {
    contacts.push(`tcp from ${s.remoteAddress}#${s.remotePort}`);
    s.destroy();
  });
  await new Promise<void>((res, rej) => {
    tcp.once('error', rej);
    tcp.listen(port, '127.0.0.1', () => res());
  });
  return {
    contacts,
    close: async () => {
      udp.close();
      await new Promise<void>((res) => tcp.close(() => res()));
    },
  };
}

const SEC = 'sec.restart.example.';
const FULL = 'full.restart.example.';
const SEC_SERIAL = 2026112701;

describe.each(storeKinds())('restart without re-transfer (real process, %s)', (kind) => {
  let db: ProcessDb;
  let primary: VersionPrimary | undefined;
  let wire: Awaited<ReturnType<typeof tripwire>> | undefined;

  beforeAll(async () => {
    db = await newProcessDb(kind);
  });
  afterAll(async () => {
    await killAll();
    await primary?.close().catch(() => undefined);
    await wire?.close();
    await db?.cleanup();
  });

  it('answers the secondary and the primary zone at once, same serials and records, without asking any primary', async () => {
    const secVersion = bigZone(SEC, SEC_SERIAL, 5000, 1);
    primary = await VersionPrimary.start(secVersion);
    let zx: ZxProcess = await startZonexfer({ dataDir: db.dataDir, databaseUrl: db.databaseUrl });
    const account = await setupAccount(zx.cf);
    const secId = await addSecondaryZone(zx.cf, account, SEC, primary.port);
    const fullId = await addPrimaryZone(zx.cf, account, FULL);
    const res = await postBatch(zx.apiUrl, zx.token, fullId, hosts(FULL, 0, 200, 1));
    expect(res.status).toBe(200);
    await waitUntil(`${SEC} at serial ${SEC_SERIAL}`, async () => ((await soaOf(zx.dnsPort, SEC)) === SEC_SERIAL ? true : undefined), 30_000);
    // The primary zone settles once its 200 records are in (SOA and NS are synthesised); one more
    // change then leaves a diff in its journal, for IXFR out after the restart.
    const fullMid = await waitUntil(`${FULL} with its 200 records`, async () => {
      const v = await axfrOf(zx.dnsPort, FULL).catch(() => undefined);
      return v !== undefined && v.recordCount === 202 ? v : undefined;
    });
    expect((await postBatch(zx.apiUrl, zx.token, fullId, hosts(FULL, 1000, 10, 2))).status).toBe(200);
    const fullBefore = await waitUntil(`${FULL} with 10 more records`, async () => {
      const v = await axfrOf(zx.dnsPort, FULL).catch(() => undefined);
      return v !== undefined && v.recordCount === 212 ? v : undefined;
    });
    const secBefore = await axfrOf(zx.dnsPort, SEC);
    expect(digest(secBefore)).toBe(digest(secVersion));
    expect(primary.axfrs).toBe(1);

    // Graceful stop (SIGTERM), then the primary goes away and a tripwire takes its port.
    expect(await zx.stop()).toEqual({ code: 0, signal: null });
    const port = primary.port;
    await primary.close();
    primary = undefined;
    wire = await tripwire(port);

    zx = await startZonexfer({ dataDir: db.dataDir, databaseUrl: db.databaseUrl });
    // The very first answers are the stored versions: the DNS listener opens only after the
    // engine loaded every zone, so there is no window of REFUSED or an empty zone.
    expect(await soaOf(zx.dnsPort, SEC)).toBe(SEC_SERIAL);
    expect(await soaOf(zx.dnsPort, FULL)).toBe(fullBefore.serial);
    console.log(`[restart ${kind}] serving ${SEC} (${secVersion.recordCount} records) and ${FULL} ${zx.readyAt - zx.startedAt} ms after spawn`);
    expect(digest(await axfrOf(zx.dnsPort, SEC))).toBe(digest(secBefore));
    expect(digest(await axfrOf(zx.dnsPort, FULL))).toBe(digest(fullBefore));
    // The journal came back too: IXFR from the previous serial is the 10-record diff, not the zone.
    const ixfr = await ixfrOf(zx.dnsPort, FULL, fullMid.soa);
    expect(ixfr.map((d) => [soaSerial(d.soaFrom.rdata), soaSerial(d.soaTo.rdata)]).at(-1)).toEqual([expect.any(Number), fullBefore.serial]);
    expect(soaSerial(ixfr[0]!.soaFrom.rdata)).toBe(fullMid.serial);
    const added = ixfr.flatMap((d) => d.added).filter((r) => r.type !== RRType.SOA);
    expect(added.map((r) => String(r.name).toLowerCase()).sort()).toEqual(hosts(FULL, 1000, 10, 2).map((h) => `${h.name}.`).sort());
    expect(ixfr.flatMap((d) => d.removed).filter((r) => r.type !== RRType.SOA)).toEqual([]);

    // Nothing asked the (gone) primary, nothing was transferred in, the primary zone kept its serial.
    await sleep(1500);
    expect(wire.contacts).toEqual([]);
    const transfers = zx.logs.filter((l) => ['axfr-in', 'ixfr-in', 'refresh'].includes(String(l['op'])));
    expect(transfers).toEqual([]);
    expect(zx.logs.filter((l) => l['msg'] === 'zone published')).toEqual([]);
    expect(await soaOf(zx.dnsPort, FULL)).toBe(fullBefore.serial);
    const started = zx.logs.find((l) => l['msg'] === 'zones loaded');
    expect(started).toMatchObject({ zones: 2, configured: 2 });

    // The store agrees with what is served.
    expect(await zx.stop()).toEqual({ code: 0, signal: null });
    const store = await db.open();
    try {
      const sec = await readStored(store, secId, SEC);
      const full = await readStored(store, fullId, FULL);
      expect(sec.version?.serial).toBe(SEC_SERIAL);
      expect(digest(sec.version!)).toBe(digest(secBefore));
      expect(full.version?.serial).toBe(fullBefore.serial);
      expect(digest(full.version!)).toBe(digest(fullBefore));
      // The primary zone's journal ends at the served serial.
      expect(full.journalSerials.at(-1)?.[1] ?? full.version?.serial).toBe(fullBefore.serial);
    } finally {
      await store.close();
    }
  }, 120_000);

  it('a damaged stored version does not block its zone: the restart transfers it again and serves it', async () => {
    const DMG = 'damaged.restart.example.';
    const v = bigZone(DMG, 3, 500, 1);
    const upstream = await VersionPrimary.start(v);
    try {
      let zx = await startZonexfer({ dataDir: db.dataDir, databaseUrl: db.databaseUrl });
      const account = await setupAccount(zx.cf);
      const zoneId = await addSecondaryZone(zx.cf, account, DMG, upstream.port);
      await waitUntil(`${DMG} at serial 3`, async () => ((await soaOf(zx.dnsPort, DMG)) === 3 ? true : undefined), 30_000);
      expect(await zx.stop()).toEqual({ code: 0, signal: null });
      // Damage the stored snapshot (a bad disk, a bad restore): it no longer decodes.
      const sql = await db.sql();
      try {
        await sql.query(`UPDATE zone_version_chunks SET data = decode('0001020304', 'hex') WHERE zone_id = $1`, [zoneId]);
      } finally {
        await sql.close();
      }
      zx = await startZonexfer({ dataDir: db.dataDir, databaseUrl: db.databaseUrl });
      expect(zx.logs.some((l) => l['zone'] === DMG && l['msg'] === 'stored version is damaged; ignoring it')).toBe(true);
      // The zone is transferred again and its new copy replaces the damaged one (before the fix
      // the compare-and-set lost to the damaged row on every refresh: never served again).
      await waitUntil(`${DMG} served again`, async () => ((await soaOf(zx.dnsPort, DMG)) === 3 ? true : undefined), 30_000);
      expect(digest(await axfrOf(zx.dnsPort, DMG))).toBe(digest(v));
      expect(upstream.axfrs).toBe(2);
      expect(await zx.stop()).toEqual({ code: 0, signal: null });
      const store = await db.open();
      try {
        expect(digest((await readStored(store, zoneId, DMG)).version!)).toBe(digest(v));
      } finally {
        await store.close();
      }
    } finally {
      await upstream.close();
    }
  }, 120_000);
});
