// Test helpers for src/server: a programmatic test zone, a ZoneSource over ZoneTable, query
// builders (dns-packet), a port-0 server starter, and UDP/TCP clients that match answers by ID.
// Nothing here asserts; tests do. Only loopback addresses are used.

import { createSocket } from 'node:dgram';
import { readdirSync, readFileSync } from 'node:fs';
import { type Socket, connect } from 'node:net';
import { join } from 'node:path';
import dnsPacket from 'dns-packet';
import pino, { type Logger } from 'pino';
import { ZoneTable } from '../../src/query/index.js';
import { type DnsHooks, type DnsServer, type ServerLimits, type ZoneMatch, type ZoneSource, startDnsServer } from '../../src/server/index.js';
import {
  type DomainName,
  type Message,
  type ResourceRecord,
  RRClass,
  RRType,
  decodeMessage,
  nameFromTrusted,
  nameToWire,
} from '../../src/wire/index.js';
import { ZoneBuilder, type ZoneVersion } from '../../src/zone/index.js';

/** silentLogger is a pino logger that writes nothing (set LOG_LEVEL=debug to see server logs). */
export function silentLogger(): Logger {
  return pino({ level: process.env['LOG_LEVEL'] ?? 'silent' });
}

// ---------------------------------------------------------------------------------------------
// RDATA encoders for the test zone (RFC 1035 §3.3, §3.4; RFC 3596 §2.2).

export function aRdata(ip: string): Uint8Array {
  return Uint8Array.from(ip.split('.').map(Number));
}

export function aaaaRdata(ip: string): Uint8Array {
  const [head = '', tail = ''] = ip.split('::');
  const h = head === '' ? [] : head.split(':');
  const t = tail === '' ? [] : tail.split(':');
  const groups = [...h, ...new Array<string>(8 - h.length - t.length).fill('0'), ...t];
  const out = new Uint8Array(16);
  groups.forEach((g, i) => {
    const v = parseInt(g, 16);
    out[i * 2] = v >> 8;
    out[i * 2 + 1] = v & 0xff;
  });
  return out;
}

export function nameRdata(name: string): Uint8Array {
  return nameToWire(nameFromTrusted(name));
}

export function mxRdata(pref: number, exchange: string): Uint8Array {
  const n = nameRdata(exchange);
  const out = new Uint8Array(2 + n.length);
  out[0] = pref >> 8;
  out[1] = pref & 0xff;
  out.set(n, 2);
  return out;
}

export function txtRdata(...strings: string[]): Uint8Array {
  const parts: number[] = [];
  for (const s of strings) {
    const b = Buffer.from(s, 'latin1');
    parts.push(b.length, ...b);
  }
  return Uint8Array.from(parts);
}

export function soaRdata(mname: string, rname: string, serial: number, refresh = 7200, retry = 3600, expire = 1209600, minimum = 300): Uint8Array {
  const m = nameRdata(mname);
  const r = nameRdata(rname);
  const out = Buffer.alloc(m.length + r.length + 20);
  out.set(m, 0);
  out.set(r, m.length);
  let p = m.length + r.length;
  for (const v of [serial, refresh, retry, expire, minimum]) {
    out.writeUInt32BE(v >>> 0, p);
    p += 4;
  }
  return out;
}

export function rr(name: string, type: number, ttl: number, rdata: Uint8Array): ResourceRecord {
  return { name: nameFromTrusted(name), type, class: RRClass.IN, ttl, rdata };
}

/** buildZone builds a ZoneVersion from records; throws on a zone error (tests only). */
export function buildZone(origin: string, records: readonly ResourceRecord[]): ZoneVersion {
  const b = new ZoneBuilder(nameFromTrusted(origin));
  const added = b.addAll(records);
  if (!added.ok) throw new Error(`test zone: ${JSON.stringify(added.error)}`);
  const built = b.build();
  if (!built.ok) throw new Error(`test zone: ${JSON.stringify(built.error)}`);
  return built.value;
}

