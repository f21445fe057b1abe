// Integration tests for src/server over real sockets on loopback, port 0: UDP and TCP answers,
// IPv6, TC then TCP retry, pipelining with out-of-order matching, split length prefixes, idle
// timeouts, connection caps, transfer back-pressure, in-flight bounds and graceful close.
import { afterEach, describe, expect, it } from 'vitest';
import { type DnsHooks, type DnsServer, MAX_IN_FLIGHT, startDnsServer } from '../../../src/server/index.js';
import { Flag, Opcode, Rcode, rcodeOf } from '../../../src/wire/index.js';
import {
  BIG_TXT_COUNT,
  TEST_LIMITS,
  TcpClient,
  decode,
  ipv6LoopbackAvailable,
  query,
  silentLogger,
  standardZones,
  startTestServer,
  tcpExchange,
  udpExchange,
} from '../../helpers/server.js';

const servers: DnsServer[] = [];
async function start(o: Parameters<typeof startTestServer>[0] = {}): Promise<{ server: DnsServer; host: string; port: number }> {
  const server = await startTestServer(o);
  servers.push(server);
  const a = server.addresses()[0]!;
  return { server, host: a.host, port: a.port };
}

afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('server: UDP and TCP', () => {
  it('binds UDP and TCP on the same ephemeral port and answers both', async () => {
    const { server, host, port } = await start();
    expect(server.addresses()).toEqual([{ host: '127.0.0.1', port }]);
    expect(port).toBeGreaterThan(0);
    const u = decode((await udpExchange(host, port, query('www.example.test', 'A', { id: 11 })))!);
    expect(u.header.id).toBe(11);
    expect(u.header.flags & Flag.AA).toBe(Flag.AA);
    expect(u.answers).toHaveLength(1);
    const t = decode((await tcpExchange(host, port, query('www.example.test', 'A', { id: 12 })))!);
    expect(t.header.id).toBe(12);
    expect(t.answers).toHaveLength(1);
  });

  it('serves IPv6 loopback when available', async (ctx) => {
    if (!(await ipv6LoopbackAvailable())) {
      console.log('skip ipv6: ::1 not available');
      ctx.skip();
    }
    const { server } = await start({ hosts: ['127.0.0.1', '::1'] });
    const six = server.addresses().find((a) => a.host === '::1')!;
    expect(six.port).toBeGreaterThan(0);
    const u = decode((await udpExchange('::1', six.port, query('www.example.test', 'A', { id: 61 })))!);
    expect(u.header.id).toBe(61);
    const t = decode((await tcpExchange('::1', six.port, query('nope.example.test', 'A', { id: 62 })))!);
    expect(rcodeOf(t.header.flags)).toBe(Rcode.NXDomain);
  });

  it('truncates over UDP within the limit, and answers in full over TCP', async () => {
    const { host, port } = await start();
    const raw = (await udpExchange(host, port, query('big.example.test', 'TXT', { edns: { udpSize: 4096 } })))!;
    expect(raw.length).toBeLessThanOrEqual(1232);
    const u = decode(raw);
    expect(u.header.flags & Flag.TC).toBe(Flag.TC);
    const t = decode((await tcpExchange(host, port, query('big.example.test', 'TXT', { edns: { udpSize: 4096 } })))!);
    expect(t.header.flags & Flag.TC).toBe(0);
    expect(t.answers).toHaveLength(BIG_TXT_COUNT);
  });

  it('drops responses sent to it (no answer)', async () => {
    const { host, port } = await start();
    const resp = query('www.example.test', 'A');
    resp[2] = resp[2]! | 0x80;
    expect(await udpExchange(host, port, resp, 300)).toBeUndefined();
  });

  it('rejects when a fixed port is already in use', async () => {
    const { port } = await start();
    await expect(startTestServerOn(port)).rejects.toMatchObject({ code: 'EADDRINUSE' });
  });
});

function startTestServerOn(port: number): Promise<DnsServer> {
  return startDnsServer({ listen: [{ host: '127.0.0.1', port }], zones: standardZones(), limits: TEST_LIMITS, logger: silentLogger() });
}

