// TransferCheck: counts and checks the records of one AXFR/IXFR response by walking the message
// octets (skipName + the 10 fixed octets + RDLENGTH), never building an object per record and
// never calling decodeMessage; only SOA records are read in full. Pure: no sockets, `now` passed in.
// RFC 5936 §2.2 (SOA first and last), RFC 1995 §4 (IXFR: SOA(new) [SOA(old) del… SOA(next) add…]…
// SOA(new), or a lone SOA when current), RFC 8945 §5.3.1 (every message through the TSIG stream
// verifier; the last one signed). Deviation from XfrParser: records are counted, not kept, and
// out-of-zone owners are not looked for (a load tool, not a secondary).
//
//   start ──SOA(zone)──▶ first ──RR≠SOA──────────────────▶ body ──SOA = first──▶ done (axfr)
//                          │ └─IXFR: SOA(asked serial)──▶ del ──SOA──▶ add ──SOA = first──▶ done (ixfr)
//                          │                               ▲             │
//                          │                               └─SOA(next)───┘
//                          ├─AXFR: SOA = first (SOA-only zone) ──────────▶ done (axfr)
//                          └─IXFR: message ends, lone SOA not newer ─────▶ done (up-to-date)

import { type TsigStreamVerifier, describeTsigFailure, readTsigRR } from '../tsig/index.js';
import {
  Flag, RRClass, RRType, Rcode, WireFault, type DomainName, nameKey, opcodeOf, rcodeOf, readName, readRdata, skipName,
} from '../wire/index.js';
import { type Result, ok, err } from '../wire/result.js';
import { compareSerial, rdataEqual, serial as toSerial, soaSerialOffset } from '../zone/index.js';
import { type BenchFailure, failure } from './failure.js';

/** TransferKind is what a completed response turned out to be. */
export type TransferKind = 'axfr' | 'ixfr' | 'ixfr-as-axfr' | 'up-to-date';

/** TransferSummary is a verified response: its kind, the zone serial it carried and its counts. */
export interface TransferSummary {
  readonly kind: TransferKind;
  readonly serial: number;
  /** records counts every answer RR, both SOAs included (as dig and kdig report). */
  readonly records: number;
  readonly messages: number;
  /** messageOctets is the sum of the message lengths (TCP length prefixes not included). */
  readonly messageOctets: number;
  /** signedMessages is how many messages carried a TSIG RR. */
  readonly signedMessages: number;
}

/** RecordHook sees each answer RR's owner offset and type (to sample names); off the default path. */
export type RecordHook = (msg: Uint8Array, ownerOffset: number, type: number) => void;

export interface TransferCheckOptions {
  readonly origin: DomainName;
  /** id is the query's message ID; every response message must carry it. */
  readonly id: number;
  readonly qtype: typeof RRType.AXFR | typeof RRType.IXFR;
  /** ixfrSerial is the serial sent in the IXFR query's authority SOA (RFC 1995 §3). */
  readonly ixfrSerial?: number;
  /** verifier checks every message when a key is used (RFC 8945 §5.3.1). */
  readonly verifier?: TsigStreamVerifier;
  readonly onRecord?: RecordHook;
}

const S_START = 0;
const S_FIRST = 1;
const S_BODY = 2;
const S_DEL = 3;
const S_ADD = 4;
const S_DONE = 5;

/**
 * TransferCheck consumes the messages of one response in order. `push` returns 'more' or 'done',
 * or the first BenchFailure (after which the check is dead: every later call fails the same way).
 * `end` is called when the connection closed early and names what was missing.
 */
export class TransferCheck {
  private state = S_START;
  private firstSoa: Uint8Array | undefined;
  private firstSerial = 0;
  private diffTo = 0;
  private kind: TransferKind = 'axfr';
  private records = 0;
  private messages = 0;
  private octets = 0;
  private signed = 0;
  private failed: BenchFailure | undefined;
  private readonly originKey: string;
  private readonly zoneClass = RRClass.IN;

  constructor(private readonly o: TransferCheckOptions) {
    this.originKey = nameKey(o.origin);
    if (o.qtype === RRType.IXFR && o.ixfrSerial === undefined) throw new Error('IXFR check needs ixfrSerial');
  }

  /** recordCount is the number of answer RRs seen so far. */
  get recordCount(): number {
    return this.records;
  }

