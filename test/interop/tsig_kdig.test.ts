// TSIG against real peers on loopback: kdig and dig query our UDP responder and pull an AXFR from
// our TCP responder (our signer, their verifier); we query knotd and named and pull a 30 000-record
// AXFR from each (their signer, our verifier), plus their BADTIME/BADSIG/BADKEY answers.
// Skipped with one line when a binary is absent, unless ZONEXFER_REQUIRE_PEERS=1.
import { execFile } from 'node:child_process';
import dgram from 'node:dgram';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  Flag, MessageWriter, RRClass, RRType, Rcode, Section, TcpFramer, decodeMessage, frame, nameFromTrusted, nameToWire, rcodeOf,
  type DomainName, type Message, type ResourceRecord,
} from '../../src/wire/index.js';
import {
  type TsigAlgorithm, type TsigKey, TSIG_ALGORITHMS, TsigStreamVerifier, keyring, signMessage, verifyMessage, verifyRequest,
} from '../../src/tsig/index.js';

interface PeerHandle {
  readonly port: number;
  readonly logFile: string;
  stop(): Promise<void>;
}
interface PeersModule {
  haveBinary(name: string): boolean;
  findBinary(name: string): string | null;
  startKnot(opts: object): Promise<PeerHandle>;
  startNamed(opts: object): Promise<PeerHandle>;
}

const root = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const peers = (await import(pathToFileURL(join(root, 'bench/peers/peers.mjs')).href)) as PeersModule;
const REQUIRE = process.env.ZONEXFER_REQUIRE_PEERS === '1';
const missing = ['kdig', 'dig', 'knotd', 'named'].filter((b) => !peers.haveBinary(b));
if (missing.length > 0 && !REQUIRE) console.log(`skip: TSIG interop needs ${missing.join(', ')} (apt-get install knot knot-dnsutils bind9 bind9-dnsutils)`);
/** lacks is true when any of `bins` is missing (and the run does not require peers). */
const lacks = (...bins: string[]): boolean => !REQUIRE && bins.some((b) => missing.includes(b));

const now = (): number => Math.floor(Date.now() / 1000);
const n = (s: string): DomainName => nameFromTrusted(s);
/** Tool spelling of an algorithm: hmac-sha256, hmac-md5. */
const toolAlg = (alg: TsigAlgorithm): string => (alg === 'hmac-md5.sig-alg.reg.int.' ? 'hmac-md5' : alg.slice(0, -1));
const b64 = (b: Uint8Array): string => Buffer.from(b).toString('base64');

function keyFor(alg: TsigAlgorithm, name: string): TsigKey {
  const size = { 'hmac-md5.sig-alg.reg.int.': 16, 'hmac-sha1.': 20, 'hmac-sha224.': 28, 'hmac-sha256.': 32, 'hmac-sha384.': 48, 'hmac-sha512.': 64 }[alg];
  return { name: n(name), algorithm: alg, secret: new Uint8Array(size).map((_, i) => (i * 29 + name.length) & 0xff) };
}

function run(bin: string, args: string[]): Promise<{ code: number; out: string }> {
  return new Promise((res) => {
    execFile(bin, args, { timeout: 30_000, maxBuffer: 64 << 20 }, (e, stdout, stderr) => {
      const code = e === null ? 0 : typeof e.code === 'number' ? e.code : 1;
      res({ code, out: `${stdout}\n${stderr}` });
    });
  });
}

function tool(name: 'kdig' | 'dig', key: TsigKey, port: number, ...query: string[]): Promise<{ code: number; out: string }> {
  const bin = peers.findBinary(name) ?? name;
  const retry = name === 'kdig' ? '+retry=0' : '+tries=1';
  return run(bin, ['-y', `${toolAlg(key.algorithm)}:${key.name}:${b64(key.secret)}`, '@127.0.0.1', '-p', String(port), '+time=3', retry, ...query]);
}