describe('server: TCP pipelining and framing (RFC 7766)', () => {
  it('answers 200 pipelined queries on one connection, matched by ID in any order', async () => {
    const { host, port } = await start();
    const c = await TcpClient.connect(host, port);
    const names = ['www', 'ns1', 'ns2', 'nope', 'medium', 'mx'];
    const frames: Buffer[] = [];
    for (let i = 0; i < 200; i++) {
      const q = query(`${names[i % names.length]}.example.test`, i % 2 === 0 ? 'A' : 'TXT', { id: 1000 + i });
      const f = Buffer.alloc(q.length + 2);
      f.writeUInt16BE(q.length, 0);
      q.copy(f, 2);
      frames.push(f);
    }
    await c.sendRaw(Buffer.concat(frames)); // one write: RFC 7766 §6.2.1.1 pipelining
    const got = await c.waitFor(200);
    expect(got).toHaveLength(200);
    const byId = new Map(got.map((m) => [decode(m).header.id, decode(m)]));
    expect(byId.size).toBe(200);
    for (let i = 0; i < 200; i++) {
      const m = byId.get(1000 + i)!;
      expect(m.questions[0]!.name).toBe(`${names[i % names.length]}.example.test.`);
    }
    c.close();
  });

  it('reassembles a length prefix split across writes and a message split across writes', async () => {
    const { host, port } = await start();
    const c = await TcpClient.connect(host, port);
    const q = query('www.example.test', 'A', { id: 77 });
    const f = Buffer.alloc(q.length + 2);
    f.writeUInt16BE(q.length, 0);
    q.copy(f, 2);
    await c.sendRaw(f.subarray(0, 1));
    await sleep(30);
    await c.sendRaw(f.subarray(1, 2));
    await sleep(30);
    await c.sendRaw(f.subarray(2, 10));
    await sleep(30);
    await c.sendRaw(Buffer.concat([f.subarray(10), f.subarray(0, 1)])); // rest + next prefix byte
    await sleep(30);
    await c.sendRaw(f.subarray(1));
    const [a, b] = await c.waitFor(2);
    expect(decode(a!).header.id).toBe(77);
    expect(decode(b!).answers).toHaveLength(1);
    c.close();
  });

  it('ignores garbage frames without closing and keeps answering', async () => {
    const { host, port } = await start();
    const c = await TcpClient.connect(host, port);
    c.send(Buffer.alloc(0)); // zero-length frame: dropped
    c.send(Buffer.from('00010000', 'hex')); // short: dropped
    c.send(Buffer.from('00020000000100000000000003', 'hex')); // malformed: FORMERR
    c.send(query('www.example.test', 'A', { id: 3 }));
    const got = await c.waitFor(2);
    expect(got.map((m) => rcodeOf(decode(m).header.flags))).toEqual([Rcode.FormErr, Rcode.NoError]);
    c.close();
  });
});

