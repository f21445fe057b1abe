// Dispatcher: the pure request → response step of the server. Raw octets, transport and remote in;
// response octets, undefined (drop) or a promise of either out. No sockets: the UDP and TCP
// drivers call it, and unit tests feed it crafted octets. Never throws (unexpected faults: SERVFAIL).
// RFC 1035 §4.1.1, RFC 6891 §6.1.3 / §7, RFC 2181 §9, RFC 5936 §4.2, RFC 1996, RFC 8945 §5.2.
// Deviations: a TSIG request without a tsig hook gets NOTAUTH with no TSIG RR (RFC 8945 §5.2.1
// wants a TSIG RR with error BADKEY); AXFR over UDP gets NOTIMP, as Knot does (BIND: FORMERR).

import type { Logger } from 'pino';
import { answerQuery } from '../query/index.js';
import {
  EDNS_DO,
  type Message,
  Opcode,
  type Question,
  RRClass,
  RRType,
  Rcode,
  decodeMessage,
  describeDecodeError,
  opcodeOf,
  typeToString,
  namesEqual,
  parentName,
} from '../wire/index.js';
import { type RequestView, parseCommonQuery, salvageQuestion, viewOfMessage } from './request.js';
import { ResponseBuilder } from './response.js';
import { DnsStats, rcodeName } from './stats.js';
import type {
  DnsHooks,
  MessageSink,
  Remote,
  RequestContext,
  Transport,
  TransportSink,
  TsigCheck,
  ZoneMatch,
  ZoneSource,
} from './types.js';

/** DispatchResult: octets to send, undefined to send nothing, or a promise of either (hooks). */
export type DispatchResult = Uint8Array | undefined | Promise<Uint8Array | undefined>;

/** DispatcherOptions configures a Dispatcher. */
export interface DispatcherOptions {
  readonly zones: ZoneSource;
  readonly logger: Logger;
  /** udpMaxPayload is our EDNS payload size and the UDP response ceiling (RFC 6891 §6.2.5). */
  readonly udpMaxPayload: number;
  readonly hooks?: DnsHooks;
  readonly stats?: DnsStats;
}

const DO_ON = { dnssecOk: true } as const;
const DO_OFF = { dnssecOk: false } as const;

/** FirstMessageSink keeps the first message a transfer hook writes over UDP. */
class FirstMessageSink implements MessageSink {
  message: Uint8Array | undefined;
  constructor(private readonly max: number) {}
  write(message: Uint8Array): Promise<void> {
    if (this.message === undefined) {
      if (message.length > this.max) {
        return Promise.reject(new Error(`transfer response of ${message.length} octets exceeds UDP limit ${this.max}`));
      }
      this.message = message;
    }
    return Promise.resolve();
  }
}

/** CountingSink forwards to the connection and counts, so a failure can tell whether anything
 * was sent yet. */
class CountingSink implements MessageSink {
  written = 0;
  constructor(private readonly inner: TransportSink) {}
  write(message: Uint8Array): Promise<void> {
    this.written++;
    return this.inner.write(message);
  }

  writeParts(parts: readonly Uint8Array[]): Promise<void> {
    this.written++;
    return this.inner.writeParts !== undefined ? this.inner.writeParts(parts) : this.inner.write(Buffer.concat(parts));
  }
}

/**
 * Dispatcher answers requests. `dispatch` never throws and its promises never reject.
 * Rules, in order:
 *  1. under 12 octets, or QR=1 → drop (RFC 1035 §4.1.1: never answer a response);
 *  2. decode failure → FORMERR echoing ID, opcode, RD and the question when it parses;
 *  3. EDNS version > 0 → BADVERS (RFC 6891 §6.1.3);
 *  4. TSIG RR → hooks.tsig, else NOTAUTH;
 *  5. NOTIFY → hooks.notify, else NOTIMP; other opcodes but QUERY → NOTIMP;
 *  6. QDCOUNT ≠ 1 → FORMERR;
 *  7. AXFR/IXFR → hooks.transfer (AXFR over UDP: NOTIMP), else REFUSED;
 *  8. no zone → REFUSED; expired → SERVFAIL; else answerQuery.
 */
