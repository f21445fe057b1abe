// TCP abuse against the real listeners (RFC 7766 §6.2.3 idle timeouts, §10 resource limits): idle
// connection floods (2 000 connections, per-client and global caps), slow readers on a large AXFR
// (server memory must not grow with the zone: back-pressure, then the idle/write timeout), half-sent
// length prefixes and trickled messages, and pipelined floods with and without reading. During
// each, a canary keeps asking an ordinary question over UDP and TCP; its answer rate is printed and
// the only timing-free assertion made of it is that it still answers, correctly.
import type { Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_QUEUED } from '../../../src/server/index.js';
import { RRType, decodeMessage } from '../../../src/wire/index.js';
import { query } from '../../helpers/server.js';
import {
  type AbuseServer,
  Canary,
  LIMITS,
  bigZone,
  connectFrom,
  describeCanary,
  framed,
  memoryMb,
  sleep,
  startAbuseServer,
  waitFor,
} from './helpers.js';

const BIG_RECORDS = 120_000;
const report: string[] = [];
const log = (line: string): void => {
  report.push(line);
  console.log(line);
};

/** openBesidesCanary: the server's TCP connections minus the canary's (it holds at most one, at times none). */
const openBesidesCanary = (s: AbuseServer): number => Math.max(0, s.server.stats.snapshot().tcp.open - 1);

/** FLOOD_IDLE_MS: long enough that no connection of a flood is swept before the last one connects. */
const FLOOD_IDLE_MS = 5000;

/** flood opens 2 000 connections in waves of 200 from `address(i)`, sampling the peak of open connections. */
async function flood(s: AbuseServer, address: (i: number) => string): Promise<{ socks: Socket[]; peak: number }> {
  let peak = 0;
  const sampler = setInterval(() => (peak = Math.max(peak, s.server.stats.snapshot().tcp.open)), 5);
  const socks: Socket[] = [];
  for (let batch = 0; batch < 10; batch++) {
    const wave: Promise<Socket>[] = [];
    for (let i = 0; i < 200; i++) wave.push(connectFrom(s.port, address(batch * 200 + i)));
    socks.push(...(await Promise.all(wave)));
  }
  await sleep(300);
  clearInterval(sampler);
  return { socks, peak: Math.max(peak, s.server.stats.snapshot().tcp.open) };
}

