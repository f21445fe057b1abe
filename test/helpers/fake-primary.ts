// FakePrimary: an in-process primary for the secondary-side integration tests (STYLE.md tests:
// our version of miekg's SingleEnvelopeXfrServer and CoreDNS's soa handler). UDP and TCP on one
// loopback port (port 0); each request is decoded, recorded and handed to a script that returns
// the reply: messages, silence, a reset, a stall or an endless stream. Without a script it behaves
// as an honest primary: SOA, AXFR (RFC 5936) and IXFR from its own journal (RFC 1995). Messages
// are built with src/wire MessageWriter and src/xfr/out/render.ts; it asserts nothing.

import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { type Server, type Socket, createServer } from 'node:net';
import { buildNotify } from '../../src/notify/message.js';
import {
  type DomainName, Flag, type Message, MessageWriter, RRClass, RRType, Rcode, type ResourceRecord, Section, TcpFramer, decodeMessage, frame,
  nameFromTrusted, nameKey,
} from '../../src/wire/index.js';
import { renderAxfr, renderIxfr } from '../../src/xfr/out/render.js';
import { type ZoneDiff, ZoneBuilder, type ZoneVersion, computeDiff, soaSerial } from '../../src/zone/index.js';
import { parseZoneFile } from '../../src/zone/zone-file/index.js';

/** FakeRequest is one decoded request as the script sees it. */
export interface FakeRequest {
  readonly transport: 'udp' | 'tcp';
  readonly remote: string;
  readonly message: Message;
  readonly id: number;
  readonly qname: DomainName;
  readonly qtype: number;
  /** ixfrSerial is the serial of the SOA in an IXFR request's authority section (RFC 1995 §3). */
  readonly ixfrSerial: number | undefined;
}

/**
 * FakeReply is what the script wants done:
 * - an array of messages: sent in order (UDP sends the first only), the connection stays open;
 * - `{messages, then: 'stall'}`: sent, then silence with the connection open (idle timeouts);
 * - `{stream, capBytes, intervalMs}`: messages from `stream(i)` written as fast as the client reads
 *   them (or one per `intervalMs`: a slow drip), until the client goes away or `capBytes` were
 *   written (a safety net, so a test can never hang);
 * - 'drop': UDP no answer, TCP connection reset at once (a primary that went away);
 * - 'stall': nothing at all, the connection stays open.
 */
export type FakeReply =
  | readonly Uint8Array[]
  | { readonly messages: readonly Uint8Array[]; readonly then: 'stall' }
  | { readonly stream: (i: number) => Uint8Array; readonly capBytes: number; readonly intervalMs?: number }
  | 'drop'
  | 'stall';

/** FakeScript decides the reply to one request; `primary.serve(req)` is the honest behaviour. */
export type FakeScript = (req: FakeRequest, primary: FakePrimary) => FakeReply | Promise<FakeReply>;

/** StreamReport tells how an endless stream ended. */
export interface StreamReport {
  bytes: number;
  messages: number;
  /** endedBy: 'client' when the client closed or reset, 'cap' when capBytes was reached. */
  endedBy: 'client' | 'cap' | undefined;
}

/** FakePrimary is a scriptable primary on 127.0.0.1 (or `host`), UDP+TCP on one port. */
export class FakePrimary {
  /** requests: every request received, in order. */
  readonly requests: FakeRequest[] = [];
  /** streams: one report per endless stream started. */
  readonly streams: StreamReport[] = [];
  /** script: the behaviour; undefined means serve(). */
  script: FakeScript | undefined;
  private readonly versions: ZoneVersion[] = [];
  private readonly sockets = new Set<Socket>();
  private readonly streamEnded: (() => void)[] = [];

  private constructor(
    readonly host: string,
    readonly port: number,
    private readonly tcp: Server,
    private readonly udp: UdpSocket,
  ) {}

  /** start binds UDP and TCP on the same free port of `host` (default 127.0.0.1). */
  static async start(o: { host?: string; zone?: ZoneVersion; script?: FakeScript } = {}): Promise<FakePrimary> {
    const host = o.host ?? '127.0.0.1';
    for (let attempt = 0; attempt < 20; attempt++) {
      const tcp = createServer();
      await new Promise<void>((res, rej) => {
        tcp.once('error', rej);
        tcp.listen(0, host, () => res());
      });
      const port = (tcp.address() as { port: number }).port;
      const udp = createSocket('udp4');
      const bound = await new Promise<boolean>((res) => {
        udp.once('error', () => res(false));
        udp.bind(port, host, () => res(true));
      });
      if (!bound) {
        udp.close();
        await new Promise<void>((res) => tcp.close(() => res()));
        continue;
      }
      const p = new FakePrimary(host, port, tcp, udp);
      p.script = o.script;
      if (o.zone !== undefined) p.publish(o.zone);
      p.listen();
      return p;
    }
    throw new Error(`FakePrimary: no port free for both UDP and TCP on ${host}`);
  }