function decode(raw: Uint8Array): Message {
  const m = decodeMessage(raw);
  if (!m.ok) throw new Error(`undecodable message: ${m.error.reason} at ${m.error.offset}`);
  return m.value;
}

const VERIFY_FAILED = /WARNING: reply verification|Couldn't verify|could not be validated|failed to verify/;

// ---------------------------------------------------------------- our responders, their verifiers

/** A UDP responder: verifies each request with `keys` at `clock()`, answers signed or with the TSIG error. */
async function udpResponder(keys: TsigKey[], clock: () => number) {
  const sock = dgram.createSocket('udp4');
  const seen: { ok: boolean; rcode: string }[] = [];
  sock.on('message', (msg, rinfo) => {
    const m = decode(msg);
    const v = verifyRequest(m, keyring(keys), { now: clock() });
    if (v === undefined) return;
    seen.push({ ok: v.ok, rcode: v.ok ? 'ok' : v.error });
    let out: Uint8Array;
    if (v.ok) {
      const w = new MessageWriter(512 - v.reserve);
      w.header(m.header.id, Flag.QR | Flag.AA);
      for (const q of m.questions) w.question(q.name, q.type, q.class);
      out = v.sign(new Uint8Array(w.finish()));
    } else {
      out = v.response;
    }
    sock.send(out, rinfo.port, rinfo.address);
  });
  await new Promise<void>((res) => sock.bind(0, '127.0.0.1', res));
  return { port: sock.address().port, seen, close: () => new Promise<void>((res) => sock.close(() => res())) };
}

const ORIGIN = n('ours.test.');
const SOA: ResourceRecord = {
  name: ORIGIN, type: RRType.SOA, class: RRClass.IN, ttl: 3600,
  rdata: Uint8Array.from([...nameToWire(n('ns1.ours.test.')), ...nameToWire(n('hostmaster.ours.test.')), 0, 0, 0, 7, 0, 0, 14, 16, 0, 0, 3, 132, 0, 9, 58, 128, 0, 0, 1, 44]),
};

/** A TCP AXFR responder: `messages` messages of 100 A records, signed by TsigStreamSigner; `unsigned(i)` sends message i unsigned. */
async function axfrResponder(key: TsigKey, messages: number, unsigned: (i: number) => boolean) {
  const server = net.createServer((c) => {
    const framer = new TcpFramer();
    c.on('data', (chunk) => {
      for (const raw of framer.push(chunk)) {
        const m = decode(raw);
        const v = verifyRequest(m, keyring([key]), { now: now() });
        if (v === undefined || !v.ok) {
          c.end(frame(v?.response ?? new Uint8Array(0)));
          return;
        }
        const signer = v.stream();
        for (let i = 0; i < messages; i++) {
          const w = new MessageWriter(65535 - v.reserve);
          w.header(m.header.id, Flag.QR | Flag.AA);
          w.question(ORIGIN, RRType.AXFR, RRClass.IN);
          if (i === 0) w.record(Section.Answer, SOA);
          for (let j = 0; j < 100; j++) {
            const x = i * 100 + j;
            w.record(Section.Answer, { name: n(`h${x}.ours.test.`), type: RRType.A, class: RRClass.IN, ttl: 60, rdata: Uint8Array.of(10, 0, x >> 8, x & 255) });
          }
          if (i === messages - 1) w.record(Section.Answer, SOA);
          const body = new Uint8Array(w.finish());
          c.write(frame(unsigned(i) ? signer.pass(body) : signer.sign(body, now())));
        }
        c.end();
      }
    });
    c.on('error', () => c.destroy());
  });
  await new Promise<void>((res) => server.listen(0, '127.0.0.1', res));
  const port = (server.address() as net.AddressInfo).port;
  return { port, close: () => new Promise<void>((res) => server.close(() => res())) };
}

