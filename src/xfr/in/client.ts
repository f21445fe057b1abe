// The network side of transfers in: a TCP driver that sends an AXFR/IXFR request (TSIG-signed
// when the peer has a key), feeds every response message to XfrParser and to a TSIG stream
// verifier, and enforces connect, idle and overall timeouts; and the SOA probe over UDP with TCP
// fallback on truncation (RFC 1035 §4.2.1, RFC 7766 §5). Thin: all protocol decisions are in
// parser.ts and src/tsig.

import { randomInt } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { connect, isIPv6 } from 'node:net';
import { type TsigKey, TsigStreamVerifier, describeTsigFailure, keyring, signMessage, verifyMessage } from '../../tsig/index.js';
import {
  Flag, InPlaceFramer, MessageWriter, RRClass, RRType, Rcode, Section, TcpFramer, decodeMessage, describeDecodeError, frame, namesEqual, rcodeOf,
  type DomainName, type Message, type ResourceRecord,
} from '../../wire/index.js';
import { type Result, ok, err } from '../../wire/result.js';
import { type Serial, soaSerial } from '../../zone/index.js';
import type { XfrError } from '../errors.js';
import { type XfrLimits, type XfrOutcome, XfrParser } from './parser.js';

/** PeerAddress is where a primary listens, with its TSIG key when it has one. */
export interface PeerAddress {
  readonly host: string;
  readonly port: number;
  readonly key?: TsigKey | undefined;
}

/** Timeouts for one transfer, in milliseconds. */
export interface XfrTimeouts {
  readonly connectMs: number;
  readonly idleMs: number;
  readonly overallMs: number;
}

export const DEFAULT_XFR_TIMEOUTS: XfrTimeouts = { connectMs: 5_000, idleMs: 20_000, overallMs: 900_000 };

export interface TransferInOptions {
  readonly peer: PeerAddress;
  readonly origin: DomainName;
  readonly qtype: typeof RRType.AXFR | typeof RRType.IXFR;
  /** currentSoa: for IXFR, the SOA we hold (sent in the authority section, RFC 1995 §3). */
  readonly currentSoa?: ResourceRecord;
  readonly limits?: XfrLimits;
  readonly timeouts?: Partial<XfrTimeouts>;
  /** now returns the time in seconds (TSIG); injected for tests. */
  readonly now?: () => number;
  /** onRequestSent is called once the request is written, or once the transfer ends unsent. */
  readonly onRequestSent?: () => void;
}

/** TransferInResult is a completed transfer with its figures. */
export interface TransferInResult {
  readonly outcome: XfrOutcome;
  readonly messages: number;
  readonly bytes: number;
  readonly records: number;
}

const nowSeconds = (): number => Math.floor(Date.now() / 1000);

/** READ_BUFFER is the size of a transfer's one read buffer (a read takes what the socket has). */
const READ_BUFFER = 64 * 1024;

/**
 * readBuffers keeps the read buffers of ended transfers for the next ones (at most
 * KEPT_READ_BUFFERS). Each is 64 KB outside the JavaScript heap: one made per transfer adds up,
 * with thousands of zones refreshing, to external memory that V8 answers with full collections
 * (traced with --trace-gc: mark-compacts of 10–25 ms, some landing in the middle of an IXFR).
 */
const readBuffers: Uint8Array[] = [];
const KEPT_READ_BUFFERS = 16;

/** buildQuery returns a query message for (origin, qtype), signed when `key` is given. */
export function buildQuery(origin: DomainName, qtype: number, id: number, key: TsigKey | undefined, now: number, authority?: ResourceRecord, flags = 0): { message: Uint8Array; mac: Uint8Array | undefined } {
  const w = new MessageWriter(65535);
  w.header(id, flags);
  w.question(origin, qtype, RRClass.IN);
  if (authority !== undefined) w.record(Section.Authority, authority);
  const plain = w.finish();
  if (key === undefined) return { message: plain, mac: undefined };
  const signed = signMessage(plain, key, { now });
  return { message: signed.message, mac: signed.mac };
}