/** BIG_TXT_COUNT strings of 200 octets make `big.example.test. TXT` about 2 KB: over 1232. */
export const BIG_TXT_COUNT = 10;
/** MAIL_A_COUNT A records at mail.example.test. make the MX additional section overflow 512. */
export const MAIL_A_COUNT = 40;

/**
 * exampleTestZone is `example.test.`: apex SOA/NS, glue, www A, a ~700-octet TXT (`medium`,
 * truncates at 512), a ~2 KB TXT (`big`, truncates at 1232), an MX whose exchange has many A
 * records (additional overflow), and a delegation `sub` with in-bailiwick glue.
 */
export function exampleTestZone(): ZoneVersion {
  const T = RRType;
  const records: ResourceRecord[] = [
    rr('example.test.', T.SOA, 3600, soaRdata('ns1.example.test.', 'hostmaster.example.test.', 2024010101)),
    rr('example.test.', T.NS, 3600, nameRdata('ns1.example.test.')),
    rr('example.test.', T.NS, 3600, nameRdata('ns2.example.test.')),
    rr('ns1.example.test.', T.A, 3600, aRdata('192.0.2.1')),
    rr('ns1.example.test.', T.AAAA, 3600, aaaaRdata('2001:db8::1')),
    rr('ns2.example.test.', T.A, 3600, aRdata('192.0.2.2')),
    rr('www.example.test.', T.A, 300, aRdata('192.0.2.10')),
    rr('medium.example.test.', T.TXT, 300, txtRdata('m'.repeat(200), 'n'.repeat(200), 'o'.repeat(200))),
    rr('mx.example.test.', T.MX, 300, mxRdata(10, 'mail.example.test.')),
    rr('sub.example.test.', T.NS, 3600, nameRdata('ns.sub.example.test.')),
    rr('ns.sub.example.test.', T.A, 3600, aRdata('192.0.2.53')),
  ];
  for (let i = 0; i < BIG_TXT_COUNT; i++) records.push(rr('big.example.test.', T.TXT, 300, txtRdata(String(i).padStart(3, '0') + 'x'.repeat(197))));
  for (let i = 0; i < MAIL_A_COUNT; i++) records.push(rr('mail.example.test.', T.A, 300, aRdata(`198.51.100.${i + 1}`)));
  return buildZone('example.test.', records);
}

/** expiredTestZone is `expired.test.`, served with expired = true by zoneSource's default. */
export function expiredTestZone(): ZoneVersion {
  return buildZone('expired.test.', [
    rr('expired.test.', RRType.SOA, 3600, soaRdata('ns.expired.test.', 'h.expired.test.', 1)),
    rr('expired.test.', RRType.NS, 3600, nameRdata('ns.expired.test.')),
    rr('ns.expired.test.', RRType.A, 3600, aRdata('192.0.2.99')),
  ]);
}

/** TestZoneSource is a ZoneSource over ZoneTable whose zones tests can swap and expire. */
export class TestZoneSource implements ZoneSource {
  readonly table = new ZoneTable<ZoneMatch>();

  constructor(zones: readonly ZoneVersion[] = [], expired: readonly string[] = []) {
    for (const z of zones) this.set(z, expired.includes(z.origin));
  }

  set(version: ZoneVersion, expired = false): void {
    this.table.set(version.origin, { origin: version.origin, version, expired });
  }

  find(qname: DomainName): ZoneMatch | undefined {
    return this.table.find(qname)?.value;
  }
}

/** standardZones: example.test. (live) and expired.test. (expired). */
export function standardZones(): TestZoneSource {
  return new TestZoneSource([exampleTestZone(), expiredTestZone()], ['expired.test.']);
}

// ---------------------------------------------------------------------------------------------
// Queries.

export interface QueryOptions {
  id?: number;
  rd?: boolean;
  cd?: boolean;
  /** edns: undefined for none; else the OPT fields. */
  edns?: { udpSize?: number; version?: number; do?: boolean };
  opcode?: number;
  qclass?: 'IN' | 'CH' | 'ANY';
}

