// XfrParser: the incoming side of AXFR (RFC 5936) and IXFR (RFC 1995) as a state machine over
// response messages; no sockets (src/xfr/in/client.ts feeds it). A full transfer is staged
// straight from the message octets into a ZoneBuilder (no object per record); an incremental
// one becomes ZoneDiffs. Any failure is an XfrError and nothing is published.
//
//   start ──first SOA──▶ first ──RR≠SOA──────────────▶ axfr ──SOA = first──▶ done(full)
//                          │  └──SOA (old serial)──▶ ixfr-del ──SOA──▶ ixfr-add ──SOA──┐
//                          │                            ▲                              │
//                          │                            └──────── SOA ≠ first ─────────┤
//                          │                                       SOA = first ────────▶ done(incremental)
//                          └──message ends (IXFR)──────▶ done(up-to-date)

import {
  Flag, RRType, Rcode, type DomainName, type ResourceRecord, lastNameEnd, readHeader, readName, readRdata, skipName, nameKey,
  WireFault, opcodeOf, rcodeOf, NAME_LAYOUT, FIXED_LENGTH, expandRdata,
} from '../../wire/index.js';
import { type Result, ok, okVoid, err } from '../../wire/result.js';
import { type Serial, type ZoneDiff, ZoneBuilder, type ZoneVersion, compareSerial, describeZoneError, soaSerial, rdataEqual } from '../../zone/index.js';
import type { XfrError } from '../errors.js';

/** XfrLimits cap what a (possibly hostile) primary can make us hold. */
export interface XfrLimits {
  readonly maxRecords: number;
  readonly maxBytes: number;
}

export const DEFAULT_XFR_LIMITS: XfrLimits = { maxRecords: 20_000_000, maxBytes: 2 * 1024 * 1024 * 1024 };

/** XfrOutcome is what a completed transfer yields. */
export type XfrOutcome =
  | { readonly kind: 'full'; readonly version: ZoneVersion }
  | { readonly kind: 'incremental'; readonly diffs: readonly ZoneDiff[]; readonly soa: ResourceRecord }
  | { readonly kind: 'up-to-date'; readonly soa: ResourceRecord };

export interface XfrParserOptions {
  readonly origin: DomainName;
  readonly zoneClass: number;
  readonly qtype: typeof RRType.AXFR | typeof RRType.IXFR;
  readonly id: number;
  /** currentSerial is the serial the client holds (IXFR). */
  readonly currentSerial?: Serial;
  readonly limits?: XfrLimits;
}

type State = 'start' | 'first' | 'axfr' | 'ixfr-del' | 'ixfr-add' | 'done';

/** PushResult: 'more' wants another message; 'done' has an outcome. tsigOffset: −1 if none. */
export interface PushResult {
  readonly status: 'more' | 'done';
  readonly tsigOffset: number;
}

/** XfrParser consumes the messages of one transfer response in order. */
export class XfrParser {
  private state: State = 'start';
  private first: ResourceRecord | undefined;
  private builder: ZoneBuilder | undefined;
  private readonly diffs: ZoneDiff[] = [];
  private del: ResourceRecord[] = [];
  private add: ResourceRecord[] = [];
  private soaFrom: ResourceRecord | undefined;
  private soaTo: ResourceRecord | undefined;
  private records = 0;
  private bytes = 0;
  private outcome: XfrOutcome | undefined;
  private pendingBuild: ZoneBuilder | undefined;
  private readonly limits: XfrLimits;
  private readonly originKey: string;
  /** messages counts the messages consumed. */
  messages = 0;

  constructor(private readonly o: XfrParserOptions) {
    this.limits = o.limits ?? DEFAULT_XFR_LIMITS;
    this.originKey = nameKey(o.origin);
  }

  /** recordCount is the number of RRs received so far. */
  get recordCount(): number {
    return this.records;
  }

  /** result returns the outcome once push reported 'done' (building a full zone now if needed). */
  result(): XfrOutcome | undefined {
    if (this.pendingBuild !== undefined) {
      const steps = this.buildSteps();
      let r = steps.next();
      while (r.done !== true) r = steps.next();
      if (r.value !== undefined) return undefined;
    }
    return this.outcome;
  }