/** transferIn performs one AXFR or IXFR from `peer`; it never throws. */
export function transferIn(o: TransferInOptions): Promise<Result<TransferInResult, XfrError>> {
  const t = { ...DEFAULT_XFR_TIMEOUTS, ...o.timeouts };
  const now = o.now ?? nowSeconds;
  const id = randomInt(0, 0x10000);
  const q = buildQuery(o.origin, o.qtype, id, o.peer.key, now(), o.qtype === RRType.IXFR ? o.currentSoa : undefined);
  const parser = new XfrParser({
    origin: o.origin,
    zoneClass: RRClass.IN,
    qtype: o.qtype,
    id,
    ...(o.currentSoa !== undefined ? { currentSerial: soaSerial(o.currentSoa.rdata) } : {}),
    ...(o.limits !== undefined ? { limits: o.limits } : {}),
  });
  const verifier = o.peer.key !== undefined && q.mac !== undefined ? new TsigStreamVerifier(o.peer.key, q.mac) : undefined;
  return new Promise((resolve) => {
    let settled = false;
    let building = false;
    let bytes = 0;
    const framer = new InPlaceFramer();
    const readBuffer = readBuffers.pop() ?? new Uint8Array(READ_BUFFER);
    // Every read lands in this one buffer, parsed before the next read (see InPlaceFramer): the
    // parser and the builder copy what they keep, and TSIG digests a message as it is verified.
    const socket = connect({
      host: o.peer.host, port: o.peer.port, family: isIPv6(o.peer.host) ? 6 : 4,
      // A plain Uint8Array, not a Buffer: the parser keeps RDATA with slice(), which copies a
      // Uint8Array but only views a Buffer, and this buffer is overwritten by the next read.
      onread: { buffer: readBuffer, callback: (n) => onRead(readBuffer.subarray(0, n)) },
    });
    let sentTold = false;
    const requestSent = (): void => {
      if (sentTold) return;
      sentTold = true;
      o.onRequestSent?.();
    };
    const finish = (r: Result<TransferInResult, XfrError>): void => {
      if (settled) return;
      settled = true;
      clearTimeout(overall);
      socket.destroy();
      // Destroyed, the socket reads no more into it; the parser copied what it keeps.
      if (readBuffers.length < KEPT_READ_BUFFERS) readBuffers.push(readBuffer);
      requestSent();
      resolve(r);
    };
    const overall = setTimeout(() => finish(err({ kind: 'timeout', phase: 'overall' })), t.overallMs);
    socket.setTimeout(t.connectMs, () => finish(err({ kind: 'timeout', phase: socket.connecting ? 'connect' : 'idle' })));
    socket.on('connect', () => {
      socket.setTimeout(t.idleMs);
      socket.setNoDelay(true);
      socket.write(frame(q.message));
      requestSent();
    });
    socket.on('error', (e) => {
      if (!building) finish(err({ kind: 'io', detail: e.message }));
    });
    socket.on('close', () => {
      if (!building) finish(err({ kind: 'malformed', detail: `connection closed after ${parser.messages} messages` }));
    });
    const onRead = (chunk: Uint8Array): boolean => {
      if (settled || building) return false;
      bytes += chunk.length;
      return framer.push(chunk, onMessage);
    };
    /** onMessage handles one whole message; false when the transfer has ended (stop reading). */
    const onMessage = (msg: Uint8Array): boolean => {
      const r = parser.push(msg);
      if (!r.ok) {
        // A TSIG error answer carries the reason in its TSIG RR (RFC 8945 §5.3.2: BADSIG, BADKEY,
        // BADTIME); report it, since each points at a different fix (secret, key name, clock).
        if (r.error.kind === 'notauth' && verifier !== undefined) {
          const d = decodeMessage(msg);
          const v = d.ok ? verifyResponse(d.value, o.peer.key, q.mac, now()) : undefined;
          const why = v !== undefined && !v.ok && v.error.kind === 'tsig' ? ` (${v.error.reason})` : '';
          finish(err({ kind: 'tsig', reason: `primary answered NOTAUTH to our signed request${why}` }));
          return false;
        }
        finish(err(r.error));
        return false;
      }
      if (verifier !== undefined) {
        const v = verifier.verify(msg, r.value.tsigOffset >= 0 ? r.value.tsigOffset : undefined, now());
        if (!v.ok) {
          finish(err({ kind: 'tsig', reason: describeTsigFailure(v.error) }));
          return false;
        }
        // RFC 8945 §5.3.1: the last message must be signed.
        if (r.value.status === 'done' && !v.value.signed) {
          finish(err({ kind: 'tsig', reason: 'the last message is unsigned' }));
          return false;
        }
      }
      if (r.value.status !== 'done') return true;
      // The answer is complete: the connection no longer matters (the primary may close it).
      building = true;
      socket.setTimeout(0);
      socket.destroy();
      clearTimeout(overall);
      // Build the zone a slice at a time so queries keep being answered meanwhile.
      void (async () => {
        const steps = parser.buildSteps();
        for (let s = steps.next(); ; s = steps.next()) {
          if (s.done === true) {
            if (s.value !== undefined) return finish(err(s.value));
            break;
          }
          await new Promise<void>((resolve) => setImmediate(resolve));
        }
        const outcome = parser.result();
        if (outcome === undefined) return finish(err({ kind: 'malformed', detail: 'no outcome' }));
        finish(ok({ outcome, messages: parser.messages, bytes, records: parser.recordCount }));
      })();
      return false;
    };
  });
}

/** SoaAnswer is a primary's SOA as returned by the probe. */
export interface SoaAnswer {
  readonly soa: ResourceRecord;
  readonly serial: Serial;
}