export class Dispatcher {
  readonly stats: DnsStats;
  private readonly zones: ZoneSource;
  private readonly hooks: DnsHooks;
  private readonly logger: Logger;
  private readonly responses: ResponseBuilder;

  constructor(options: DispatcherOptions) {
    this.zones = options.zones;
    this.hooks = options.hooks ?? {};
    this.logger = options.logger;
    this.stats = options.stats ?? new DnsStats();
    this.responses = new ResponseBuilder(options.udpMaxPayload, this.stats);
  }

  /**
   * dispatch answers one request. `stream` is the TCP connection, needed only for transfers;
   * over UDP the result must be sent to `remote` as is (it never exceeds the UDP limit).
   */
  dispatch(raw: Uint8Array, transport: Transport, remote: Remote, stream?: TransportSink): DispatchResult {
    const tcp = transport === 'tcp';
    if (tcp) this.stats.tcpQueries++;
    else this.stats.udpQueries++;
    try {
      // RFC 1035 §4.1.1: QR=1 marks a response; answering it could start a loop.
      if (raw.length < 12 || (raw[2]! & 0x80) !== 0) {
        this.stats.dropped++;
        return undefined;
      }
      const view = parseCommonQuery(raw);
      if (view !== undefined) return this.query(view, view.question!, tcp, remote, undefined);
      return this.slow(raw, tcp, remote, stream);
    } catch (e) {
      return this.internalError(raw, e, remote);
    }
  }

  /** slow handles everything the fast path did not: full decode, then rules 2-8. */
  private slow(raw: Uint8Array, tcp: boolean, remote: Remote, stream: TransportSink | undefined): DispatchResult {
    const decoded = decodeMessage(raw);
    if (!decoded.ok) {
      // RFC 1035 §4.1.1 FORMERR; the OPT may be what failed, so none is sent (RFC 6891 §7).
      const view: RequestView = {
        id: (raw[0]! << 8) | raw[1]!,
        flags: (raw[2]! << 8) | raw[3]!,
        question: undefined,
        edns: false,
        udpSize: 512,
        ednsVersion: 0,
        ednsFlags: 0,
      };
      if (this.logger.isLevelEnabled('debug')) {
        this.logger.debug({ remote: remote.address, reason: describeDecodeError(decoded.error) }, 'malformed request');
      }
      return this.error(view, Rcode.FormErr, salvageQuestion(raw), remote);
    }
    const m = decoded.value;
    const view = viewOfMessage(m);
    const q = view.question;
    const single = m.header.qdcount === 1 ? q : undefined;
    // RFC 6891 §6.1.3: we implement version 0 only; the OPT we send says so.
    if (view.edns && view.ednsVersion > 0) return this.error(view, Rcode.BadVers, single, remote);

    let tsig: TsigCheck | undefined;
    if (m.tsig !== undefined) {
      const verify = this.hooks.tsig;
      // Gap: RFC 8945 §5.2.1 answers an unknown key with NOTAUTH plus a TSIG RR (error BADKEY);
      // building that RR is src/tsig's job, so without the hook the TSIG RR is left out.
      if (verify === undefined) return this.error(view, Rcode.NotAuth, single, remote);
      tsig = verify(m);
      if (!tsig.ok) {
        if (tsig.response !== undefined) return this.checked(tsig.response, this.responses.limit(view, tcp), remote);
        return this.error(view, Rcode.NotAuth, single, remote);
      }
    }

    const opcode = opcodeOf(view.flags);
    if (opcode === Opcode.Notify) return this.notify(m, view, single, tcp, remote, tsig);
    if (opcode !== Opcode.Query) return this.error(view, Rcode.NotImp, single, remote, tsig);
    if (m.header.qdcount !== 1 || q === undefined) return this.error(view, Rcode.FormErr, undefined, remote, tsig);

    const t = q.type;
    if (t === RRType.AXFR || t === RRType.IXFR) return this.transfer(m, view, q, tcp, remote, stream, tsig);
    // OPT and TSIG are pseudo-RRs, not data (RFC 6891 §6.1.1, RFC 8945 §4); TKEY is not offered.
    if (t === RRType.OPT || t === RRType.TSIG) return this.error(view, Rcode.FormErr, q, remote, tsig);
    if (t === RRType.TKEY) return this.error(view, Rcode.NotImp, q, remote, tsig);
    return this.query(view, q, tcp, remote, tsig);
  }