  /** done tells whether the final SOA (or the up-to-date answer) was seen and verified. */
  get done(): boolean {
    return this.state === S_DONE && this.failed === undefined;
  }

  /** summary returns the figures once `push` answered 'done'. */
  summary(): TransferSummary | undefined {
    if (!this.done) return undefined;
    return { kind: this.kind, serial: this.firstSerial, records: this.records, messages: this.messages, messageOctets: this.octets, signedMessages: this.signed };
  }

  /** push checks the next message (`now` in seconds, for TSIG). */
  push(msg: Uint8Array, now: number): Result<'more' | 'done', BenchFailure> {
    if (this.failed !== undefined) return err(this.failed);
    if (this.state === S_DONE) return this.fail(failure('malformed', 'message after the end of the transfer'));
    this.messages++;
    this.octets += msg.length;
    const len = msg.length;
    if (len < 12) return this.fail(failure('malformed', `message ${this.messages} is ${len} octets, shorter than a header`));
    const id = (msg[0]! << 8) | msg[1]!;
    const flags = (msg[2]! << 8) | msg[3]!;
    const qd = (msg[4]! << 8) | msg[5]!;
    const an = (msg[6]! << 8) | msg[7]!;
    const ns = (msg[8]! << 8) | msg[9]!;
    const ar = (msg[10]! << 8) | msg[11]!;
    if (id !== this.o.id) return this.fail(failure('malformed', `message ${this.messages} has ID ${id}, expected ${this.o.id}`));
    if ((flags & Flag.QR) === 0 || opcodeOf(flags) !== 0) return this.fail(failure('malformed', `message ${this.messages} is not a query response`));
    const rcode = rcodeOf(flags);
    if (rcode !== Rcode.NoError) {
      // RFC 8945 §5.3.2: a TSIG failure is NOTAUTH with the reason in the TSIG RR's Error field.
      const tsigError = tsigErrorOf(msg, qd, an + ns + ar);
      const why = tsigError === undefined ? '' : ` (TSIG ${TSIG_ERROR_NAMES[tsigError] ?? `error ${tsigError}`})`;
      return this.fail(failure('rcode', `server answered ${rcodeName(rcode)}${why}`, rcode));
    }
    let tsigOffset: number | undefined;
    try {
      let pos = 12;
      for (let i = 0; i < qd; i++) pos = skipName(msg, pos) + 4;
      if (pos > len) throw new WireFault('truncated', pos);
      if (this.state === S_START && an === 0) return this.fail(failure('soa', 'the first message has no answer (RFC 5936 §2.2)'));
      const hook = this.o.onRecord;
      for (let i = 0; i < an; i++) {
        const owner = pos;
        pos = skipName(msg, pos);
        if (pos + 10 > len) throw new WireFault('truncated', pos);
        const type = (msg[pos]! << 8) | msg[pos + 1]!;
        const cls = (msg[pos + 2]! << 8) | msg[pos + 3]!;
        const rdStart = pos + 10;
        pos = rdStart + ((msg[pos + 8]! << 8) | msg[pos + 9]!);
        if (pos > len) throw new WireFault('truncated', rdStart);
        if (cls !== this.zoneClass) return this.fail(failure('malformed', `record of class ${cls} in an IN zone`));
        this.records++;
        if (hook !== undefined) hook(msg, owner, type);
        // The hot path: a non-SOA record in the body of a transfer only counts.
        if (type !== RRType.SOA && this.state >= S_BODY && this.state <= S_ADD) continue;
        const r = this.slow(msg, owner, type, rdStart, pos - rdStart);
        if (r !== undefined) return this.fail(r);
        if (this.state === S_DONE && i !== an - 1) return this.fail(failure('soa', 'records after the final SOA (RFC 5936 §2.2)'));
      }
      // Authority is empty in transfers; skip whatever is there. Additional may hold OPT and TSIG.
      for (let i = 0; i < ns; i++) pos = skipRR(msg, pos);
      for (let i = 0; i < ar; i++) {
        const start = pos;
        const end = skipName(msg, pos);
        if (end + 10 > len) throw new WireFault('truncated', end);
        if (((msg[end]! << 8) | msg[end + 1]!) === RRType.TSIG) tsigOffset = start;
        pos = end + 10 + ((msg[end + 8]! << 8) | msg[end + 9]!);
        if (pos > len) throw new WireFault('truncated', end);
      }
      if (pos !== len) throw new WireFault('trailing-bytes', pos);
    } catch (e) {
      if (e instanceof WireFault) return this.fail(failure('malformed', `message ${this.messages}: ${e.reason} at offset ${e.offset}`));
      throw e;
    }
    if (tsigOffset !== undefined) this.signed++;
    if (this.state === S_FIRST && this.o.qtype === RRType.IXFR && this.records === 1 && an === 1) {
      // RFC 1995 §2, §4: a lone SOA not newer than ours means "you are current". A newer lone SOA
      // is the start of a one-RR-per-message transfer: read on.
      if (compareSerial(toSerial(this.firstSerial), toSerial(this.o.ixfrSerial!)) !== 'gt') {
        this.state = S_DONE;
        this.kind = 'up-to-date';
      }
    }
    const v = this.o.verifier;
    if (v !== undefined) {
      const r = v.verify(msg, tsigOffset, now);
      if (!r.ok) return this.fail(failure('tsig', `message ${this.messages}: ${describeTsigFailure(r.error)}`));
      if (this.state === S_DONE) {
        // RFC 8945 §5.3.1: the last message MUST be signed.
        const f = v.finish();
        if (!f.ok) return this.fail(failure('tsig', `message ${this.messages} (the last): ${describeTsigFailure(f.error)}`));
      }
    }
    return ok(this.state === S_DONE ? 'done' : 'more');
  }