/** query builds a query with dns-packet (RFC 1035 §4.1), optional OPT (RFC 6891 §6.1.2). */
export function query(name: string, type: dnsPacket.RecordType, o: QueryOptions = {}): Buffer {
  let flags = 0;
  if (o.rd === true) flags |= dnsPacket.RECURSION_DESIRED;
  if (o.cd === true) flags |= dnsPacket.CHECKING_DISABLED;
  if (o.opcode !== undefined) flags |= o.opcode << 11;
  const additionals: dnsPacket.Answer[] = [];
  if (o.edns !== undefined) {
    additionals.push({
      type: 'OPT',
      name: '.',
      udpPayloadSize: o.edns.udpSize ?? 4096,
      extendedRcode: 0,
      ednsVersion: o.edns.version ?? 0,
      flags: o.edns.do === true ? dnsPacket.DNSSEC_OK : 0,
      flag_do: o.edns.do === true,
      options: [],
    });
  }
  return dnsPacket.encode({
    type: 'query',
    id: o.id ?? 0x1234,
    flags,
    questions: [{ type, name, class: o.qclass ?? 'IN' }],
    additionals,
  });
}

/** decode decodes a response with the project's decoder; throws when it is malformed. */
export function decode(octets: Uint8Array): Message {
  const r = decodeMessage(octets);
  if (!r.ok) throw new Error(`undecodable response: ${r.error.reason} at ${r.error.offset}`);
  return r.value;
}

/** fullRcode is the 12-bit rcode of a response (RFC 6891 §6.1.3). */
export function fullRcode(m: Message): number {
  return ((m.edns?.extendedRcode ?? 0) << 4) | (m.header.flags & 0xf);
}

// ---------------------------------------------------------------------------------------------
// Servers and clients.

export const TEST_LIMITS: ServerLimits = {
  tcpIdleTimeoutMs: 5000,
  tcpMaxConnections: 64,
  tcpMaxConnectionsPerClient: 32,
  udpMaxPayload: 1232,
};

export interface TestServerOptions {
  zones?: ZoneSource;
  hooks?: DnsHooks;
  limits?: Partial<ServerLimits>;
  hosts?: readonly string[];
  closeGraceMs?: number;
  udp?: 'auto' | 'dgram';
}

/** startTestServer starts a server on 127.0.0.1 port 0 (and other `hosts` given). */
export function startTestServer(o: TestServerOptions = {}): Promise<DnsServer> {
  return startDnsServer({
    listen: (o.hosts ?? ['127.0.0.1']).map((host) => ({ host, port: 0 })),
    zones: o.zones ?? standardZones(),
    limits: { ...TEST_LIMITS, ...o.limits },
    logger: silentLogger(),
    hooks: o.hooks,
    closeGraceMs: o.closeGraceMs,
    udp: o.udp,
  });
}

/** ipv6LoopbackAvailable reports whether a UDP socket can bind ::1 here. */
export function ipv6LoopbackAvailable(): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createSocket('udp6');
    s.once('error', () => {
      s.close();
      resolve(false);
    });
    s.bind({ address: '::1', port: 0 }, () => s.close(() => resolve(true)));
  });
}

/** udpExchange sends one datagram and resolves with the first answer, or undefined on timeout. */
export function udpExchange(host: string, port: number, msg: Uint8Array, timeoutMs = 2000): Promise<Buffer | undefined> {
  return new Promise((resolve) => {
    const s = createSocket(host.includes(':') ? 'udp6' : 'udp4');
    const timer = setTimeout(() => {
      s.close();
      resolve(undefined);
    }, timeoutMs);
    s.once('message', (m) => {
      clearTimeout(timer);
      s.close();
      resolve(m);
    });
    s.send(msg, port, host);
  });
}