  /** push consumes one message; fails on anything RFC 5936 / RFC 1995 do not allow. */
  push(msg: Uint8Array): Result<PushResult, XfrError> {
    if (this.state === 'done') return err({ kind: 'malformed', detail: 'message after the end of the transfer' });
    this.messages++;
    this.bytes += msg.length;
    if (this.bytes > this.limits.maxBytes) return err({ kind: 'too-large', limit: 'bytes', value: this.limits.maxBytes });
    const h = readHeader(msg);
    if (h === undefined) return err({ kind: 'malformed', detail: 'short message' });
    if (h.id !== this.o.id) return err({ kind: 'malformed', detail: `unexpected message ID ${h.id}` });
    if ((h.flags & Flag.QR) === 0 || opcodeOf(h.flags) !== 0) return err({ kind: 'malformed', detail: 'not a query response' });
    const rcode = rcodeOf(h.flags);
    if (rcode === Rcode.Refused) return err({ kind: 'refused', rcode });
    if (rcode === Rcode.NotAuth) return err({ kind: 'notauth', rcode });
    if (rcode !== Rcode.NoError) return err({ kind: 'rcode', rcode });
    try {
      let pos = 12;
      for (let i = 0; i < h.qdcount; i++) pos = skipName(msg, pos) + 4;
      if (pos > msg.length) throw new WireFault('truncated', pos);
      const answersInMessage = h.ancount;
      if (this.state === 'start' && answersInMessage === 0) return err({ kind: 'malformed', detail: 'first message has no answer' });
      // Owners repeat: primaries write a node's further records with a compression pointer to
      // its owner (RFC 1035 §4.1.4). A pointer to where the previous owner was read from is the
      // previous owner: reuse its string instead of decoding another (most records of a zone).
      let name = '' as DomainName;
      let ownerAt = -1;
      for (let i = 0; i < h.ancount; i++) {
        const b0 = msg[pos]!;
        const target = (b0 & 0xc0) === 0xc0 && pos + 1 < msg.length ? ((b0 & 0x3f) << 8) | msg[pos + 1]! : -1;
        if (target >= 0 && target === ownerAt) {
          pos += 2;
        } else {
          name = readName(msg, pos);
          ownerAt = target >= 0 ? target : pos;
          pos = lastNameEnd();
        }
        if (pos + 10 > msg.length) throw new WireFault('truncated', pos);
        const type = (msg[pos]! << 8) | msg[pos + 1]!;
        const cls = (msg[pos + 2]! << 8) | msg[pos + 3]!;
        const ttl = ((msg[pos + 4]! << 24) | (msg[pos + 5]! << 16) | (msg[pos + 6]! << 8) | msg[pos + 7]!) >>> 0;
        const rdlen = (msg[pos + 8]! << 8) | msg[pos + 9]!;
        pos += 10;
        if (pos + rdlen > msg.length) throw new WireFault('truncated', pos);
        const r = this.record(name, type, cls, ttl, msg, pos, rdlen);
        if (!r.ok) return r;
        pos += rdlen;
        if ((this.state as State) === 'done' && i !== h.ancount - 1) return err({ kind: 'malformed', detail: 'records after the final SOA' });
      }
      // Authority must be empty in transfers; the additional section may hold OPT and TSIG.
      for (let i = 0; i < h.nscount; i++) pos = skipRR(msg, pos);
      let tsigOffset = -1;
      for (let i = 0; i < h.arcount; i++) {
        const start = pos;
        const end = skipName(msg, pos);
        if (end + 10 > msg.length) throw new WireFault('truncated', end);
        if (((msg[end]! << 8) | msg[end + 1]!) === RRType.TSIG) tsigOffset = start;
        pos = skipRR(msg, pos);
      }
      if (pos !== msg.length) throw new WireFault('trailing-bytes', pos);
      if (this.state === 'first' && this.o.qtype === RRType.IXFR && answersInMessage === 1 && !this.firstIsNewer()) {
        // RFC 1995 §4: a lone SOA means the client is current (or newer). A first message holding
        // only a newer SOA is the start of a transfer sent one RR per message (BIND's
        // `transfer-format one-answer`), not that answer: read on.
        this.state = 'done';
        this.outcome = { kind: 'up-to-date', soa: this.first! };
      }
      if (this.state === 'done' && this.outcome === undefined && this.pendingBuild === undefined) return err({ kind: 'malformed', detail: 'no outcome' });
      return ok({ status: this.state === 'done' ? 'done' : 'more', tsigOffset });
    } catch (e) {
      if (e instanceof WireFault) return err({ kind: 'malformed', detail: `${e.reason} at ${e.offset}` });
      throw e;
    }
  }

