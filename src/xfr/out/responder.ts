// The transfer hook of the DNS server: answers AXFR (RFC 5936) and IXFR (RFC 1995) for zones with
// outgoing transfers, after the access policy (policy.ts). AXFR streams the version's shared
// rendered messages, patching the ID and question spelling per transfer, TSIG-signing every
// message when the request was signed (RFC 8945 §5.3.1). IXFR sends the journal's diffs from the
// client's serial, the full zone when the journal does not reach back, or the lone current SOA.
// Over UDP, IXFR answers only when it fits one message, else with the lone SOA (RFC 1995 §2).
// Each request gets a short transfer id (`xfr`) on its log lines; its outcome is reported through
// `transferred` (sent whole) or `failed` (refused, or broken off), with octets, RRs and duration.

import { randomBytes } from 'node:crypto';
import type { MessageSink, RequestContext } from '../../server/types.js';
import type { RequestTsig } from '../../tsig/index.js';
import {
  Flag, MessageWriter, RRClass, RRType, Rcode, type DomainName, type Message, nameToWire, opcodeOf,
} from '../../wire/index.js';
import { type Serial, type ZoneDiff, type ZoneVersion, compareSerial, soaSerial } from '../../zone/index.js';
import { renderCache } from './cache.js';
import { type OutgoingPolicy, decideTransfer } from './policy.js';
import { QUESTION_OFFSET, type RenderedMessage, renderIxfr } from './render.js';

/** OutgoingZone is what the responder needs to know about the zone asked for. */
export interface OutgoingZone {
  readonly id: string;
  readonly origin: DomainName;
  readonly version: ZoneVersion;
  readonly policy: OutgoingPolicy;
  readonly journal: readonly ZoneDiff[];
}

/** TransferLog is the subset of pino the responder calls. */
export interface TransferLog {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
}

/** TransferFigures: what one transfer out carried and how long it took. */
export interface TransferFigures {
  readonly op: 'axfr-out' | 'ixfr-out';
  /** remote: the client's address (no port). */
  readonly remote: string;
  /** xfr: the transfer id on the log lines. */
  readonly xfr: string;
  readonly messages: number;
  /** bytes: octets written (TCP length prefixes included); records: RRs in the messages sent. */
  readonly bytes: number;
  readonly records: number;
  /** ms: from the request to the last write (or the failure). */
  readonly ms: number;
}

/** TransferFailure is a transfer out that did not complete. */
export interface TransferFailure extends TransferFigures {
  /** zoneId / origin: undefined when the name is not a zone we serve. */
  readonly zoneId: string | undefined;
  readonly origin: DomainName | undefined;
  readonly serial: number | undefined;
  /** result: 'refused' when the policy or the concurrency limits said no, 'failed' when it broke off. */
  readonly result: 'refused' | 'failed';
  readonly reason: string;
}

export interface ResponderOptions {
  /** zone returns the zone for the question name, or undefined when it is not ours. */
  zone(qname: DomainName): OutgoingZone | undefined;
  /** transferred records a successful transfer out. */
  transferred?(zoneId: string, info: TransferFigures & { serial: number }): void;
  /** failed records a refused or broken-off transfer out (must not throw). */
  failed?(info: TransferFailure): void;
  log: TransferLog;
  /** now in seconds (TSIG). */
  now?: () => number;
  /** maxPerZone / maxTotal cap concurrent transfers out. */
  maxPerZone?: number;
  maxTotal?: number;
  /** writeTimeoutMs aborts a transfer whose client stops reading. */
  writeTimeoutMs?: number;
}

const nowSeconds = (): number => Math.floor(Date.now() / 1000);

