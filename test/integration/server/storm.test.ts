// Malformed-input storm against a live listener: 5,000 UDP datagrams and 500 TCP frames of random
// and mutated queries (bit flips, truncation, count lies, pointer loops, oversized labels, random
// lengths, spliced messages), plus raw garbage streams. Afterwards the server must still answer a
// normal query correctly, have raised no internal error, and every answer must be well-formed.
import { createSocket } from 'node:dgram';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DnsServer } from '../../../src/server/index.js';
import { Flag, Rcode, decodeMessage, rcodeOf } from '../../../src/wire/index.js';
import { TcpClient, decode, query, readHexFixtures, startTestServer, tcpExchange, udpExchange } from '../../helpers/server.js';

/** mulberry32: deterministic, so a failing storm can be replayed from its seed. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SEED = Number(process.env['STORM_SEED'] ?? 0xd15ea5e);

const BASES = [
  query('www.example.test', 'A'),
  query('www.example.test', 'A', { edns: { udpSize: 4096, do: true } }),
  query('big.example.test', 'TXT', { edns: { udpSize: 1232 } }),
  query('mx.example.test', 'MX', { rd: true }),
  query('host.sub.example.test', 'AAAA'),
  query('example.test', 'AXFR'),
  query('example.test', 'IXFR'),
  query('example.test', 'SOA', { opcode: 4 }),
  ...readHexFixtures('fixtures/wire').map((f) => f.octets),
  ...readHexFixtures('fixtures/malformed').map((f) => f.octets),
];

type Mutator = (b: Buffer, r: () => number) => Buffer;

const int = (r: () => number, n: number): number => Math.floor(r() * n);

const MUTATORS: Mutator[] = [
  // Bit flips anywhere past the ID.
  (b, r) => {
    const out = Buffer.from(b);
    for (let i = 1 + int(r, 6); i > 0 && out.length > 2; i--) {
      const at = 2 + int(r, out.length - 2);
      out[at] = out[at]! ^ (1 << int(r, 8));
    }
    return out;
  },
  // Truncation.
  (b, r) => Buffer.from(b.subarray(0, int(r, b.length + 1))),
  // Count lies.
  (b, r) => {
    const out = Buffer.from(b);
    if (out.length >= 12) out.writeUInt16BE([0, 1, 2, 3, 0xff, 0xffff][int(r, 6)]!, 4 + 2 * int(r, 4));
    return out;
  },
  // Pointer loops and wild pointers in the question name.
  (b, r) => {
    const out = Buffer.from(b);
    if (out.length >= 14) {
      const at = 12 + int(r, Math.min(8, out.length - 13));
      const target = [at, at + 2, 12, 0, 0x3fff][int(r, 5)]!;
      out[at] = 0xc0 | (target >> 8);
      out[at + 1] = target & 0xff;
    }
    return out;
  },
  // Oversized or reserved label lengths.
  (b, r) => {
    const out = Buffer.from(b);
    if (out.length > 12) out[12] = 64 + int(r, 192);
    return out;
  },
  // Random octets of random length.
  (_b, r) => {
    const out = Buffer.alloc(int(r, 600));
    for (let i = 0; i < out.length; i++) out[i] = int(r, 256);
    return out;
  },
  // Random header on a real body (opcode, QR, rcode, Z bits).
  (b, r) => {
    const out = Buffer.from(b);
    if (out.length >= 4) out.writeUInt16BE(int(r, 0x10000) & 0x7fff, 2);
    return out;
  },
  // Splice two messages, or repeat the tail (duplicate OPTs, trailing data).
  (b, r) => {
    const other = BASES[int(r, BASES.length)]!;
    return Buffer.concat([b.subarray(0, int(r, b.length + 1)), other.subarray(int(r, other.length + 1))]);
  },
  // A very long name built of maximal labels.
  (b) => {
    const labels = Buffer.concat(Array.from({ length: 5 }, () => Buffer.concat([Buffer.from([63]), Buffer.alloc(63, 0x61)])));
    return Buffer.concat([b.subarray(0, 12), labels, Buffer.from([0, 0, 1, 0, 1])]);
  },
];

function mutated(r: () => number, id: number): Buffer {
  let b = BASES[int(r, BASES.length)]!;
  for (let i = 1 + int(r, 3); i > 0; i--) b = MUTATORS[int(r, MUTATORS.length)]!(b, r);
  const out = Buffer.from(b);
  if (out.length >= 2) out.writeUInt16BE(id, 0);
  return out;
}

async function until(cond: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond() && Date.now() < deadline) await new Promise((res) => setTimeout(res, 2));
}

/** answerable: what the dispatcher must answer (≥ 12 octets, QR clear); the rest is dropped. */
function answerable(b: Buffer): boolean {
  return b.length >= 12 && (b[2]! & 0x80) === 0;
}