describe('TCP abuse', () => {
  const big = bigZone(BIG_RECORDS);
  let zoneBytes = 0;

  beforeAll(async () => {
    // Measure the AXFR of big.test. once (and see it arrives whole), outside any scenario.
    const s = await startAbuseServer({ big });
    const sock = await connectFrom(s.port);
    let bytes = 0;
    let soas = 0;
    let buf = Buffer.alloc(0);
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, 30_000);
      sock.on('data', (c: Buffer) => {
        bytes += c.length;
        buf = Buffer.concat([buf, c]);
        while (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
          const m = decodeMessage(buf.subarray(2, 2 + buf.readUInt16BE(0)));
          if (m.ok) soas += m.value.answers.filter((a) => a.type === RRType.SOA).length;
          buf = buf.subarray(2 + buf.readUInt16BE(0));
        }
        if (soas >= 2) {
          clearTimeout(timer);
          resolve();
        }
      });
      sock.write(framed([query('big.test', 'AXFR')]));
    });
    sock.destroy();
    zoneBytes = bytes;
    expect(soas).toBe(2);
    await s.close();
  });

  afterAll(() => {
    console.log(['[abuse] summary', ...report].join('\n'));
  });

  it('2 000 idle connections from 20 addresses: per-client cap holds, idle timeout sweeps, queries answered', { timeout: 120_000 }, async () => {
    const s = await startAbuseServer({ limits: { tcpMaxConnectionsPerClient: 40, tcpIdleTimeoutMs: FLOOD_IDLE_MS } });
    const canary = new Canary(s.port);
    await sleep(200);
    const { socks, peak } = await flood(s, (i) => `127.0.0.${11 + (i % 20)}`);
    const stats = s.server.stats.snapshot().tcp;
    // Per-client cap: 20 addresses × 40 (+ the canary's one connection from its own address).
    expect(peak).toBeLessThanOrEqual(20 * 40 + 1);
    expect(stats.rejected).toBeGreaterThanOrEqual(2000 - 20 * 40);
    // The idle timeout sweeps them all (nothing in flight, no whole message ever received).
    expect(await waitFor(() => openBesidesCanary(s) === 0, FLOOD_IDLE_MS * 3)).toBe(true);
    const r = await canary.stop();
    for (const x of socks) x.destroy();
    log(`[abuse] idle flood, 2000 conns from 20 addresses (per-client cap 40, global 1000, idle ${FLOOD_IDLE_MS} ms): peak open ${peak}, rejected ${stats.rejected}, idle-closed ${s.server.stats.snapshot().tcp.idleClosed}; canary ${describeCanary(r)}`);
    expect(r.udp.wrong + r.tcp.wrong).toBe(0);
    expect(r.udp.answered).toBeGreaterThan(0);
    expect(r.tcp.answered).toBeGreaterThan(0);
    await s.close();
  });

  it('2 000 idle connections from 100 addresses: the global cap holds by closing the idlest, and TCP keeps answering', { timeout: 120_000 }, async () => {
    const s = await startAbuseServer({ limits: { tcpIdleTimeoutMs: FLOOD_IDLE_MS } });
    const canary = new Canary(s.port);
    await sleep(200);
    const { socks, peak } = await flood(s, (i) => `127.0.1.${1 + (i % 100)}`);
    const tcp = s.server.stats.snapshot().tcp;
    expect(peak).toBeLessThanOrEqual(LIMITS.tcpMaxConnections);
    // RFC 7766 §6.2.3: at the bound, each new connection closes the idlest one instead of being
    // refused (every flood connection is idle), so the last thousand are the ones still open.
    expect(tcp.evicted).toBeGreaterThanOrEqual(2000 - LIMITS.tcpMaxConnections);
    expect(tcp.rejected).toBe(0);
    const during = { ...canary.tcp };
    expect(await waitFor(() => openBesidesCanary(s) === 0, FLOOD_IDLE_MS * 3)).toBe(true);
    const r = await canary.stop();
    for (const x of socks) x.destroy();
    log(
      `[abuse] idle flood, 2000 conns from 100 addresses (global cap 1000, idle ${FLOOD_IDLE_MS} ms): peak open ${peak}, evicted ${tcp.evicted}, rejected ${tcp.rejected}; ` +
        `canary TCP during the flood ${during.answered}/${during.sent}; canary ${describeCanary(r)}`,
    );
    expect(r.udp.wrong + r.tcp.wrong).toBe(0);
    expect(r.udp.answered).toBeGreaterThan(0);
    // The canary's connections make room for themselves: TCP is answered during the flood too.
    expect(during.answered).toBeGreaterThan(0);
    await s.close();
  });

  it('at the global cap, the idlest connection makes room; busy ones are never closed for a newcomer', { timeout: 60_000 }, async () => {
    const cap = 6;
    const s = await startAbuseServer({ big, limits: { tcpMaxConnections: cap, tcpIdleTimeoutMs: FLOOD_IDLE_MS } });
    const closed = (x: Socket) => new Promise<boolean>((resolve) => (x.destroyed ? resolve(true) : x.once('close', () => resolve(true))));
    /** busyOne asks for the big AXFR and never reads: its answer stays in flight. */
    const busyOne = async (address: string) => {
      const x = await connectFrom(s.port, address);
      x.pause();
      x.write(framed([query('big.test', 'AXFR')]));
      return x;
    };
    const busy: Socket[] = [];
    for (let i = 0; i < 3; i++) busy.push(await busyOne(`127.0.2.${1 + i}`));
    // Three idle ones, the first of them idle the longest.
    const idle: Socket[] = [];
    for (let i = 0; i < 3; i++) {
      idle.push(await connectFrom(s.port, `127.0.2.${10 + i}`));
      await sleep(20);
    }
    expect(await waitFor(() => s.server.stats.snapshot().tcp.open === cap, 5000)).toBe(true);
    // A newcomer closes the oldest idle connection and is admitted; the count stays at the cap.
    const newcomer = await connectFrom(s.port, '127.0.2.100');
    expect(await closed(idle[0]!)).toBe(true);
    let tcp = s.server.stats.snapshot().tcp;
    expect(tcp.evicted).toBe(1);
    expect(tcp.open).toBe(cap);
    expect(idle[1]!.destroyed || idle[2]!.destroyed).toBe(false);
    const answered = new Promise<boolean>((resolve) => newcomer.once('data', () => resolve(true)));
    newcomer.write(framed([query('big.test', 'SOA')]));
    expect(await answered).toBe(true);
    // Now every slot is busy: the idle clients leave, busy ones take their places.
    for (const x of [...idle, newcomer]) x.destroy();
    expect(await waitFor(() => s.server.stats.snapshot().tcp.open === 3, 5000)).toBe(true);
    for (let i = 0; i < 3; i++) busy.push(await busyOne(`127.0.2.${20 + i}`));
    expect(await waitFor(() => s.server.stats.snapshot().tcp.open === cap, 5000)).toBe(true);
    await sleep(200);
    const refused = await connectFrom(s.port, '127.0.2.103');
    expect(await closed(refused)).toBe(true);
    tcp = s.server.stats.snapshot().tcp;
    expect(tcp.rejected).toBe(1);
    expect(tcp.evicted).toBe(1);
    for (const x of busy) expect(x.destroyed).toBe(false);
    for (const x of busy) x.destroy();
    await s.close();
  });

  it('slow readers on a large AXFR: memory does not grow with the zone, and they are cut off', { timeout: 120_000 }, async () => {
    const s = await startAbuseServer({ big, limits: { tcpIdleTimeoutMs: 3000 } });
    // Warm the render cache (shared by every transfer of this version) before measuring.
    const warm = await connectFrom(s.port);
    warm.on('data', () => undefined);
    warm.write(framed([query('big.test', 'AXFR')]));
    await sleep(1500);
    warm.destroy();
    await waitFor(() => s.server.stats.snapshot().tcp.open === 0, 5000);
    const canary = new Canary(s.port);
    const before = memoryMb();
    const N = 20;
    const readers = await Promise.all(
      Array.from({ length: N }, async (_, i) => {
        const sock = await connectFrom(s.port, `127.0.2.${1 + (i % 4)}`);
        sock.pause(); // never read: the kernel buffers fill, then the server must stop writing
        sock.write(framed([query('big.test', 'AXFR')]));
        return sock;
      }),
    );
    await sleep(500);
    const stalled = memoryMb();
    // Every reader is still connected and stalled (the canary may hold one more connection).
    const open = s.server.stats.snapshot().tcp.open;
    expect(open).toBeGreaterThanOrEqual(N);
    expect(open).toBeLessThanOrEqual(N + 1);
    // Cut off after about one idle period without progress (peer not reading; RFC 7766 §6.2.3).
    expect(await waitFor(() => openBesidesCanary(s) === 0, 3000 * 4)).toBe(true);
    const r = await canary.stop();
    for (const x of readers) x.destroy();
    const growth = stalled - before;
    const zoneMb = zoneBytes / (1024 * 1024);
    log(
      `[abuse] ${N} slow readers on AXFR of ${BIG_RECORDS} records (${zoneMb.toFixed(1)} MB on the wire): memory +${growth.toFixed(1)} MB while stalled ` +
        `(${((growth / N) * 1024).toFixed(0)} KB per reader; unbounded buffering would be ${(zoneMb * N).toFixed(0)} MB), all cut off by the idle timeout; canary ${describeCanary(r)}`,
    );
    expect(growth).toBeLessThan(zoneMb * N * 0.1);
    expect(growth / N).toBeLessThan(1);
    expect(r.udp.wrong + r.tcp.wrong).toBe(0);
    expect(r.udp.answered).toBeGreaterThan(0);
    expect(r.tcp.answered).toBeGreaterThan(0);
    await s.close();
  });

  it('half-sent length prefixes, partial messages and tricklers are closed after the idle timeout', { timeout: 120_000 }, async () => {
    const s = await startAbuseServer();
    const canary = new Canary(s.port);
    const q = query('www.example.test', 'A');
    const socks: Socket[] = [];
    let answered = 0;
    for (let i = 0; i < 300; i++) {
      const sock = await connectFrom(s.port, `127.0.3.${1 + (i % 10)}`);
      sock.on('data', () => answered++);
      if (i % 3 === 0) sock.write(Buffer.from([0x01])); // half a length prefix
      else if (i % 3 === 1) sock.write(Buffer.concat([Buffer.from([0x02, 0x00]), Buffer.alloc(100)])); // 512 announced, 100 sent
      else sock.write(Buffer.concat([framed([q]), Buffer.from([0x00])])); // a whole query, then half a prefix
      socks.push(sock);
    }
    // Tricklers: one octet every 100 ms of a 1 000-octet message (15 s to finish); partial data
    // does not refresh the idle timer, so the server must close them long before.
    const tricklers: Array<{ sock: Socket; sent: number; closedAt?: number }> = [];
    const started = Date.now();
    for (let i = 0; i < 20; i++) {
      const sock = await connectFrom(s.port, `127.0.4.${1 + (i % 5)}`);
      const t: { sock: Socket; sent: number; closedAt?: number } = { sock, sent: 0 };
      sock.on('close', () => (t.closedAt = Date.now()));
      sock.write(Buffer.from([0x03, 0xe8]));
      tricklers.push(t);
    }
    const trickle = setInterval(() => {
      for (const t of tricklers) {
        if (t.closedAt === undefined && t.sock.writable) {
          t.sock.write(Buffer.from([0x41]));
          t.sent++;
        }
      }
    }, 100);
    const allClosed = await waitFor(() => openBesidesCanary(s) === 0 && tricklers.every((t) => t.closedAt !== undefined), LIMITS.tcpIdleTimeoutMs * 5);
    clearInterval(trickle);
    const r = await canary.stop();
    for (const x of socks) x.destroy();
    const maxSent = Math.max(...tricklers.map((t) => t.sent));
    const slowest = Math.max(...tricklers.map((t) => (t.closedAt ?? Date.now()) - started));
    log(
      `[abuse] 300 half-sent prefixes/partial messages + 20 tricklers: all closed (tricklers after ≤ ${slowest} ms, ≤ ${maxSent}/998 octets sent; idle timeout ${LIMITS.tcpIdleTimeoutMs} ms), ` +
        `${answered > 0 ? 'whole queries answered first' : 'no answers'}; canary ${describeCanary(r)}`,
    );
    expect(allClosed).toBe(true);
    expect(maxSent).toBeLessThan(998);
    expect(answered).toBeGreaterThanOrEqual(100);
    expect(r.udp.wrong + r.tcp.wrong).toBe(0);
    expect(r.udp.answered).toBeGreaterThan(0);
    expect(r.tcp.answered).toBeGreaterThan(0);
    await s.close();
  });

  it('pipelined floods: every query answered when read; bounded and cut off when never read', { timeout: 120_000 }, async () => {
    const s = await startAbuseServer();
    const canary = new Canary(s.port);
    const q = query('www.example.test', 'A');
    // Readers: 20 connections × 5 000 pipelined queries, every answer read.
    const PER = 5000;
    const results = await Promise.all(
      Array.from({ length: 20 }, async (_, i) => {
        const sock = await connectFrom(s.port, `127.0.5.${1 + (i % 10)}`);
        let answers = 0;
        let buf = Buffer.alloc(0);
        const done = new Promise<void>((resolve) => {
          sock.on('data', (c: Buffer) => {
            buf = Buffer.concat([buf, c]);
            while (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
              answers++;
              buf = buf.subarray(2 + buf.readUInt16BE(0));
            }
            if (answers === PER) resolve();
          });
          sock.on('close', () => resolve());
        });
        const msgs = Array.from({ length: PER }, (_, k) => {
          const m = Buffer.from(q);
          m.writeUInt16BE(k, 0);
          return m;
        });
        sock.write(framed(msgs));
        await Promise.race([done, sleep(30_000)]);
        sock.destroy();
        return answers;
      }),
    );
    const total = results.reduce((a, b) => a + b, 0);
    // Non-readers: 10 connections × 20 000 pipelined queries, never read.
    const before = memoryMb();
    const silent: Socket[] = [];
    for (let i = 0; i < 10; i++) {
      const sock = await connectFrom(s.port, `127.0.6.${1 + i}`);
      sock.pause();
      sock.write(framed(Array.from({ length: 20_000 }, () => q)));
      silent.push(sock);
    }
    await sleep(700);
    const stalled = memoryMb();
    // Closed after at most two idle periods (idle → FIN, then destroyed when the FIN cannot flush).
    const cut = await waitFor(() => openBesidesCanary(s) === 0, LIMITS.tcpIdleTimeoutMs * 5);
    const r = await canary.stop();
    for (const x of silent) x.destroy();
    log(
      `[abuse] pipelined floods: ${total}/${20 * PER} pipelined queries answered on 20 reading connections; 10 non-reading connections × 20000 queries: ` +
        `memory +${(stalled - before).toFixed(1)} MB, ${cut ? 'all cut off' : 'NOT cut off'}; canary ${describeCanary(r)}`,
    );
    expect(total).toBe(20 * PER);
    expect(cut).toBe(true);
    expect(stalled - before).toBeLessThan((10 * MAX_QUEUED) / (1024 * 1024) + 16);
    expect(r.udp.wrong + r.tcp.wrong).toBe(0);
    expect(r.udp.answered).toBeGreaterThan(0);
    expect(r.tcp.answered).toBeGreaterThan(0);
    await s.close();
  });
});