/** createTransferResponder returns the server's `transfer` hook. */
export function createTransferResponder(o: ResponderOptions): (request: Message, ctx: RequestContext, sink: MessageSink) => Promise<void> {
  const now = o.now ?? nowSeconds;
  const maxPerZone = o.maxPerZone ?? 16;
  const maxTotal = o.maxTotal ?? 64;
  const writeTimeoutMs = o.writeTimeoutMs ?? 30_000;
  const running = new Map<string, number>();
  let total = 0;

  return async (request, ctx, sink) => {
    const q = request.questions[0]!;
    const qtype = q.type as typeof RRType.AXFR | typeof RRType.IXFR;
    const op = qtype === RRType.AXFR ? 'axfr-out' : 'ixfr-out';
    const tsig = ctx.tsig as RequestTsig | undefined;
    const remote = ctx.remote.address;
    const xfr = randomBytes(4).toString('hex');
    const started = performance.now();
    const logBase = { op, dir: 'out', remote: `${remote}#${ctx.remote.port}`, key: tsig?.ok ? tsig.keyName : undefined, xfr };
    const zone = o.zone(q.name);
    const reply = (rcode: number) => sink.write(simpleResponse(request, rcode, tsig, now()));
    const frameLength = ctx.transport === 'tcp' ? 2 : 0;
    let messages = 0;
    let bytes = 0;
    let records = 0;
    const figures = () => ({ op, remote, xfr, messages, bytes, records, ms: performance.now() - started }) as const;
    const failed = (result: 'refused' | 'failed', reason: string) =>
      o.failed?.({ ...figures(), zoneId: zone?.id, origin: zone?.origin, serial: zone?.version.serial, result, reason });
    if (zone === undefined || q.class !== RRClass.IN) {
      o.log.info({ ...logBase, zone: q.name }, 'transfer refused: not a zone we serve');
      failed('refused', 'not a zone we serve');
      return reply(zone === undefined ? Rcode.NotAuth : Rcode.Refused);
    }
    const decision = decideTransfer(zone.policy, remote, tsig?.ok ? tsig.keyName : undefined);
    if (!decision.allow) {
      o.log.info({ ...logBase, zone: zone.origin, serial: zone.version.serial, reason: decision.reason }, 'transfer refused');
      failed('refused', decision.reason);
      return reply(decision.rcode === 'NOTAUTH' ? Rcode.NotAuth : Rcode.Refused);
    }
    if (ctx.transport === 'udp' && qtype === RRType.AXFR) {
      failed('refused', 'AXFR over UDP');
      return reply(Rcode.Refused);
    }
    const zoneCount = running.get(zone.id) ?? 0;
    if (zoneCount >= maxPerZone || total >= maxTotal) {
      o.log.warn({ ...logBase, zone: zone.origin }, 'transfer refused: too many concurrent transfers');
      failed('refused', 'too many concurrent transfers');
      return reply(Rcode.Refused);
    }
    running.set(zone.id, zoneCount + 1);
    total++;
    const version = zone.version;
    const signer = tsig?.ok ? tsig.stream() : undefined;
    const send = async (m: RenderedMessage, octets: Uint8Array) => {
      const out = signer ? signer.sign(octets, now()) : octets;
      await writeWithTimeout(() => sink.write(out), writeTimeoutMs);
      bytes += out.length + frameLength;
      records += m.records;
    };
    try {
      const clientSerial = qtype === RRType.IXFR ? ixfrClientSerial(request, zone.origin) : undefined;
      if (qtype === RRType.IXFR && clientSerial === undefined) {
        failed('failed', 'IXFR request without the client SOA');
        return await reply(Rcode.FormErr);
      }
      let plan: 'full' | 'soa' | ZoneDiff[] = 'full';
      if (clientSerial !== undefined) {
        const order = compareSerial(clientSerial, version.serial);
        if (order === 'eq' || order === 'gt') plan = 'soa';
        else plan = journalFrom(zone.journal, clientSerial, version.serial) ?? 'full';
      }
      if (plan === 'full' && ctx.transport === 'udp') plan = 'soa';
      if (plan === 'full') {
        const cache = renderCache(version);
        const qwire = nameToWire(q.name);
        const idBytes = Buffer.from([request.header.id >> 8, request.header.id & 0xff]);
        for (let i = 0; ; i++) {
          const m = cache.get(i);
          if (m === undefined) break;
          if (i > 0 && signer === undefined && sink.writeParts !== undefined) {
            // Unsigned later messages go out as they are cached, only the ID in front is new.
            await writeWithTimeout(() => sink.writeParts!([idBytes, m.octets.subarray(2)]), writeTimeoutMs);
            bytes += m.octets.length + frameLength;
            records += m.records;
          } else {
            await send(m, personalize(m, request.header.id, i === 0 ? qwire : undefined, qtype));
          }
          messages++;
        }
      } else {
        const diffs = plan === 'soa' ? [] : plan;
        const limit = ctx.transport === 'udp' ? ctx.maxSize - (tsig?.ok ? tsig.reserve : 0) : undefined;
        let rendered = [...renderIxfr(version.soa, zone.origin, diffs, ...(limit !== undefined ? [limit] : []))];
        if (ctx.transport === 'udp' && rendered.length > 1) rendered = [...renderIxfr(version.soa, zone.origin, [])];
        const qwire = nameToWire(q.name);
        for (let i = 0; i < rendered.length; i++) {
          await send(rendered[i]!, personalize(rendered[i]!, request.header.id, i === 0 ? qwire : undefined, qtype));
          messages++;
        }
      }
      const done = figures();
      o.log.info(
        { ...logBase, zone: zone.origin, serial: version.serial, messages, records, bytes, ms: Math.round(done.ms), reason: decision.reason },
        `${op === 'axfr-out' ? 'AXFR' : 'IXFR'} sent`,
      );
      o.transferred?.(zone.id, { ...done, serial: version.serial });
    } catch (e) {
      const reason = e instanceof Error ? e.message : String(e);
      o.log.warn({ ...logBase, zone: zone.origin, serial: version.serial, messages, bytes, err: reason }, `${op === 'axfr-out' ? 'AXFR' : 'IXFR'} failed`);
      failed('failed', reason);
      throw e;
    } finally {
      const left = (running.get(zone.id) ?? 1) - 1;
      if (left === 0) running.delete(zone.id);
      else running.set(zone.id, left);
      total--;
    }
  };
}