  /** query answers a standard query from the zone that holds its name (rule 8). */
  private query(view: RequestView, q: Question, tcp: boolean, remote: Remote, tsig: TsigCheck | undefined): Uint8Array | undefined {
    let match = this.zones.find(q.name);
    // RFC 4035 §3.1.4.1: DS lives on the parent side of a cut; when we also host the parent zone,
    // a DS query for a child apex is answered from the parent.
    if (q.type === RRType.DS && match !== undefined && namesEqual(match.origin, q.name) && q.name !== '.') {
      const parent = this.zones.find(parentName(q.name)!);
      if (parent !== undefined) match = parent;
    }
    let rcode: number;
    let out: Uint8Array;
    if (match === undefined || (q.class !== match.version.zoneClass && q.class !== RRClass.ANY)) {
      // Not authoritative for the name: REFUSED, RA clear (we do not recurse; RFC 1035 §4.1.1).
      rcode = Rcode.Refused;
      out = this.responses.error(view, rcode, q, tsig);
    } else if (match.expired) {
      // RFC 1035 §4.3.5: a secondary past EXPIRE no longer answers from the zone.
      rcode = Rcode.ServFail;
      out = this.responses.error(view, rcode, q, tsig);
    } else {
      const dnssecOk = view.edns && (view.ednsFlags & EDNS_DO) !== 0;
      const s = answerQuery(match.version, q, dnssecOk ? DO_ON : DO_OFF);
      rcode = s.rcode;
      const limit = this.responses.limit(view, tcp);
      out = this.responses.answer(view, q, limit, s, tsig);
      // Only a TSIG signature larger than it reserved can get here; never send past the limit.
      if (out.length > limit) {
        this.logger.warn({ remote: remote.address, size: out.length, limit }, 'response over the size limit; dropped');
        this.stats.dropped++;
        return undefined;
      }
    }
    this.stats.response(rcode);
    if (this.logger.isLevelEnabled('debug')) {
      this.logger.debug(
        { remote: remote.address, qname: q.name, qtype: typeToString(q.type), rcode: rcodeName(rcode), size: out.length },
        'query',
      );
    }
    return out;
  }

  /** notify hands NOTIFY to its hook (RFC 1996 §3); NOTIMP without one. */
  private notify(
    m: Message,
    view: RequestView,
    q: Question | undefined,
    tcp: boolean,
    remote: Remote,
    tsig: TsigCheck | undefined,
  ): DispatchResult {
    const hook = this.hooks.notify;
    if (hook === undefined) return this.error(view, Rcode.NotImp, q, remote, tsig);
    const ctx = this.context(tcp, remote, q, tsig, this.responses.limit(view, tcp));
    const out = hook(m, ctx);
    if (out === undefined || out instanceof Uint8Array) return this.checked(out, ctx.maxSize, remote);
    return out.then(
      (r) => this.checked(r, ctx.maxSize, remote),
      (e: unknown) => this.hookFailed('notify', view, q, remote, e),
    );
  }