/** udpBlast sends datagrams from one socket without waiting for answers; resolves when sent. */
export async function udpBlast(host: string, port: number, msgs: readonly Uint8Array[]): Promise<number> {
  const s = createSocket(host.includes(':') ? 'udp6' : 'udp4');
  let received = 0;
  s.on('message', () => received++);
  await new Promise<void>((resolve) => s.bind(0, resolve));
  for (let i = 0; i < msgs.length; i++) {
    await new Promise<void>((resolve) => s.send(msgs[i]!, port, host, () => resolve()));
  }
  await new Promise((r) => setTimeout(r, 100));
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return received;
}

/** TcpClient is a raw DNS-over-TCP client: frames out, whole messages in, in arrival order. */
export class TcpClient {
  readonly messages: Buffer[] = [];
  private buf = Buffer.alloc(0);
  private waiters: (() => void)[] = [];
  private ended = false;
  readonly closed: Promise<void>;

  private constructor(readonly socket: Socket) {
    socket.on('data', (d: Buffer) => {
      this.buf = Buffer.concat([this.buf, d]);
      while (this.buf.length >= 2) {
        const len = this.buf.readUInt16BE(0);
        if (this.buf.length < 2 + len) break;
        this.messages.push(this.buf.subarray(2, 2 + len));
        this.buf = this.buf.subarray(2 + len);
      }
      this.wake();
    });
    socket.on('error', () => {});
    this.closed = new Promise((resolve) =>
      socket.on('close', () => {
        this.ended = true;
        this.wake();
        resolve();
      }),
    );
  }

  static connect(host: string, port: number): Promise<TcpClient> {
    return new Promise((resolve, reject) => {
      const s = connect({ host, port, noDelay: true });
      s.once('error', reject);
      s.once('connect', () => {
        s.off('error', reject);
        resolve(new TcpClient(s));
      });
    });
  }

  get isClosed(): boolean {
    return this.ended;
  }

  /** send writes one length-prefixed message. */
  send(msg: Uint8Array): void {
    const b = Buffer.alloc(msg.length + 2);
    b.writeUInt16BE(msg.length, 0);
    b.set(msg, 2);
    this.socket.write(b);
  }

  /** sendRaw writes octets as they are (partial prefixes, garbage). */
  sendRaw(octets: Uint8Array): Promise<void> {
    return new Promise((resolve) => this.socket.write(octets, () => resolve()));
  }

  /** waitFor resolves once `n` messages have arrived (or the connection closed, or timeout). */
  async waitFor(n: number, timeoutMs = 5000): Promise<Buffer[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.messages.length < n && !this.ended && Date.now() < deadline) {
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, Math.max(1, deadline - Date.now()));
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
    return this.messages.slice(0, n);
  }

  close(): void {
    this.socket.destroy();
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }
}

/** tcpExchange sends one query on a new connection and resolves with the answer. */
export async function tcpExchange(host: string, port: number, msg: Uint8Array): Promise<Buffer | undefined> {
  const c = await TcpClient.connect(host, port);
  c.send(msg);
  const [m] = await c.waitFor(1);
  c.close();
  return m;
}

// ---------------------------------------------------------------------------------------------
// Hex fixtures: `;` lines are notes (`; expect: X` is machine-read), the rest is hex.

export interface HexFixture {
  readonly file: string;
  readonly note: string;
  readonly expect: string | undefined;
  readonly octets: Buffer;
}

/** readHexFixtures loads every `*.hex` file of a directory. */
export function readHexFixtures(dir: string): HexFixture[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.hex'))
    .sort()
    .map((file) => {
      const text = readFileSync(join(dir, file), 'utf8');
      const notes = text.split('\n').filter((l) => l.startsWith(';'));
      const hex = text
        .split('\n')
        .filter((l) => !l.startsWith(';'))
        .join('')
        .replace(/\s+/g, '');
      const expectLine = notes.find((l) => /^;\s*expect:/.test(l));
      return {
        file,
        note: notes.filter((l) => l !== expectLine).join(' ').replace(/^;\s*/, ''),
        expect: expectLine?.replace(/^;\s*expect:\s*/, '').trim(),
        octets: Buffer.from(hex, 'hex'),
      };
    });
}