  /** zone is the version an honest primary serves (the last published). */
  get zone(): ZoneVersion | undefined {
    return this.versions.at(-1);
  }

  /** address is the peer address for zonexfer's configuration. */
  get address(): { host: string; port: number } {
    return { host: this.host, port: this.port };
  }

  /** publish makes `v` the served version; the diff from the previous one goes to the journal. */
  publish(v: ZoneVersion): void {
    this.versions.push(v);
  }

  /** journalFrom returns the diffs from `serial` to the current version, or undefined. */
  journalFrom(serial: number): ZoneDiff[] | undefined {
    const i = this.versions.findIndex((v) => v.serial === serial);
    if (i < 0) return undefined;
    const out: ZoneDiff[] = [];
    for (let j = i + 1; j < this.versions.length; j++) out.push(computeDiff(this.versions[j - 1]!, this.versions[j]!));
    return out;
  }

  /** asked returns the qtypes requested so far (e.g. [SOA, IXFR, AXFR]), optionally since index `from`. */
  asked(from = 0): number[] {
    return this.requests.slice(from).map((r) => r.qtype);
  }

  /**
   * serve is the honest primary: SOA over UDP/TCP; AXFR; IXFR with the journal when it knows the
   * client's serial (a lone SOA when the client is current), else the whole zone AXFR-style
   * (RFC 1995 §4); REFUSED for other zones; NOTIMP for other types.
   */
  serve(req: FakeRequest): FakeReply {
    const z = this.zone;
    if (z === undefined || nameKey(req.qname) !== nameKey(z.origin)) return [answerRcode(req, Rcode.Refused)];
    switch (req.qtype) {
      case RRType.SOA:
        return [answerSoa(req, z)];
      case RRType.AXFR:
        return req.transport === 'tcp' ? answerAxfr(req, z) : [answerRcode(req, Rcode.NotImp)];
      case RRType.IXFR: {
        const diffs = req.ixfrSerial === undefined ? undefined : this.journalFrom(req.ixfrSerial);
        return diffs === undefined ? answerAxfr(req, z, { qtype: RRType.IXFR }) : answerIxfr(req, z, diffs);
      }
      default:
        return [answerRcode(req, Rcode.NotImp)];
    }
  }

