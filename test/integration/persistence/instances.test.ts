// Three zonexfer instances on one PostgreSQL schema (issue 6, "Scaling past one machine"), in
// process: what is configured through one instance's API is served by all three; a change to a
// primary zone made through one reaches the others through the change feed within about a second
// and the outgoing peers get one NOTIFY for it, not one per instance; a secondary zone keeps being
// refreshed when the instance holding its refresh lease dies (crash: the lease is left behind and
// must lapse) or is shut down.

import { createSocket, type Socket } from 'node:dgram';
import type Cloudflare from 'cloudflare';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { notifyResponse } from '../../../src/notify/message.js';
import { Opcode, RRType, Rcode, decodeMessage, opcodeOf } from '../../../src/wire/index.js';
import { soaSerial } from '../../../src/zone/index.js';
import { createSchema, databaseUrl, dropSchema } from '../../helpers/db.js';
import { FakePrimary, type FakeReply, sendNotify, testZone } from '../../helpers/fake-primary.js';
import { type Instance, startInstance } from '../../helpers/instance.js';
import { newToken } from '../../helpers/process.js';
import { axfrOf, digest, sleep, soaOf, waitUntil } from './helpers.js';

type PeerCreate = Cloudflare.DNS.ZoneTransfers.PeerCreateParams;

/** NotifySink answers every NOTIFY NOERROR and counts them per (zone, serial). */
async function notifySink(): Promise<{ socket: Socket; port: number; count(origin: string, serial: number): number; all: string[] }> {
  const socket = createSocket('udp4');
  const all: string[] = [];
  socket.on('message', (buf, rinfo) => {
    const d = decodeMessage(buf);
    if (!d.ok || opcodeOf(d.value.header.flags) !== Opcode.Notify) return;
    const soa = d.value.answers.find((r) => r.type === RRType.SOA);
    all.push(`${d.value.questions[0]?.name.toLowerCase()} ${soa === undefined ? '-' : soaSerial(soa.rdata)} from ${rinfo.port}`);
    socket.send(notifyResponse(d.value, Rcode.NoError), rinfo.port, rinfo.address);
  });
  await new Promise<void>((res) => socket.bind(0, '127.0.0.1', () => res()));
  return {
    socket,
    port: socket.address().port,
    all,
    count: (origin, serial) => all.filter((l) => l.startsWith(`${origin} ${serial} `)).length,
  };
}

const url = databaseUrl();
const sameSerial = async (zs: Instance[], origin: string, serial?: number): Promise<number | undefined> => {
  const got = await Promise.all(zs.map((z) => soaOf(z.dnsPort, origin)));
  if (typeof got[0] !== 'number' || got.some((g) => g !== got[0])) return undefined;
  return serial === undefined || got[0] === serial ? got[0] : undefined;
};