  private record(name: DomainName, type: number, cls: number, ttl: number, msg: Uint8Array, pos: number, rdlen: number): Result<void, XfrError> {
    if (++this.records > this.limits.maxRecords) return err({ kind: 'too-large', limit: 'records', value: this.limits.maxRecords });
    if (cls !== this.o.zoneClass) return err({ kind: 'malformed', detail: `record ${name} of class ${cls}` });
    const isSoa = type === RRType.SOA;
    if (isSoa && nameKey(name) !== this.originKey) return err({ kind: 'out-of-zone', name });
    switch (this.state) {
      case 'start': {
        // RFC 5936 §2.2: the first RR is the zone's SOA.
        if (!isSoa) return err({ kind: 'soa-mismatch', detail: 'the first record is not the SOA' });
        this.first = { name, type, class: cls, ttl, rdata: readRdata(msg, type, pos, rdlen).slice() };
        this.state = 'first';
        return okVoid;
      }
      case 'first': {
        const first = this.first!;
        if (isSoa && this.o.qtype === RRType.IXFR) {
          const rdata = readRdata(msg, type, pos, rdlen);
          const s = soaSerial(rdata);
          if (rdataEqual(rdata, first.rdata)) {
            // SOA, SOA: an empty zone sent AXFR-style. Treat as full.
            return this.finishFull();
          }
          this.state = 'ixfr-del';
          this.soaFrom = { name, type, class: cls, ttl, rdata: rdata.slice() };
          if (this.o.currentSerial !== undefined && s !== this.o.currentSerial) {
            return err({ kind: 'soa-mismatch', detail: `IXFR starts at serial ${s}, we hold ${this.o.currentSerial}` });
          }
          return okVoid;
        }
        if (isSoa) {
          // AXFR of a zone that holds only its SOA.
          if (!rdataEqual(readRdata(msg, type, pos, rdlen), first.rdata)) return err({ kind: 'soa-mismatch', detail: 'final SOA differs from the first' });
          return this.finishFull();
        }
        this.state = 'axfr';
        this.builder = new ZoneBuilder(this.o.origin, this.o.zoneClass);
        const added = this.builder.add(first);
        if (!added.ok) return err({ kind: 'invalid-zone', detail: describeZoneError(added.error) });
        return this.stage(name, type, cls, ttl, msg, pos, rdlen);
      }
      case 'axfr': {
        if (isSoa) {
          // RFC 5936 §2.2: the transfer ends with the same SOA it started with.
          if (!rdataEqual(readRdata(msg, type, pos, rdlen), this.first!.rdata)) return err({ kind: 'soa-mismatch', detail: 'final SOA differs from the first' });
          return this.finishFull();
        }
        return this.stage(name, type, cls, ttl, msg, pos, rdlen);
      }
      case 'ixfr-del': {
        const rr: ResourceRecord = { name, type, class: cls, ttl, rdata: readRdata(msg, type, pos, rdlen).slice() };
        if (isSoa) {
          this.soaTo = rr;
          this.state = 'ixfr-add';
        } else {
          this.del.push(rr);
        }
        return okVoid;
      }
      case 'ixfr-add': {
        const rr: ResourceRecord = { name, type, class: cls, ttl, rdata: readRdata(msg, type, pos, rdlen).slice() };
        if (!isSoa) {
          this.add.push(rr);
          return okVoid;
        }
        const from = soaSerial(this.soaFrom!.rdata);
        const to = soaSerial(this.soaTo!.rdata);
        if (compareSerial(to, from) !== 'gt') return err({ kind: 'soa-mismatch', detail: `diff goes from ${from} to ${to}` });
        this.diffs.push({ soaFrom: this.soaFrom!, soaTo: this.soaTo!, removed: this.del, added: this.add });
        this.del = [];
        this.add = [];
        if (rdataEqual(rr.rdata, this.first!.rdata)) {
          if (to !== soaSerial(this.first!.rdata)) return err({ kind: 'soa-mismatch', detail: 'IXFR does not end at the announced serial' });
          this.state = 'done';
          this.outcome = { kind: 'incremental', diffs: this.diffs, soa: this.first! };
          return okVoid;
        }
        if (soaSerial(rr.rdata) !== to) return err({ kind: 'soa-mismatch', detail: 'IXFR diffs do not chain' });
        this.soaFrom = rr;
        this.state = 'ixfr-del';
        return okVoid;
      }
      case 'done':
        return err({ kind: 'malformed', detail: 'records after the final SOA' });
    }
  }