  /** close stops listening and destroys every open connection (ends running streams). */
  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    this.udp.close();
    await new Promise<void>((res) => this.tcp.close(() => res()));
  }

  /** streamDone resolves when the next endless stream ends (or at once if one has ended). */
  streamDone(timeoutMs = 10_000): Promise<StreamReport> {
    const last = this.streams.at(-1);
    if (last?.endedBy !== undefined) return Promise.resolve(last);
    return new Promise((res, rej) => {
      const t = setTimeout(() => rej(new Error(`FakePrimary: no stream ended within ${timeoutMs} ms`)), timeoutMs);
      this.streamEnded.push(() => {
        clearTimeout(t);
        res(this.streams.at(-1)!);
      });
    });
  }

  private decide(req: FakeRequest): Promise<FakeReply> {
    this.requests.push(req);
    return Promise.resolve(this.script === undefined ? this.serve(req) : this.script(req, this));
  }

  private listen(): void {
    this.udp.on('message', (buf, rinfo) => {
      const req = toRequest(buf, 'udp', rinfo.address);
      if (req === undefined) return;
      void this.decide(req).then((reply) => {
        const msgs = isList(reply) ? reply : typeof reply === 'object' && 'messages' in reply ? reply.messages : [];
        const first = msgs[0];
        if (first !== undefined) this.udp.send(first, rinfo.port, rinfo.address);
      });
    });
    this.tcp.on('connection', (sock) => {
      this.sockets.add(sock);
      sock.on('close', () => this.sockets.delete(sock));
      sock.on('error', () => undefined);
      const framer = new TcpFramer();
      let chain = Promise.resolve();
      sock.on('data', (chunk: Buffer) => {
        for (const m of framer.push(chunk)) {
          const req = toRequest(m, 'tcp', sock.remoteAddress ?? '');
          if (req === undefined) continue;
          chain = chain.then(() => this.decide(req)).then((reply) => this.reply(sock, reply));
        }
      });
    });
  }

  private async reply(sock: Socket, reply: FakeReply): Promise<void> {
    if (sock.destroyed) return;
    if (reply === 'drop') {
      sock.resetAndDestroy();
      return;
    }
    if (reply === 'stall') return;
    if (isList(reply)) {
      for (const m of reply) sock.write(frame(m));
      return;
    }
    if ('messages' in reply) {
      for (const m of reply.messages) sock.write(frame(m));
      return;
    }
    await this.stream(sock, reply.stream, reply.capBytes, reply.intervalMs ?? 0);
  }

  private async stream(sock: Socket, next: (i: number) => Uint8Array, capBytes: number, intervalMs: number): Promise<void> {
    const report: StreamReport = { bytes: 0, messages: 0, endedBy: undefined };
    this.streams.push(report);
    const gone = new Promise<void>((res) => sock.once('close', () => res()));
    while (!sock.destroyed) {
      if (report.bytes >= capBytes) {
        report.endedBy = 'cap';
        sock.destroy();
        break;
      }
      const f = frame(next(report.messages));
      report.messages++;
      report.bytes += f.length;
      if (!sock.write(f)) await Promise.race([new Promise<void>((res) => sock.once('drain', () => res())), gone]);
      // Yield after every message: loopback takes megabytes without back-pressure, and a loop that
      // never yields would starve the client sharing this process (a remote primary cannot).
      else await new Promise<void>((res) => (intervalMs > 0 ? setTimeout(res, intervalMs) : setImmediate(res)));
    }
    report.endedBy ??= 'client';
    for (const f of this.streamEnded.splice(0)) f();
  }
}

function isList(r: FakeReply): r is readonly Uint8Array[] {
  return Array.isArray(r);
}

function toRequest(raw: Uint8Array, transport: 'udp' | 'tcp', remote: string): FakeRequest | undefined {
  const d = decodeMessage(raw);
  if (!d.ok) return undefined;
  const m = d.value;
  const q = m.questions[0];
  if (q === undefined || (m.header.flags & Flag.QR) !== 0) return undefined;
  const soa = m.authorities.find((r) => r.type === RRType.SOA);
  return { transport, remote, message: m, id: m.header.id, qname: q.name, qtype: q.type, ixfrSerial: soa === undefined ? undefined : soaSerial(soa.rdata) };
}

// ---------------------------------------------------------------------------------------------
// Replies. Every builder copies the request's ID and question.

/** withId returns a copy of a rendered message (ID 0) carrying `id`. */
export function withId(octets: Uint8Array, id: number): Buffer {
  const b = Buffer.from(octets);
  b.writeUInt16BE(id & 0xffff, 0);
  return b;
}

/** answerRcode is an empty response with `rcode` (NOTIMP, REFUSED, FORMERR, SERVFAIL ...). */
export function answerRcode(req: FakeRequest, rcode: number): Buffer {
  const w = new MessageWriter(512);
  w.header(req.id, Flag.QR | (rcode & 0xf));
  w.question(req.qname, req.qtype, RRClass.IN);
  return w.finish();
}

/** answerSoa is an authoritative answer holding the zone's SOA (the refresh probe). */
export function answerSoa(req: FakeRequest, zone: ZoneVersion): Buffer {
  const w = new MessageWriter(4096);
  w.header(req.id, Flag.QR | Flag.AA);
  w.question(req.qname, req.qtype, RRClass.IN);
  w.record(Section.Answer, zone.soa);
  return w.finish();
}

/**
 * answerAxfr renders the whole zone (RFC 5936 §2.2); `qtype` IXFR makes the AXFR-style answer to an
 * IXFR (RFC 1995 §4); `limit` caps message size (a small one spreads the zone over many messages).
 */
export function answerAxfr(req: FakeRequest, zone: ZoneVersion, o: { qtype?: number; limit?: number } = {}): Buffer[] {
  return [...renderAxfr(zone, o.qtype ?? RRType.AXFR, o.limit)].map((m) => withId(m.octets, req.id));
}

/** answerIxfr renders an incremental answer through `diffs` to `zone` (RFC 1995 §4). */
export function answerIxfr(req: FakeRequest, zone: ZoneVersion, diffs: readonly ZoneDiff[]): Buffer[] {
  return [...renderIxfr(zone.soa, zone.origin, diffs)].map((m) => withId(m.octets, req.id));
}