describe('server: TCP limits', () => {
  it('closes an idle connection after tcpIdleTimeoutMs', async () => {
    const { server, host, port } = await start({ limits: { tcpIdleTimeoutMs: 200 } });
    const c = await TcpClient.connect(host, port);
    const t0 = Date.now();
    await c.closed;
    expect(Date.now() - t0).toBeGreaterThanOrEqual(150);
    expect(server.stats.tcpIdleClosed).toBe(1);
  });

  it('closes a connection that stalls inside a length prefix or a message', async () => {
    const { host, port } = await start({ limits: { tcpIdleTimeoutMs: 200 } });
    const a = await TcpClient.connect(host, port);
    await a.sendRaw(Buffer.from([0x00]));
    const b = await TcpClient.connect(host, port);
    await b.sendRaw(Buffer.from([0x00, 0x20, 0x12, 0x34]));
    // Trickle one octet every 100 ms: partial data must not keep the connection alive.
    const trickle = setInterval(() => void b.sendRaw(Buffer.from([0])).catch(() => {}), 100);
    await Promise.all([a.closed, b.closed]);
    clearInterval(trickle);
    expect(a.isClosed && b.isClosed).toBe(true);
  });

  it('stops reading from, then drops, a client that pipelines but never reads', async () => {
    const { server, host, port } = await start({ limits: { tcpIdleTimeoutMs: 300 } });
    const c = await TcpClient.connect(host, port);
    c.socket.pause();
    const q = query('big.example.test', 'TXT');
    const f = Buffer.alloc(q.length + 2);
    f.writeUInt16BE(q.length, 0);
    q.copy(f, 2);
    // ~20 MB of answers requested: far beyond the socket buffers.
    void c.sendRaw(Buffer.concat(new Array<Buffer>(10_000).fill(f))).catch(() => {});
    const deadline = Date.now() + 15_000;
    while (server.stats.tcpOpen > 0 && Date.now() < deadline) await sleep(50);
    expect(server.stats.tcpOpen).toBe(0);
    expect(server.stats.tcpQueries).toBeLessThan(10_000);
    c.close();
  });

  it('keeps a connection open while whole queries keep arriving', async () => {
    const { host, port } = await start({ limits: { tcpIdleTimeoutMs: 400 } });
    const c = await TcpClient.connect(host, port);
    for (let i = 0; i < 6; i++) {
      c.send(query('www.example.test', 'A', { id: i }));
      await sleep(100);
    }
    expect(c.isClosed).toBe(false);
    expect(await c.waitFor(6)).toHaveLength(6);
    await c.closed;
  });

  it('closes connections over the per-client cap at once', async () => {
    const { server, host, port } = await start({ limits: { tcpMaxConnectionsPerClient: 3 } });
    const ok = await Promise.all([1, 2, 3].map(() => TcpClient.connect(host, port)));
    const extra = await TcpClient.connect(host, port);
    await extra.closed;
    extra.send(query('www.example.test', 'A'));
    expect(extra.messages).toHaveLength(0);
    for (const c of ok) c.send(query('www.example.test', 'A'));
    for (const c of ok) expect(await c.waitFor(1)).toHaveLength(1);
    expect(server.stats.tcpRejected).toBe(1);
    ok[0]!.close();
    await ok[0]!.closed;
    await sleep(50);
    const again = await TcpClient.connect(host, port);
    again.send(query('www.example.test', 'A'));
    expect(await again.waitFor(1)).toHaveLength(1);
    for (const c of [...ok, again]) c.close();
  });

  it('at the global cap, closes the idlest connection to admit a new one (RFC 7766 §6.2.3)', async () => {
    const { server, host, port } = await start({ limits: { tcpMaxConnections: 2, tcpMaxConnectionsPerClient: 10 } });
    const a = await TcpClient.connect(host, port);
    await sleep(20);
    const b = await TcpClient.connect(host, port);
    b.send(query('www.example.test', 'A'));
    expect(await b.waitFor(1)).toHaveLength(1);
    // a has been idle the longest: it is closed, and c takes its place.
    const c = await TcpClient.connect(host, port);
    await a.closed;
    c.send(query('www.example.test', 'A'));
    b.send(query('www.example.test', 'A'));
    expect((await c.waitFor(1)).length + (await b.waitFor(2)).length).toBe(3);
    expect(server.stats.tcpEvicted).toBe(1);
    expect(server.stats.tcpRejected).toBe(0);
    expect(server.stats.tcpOpen).toBe(2);
    b.close();
    c.close();
  });

  it('stops reading at MAX_IN_FLIGHT slow answers and resumes when they complete', async () => {
    const release: (() => void)[] = [];
    let calls = 0;
    const hooks: DnsHooks = {
      notify: (req) =>
        new Promise((resolve) => {
          calls++;
          release.push(() => {
            const out = Buffer.from(req.raw);
            out[2] = out[2]! | 0x80;
            resolve(out);
          });
        }),
    };
    const { host, port } = await start({ hooks });
    const c = await TcpClient.connect(host, port);
    const n = MAX_IN_FLIGHT * 3;
    for (let i = 0; i < n; i++) c.send(query('example.test', 'SOA', { id: i, opcode: Opcode.Notify }));
    const deadline = Date.now() + 5000;
    while (calls < MAX_IN_FLIGHT && Date.now() < deadline) await sleep(10);
    await sleep(100);
    expect(calls).toBe(MAX_IN_FLIGHT);
    while (release.length > 0 || calls < n) {
      for (const r of release.splice(0)) r();
      await sleep(20);
    }
    for (const r of release.splice(0)) r();
    const got = await c.waitFor(n);
    expect(new Set(got.map((m) => decode(m).header.id)).size).toBe(n);
    c.close();
  });
});