  /** end reports why a response that stopped here is incomplete (the connection closed). */
  end(): BenchFailure {
    if (this.failed !== undefined) return this.failed;
    if (this.state === S_DONE) return failure('malformed', 'end() after a complete transfer');
    const where = this.messages === 0 ? 'before any message' : `after ${this.messages} messages and ${this.records} records`;
    return this.fail(failure('closed', `connection closed ${where}, without the final SOA`)).error;
  }

  /** slow handles an SOA anywhere and every record outside the body; a failure or undefined. */
  private slow(msg: Uint8Array, owner: number, type: number, rdStart: number, rdLen: number): BenchFailure | undefined {
    const isSoa = type === RRType.SOA;
    if (this.state === S_DONE) return failure('soa', 'records after the final SOA (RFC 5936 §2.2)');
    if (this.state === S_FIRST && !isSoa) {
      this.state = S_BODY;
      if (this.o.qtype === RRType.IXFR) this.kind = 'ixfr-as-axfr';
      return undefined;
    }
    if (!isSoa) return failure('soa', 'the first record is not an SOA (RFC 5936 §2.2)');
    if (nameKey(readName(msg, owner)) !== this.originKey) return failure('soa', `SOA of ${readName(msg, owner)}, not of ${this.o.origin}`);
    const rdata = readRdata(msg, type, rdStart, rdLen);
    const serialAt = soaSerialOffset(rdata);
    if (rdata.length - serialAt !== 20) return failure('malformed', 'SOA RDATA of the wrong length');
    const serial = ((rdata[serialAt]! << 24) | (rdata[serialAt + 1]! << 16) | (rdata[serialAt + 2]! << 8) | rdata[serialAt + 3]!) >>> 0;
    switch (this.state) {
      case S_START:
        // RFC 5936 §2.2 / RFC 1995 §4: the response starts with the zone's (new) SOA.
        this.firstSoa = rdata.slice();
        this.firstSerial = serial;
        this.state = S_FIRST;
        return undefined;
      case S_FIRST:
        if (rdataEqual(rdata, this.firstSoa!)) {
          // SOA, SOA: a zone of only its SOA (AXFR, or IXFR answered AXFR-style).
          if (this.o.qtype === RRType.IXFR) this.kind = 'ixfr-as-axfr';
          this.state = S_DONE;
          return undefined;
        }
        if (this.o.qtype !== RRType.IXFR) return failure('soa', `second SOA (serial ${serial}) differs from the first (serial ${this.firstSerial})`);
        // RFC 1995 §4: the first difference sequence starts at the serial the client holds.
        if (serial !== this.o.ixfrSerial) return failure('ixfr', `IXFR starts at serial ${serial}, asked for ${this.o.ixfrSerial}`);
        this.kind = 'ixfr';
        this.diffTo = serial;
        this.state = S_DEL;
        return undefined;
      case S_BODY:
        // RFC 5936 §2.2: the SOA appears first and last only, and the last equals the first.
        if (!rdataEqual(rdata, this.firstSoa!)) return failure('soa', `final SOA (serial ${serial}) differs from the first (serial ${this.firstSerial})`);
        this.state = S_DONE;
        return undefined;
      case S_DEL:
        // RFC 1995 §4: the SOA ending the deletions is the version the additions lead to.
        if (compareSerial(toSerial(serial), toSerial(this.diffTo)) !== 'gt') return failure('ixfr', `difference from serial ${this.diffTo} to ${serial} does not go forward`);
        this.diffTo = serial;
        this.state = S_ADD;
        return undefined;
      case S_ADD:
        if (rdataEqual(rdata, this.firstSoa!)) {
          if (this.diffTo !== this.firstSerial) return failure('ixfr', `IXFR ends at serial ${this.diffTo}, announced ${this.firstSerial}`);
          this.state = S_DONE;
          return undefined;
        }
        if (serial !== this.diffTo) return failure('ixfr', `difference starts at serial ${serial}, previous ended at ${this.diffTo}`);
        this.state = S_DEL;
        return undefined;
      default:
        return failure('malformed', 'unexpected state');
    }
  }

