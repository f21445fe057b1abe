// Helpers for the abuse tests: a DNS server on 127.0.0.1 port 0 with the real transfer responder
// (outgoing transfers allowed from 127.0.0.0/8) serving example.test. and a large big.test., a
// canary that keeps asking an ordinary question over UDP and TCP and counts correct answers, raw
// client sockets from chosen loopback source addresses (127.0.0.0/8 is all loopback on Linux, so
// per-client caps can be exercised from one host), and memory readings after full collections.
import { createSocket } from 'node:dgram';
import { type Socket, connect } from 'node:net';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { type DnsServer, type ServerLimits, startDnsServer } from '../../../src/server/index.js';
import { RRType, decodeMessage, nameFromTrusted } from '../../../src/wire/index.js';
import { createTransferResponder } from '../../../src/xfr/out/responder.js';
import type { ZoneDiff, ZoneVersion } from '../../../src/zone/index.js';
import { TestZoneSource, buildZone, exampleTestZone, nameRdata, query, rr, silentLogger, soaRdata, txtRdata } from '../../helpers/server.js';

/** LIMITS: the production defaults (config schema) except a short idle timeout, to keep tests quick. */
export const LIMITS: ServerLimits = { tcpIdleTimeoutMs: 1500, tcpMaxConnections: 1000, tcpMaxConnectionsPerClient: 64, udpMaxPayload: 1232 };

/** bigZone: big.test. with `n` TXT records of 100 octets (about 120 octets each on the wire). */
export function bigZone(n: number): ZoneVersion {
  const records = [
    rr('big.test.', RRType.SOA, 3600, soaRdata('ns.big.test.', 'h.big.test.', 7)),
    rr('big.test.', RRType.NS, 3600, nameRdata('ns.big.test.')),
  ];
  for (let i = 0; i < n; i++) records.push(rr(`t${i}.big.test.`, RRType.TXT, 300, txtRdata(String(i).padStart(8, '0') + 'x'.repeat(91))));
  return buildZone('big.test.', records);
}

export interface AbuseServer {
  server: DnsServer;
  port: number;
  zones: TestZoneSource;
  close(): Promise<void>;
}

/** AbuseServerOptions: limits over LIMITS, extra zones (with IXFR journals by origin), responder write timeout. */
export interface AbuseServerOptions {
  limits?: Partial<ServerLimits>;
  big?: ZoneVersion;
  zones?: readonly ZoneVersion[];
  journals?: ReadonlyMap<string, readonly ZoneDiff[]>;
  writeTimeoutMs?: number;
}

/** startAbuseServer starts the server; `writeTimeoutMs` is the responder's own stall limit. */
export async function startAbuseServer(o: AbuseServerOptions = {}): Promise<AbuseServer> {
  const zones = new TestZoneSource([exampleTestZone(), ...(o.big ? [o.big] : []), ...(o.zones ?? [])]);
  const transfer = createTransferResponder({
    zone: (qname) => {
      const m = zones.find(qname);
      if (m === undefined || m.origin.toLowerCase() !== qname.toLowerCase()) return undefined;
      const journal = o.journals?.get(m.origin) ?? [];
      return { id: m.origin, origin: m.origin, version: m.version, policy: { enabled: true, peers: [], aclRanges: ['127.0.0.0/8'] }, journal };
    },
    log: { info() {}, warn() {} },
    writeTimeoutMs: o.writeTimeoutMs ?? 30_000,
  });
  const server = await startDnsServer({
    listen: [{ host: '127.0.0.1', port: 0 }],
    zones,
    limits: { ...LIMITS, ...o.limits },
    logger: silentLogger(),
    hooks: { transfer },
    closeGraceMs: 500,
  });
  return { server, port: server.addresses()[0]!.port, zones, close: () => server.close() };
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** waitFor polls `cond` every 20 ms until true or `timeoutMs`; returns whether it became true. */
export async function waitFor(cond: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) return false;
    await sleep(20);
  }
  return true;
}

/** connectFrom opens a TCP connection from `localAddress`; resolves once connected (or on error/close). */
export function connectFrom(port: number, localAddress = '127.0.0.1'): Promise<Socket> {
  return new Promise((resolve) => {
    const s = connect({ host: '127.0.0.1', port, localAddress, noDelay: true });
    s.on('error', () => undefined);
    s.once('connect', () => resolve(s));
    s.once('close', () => resolve(s));
  });
}

/** framed prefixes messages with their two-octet lengths and joins them. */
export function framed(messages: readonly Uint8Array[]): Buffer {
  return Buffer.concat(messages.flatMap((m) => [Buffer.from([m.length >> 8, m.length & 255]), Buffer.from(m)]));
}

let gcFn: (() => void) | undefined;
/** memoryMb is heapUsed + external (Buffers live there) after two full collections. */
export function memoryMb(): number {
  if (gcFn === undefined) {
    setFlagsFromString('--expose-gc');
    gcFn = runInNewContext('gc') as () => void;
  }
  gcFn();
  gcFn();
  const m = process.memoryUsage();
  return (m.heapUsed + m.external) / (1024 * 1024);
}

