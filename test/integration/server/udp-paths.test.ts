// The two UDP paths answer alike: the native batch socket (native/udp-batch, recvmmsg/sendmmsg;
// the default where it is built) and node:dgram (ZONEXFER_UDP=dgram, or where the module is not
// built). Each case runs on both: answers, IPv6 and the sender's address as the hooks see it,
// answers produced later (NOTIFY through a hook), bursts bigger than one batch, and close.
import { createSocket } from 'node:dgram';
import { afterEach, describe, expect, it } from 'vitest';
import { type DnsHooks, type DnsServer } from '../../../src/server/index.js';
import { loadNativeUdp } from '../../../src/server/udp-batch.js';
import { Opcode, Rcode, rcodeOf } from '../../../src/wire/index.js';
import { peersRequired } from '../../helpers/peers.js';
import { decode, ipv6LoopbackAvailable, query, startTestServer, udpExchange } from '../../helpers/server.js';

const servers: DnsServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

const native = loadNativeUdp();
// On Linux with the module built (npm install builds it) both paths run; CI requires it.
if (native.native === undefined && process.platform === 'linux' && peersRequired()) throw new Error(`native UDP module missing: ${native.why} (ZONEXFER_REQUIRE_PEERS=1)`);
if (native.native === undefined) console.log(`native UDP path not tested: ${native.why}`);
const modes = native.native === undefined ? (['dgram'] as const) : (['auto', 'dgram'] as const);

/**
 * burst sends `n` queries with distinct IDs from one socket at once and collects the answers; few
 * enough that they fit the client's receive buffer (the server runs in this process, so the
 * client reads only once all are answered).
 */
async function burst(host: string, port: number, n: number): Promise<Map<number, Buffer>> {
  const s = createSocket(host.includes(':') ? 'udp6' : 'udp4');
  const got = new Map<number, Buffer>();
  await new Promise<void>((resolve) => s.bind(0, host, resolve));
  const done = new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, 5000);
    s.on('message', (m) => {
      got.set(m.readUInt16BE(0), m);
      if (got.size === n) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
  for (let i = 0; i < n; i++) s.send(query(i % 2 === 0 ? 'www.example.test' : `nx${i}.example.test`, 'A', { id: i + 1 }), port, host);
  await done;
  s.close();
  return got;
}

describe.each(modes)('UDP path %s', (udp) => {
  async function start(o: Parameters<typeof startTestServer>[0] = {}): Promise<{ server: DnsServer; port: number }> {
    const server = await startTestServer({ ...o, udp });
    servers.push(server);
    return { server, port: server.addresses()[0]!.port };
  }

  it('answers a burst of 150 queries (several batches), each matched to its ID', async () => {
    const { port } = await start();
    const got = await burst('127.0.0.1', port, 150);
    expect(got.size).toBe(150);
    for (const [id, m] of got) {
      const d = decode(m);
      expect(d.header.id).toBe(id);
      expect(d.questions[0]!.name).toBe(id % 2 === 1 ? 'www.example.test.' : `nx${id - 1}.example.test.`);
      expect(rcodeOf(d.header.flags)).toBe(id % 2 === 1 ? Rcode.NoError : Rcode.NXDomain);
    }
  });

  it('hands hooks the sender address and port, and sends answers produced later', async () => {
    const seen: { address: string; port: number; family: string }[] = [];
    const hooks: DnsHooks = {
      notify: async (req, ctx) => {
        seen.push({ address: ctx.remote.address, port: ctx.remote.port, family: ctx.remote.family });
        await new Promise((r) => setTimeout(r, 20));
        const out = Buffer.from(req.raw);
        out[2] = out[2]! | 0x80;
        return out;
      },
    };
    const { port } = await start({ hooks });
    const s = createSocket('udp4');
    await new Promise<void>((resolve) => s.bind(0, '127.0.0.1', resolve));
    const answer = new Promise<Buffer>((resolve) => s.once('message', resolve));
    s.send(query('example.test', 'SOA', { id: 77, opcode: Opcode.Notify }), port, '127.0.0.1');
    const a = decode(await answer);
    expect(a.header.id).toBe(77);
    expect(seen).toEqual([{ address: '127.0.0.1', port: s.address().port, family: 'IPv4' }]);
    s.close();
  });

  it('serves ::1 and reports IPv6 senders as text', async (ctx) => {
    if (!(await ipv6LoopbackAvailable())) {
      console.log('skip ipv6: ::1 not available');
      ctx.skip();
    }
    const seen: string[] = [];
    const hooks: DnsHooks = {
      notify: (req, ctx) => {
        seen.push(`${ctx.remote.family} ${ctx.remote.address}`);
        const out = Buffer.from(req.raw);
        out[2] = out[2]! | 0x80;
        return out;
      },
    };
    const { server } = await start({ hosts: ['::1'], hooks });
    const port = server.addresses()[0]!.port;
    expect(decode((await udpExchange('::1', port, query('www.example.test', 'A', { id: 5 })))!).answers).toHaveLength(1);
    expect(decode((await udpExchange('::1', port, query('example.test', 'SOA', { id: 6, opcode: Opcode.Notify })))!).header.id).toBe(6);
    expect(seen).toEqual(['IPv6 ::1']);
    expect((await burst('::1', port, 100)).size).toBe(100);
  });

  it('answers nothing once closed', async () => {
    const { server, port } = await start();
    expect(await udpExchange('127.0.0.1', port, query('www.example.test', 'A'))).toBeDefined();
    await server.close();
    expect(await udpExchange('127.0.0.1', port, query('www.example.test', 'A'), 200)).toBeUndefined();
  });
});