/** oneRecordPerMessage writes `records` as answers, one RR per message (BIND's one-answer format). */
export function oneRecordPerMessage(req: FakeRequest, records: Iterable<ResourceRecord>): Buffer[] {
  const out: Buffer[] = [];
  let first = true;
  for (const rr of records) {
    const w = new MessageWriter(65535);
    w.header(req.id, Flag.QR | Flag.AA);
    if (first) w.question(req.qname, req.qtype, RRClass.IN);
    first = false;
    w.record(Section.Answer, rr);
    out.push(w.finish());
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Zones and NOTIFY.

/** zoneFromText builds a version from master-file text (relative names under `origin`). */
export function zoneFromText(origin: string, text: string): ZoneVersion {
  const o = nameFromTrusted(origin);
  const parsed = parseZoneFile(text, { origin: o, defaultTtl: 3600 });
  if (!parsed.ok) throw new Error(`zoneFromText: ${parsed.error.message} at line ${parsed.error.line}`);
  const b = new ZoneBuilder(o);
  const added = b.addAll(parsed.value.records);
  if (!added.ok) throw new Error(`zoneFromText: ${JSON.stringify(added.error)}`);
  const built = b.build();
  if (!built.ok) throw new Error(`zoneFromText: ${JSON.stringify(built.error)}`);
  return built.value;
}

/**
 * sendNotify sends a NOTIFY for `origin` (RFC 1996 §3.7) from a UDP socket bound to `from` and
 * resolves with the decoded response, or undefined when none came within `timeoutMs`.
 */
export function sendNotify(o: { from: string; to: { host: string; port: number }; origin: string; soa?: ZoneVersion; timeoutMs?: number }): Promise<Message | undefined> {
  const id = Math.floor(Math.random() * 0x10000);
  const msg = buildNotify(id, nameFromTrusted(o.origin), o.soa?.soa);
  return new Promise((resolve, reject) => {
    const s = createSocket('udp4');
    let timer: NodeJS.Timeout | undefined;
    const done = (m: Message | undefined) => {
      clearTimeout(timer);
      s.close();
      resolve(m);
    };
    s.once('error', (e) => {
      clearTimeout(timer);
      s.close();
      reject(e);
    });
    s.on('message', (buf) => {
      const d = decodeMessage(buf);
      if (d.ok && d.value.header.id === id) done(d.value);
    });
    s.bind(0, o.from, () => {
      s.send(msg, o.to.port, o.to.host);
      timer = setTimeout(() => done(undefined), o.timeoutMs ?? 3000);
    });
  });
}

/**
 * testZone is a small zone at `serial`: apex SOA (REFRESH 7200, RETRY `retry`, EXPIRE `expire`)
 * and NS, glue, `www` A, plus the master-file lines in `extra`.
 */
export function testZone(origin: string, serial: number, o: { extra?: string; retry?: number; expire?: number } = {}): ZoneVersion {
  return zoneFromText(
    origin,
    [
      `@ 3600 IN SOA ns1 hostmaster ${serial} 7200 ${o.retry ?? 3600} ${o.expire ?? 1209600} 300`,
      '@ 3600 IN NS ns1',
      'ns1 3600 IN A 192.0.2.1',
      'www 300 IN A 192.0.2.10',
      o.extra ?? '',
    ].join('\n'),
  );
}

/** recordLines lists a version's RRs as sorted "name type ttl rdata-hex" lines (for whole-zone equality). */
export function recordLines(v: ZoneVersion): string[] {
  return [...v.records()].map((r) => `${nameKey(r.name)} ${r.type} ${r.ttl} ${Buffer.from(r.rdata).toString('hex')}`).sort();
}

/**
 * endlessTransfer is a hostile AXFR answer for `stream`: message 0 opens with `soa`, then every
 * message carries `perMessage` copies of `filler(i, j)` and the closing SOA never comes.
 */
export function endlessTransfer(req: FakeRequest, soa: ResourceRecord, perMessage: number, filler: (i: number, j: number) => ResourceRecord): (i: number) => Uint8Array {
  return (i) => {
    const w = new MessageWriter(65535);
    w.header(req.id, Flag.QR | Flag.AA);
    if (i === 0) {
      w.question(req.qname, req.qtype, RRClass.IN);
      w.record(Section.Answer, soa);
    }
    for (let j = 0; j < perMessage; j++) if (!w.record(Section.Answer, filler(i, j))) break;
    return w.finish();
  };
}