function checkSoaResponse(res: Message, origin: DomainName, id: number): Result<SoaAnswer, XfrError> {
  if (res.header.id !== id || (res.header.flags & Flag.QR) === 0) return err({ kind: 'malformed', detail: 'unexpected response' });
  const rcode = rcodeOf(res.header.flags);
  if (rcode === Rcode.Refused) return err({ kind: 'refused', rcode });
  if (rcode === Rcode.NotAuth) return err({ kind: 'notauth', rcode });
  if (rcode !== Rcode.NoError) return err({ kind: 'rcode', rcode });
  // RFC 1996 §3.11 / RFC 1034 §4.3.5: only an authoritative SOA answer counts.
  if ((res.header.flags & Flag.AA) === 0) return err({ kind: 'soa-mismatch', detail: 'the primary is not authoritative for the zone' });
  const soa = res.answers.find((r) => r.type === RRType.SOA && namesEqual(r.name, origin));
  if (soa === undefined) return err({ kind: 'soa-mismatch', detail: 'no SOA in the answer' });
  return ok({ soa, serial: soaSerial(soa.rdata) });
}

function verifyResponse(res: Message, key: TsigKey | undefined, mac: Uint8Array | undefined, now: number): Result<void, XfrError> {
  if (key === undefined || mac === undefined) return ok(undefined);
  if (res.tsig === undefined) return err({ kind: 'tsig', reason: 'the response is not signed' });
  const v = verifyMessage(res.raw, res.tsig.offset, keyring([key]), { now, requestMac: mac });
  if (!v.ok) return err({ kind: 'tsig', reason: describeTsigFailure(v.error) });
  return ok(undefined);
}

/** querySoa asks `peer` for the SOA of `origin` over UDP, retrying over TCP when truncated. */
export async function querySoa(peer: PeerAddress, origin: DomainName, opts: { timeoutMs?: number; now?: () => number } = {}): Promise<Result<SoaAnswer, XfrError>> {
  const now = opts.now ?? nowSeconds;
  const timeoutMs = opts.timeoutMs ?? 3000;
  const id = randomInt(0, 0x10000);
  const q = buildQuery(origin, RRType.SOA, id, peer.key, now());
  const udp = await udpExchange(peer, q.message, id, timeoutMs);
  if (!udp.ok) return udp;
  let res = udp.value;
  if ((res.header.flags & Flag.TC) !== 0) {
    const tcp = await tcpExchange(peer, q.message, timeoutMs);
    if (!tcp.ok) return tcp;
    res = tcp.value;
  }
  const v = verifyResponse(res, peer.key, q.mac, now());
  if (!v.ok) return v;
  return checkSoaResponse(res, origin, id);
}

function udpExchange(peer: PeerAddress, message: Uint8Array, id: number, timeoutMs: number): Promise<Result<Message, XfrError>> {
  return new Promise((resolve) => {
    const sock = createSocket(isIPv6(peer.host) ? 'udp6' : 'udp4');
    let tries = 0;
    let timer: NodeJS.Timeout | undefined;
    const done = (r: Result<Message, XfrError>) => {
      clearTimeout(timer);
      sock.close();
      resolve(r);
    };
    const send = () => {
      tries++;
      sock.send(message, peer.port, peer.host, (e) => {
        if (e) done(err({ kind: 'io', detail: e.message }));
      });
      timer = setTimeout(() => (tries < 3 ? send() : done(err({ kind: 'timeout', phase: 'overall' }))), timeoutMs / 3);
    };
    sock.on('error', (e) => done(err({ kind: 'io', detail: e.message })));
    sock.on('message', (buf, rinfo) => {
      if (rinfo.port !== peer.port) return;
      const m = decodeMessage(buf);
      if (!m.ok || m.value.header.id !== id) return;
      done(ok(m.value));
    });
    send();
  });
}

/** tcpExchange sends one message over TCP and returns the first response message. */
export function tcpExchange(peer: PeerAddress, message: Uint8Array, timeoutMs: number): Promise<Result<Message, XfrError>> {
  return new Promise((resolve) => {
    const framer = new TcpFramer();
    const socket = connect({ host: peer.host, port: peer.port });
    let settled = false;
    const done = (r: Result<Message, XfrError>) => {
      if (settled) return;
      settled = true;
      socket.destroy();
      resolve(r);
    };
    socket.setTimeout(timeoutMs, () => done(err({ kind: 'timeout', phase: 'idle' })));
    socket.on('connect', () => socket.write(frame(message)));
    socket.on('error', (e) => done(err({ kind: 'io', detail: e.message })));
    socket.on('close', () => done(err({ kind: 'io', detail: 'connection closed' })));
    socket.on('data', (chunk: Buffer) => {
      const [m] = framer.push(chunk);
      if (m === undefined) return;
      const d = decodeMessage(m);
      done(d.ok ? ok(d.value) : err({ kind: 'malformed', detail: describeDecodeError(d.error) }));
    });
  });
}