  private fail(f: BenchFailure): { readonly ok: false; readonly error: BenchFailure } {
    this.failed ??= f;
    return err(this.failed);
  }
}

function skipRR(msg: Uint8Array, pos: number): number {
  const end = skipName(msg, pos);
  if (end + 10 > msg.length) throw new WireFault('truncated', end);
  const next = end + 10 + ((msg[end + 8]! << 8) | msg[end + 9]!);
  if (next > msg.length) throw new WireFault('truncated', end);
  return next;
}

/** tsigErrorOf returns the Error field of the TSIG RR ending `msg`, if it has one (never throws). */
function tsigErrorOf(msg: Uint8Array, qd: number, rrs: number): number | undefined {
  try {
    let pos = 12;
    for (let i = 0; i < qd; i++) pos = skipName(msg, pos) + 4;
    for (let i = 0; i < rrs; i++) {
      const start = pos;
      pos = skipRR(msg, pos);
      if (i === rrs - 1) {
        const rr = readTsigRR(msg, start);
        return rr.ok ? rr.value.rdata.error : undefined;
      }
    }
  } catch (e) {
    if (!(e instanceof WireFault)) throw e;
  }
  return undefined;
}

const TSIG_ERROR_NAMES: Readonly<Record<number, string>> = { 16: 'BADSIG', 17: 'BADKEY', 18: 'BADTIME', 22: 'BADTRUNC' };

const RCODE_NAMES: Readonly<Record<number, string>> = {
  1: 'FORMERR', 2: 'SERVFAIL', 3: 'NXDOMAIN', 4: 'NOTIMP', 5: 'REFUSED', 6: 'YXDOMAIN', 7: 'YXRRSET', 8: 'NXRRSET', 9: 'NOTAUTH', 10: 'NOTZONE',
};

/** rcodeName returns the mnemonic of a header RCODE (RFC 1035 §4.1.1, RFC 2136), or `RCODEn`. */
export function rcodeName(rcode: number): string {
  return rcode === 0 ? 'NOERROR' : (RCODE_NAMES[rcode] ?? `RCODE${rcode}`);
}

/**
 * ConsistencyCheck compares each completed transfer with the first one of the same serial: the
 * record count must be equal (a server that drops or repeats records under load shows here).
 * `serials` lists every serial seen, so a zone that changed during the run is visible.
 */
export class ConsistencyCheck {
  private readonly counts = new Map<string, number>();
  private readonly seen: number[] = [];

  /** serials returns the serials seen, in first-seen order. */
  get serials(): readonly number[] {
    return this.seen;
  }

  /** check records `s` and fails with kind 'count' when its count differs from an earlier one. */
  check(s: Pick<TransferSummary, 'serial' | 'records' | 'kind'>): BenchFailure | undefined {
    if (!this.seen.includes(s.serial)) this.seen.push(s.serial);
    // An up-to-date answer (one SOA) and a transfer of the same serial are different responses.
    const key = `${s.kind === 'up-to-date' ? 'current' : 'data'}:${s.serial}`;
    const earlier = this.counts.get(key);
    if (earlier === undefined) {
      this.counts.set(key, s.records);
      return undefined;
    }
    if (earlier !== s.records) return failure('count', `serial ${s.serial}: ${s.records} records, an earlier transfer had ${earlier}`);
    return undefined;
  }
}