const CANARY_Q = query('www.example.test', 'A');

/** correct: NOERROR with the A record of www.example.test (192.0.2.10). */
function correct(m: Uint8Array | undefined, id: number): boolean {
  if (m === undefined) return false;
  const d = decodeMessage(m);
  if (!d.ok || d.value.header.id !== id || (d.value.header.flags & 0x800f) !== 0x8000) return false;
  return d.value.answers.some((a) => a.type === RRType.A && a.name === nameFromTrusted('www.example.test.') && Buffer.from(a.rdata).equals(Buffer.from([192, 0, 2, 10])));
}

export interface CanaryCount {
  sent: number;
  answered: number;
  wrong: number;
}

export interface CanaryResult {
  seconds: number;
  udp: CanaryCount;
  tcp: CanaryCount;
}

/**
 * Canary asks `www.example.test A` in two loops until stopped: over UDP every ~10 ms (500 ms
 * timeout) and over TCP on a new connection each time from 127.0.0.250 (1 s timeout). A wrong
 * answer is any answer that is not the expected one.
 */
export class Canary {
  private running = true;
  private readonly started = Date.now();
  readonly udp: CanaryCount = { sent: 0, answered: 0, wrong: 0 };
  readonly tcp: CanaryCount = { sent: 0, answered: 0, wrong: 0 };
  private readonly loops: Promise<void>[];
  private id = 1;

  constructor(private readonly port: number) {
    this.loops = [this.udpLoop(), this.tcpLoop()];
  }

  async stop(): Promise<CanaryResult> {
    this.running = false;
    await Promise.all(this.loops);
    return { seconds: (Date.now() - this.started) / 1000, udp: { ...this.udp }, tcp: { ...this.tcp } };
  }

  private nextId(): number {
    this.id = (this.id % 0xfffe) + 1;
    return this.id;
  }

  private async udpLoop(): Promise<void> {
    const s = createSocket('udp4');
    await new Promise<void>((resolve) => s.bind(0, '127.0.0.1', resolve));
    let waiting: { id: number; resolve: (m: Buffer | undefined) => void } | undefined;
    s.on('message', (m) => {
      if (waiting !== undefined && m.length >= 2 && m.readUInt16BE(0) === waiting.id) waiting.resolve(m);
    });
    while (this.running) {
      const id = this.nextId();
      const q = Buffer.from(CANARY_Q);
      q.writeUInt16BE(id, 0);
      this.udp.sent++;
      const answer = await new Promise<Buffer | undefined>((resolve) => {
        const timer = setTimeout(() => resolve(undefined), 500);
        waiting = {
          id,
          resolve: (m) => {
            clearTimeout(timer);
            resolve(m);
          },
        };
        s.send(q, this.port, '127.0.0.1');
      });
      waiting = undefined;
      if (answer !== undefined) {
        if (correct(answer, id)) this.udp.answered++;
        else this.udp.wrong++;
      }
      await sleep(10);
    }
    s.close();
  }

  private async tcpLoop(): Promise<void> {
    while (this.running) {
      const id = this.nextId();
      const q = Buffer.from(CANARY_Q);
      q.writeUInt16BE(id, 0);
      this.tcp.sent++;
      const answer = await new Promise<Buffer | undefined>((resolve) => {
        const s = connect({ host: '127.0.0.1', port: this.port, localAddress: '127.0.0.250', noDelay: true });
        let buf = Buffer.alloc(0);
        const done = (m: Buffer | undefined) => {
          clearTimeout(timer);
          s.destroy();
          resolve(m);
        };
        const timer = setTimeout(() => done(undefined), 1000);
        s.on('error', () => done(undefined));
        s.on('close', () => done(undefined));
        s.on('connect', () => s.write(framed([q])));
        s.on('data', (c: Buffer) => {
          buf = Buffer.concat([buf, c]);
          if (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) done(buf.subarray(2, 2 + buf.readUInt16BE(0)));
        });
      });
      if (answer !== undefined) {
        if (correct(answer, id)) this.tcp.answered++;
        else this.tcp.wrong++;
      }
      await sleep(20);
    }
  }
}

/** describeCanary renders the answer rates, e.g. "UDP 412/412 (100.0%), TCP 130/131 (99.2%) over 5.1 s". */
export function describeCanary(r: CanaryResult): string {
  const pct = (c: CanaryCount) => (c.sent === 0 ? 'n/a' : `${((100 * c.answered) / c.sent).toFixed(1)}%`);
  return `UDP ${r.udp.answered}/${r.udp.sent} (${pct(r.udp)}, ${(r.udp.answered / r.seconds).toFixed(0)}/s), TCP ${r.tcp.answered}/${r.tcp.sent} (${pct(r.tcp)}, ${(r.tcp.answered / r.seconds).toFixed(0)}/s) over ${r.seconds.toFixed(1)} s`;
}