  /**
   * transfer hands AXFR and IXFR to the transfer hook. RFC 5936 §4.2: AXFR over UDP is not
   * defined; Knot answers NOTIMP (BIND FORMERR), and so do we. Without a hook: REFUSED.
   */
  private transfer(
    m: Message,
    view: RequestView,
    q: Question,
    tcp: boolean,
    remote: Remote,
    stream: TransportSink | undefined,
    tsig: TsigCheck | undefined,
  ): DispatchResult {
    if (q.type === RRType.AXFR && !tcp) return this.error(view, Rcode.NotImp, q, remote, tsig);
    const hook = this.hooks.transfer;
    if (hook === undefined || (tcp && stream === undefined)) return this.error(view, Rcode.Refused, q, remote, tsig);
    this.stats.transfers++;
    const ctx = this.context(tcp, remote, q, tsig, this.responses.limit(view, tcp));
    if (tcp) {
      const sink = new CountingSink(stream!);
      return hook(m, ctx, sink).then(
        () => undefined,
        (e: unknown) => {
          if (sink.written > 0) {
            // Mid-stream failure: the client must not take a partial transfer for a whole one.
            this.logger.warn({ remote: remote.address, qname: q.name, err: e }, 'transfer failed mid-stream; closing connection');
            stream!.abort();
            return undefined;
          }
          return this.hookFailed('transfer', view, q, remote, e);
        },
      );
    }
    const sink = new FirstMessageSink(ctx.maxSize);
    return hook(m, ctx, sink).then(
      () => this.counted(sink.message),
      (e: unknown) => this.hookFailed('transfer', view, q, remote, e),
    );
  }

  private context(tcp: boolean, remote: Remote, q: Question | undefined, tsig: TsigCheck | undefined, maxSize: number): RequestContext {
    const zone: ZoneMatch | undefined = q === undefined ? undefined : this.zones.find(q.name);
    return { transport: tcp ? 'tcp' : 'udp', remote, zone, tsig, maxSize };
  }

  private error(view: RequestView, rcode: number, q: Question | undefined, remote: Remote, tsig?: TsigCheck): Uint8Array {
    const out = this.responses.error(view, rcode, q, tsig);
    this.stats.response(rcode);
    if (this.logger.isLevelEnabled('debug')) {
      this.logger.debug({ remote: remote.address, qname: q?.name, rcode: rcodeName(rcode) }, 'query');
    }
    return out;
  }

  /** counted records the rcode of a hook-built response. */
  private counted(out: Uint8Array | undefined): Uint8Array | undefined {
    if (out === undefined || out.length < 12) {
      this.stats.dropped++;
      return undefined;
    }
    this.stats.response(out[3]! & 0xf);
    return out;
  }

  /** checked drops a hook response that would exceed the transport's limit. */
  private checked(out: Uint8Array | undefined, max: number, remote: Remote): Uint8Array | undefined {
    if (out !== undefined && out.length > max) {
      this.logger.warn({ remote: remote.address, size: out.length, max }, 'hook response exceeds transport limit; dropped');
      this.stats.dropped++;
      return undefined;
    }
    return this.counted(out);
  }

  private hookFailed(hook: string, view: RequestView, q: Question | undefined, remote: Remote, e: unknown): Uint8Array | undefined {
    this.stats.internalErrors++;
    this.logger.error({ remote: remote.address, qname: q?.name, hook, err: e }, 'hook failed; answering SERVFAIL');
    try {
      return this.error(view, Rcode.ServFail, q, remote);
    } catch {
      return undefined;
    }
  }

  /** internalError turns an unexpected exception into SERVFAIL (or a drop if even that fails). */
  private internalError(raw: Uint8Array, e: unknown, remote: Remote): Uint8Array | undefined {
    this.stats.internalErrors++;
    try {
      this.logger.error({ remote: remote.address, err: e }, 'internal error while answering; SERVFAIL');
      const view: RequestView = {
        id: (raw[0]! << 8) | raw[1]!,
        flags: (raw[2]! << 8) | raw[3]!,
        question: undefined,
        edns: false,
        udpSize: 512,
        ednsVersion: 0,
        ednsFlags: 0,
      };
      const out = this.responses.error(view, Rcode.ServFail, salvageQuestion(raw));
      this.stats.response(Rcode.ServFail);
      return out;
    } catch {
      this.stats.dropped++;
      return undefined;
    }
  }
}