describe.skipIf(url === undefined)('three instances on one PostgreSQL', () => {
  let schema: string;
  let a: Instance;
  let b: Instance;
  let c: Instance;
  const closed = new Set<Instance>();
  const crashed = new Set<Instance>();
  let sink: Awaited<ReturnType<typeof notifySink>>;
  let primary: FakePrimary | undefined;
  const FULL = 'multi.example.';
  const SEC = 'multi-sec.example.';
  let fullId: string;
  let secId: string;
  // The fake primary holds back transfers while `stall` is set (a refresh caught mid-transfer).
  let stall = false;

  beforeAll(async () => {
    schema = await createSchema(url!);
    const adminToken = newToken();
    // Short refresh leases, so a crashed holder's lease lapses within the test (default 30 s).
    const tuning = { leaseSeconds: 3 };
    a = await startInstance({ shared: { url: url!, schema, adminToken }, instanceId: 'A', logLevel: 'info', tuning });
    b = await startInstance({ shared: { url: url!, schema, adminToken, accountId: a.accountId }, instanceId: 'B', logLevel: 'info', tuning });
    c = await startInstance({ shared: { url: url!, schema, adminToken, accountId: a.accountId }, instanceId: 'C', logLevel: 'info', tuning });
    sink = await notifySink();
  });
  afterAll(async () => {
    // The primary first: closing it ends the crashed instance's hanging transfer.
    await primary?.close();
    for (const z of [a, b, c]) {
      if (z === undefined) continue;
      if (crashed.has(z)) await z.engine.stop().catch(() => undefined);
      else if (!closed.has(z)) await z.close().catch(() => undefined);
    }
    sink?.socket.close();
    if (schema !== undefined) await dropSchema(url!, schema);
  });

  it('serves on B and C what was configured through A (a primary and a secondary zone)', async () => {
    const zt = a.cf.dns.zoneTransfers;
    const down = await zt.peers.create({ account_id: a.accountId, name: 'downstream', ip: '127.0.0.1', port: sink.port } as PeerCreate);
    const zone = (await a.cf.zones.create({ name: FULL.slice(0, -1), account: { id: a.accountId }, type: 'full' })) as { id: string };
    fullId = zone.id;
    await zt.outgoing.create({ zone_id: fullId, name: FULL, peers: [down.id] });
    await zt.outgoing.enable({ zone_id: fullId } as never);
    for (let i = 0; i < 5; i++) {
      await a.cf.dns.records.create({ zone_id: fullId, name: `h${i}.${FULL.slice(0, -1)}`, type: 'A', content: `192.0.2.${i + 1}`, ttl: 300 } as never);
    }
    const want = await waitUntil('A to serve the 5 records', async () => {
      const v = await axfrOf(a.dnsPort, FULL).catch(() => undefined);
      return v !== undefined && v.recordCount === 7 ? v : undefined;
    });
    await waitUntil('A, B and C to answer the same serial', () => sameSerial([a, b, c], FULL, want.serial), 5000);
    for (const z of [b, c]) expect(digest(await axfrOf(z.dnsPort, FULL))).toBe(digest(want));
    // One stored current version for the zone, which all three serve.
    expect((await a.store.versions.currentSerials()).get(fullId)).toBe(want.serial);

    primary = await FakePrimary.start({
      zone: testZone(SEC, 1),
      script: (req, p): FakeReply => (stall && (req.qtype === RRType.AXFR || req.qtype === RRType.IXFR) ? 'stall' : p.serve(req)),
    });
    const upstream = await zt.peers.create({ account_id: a.accountId, name: 'upstream', ip: '127.0.0.1', port: primary.port, ixfr_enable: true } as PeerCreate);
    const sec = (await a.cf.zones.create({ name: SEC.slice(0, -1), account: { id: a.accountId }, type: 'secondary' })) as { id: string };
    secId = sec.id;
    await zt.incoming.create({ zone_id: secId, name: SEC, peers: [upstream.id], auto_refresh_seconds: 86400 });
    await waitUntil(`A, B and C to serve ${SEC} serial 1`, () => sameSerial([a, b, c], SEC, 1), 15_000);
    // One instance transferred; the others took the stored version (no transfer of their own).
    const transfers = primary.requests.filter((r) => r.qtype === RRType.AXFR || r.qtype === RRType.IXFR);
    expect(transfers).toHaveLength(1);
  });

  it('a change through B is answered by C within about a second; the secondary is NOTIFYed once', async () => {
    const before = await sameSerial([a, b, c], FULL);
    expect(before).toBeTypeOf('number');
    const t0 = Date.now();
    await b.cf.dns.records.create({ zone_id: fullId, name: `new.${FULL.slice(0, -1)}`, type: 'TXT', content: '"through B"', ttl: 300 } as never);
    const after = await waitUntil('C to answer a new serial', async () => {
      const s = await soaOf(c.dnsPort, FULL, 500);
      return typeof s === 'number' && s !== before ? s : undefined;
    }, 5000, 10);
    const ms = Date.now() - t0;
    // How fast is measured by `npm run bench -- --scenario change-feed`, not asserted here.
    console.log(`[instances] C answered serial ${after} ${ms} ms after the change through B`);
    await waitUntil('A, B and C on the new serial', () => sameSerial([a, b, c], FULL, after), 5000);
    // Every instance reloaded the zone; only the one whose compare-and-set won NOTIFYs. Wait for
    // NOTIFY retries (1 s first timeout) to have had their chance to show up as duplicates.
    await waitUntil('a NOTIFY for the new serial', () => (sink.count(FULL, after) > 0 ? true : undefined), 5000);
    await sleep(2500);
    expect(sink.count(FULL, after), sink.all.join('\n')).toBe(1);
    // One version per change: the serial moved by one step, not once per instance.
    expect((await a.store.versions.journal(fullId)).at(-1)).toMatchObject({ serialFrom: before, serialTo: after });
  });

  it('enabling outgoing transfers through C sends one NOTIFY, not one per instance', async () => {
    const zt = c.cf.dns.zoneTransfers;
    await zt.outgoing.disable({ zone_id: fullId } as never);
    await sleep(500);
    const serial = (await sameSerial([a, b, c], FULL))!;
    const mark = sink.count(FULL, serial);
    await zt.outgoing.enable({ zone_id: fullId } as never);
    await waitUntil('a NOTIFY after enabling', () => (sink.count(FULL, serial) > mark ? true : undefined), 5000);
    await sleep(2500);
    expect(sink.count(FULL, serial) - mark, sink.all.join('\n')).toBe(1);
  });

  it('a crashed lease holder does not stop the refreshes: another instance takes over once its lease lapses', async () => {
    // A refresh on A, held back mid-transfer by the primary: A holds the zone's refresh lease.
    stall = true;
    primary!.publish(testZone(SEC, 2, { extra: 'two 300 IN TXT "2"' }));
    expect((await sendNotify({ from: '127.0.0.1', to: { host: '127.0.0.1', port: a.dnsPort }, origin: SEC }))?.header.flags).toBeDefined();
    await waitUntil('A to hold the lease', async () => ((await a.store.zoneState.get(secId))?.leaseOwner === 'A' ? true : undefined), 10_000);
    // A crashes: its listeners and its database connections are gone; its transfer hangs on.
    crashed.add(a);
    await a.api.close();
    await a.dns.close();
    await a.store.close();
    stall = false;
    const t0 = Date.now();
    // force_axfr through B's API: refused the lease at first, it retries until A's lease lapses.
    await b.cf.dns.zoneTransfers.forceAXFR.create({ zone_id: secId } as never);
    await waitUntil('B and C to answer serial 2', () => sameSerial([b, c], SEC, 2), 20_000);
    console.log(`[instances] serial 2 served by B and C ${Date.now() - t0} ms after A crashed holding the lease`);
    const holder = (await b.store.zoneState.get(secId))?.leaseOwner;
    expect(holder === null || holder === 'B' || holder === 'C').toBe(true);
  });

  it('a lease holder that shuts down hands over at once: NOTIFY to the remaining instance refreshes it', async () => {
    // Whoever transferred serial 2 (B, via force_axfr) shuts down gracefully; C is left.
    closed.add(b);
    await b.close();
    primary!.publish(testZone(SEC, 3, { extra: 'three 300 IN TXT "3"' }));
    const res = await sendNotify({ from: '127.0.0.1', to: { host: '127.0.0.1', port: c.dnsPort }, origin: SEC });
    expect(res !== undefined && (res.header.flags & 0xf) === Rcode.NoError).toBe(true);
    await waitUntil('C to answer serial 3', () => sameSerial([c], SEC, 3), 10_000);
    expect((await c.store.versions.currentSerials()).get(secId)).toBe(3);
  });

  it('a force_axfr that finds the lease taken waits for it and is still a full transfer (same serial)', async () => {
    // Another (say, stuck) instance holds the refresh lease for 3 s, taken as soon as C's lease
    // from its last refresh has lingered (a third of leaseSeconds, engine/lease.ts).
    await waitUntil('X to take the lease', async () => ((await c.store.zoneState.acquireLease(secId, 'X', 3)) ? true : undefined), 5000);
    const axfrs = () => primary!.requests.filter((r) => r.qtype === RRType.AXFR).length;
    const before = axfrs();
    await c.cf.dns.zoneTransfers.forceAXFR.create({ zone_id: secId } as never);
    // The serial did not change: only a forced AXFR transfers (a plain refresh would stop at the SOA).
    await waitUntil('the forced AXFR to reach the primary', () => (axfrs() > before ? true : undefined), 15_000);
    await waitUntil('C to serve serial 3', () => sameSerial([c], SEC, 3), 5000);
  });
});