/** checkAnswer asserts the invariants every answer to `req` has. */
function checkAnswer(req: Buffer, resp: Buffer, udp: boolean): void {
  expect(answerable(req)).toBe(true);
  const m = decodeMessage(resp);
  expect(m.ok, `answer to ${req.toString('hex')} must decode`).toBe(true);
  if (!m.ok) return;
  expect(m.value.header.flags & Flag.QR).toBe(Flag.QR);
  expect(m.value.header.id).toBe(req.readUInt16BE(0));
  const d = decodeMessage(req);
  if (!d.ok) expect(rcodeOf(m.value.header.flags)).toBe(Rcode.FormErr);
  if (udp) expect(resp.length).toBeLessThanOrEqual(d.ok && d.value.edns !== undefined ? 1232 : 512);
}

let server: DnsServer;
let host: string;
let port: number;

beforeAll(async () => {
  server = await startTestServer({ limits: { tcpIdleTimeoutMs: 400 } });
  ({ host, port } = server.addresses()[0]!);
});

afterAll(async () => {
  await server.close();
});

describe('malformed-input storm', () => {
  it('survives 5,000 UDP datagrams and answers each answerable one correctly', async () => {
    const r = rng(SEED);
    const sent = new Map<number, Buffer>();
    const answers = new Map<number, Buffer>();
    const sock = createSocket('udp4');
    sock.on('message', (m) => {
      if (m.length >= 2) answers.set(m.readUInt16BE(0), m);
    });
    await new Promise<void>((resolve) => sock.bind(0, '127.0.0.1', resolve));
    let answerableSent = 0;
    for (let i = 0; i < 5000; i++) {
      const msg = mutated(r, i);
      sent.set(i, msg);
      if (answerable(msg)) answerableSent++;
      await new Promise<void>((resolve) => sock.send(msg, port, host, () => resolve()));
      // A window of about 50 in flight keeps loopback socket buffers from overflowing when the
      // machine is busy with other test files.
      if (i % 50 === 49) await until(() => answers.size >= answerableSent - 2, 250);
    }
    await until(() => answers.size >= answerableSent, 500);
    await new Promise<void>((resolve) => sock.close(() => resolve()));

    let expected = 0;
    for (const [id, req] of sent) {
      const resp = answers.get(id);
      if (!answerable(req)) {
        expect(resp, `no answer to a dropped message ${req.toString('hex')}`).toBeUndefined();
        continue;
      }
      expected++;
      if (resp !== undefined) checkAnswer(req, resp, true);
    }
    // Loopback may drop a few datagrams under load; nearly all must be answered.
    expect(answers.size).toBeGreaterThan(expected * 0.9);
    expect(server.stats.internalErrors).toBe(0);
  });

  it('survives 500 mutated TCP frames on 10 connections plus raw garbage streams', async () => {
    const r = rng(SEED + 1);
    const clients = await Promise.all(Array.from({ length: 10 }, () => TcpClient.connect(host, port)));
    const sent: Buffer[][] = clients.map(() => []);
    for (let i = 0; i < 500; i++) {
      const k = i % clients.length;
      const msg = mutated(r, i);
      sent[k]!.push(msg);
      clients[k]!.send(msg);
    }
    // Garbage streams: random octets, a huge length prefix that never completes, a lone prefix octet.
    const garbage = await Promise.all(Array.from({ length: 3 }, () => TcpClient.connect(host, port)));
    const noise = Buffer.alloc(4000);
    for (let i = 0; i < noise.length; i++) noise[i] = int(r, 256);
    await garbage[0]!.sendRaw(noise);
    await garbage[1]!.sendRaw(Buffer.from([0xff, 0xff, 1, 2, 3]));
    await garbage[2]!.sendRaw(Buffer.from([0x00]));

    for (let k = 0; k < clients.length; k++) {
      const want = sent[k]!.filter(answerable);
      const got = await clients[k]!.waitFor(want.length, 10_000);
      expect(got).toHaveLength(want.length);
      const byId = new Map(got.map((m) => [m.readUInt16BE(0), m]));
      for (const req of want) checkAnswer(req, byId.get(req.readUInt16BE(0))!, false);
      clients[k]!.close();
    }
    // The idle timeout (400 ms) reaps the garbage connections.
    await Promise.all(garbage.map((g) => g.closed));
    expect(server.stats.internalErrors).toBe(0);
  });

  it('still answers a normal query correctly afterwards, on both transports', async () => {
    for (const raw of [await udpExchange(host, port, query('www.example.test', 'A', { id: 4321 })), await tcpExchange(host, port, query('www.example.test', 'A', { id: 4321 }))]) {
      const m = decode(raw!);
      expect(m.header.id).toBe(4321);
      expect(rcodeOf(m.header.flags)).toBe(Rcode.NoError);
      expect(m.header.flags & Flag.AA).toBe(Flag.AA);
      expect([...m.answers[0]!.rdata]).toEqual([192, 0, 2, 10]);
    }
    expect(server.stats.internalErrors).toBe(0);
  });
});