describe.skipIf(lacks('kdig', 'dig'))('kdig and dig verify our TSIG (our signer, their verifier)', () => {
  it.each(TSIG_ALGORITHMS.flatMap((a) => [['kdig', a], ['dig', a]] as ['kdig' | 'dig', TsigAlgorithm][]))(
    '%s query signed with %s: we verify it, it verifies our signed answer',
    async (bin, alg) => {
      const key = keyFor(alg, `${bin}-${toolAlg(alg)}.key.test.`);
      const r = await udpResponder([key], now);
      try {
        const res = await tool(bin, key, r.port, 'example.com.', 'SOA');
        expect(r.seen).toEqual([{ ok: true, rcode: 'ok' }]);
        expect(res.out).not.toMatch(VERIFY_FAILED);
        expect(res.out).toMatch(/status: NOERROR/);
        expect(res.code).toBe(0);
      } finally {
        await r.close();
      }
    },
  );

  it('our BADTIME answer is signed: kdig and dig verify the MAC and report the clock skew', async () => {
    const key = keyFor('hmac-sha256.', 'skew.key.test.');
    const r = await udpResponder([key], () => now() + 1000);
    try {
      const k = await tool('kdig', key, r.port, 'example.com.', 'SOA');
      expect(k.out).toMatch(/status: BADTIME/);
      expect(k.out).toMatch(/TSIG out of time window/);
      expect(k.out).not.toMatch(/failed to verify/);
      const d = await tool('dig', key, r.port, 'example.com.', 'SOA');
      expect(d.out).toMatch(/status: NOTAUTH/);
      expect(d.out).toMatch(/clocks are unsynchronized/);
      expect(r.seen.map((s) => s.rcode)).toEqual(['BADTIME', 'BADTIME']);
    } finally {
      await r.close();
    }
  });

  it('our unsigned BADKEY and BADSIG answers carry the TSIG error', async () => {
    const key = keyFor('hmac-sha256.', 'who.key.test.');
    const other = { ...key, secret: new Uint8Array(32).fill(1) };
    for (const [keys, code] of [[[], 'BADKEY'], [[other], 'BADSIG']] as const) {
      const r = await udpResponder([...keys], now);
      try {
        const k = await tool('kdig', key, r.port, 'example.com.', 'SOA');
        expect(k.out).toMatch(new RegExp(`status: ${code}`));
        const d = await tool('dig', key, r.port, 'example.com.', 'SOA');
        expect(d.out).toMatch(/status: NOTAUTH/);
        expect(d.out).toMatch(new RegExp(`TSIG\\s+hmac-sha256\\. \\d+ 300 0 \\d+ ${code} 0`));
      } finally {
        await r.close();
      }
    }
  });

  it.each([
    ['every message signed', () => false],
    ['every other message unsigned', (i: number) => i % 2 === 1],
  ])('AXFR from our TsigStreamSigner, %s, verifies in kdig and dig', async (_label, unsigned) => {
    const key = keyFor('hmac-sha512.', 'axfr.key.test.');
    const r = await axfrResponder(key, 8, unsigned);
    try {
      const k = await tool('kdig', key, r.port, 'ours.test.', 'AXFR');
      expect(k.out).not.toMatch(VERIFY_FAILED);
      expect(k.out).toMatch(/802 records/);
      expect(k.code).toBe(0);
      const d = await tool('dig', key, r.port, 'ours.test.', 'AXFR');
      expect(d.out).not.toMatch(VERIFY_FAILED);
      expect(d.out).toMatch(/XFR size: 802 records \(messages 8/);
    } finally {
      await r.close();
    }
  });
});

// ---------------------------------------------------------------- their signers, our verifier

async function freePort(): Promise<number> {
  for (;;) {
    const port = await new Promise<number>((res) => {
      const s = net.createServer();
      s.listen(0, '127.0.0.1', () => {
        const p = (s.address() as net.AddressInfo).port;
        s.close(() => res(p));
      });
    });
    const udp = dgram.createSocket('udp4');
    const free = await new Promise<boolean>((res) => {
      udp.once('error', () => res(false));
      udp.bind(port, '127.0.0.1', () => res(true));
    });
    if (free) await new Promise<void>((res) => udp.close(() => res()));
    if (free) return port;
  }
}

function soaQuery(id: number, origin: DomainName, type: number = RRType.SOA): Uint8Array {
  const w = new MessageWriter(512);
  w.header(id, 0);
  w.question(origin, type, RRClass.IN);
  return new Uint8Array(w.finish());
}

/** udpAsk sends `msg` to 127.0.0.1:`port` and resolves with the first answer (rejects after 3 s). */
async function udpAsk(port: number, msg: Uint8Array): Promise<Uint8Array> {
  const sock = dgram.createSocket('udp4');
  try {
    return await new Promise<Uint8Array>((res, rej) => {
      const timer = setTimeout(() => rej(new Error('no UDP answer')), 3000);
      sock.once('message', (m) => {
        clearTimeout(timer);
        res(new Uint8Array(m));
      });
      sock.send(msg, port, '127.0.0.1');
    });
  } finally {
    sock.close();
  }
}

/** axfrVerified pulls an AXFR over TCP, verifying each message as it arrives. */
async function axfrVerified(port: number, request: Uint8Array, verifier: TsigStreamVerifier) {
  const c = net.connect(port, '127.0.0.1');
  const framer = new TcpFramer();
  let messages = 0;
  let signed = 0;
  let records = 0;
  let soas = 0;
  await new Promise<void>((res, rej) => {
    const timer = setTimeout(() => rej(new Error(`AXFR timed out after ${messages} messages`)), 60_000);
    const done = (e?: Error) => {
      clearTimeout(timer);
      c.destroy();
      if (e) rej(e);
      else res();
    };
    c.on('connect', () => c.write(frame(request)));
    c.on('error', done);
    c.on('data', (chunk) => {
      for (const raw of framer.push(chunk)) {
        const m = decode(raw);
        if (rcodeOf(m.header.flags) !== Rcode.NoError) return done(new Error(`AXFR rcode ${rcodeOf(m.header.flags)}`));
        const step = verifier.verify(raw, m.tsig?.offset, now());
        if (!step.ok) return done(new Error(`message ${messages}: ${JSON.stringify(step.error)}`));
        messages++;
        if (step.value.signed) signed++;
        records += m.answers.length;
        soas += m.answers.filter((rr) => rr.type === RRType.SOA).length;
        if (soas >= 2) return done();
      }
    });
    c.on('end', () => done());
  });
  return { messages, signed, records, finish: verifier.finish() };
}

const RECORDS = 30_000;

describe.each([
  ['knotd', 'hmac-sha256.', (p: PeersModule) => p.startKnot] as const,
  ['named', 'hmac-sha512.', (p: PeersModule) => p.startNamed] as const,
])('%s signs, we verify (%s)', (daemon, alg, starter) => {
  // peers.mjs waits for the daemon with dig, or kdig when dig is absent.
  const skip = lacks(daemon) || (lacks('dig') && lacks('kdig'));
  const key = keyFor(alg, `${daemon}.transfer.key.test.`);
  const origin = n('big.test.');
  let dir = '';
  let peer: PeerHandle | undefined;

  beforeAll(async () => {
    if (skip) return;
    dir = mkdtempSync(join(tmpdir(), `zx-tsig-${daemon}-`));
    const lines = ['$ORIGIN big.test.', '$TTL 3600', '@ IN SOA ns1 hostmaster 2024010101 3600 900 604800 300', '@ IN NS ns1', 'ns1 IN A 192.0.2.1'];
    for (let i = 0; i < RECORDS; i++) lines.push(`h${i} IN A 10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`);
    const file = join(dir, 'big.test.zone');
    writeFileSync(file, `${lines.join('\n')}\n`);
    peer = await starter(peers)({
      dir: join(dir, daemon), port: await freePort(), zones: [{ origin, file }],
      tsig: { name: key.name, algorithm: toolAlg(alg), secret: b64(key.secret) },
    });
  });
  afterAll(async () => {
    await peer?.stop();
    if (dir !== '') rmSync(dir, { recursive: true, force: true });
  });

  it.skipIf(skip)('answers our signed SOA query with a signed answer that verifies over our request MAC', async () => {
    const q = signMessage(soaQuery(0x2b2b, origin), key, { now: now() });
    const raw = await udpAsk(peer!.port, q.message);
    const m = decode(raw);
    expect(rcodeOf(m.header.flags)).toBe(Rcode.NoError);
    expect(m.answers.map((rr) => rr.type)).toEqual([RRType.SOA]);
    const r = verifyMessage(raw, m.tsig!.offset, keyring([key]), { now: now(), requestMac: q.mac });
    expect(r).toMatchObject({ ok: true, value: { error: 0, originalId: 0x2b2b } });
    expect(verifyMessage(raw, m.tsig!.offset, keyring([key]), { now: now() }).ok).toBe(false);
  });

  it.skipIf(skip)('answers a stale query with a signed BADTIME carrying its clock', async () => {
    const t = now() - 1000;
    const q = signMessage(soaQuery(0x2c2c, origin), key, { now: t });
    const raw = await udpAsk(peer!.port, q.message);
    const m = decode(raw);
    expect(rcodeOf(m.header.flags)).toBe(Rcode.NotAuth);
    const r = verifyMessage(raw, m.tsig!.offset, keyring([key]), { now: t, requestMac: q.mac });
    expect(r).toMatchObject({ ok: false, error: { rcode: 'BADTIME', reason: 'peer-error', timeSigned: t } });
    if (!r.ok && r.error.rcode === 'BADTIME') expect(Math.abs((r.error.serverTime ?? 0) - now())).toBeLessThanOrEqual(5);
  });

  it.skipIf(skip)('answers a wrong secret with BADSIG and an unknown key with BADKEY, unsigned', async () => {
    for (const [k, code] of [[{ ...key, secret: new Uint8Array(key.secret.length).fill(3) }, 'BADSIG'], [{ ...key, name: n('nobody.key.test.') }, 'BADKEY']] as const) {
      const q = signMessage(soaQuery(0x2d2d, origin), k, { now: now() });
      const raw = await udpAsk(peer!.port, q.message);
      const m = decode(raw);
      expect(rcodeOf(m.header.flags)).toBe(Rcode.NotAuth);
      const r = verifyMessage(raw, m.tsig!.offset, keyring([key, k]), { now: now(), requestMac: q.mac });
      expect(r).toMatchObject({ ok: false, error: { rcode: code, reason: 'peer-error', macSize: 0 } });
    }
  });

  it.skipIf(skip)(`sends a ${RECORDS}-record AXFR whose every message verifies with TsigStreamVerifier`, async () => {
    const q = signMessage(soaQuery(0x3e3e, origin, RRType.AXFR), key, { now: now() });
    const r = await axfrVerified(peer!.port, q.message, new TsigStreamVerifier(key, q.mac));
    expect(r.records).toBe(RECORDS + 4); // SOA, NS, ns1 A, the A records, SOA
    expect(r.messages).toBeGreaterThan(3);
    expect(r.signed).toBeGreaterThanOrEqual(2);
    expect(r.finish).toEqual({ ok: true, value: { messages: r.messages } });
  });

  it.skipIf(skip)('an AXFR verified with the wrong request MAC fails at the first message', async () => {
    const q = signMessage(soaQuery(0x3f3f, origin, RRType.AXFR), key, { now: now() });
    const v = new TsigStreamVerifier(key, new Uint8Array(q.mac.length));
    await expect(axfrVerified(peer!.port, q.message, v)).rejects.toThrow(/message 0: .*BADSIG/);
  });
});

it.runIf(REQUIRE && missing.length > 0)('ZONEXFER_REQUIRE_PEERS=1: every peer binary is installed', () => {
  expect(missing).toEqual([]);
});