describe('server: transfers', () => {
  it('streams a large transfer with back-pressure, in order', async () => {
    const count = 200;
    let pendingWrites = 0;
    const hooks: DnsHooks = {
      transfer: async (req, ctx, sink) => {
        expect(ctx.transport).toBe('tcp');
        for (let i = 0; i < count; i++) {
          const m = Buffer.alloc(60_000);
          m.writeUInt16BE(req.header.id, 0);
          m.writeUInt16BE(0x8400, 2);
          m.writeUInt32BE(i, 12);
          const p = sink.write(m);
          let settled = false;
          void p.then(() => (settled = true));
          await Promise.resolve();
          if (!settled) pendingWrites++;
          await p;
        }
      },
    };
    const { host, port } = await start({ hooks });
    const c = await TcpClient.connect(host, port);
    c.socket.pause(); // a slow reader: the server must wait on 'drain'
    c.send(query('example.test', 'AXFR', { id: 500 }));
    await sleep(200);
    c.socket.resume();
    const got = await c.waitFor(count, 20_000);
    expect(got).toHaveLength(count);
    got.forEach((m, i) => expect(m.readUInt32BE(12)).toBe(i));
    expect(pendingWrites).toBeGreaterThan(0);
    c.close();
  });

  it('closes a transfer whose peer stops reading for a whole idle period', async () => {
    let rejected = false;
    const hooks: DnsHooks = {
      transfer: async (req, _ctx, sink) => {
        const m = Buffer.alloc(60_000);
        m.writeUInt16BE(req.header.id, 0);
        try {
          for (;;) await sink.write(m);
        } catch {
          rejected = true;
        }
      },
    };
    const { server, host, port } = await start({ hooks, limits: { tcpIdleTimeoutMs: 300 } });
    const c = await TcpClient.connect(host, port);
    c.socket.pause(); // never read: the kernel buffers fill, then the server waits on 'drain'
    c.send(query('example.test', 'AXFR', { id: 8 }));
    // The client cannot see the FIN behind unread data, so watch the server side.
    const deadline = Date.now() + 10_000;
    while (!(rejected && server.stats.tcpOpen === 0) && Date.now() < deadline) await sleep(50);
    expect(rejected).toBe(true);
    expect(server.stats.tcpOpen).toBe(0);
    c.close();
  });

  it('closes the connection when a transfer fails mid-stream', async () => {
    const hooks: DnsHooks = {
      transfer: async (req, _ctx, sink) => {
        const first = Buffer.from(req.raw);
        first[2] = first[2]! | 0x80;
        await sink.write(first);
        throw new Error('journal vanished');
      },
    };
    const { host, port } = await start({ hooks });
    const c = await TcpClient.connect(host, port);
    c.send(query('example.test', 'AXFR', { id: 9 }));
    await c.closed;
    expect(c.messages).toHaveLength(1);
  });

  it('answers AXFR over UDP with NOTIMP and over TCP without a hook with REFUSED', async () => {
    const { host, port } = await start();
    const u = decode((await udpExchange(host, port, query('example.test', 'AXFR')))!);
    expect(rcodeOf(u.header.flags)).toBe(Rcode.NotImp);
    const t = decode((await tcpExchange(host, port, query('example.test', 'AXFR')))!);
    expect(rcodeOf(t.header.flags)).toBe(Rcode.Refused);
  });
});

describe('server: close', () => {
  it('finishes in-flight answers, closes idle connections and stops accepting', async () => {
    let release: (() => void) | undefined;
    const hooks: DnsHooks = {
      notify: (req) =>
        new Promise((resolve) => {
          release = () => {
            const out = Buffer.from(req.raw);
            out[2] = out[2]! | 0x80;
            resolve(out);
          };
        }),
    };
    const { server, host, port } = await start({ hooks });
    const idle = await TcpClient.connect(host, port);
    const busy = await TcpClient.connect(host, port);
    busy.send(query('example.test', 'SOA', { id: 5, opcode: Opcode.Notify }));
    await sleep(50);
    const closing = server.close();
    await idle.closed;
    expect(busy.isClosed).toBe(false);
    release!();
    const [answer] = await busy.waitFor(1);
    expect(decode(answer!).header.id).toBe(5);
    await busy.closed;
    await closing;
    await expect(TcpClient.connect(host, port)).rejects.toThrow();
    expect(await udpExchange(host, port, query('www.example.test', 'A'), 200)).toBeUndefined();
  });

  it('destroys what is still busy after closeGraceMs', async () => {
    const hooks: DnsHooks = { notify: () => new Promise(() => {}) };
    const { server, host, port } = await start({ hooks, closeGraceMs: 100 });
    const c = await TcpClient.connect(host, port);
    c.send(query('example.test', 'SOA', { opcode: Opcode.Notify }));
    await sleep(30);
    const t0 = Date.now();
    await server.close();
    expect(Date.now() - t0).toBeLessThan(2000);
    await c.closed;
  });
});

describe('server: stats', () => {
  it('counts per rcode over both transports', async () => {
    const { server, host, port } = await start();
    await udpExchange(host, port, query('www.example.test', 'A'));
    await tcpExchange(host, port, query('www.elsewhere.test', 'A'));
    await udpExchange(host, port, query('ns.expired.test', 'A'));
    const s = server.stats.snapshot();
    expect(s.queries).toEqual({ udp: 2, tcp: 1 });
    expect(s.responses).toEqual({ NOERROR: 1, REFUSED: 1, SERVFAIL: 1 });
  });
});