/** personalize copies a rendered message with the client's ID and, on the first, its question. */
function personalize(m: RenderedMessage, id: number, qname: Uint8Array | undefined, qtype: number): Buffer {
  const out = Buffer.from(m.octets);
  out.writeUInt16BE(id, 0);
  if (qname !== undefined) {
    // RFC 5936 §2.2.1: echo the question; same length as the rendered one, so offsets hold.
    out.set(qname, QUESTION_OFFSET);
    out.writeUInt16BE(qtype, QUESTION_OFFSET + qname.length);
  }
  return out;
}

/** ixfrClientSerial reads the client's serial from the SOA in the IXFR request's authority section. */
function ixfrClientSerial(request: Message, origin: DomainName): Serial | undefined {
  const soa = request.authorities.find((r) => r.type === RRType.SOA && r.name.toLowerCase() === origin.toLowerCase());
  return soa === undefined ? undefined : soaSerial(soa.rdata);
}

/** journalFrom returns the diffs from `from` to `to`, or undefined when the journal lacks them. */
export function journalFrom(journal: readonly ZoneDiff[], from: Serial, to: Serial): ZoneDiff[] | undefined {
  const i = journal.findIndex((d) => soaSerial(d.soaFrom.rdata) === from);
  if (i < 0) return undefined;
  const chain = journal.slice(i);
  for (let k = 1; k < chain.length; k++) if (soaSerial(chain[k]!.soaFrom.rdata) !== soaSerial(chain[k - 1]!.soaTo.rdata)) return undefined;
  return soaSerial(chain[chain.length - 1]!.soaTo.rdata) === to ? chain : undefined;
}

/** simpleResponse builds an answer with only the question and `rcode`, signed if the request was. */
function simpleResponse(request: Message, rcode: number, tsig: RequestTsig | undefined, now: number): Uint8Array {
  const w = new MessageWriter(512);
  w.header(request.header.id, Flag.QR | (opcodeOf(request.header.flags) << 11) | rcode);
  const q = request.questions[0];
  if (q !== undefined) w.question(q.name, q.type, q.class);
  const msg = w.finish();
  return tsig?.ok ? tsig.sign(msg, now) : msg;
}

function writeWithTimeout(write: () => Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    write(),
    new Promise<void>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`client stopped reading for ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}