  /** firstIsNewer: the first SOA's serial is newer than the one the client holds (RFC 1982). */
  private firstIsNewer(): boolean {
    const held = this.o.currentSerial;
    return held !== undefined && compareSerial(soaSerial(this.first!.rdata), held) === 'gt';
  }

  private stage(name: DomainName, type: number, cls: number, ttl: number, msg: Uint8Array, pos: number, rdlen: number): Result<void, XfrError> {
    const b = this.builder!;
    let r;
    if (type === RRType.SOA || !hasNames(type)) {
      const fixed = FIXED_LENGTH.get(type);
      if (fixed !== undefined && fixed !== rdlen) return err({ kind: 'malformed', detail: `record ${name} has RDATA of ${rdlen} octets` });
      r = b.addParts(name, type, cls, ttl, msg, pos, rdlen);
    } else {
      // Names in RDATA are expanded (RFC 3597 §4) into one reused scratch buffer.
      const n = expandRdata(msg, type, pos, rdlen, RDATA_SCRATCH);
      r = b.addParts(name, type, cls, ttl, RDATA_SCRATCH, 0, n);
    }
    if (!r.ok) {
      if (r.error.kind === 'out-of-zone') return err({ kind: 'out-of-zone', name });
      return err({ kind: 'invalid-zone', detail: describeZoneError(r.error) });
    }
    return okVoid;
  }

  private finishFull(): Result<void, XfrError> {
    const b = this.builder ?? new ZoneBuilder(this.o.origin, this.o.zoneClass);
    if (this.builder === undefined) b.add(this.first!);
    this.builder = undefined;
    // The version is built on demand (result() or buildSteps()), so a driver can spread the work.
    this.pendingBuild = b;
    this.state = 'done';
    return okVoid;
  }

  /**
   * buildSteps builds the zone of a completed full transfer in steps (see ZoneBuilder.buildSteps);
   * the driver may yield between steps. Returns the error when the zone is invalid.
   */
  *buildSteps(): Generator<void, XfrError | undefined> {
    const b = this.pendingBuild;
    if (b === undefined) return undefined;
    this.pendingBuild = undefined;
    const built = yield* b.buildSteps();
    if (!built.ok) return { kind: 'invalid-zone', detail: describeZoneError(built.error) };
    this.outcome = { kind: 'full', version: built.value };
    return undefined;
  }
}

/** RDATA_SCRATCH holds one expanded RDATA (at most 65535 + 256 × names octets). */
const RDATA_SCRATCH = new Uint8Array(65535 + 4 * 256);

function hasNames(type: number): boolean {
  return NAME_LAYOUT.has(type);
}

function skipRR(msg: Uint8Array, pos: number): number {
  const p = skipName(msg, pos);
  if (p + 10 > msg.length) throw new WireFault('truncated', p);
  const rdlen = (msg[p + 8]! << 8) | msg[p + 9]!;
  if (p + 10 + rdlen > msg.length) throw new WireFault('truncated', p);
  return p + 10 + rdlen;
}
