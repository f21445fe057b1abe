// JIT warm-up of the transfer-in path: build the IXFR request, read an AXFR and IXFR answers
// through the framer and the parser, apply the diffs, encode them for the journal, on a small
// made-up zone, a few hundred times.
//
// Why: a secondary takes an IXFR every few minutes at most, so without this the path from NOTIFY
// to serving always runs as cold code: interpreted, and compiled by V8 while the diff is being
// applied (on a server pinned to one core the compiler threads take that core from the main
// thread). Measured with the 1M-record bench zone in a script, the first 100-change diff applied
// in ~24 ms cold and in ~1 ms after this warm-up.
//
// What it runs is shaped like real transfers, because V8 optimizes for what it has seen and
// throws the optimized code away on the first thing it has not (traced with --trace-deopt in the
// `ixfr` bench: the first real IXFR deoptimized the parser, applyDiff, findSet and indexOfRdata):
// - owners with several RRsets, the changed one not always first, and sets of several RDATAs, so
//   the search loops run past their first element;
// - owners added (with an empty non-terminal above them) and owners removed;
// - messages read from a shared buffer through InPlaceFramer, as the client reads them;
// - an AXFR through the same parser before the IXFRs: a parser that has built a zone has a
//   different shape from one that never did, and the first real AXFR in would otherwise change
//   it under the warmed code.
// Pure: no I/O; the CLI runs it in slices once serving.

import { InPlaceFramer, RRClass, RRType, type DomainName, type ResourceRecord, frame, nameToWire } from '../../wire/index.js';
import { type Serial, type ZoneDiff, type ZoneVersion, ZoneBuilder, addSerial, applyDiff, encodeDiff, serial, withSoaSerial } from '../../zone/index.js';
import { type RenderedMessage, renderAxfr, renderIxfr } from '../out/render.js';
import { buildQuery } from './client.js';
import { type XfrOutcome, XfrParser } from './parser.js';

const ORIGIN = 'warm-up.invalid.' as DomainName;
const OWNERS = 400;
const CHANGES = 20;
/** ADDED_KEPT: an owner a round adds lives this many rounds, then a round removes it. */
const ADDED_KEPT = 3;

/**
 * FIRST_SERIAL is a date-shaped serial, as most zones have: above 2^30, so V8 holds it as a double,
 * not a small integer. Serials of 1, 2, 3… here would have the objects that carry one (versions,
 * parser options) laid out for small integers, re-laid out by the first real zone's.
 */
const FIRST_SERIAL = 2026112700;

/** AXFR_EVERY: one step in this many starts over with an AXFR of the made-up zone. */
const AXFR_EVERY = 50;

/**
 * TransferWarmUp runs the path one transfer per step: an AXFR first and every AXFR_EVERY steps
 * (which also keeps the made-up zone small), IXFRs in between. A step takes well under a
 * millisecond once compiled, a few while V8 still compiles: the CLI spreads steps over seconds.
 */
export class TransferWarmUp {
  private v: ZoneVersion | undefined;
  private steps = 0;
  /** framer is kept: one made per step would be 64 KB of buffer per step for the collector. */
  private readonly framer = new InPlaceFramer();

  step(): void {
    const n = this.steps++;
    if (this.v === undefined || n % AXFR_EVERY === 0) {
      this.v = received(this.framer, renderAxfr(zone()), RRType.AXFR, undefined, 'full').version;
      return;
    }
    let v = this.v;
    const d = change(v, n);
    const out = received(this.framer, renderIxfr(d.soaTo, ORIGIN, [d]), RRType.IXFR, v, 'incremental');
    for (const diff of out.diffs) {
      const next = applyDiff(v, diff);
      if (!next.ok) throw new Error(`warm-up: ${next.error.kind}`);
      encodeDiff(diff);
      v = next.value;
    }
    this.v = v;
  }
}

/** READ: the shared read buffer the framed answer is copied into, as the client's socket does. */
const READ = new Uint8Array(64 * 1024);

/** received builds the request and reads `messages` back as a client would; fails loudly. */
function received<K extends XfrOutcome['kind']>(framer: InPlaceFramer, messages: Iterable<RenderedMessage>, qtype: typeof RRType.AXFR | typeof RRType.IXFR, held: ZoneVersion | undefined, kind: K): Extract<XfrOutcome, { kind: K }> {
  buildQuery(ORIGIN, qtype, 0, undefined, 0, held?.soa);
  const parser = new XfrParser({ origin: ORIGIN, zoneClass: RRClass.IN, qtype, id: 0, ...(held !== undefined ? { currentSerial: held.serial } : {}) });
  let failure: string | undefined;
  const onMessage = (msg: Uint8Array): boolean => {
    const r = parser.push(msg);
    if (!r.ok) failure = r.error.kind;
    return r.ok && r.value.status === 'more';
  };
  for (const m of messages) {
    // Each message framed and fed in two reads, the second one starting mid-message.
    const framed = frame(m.octets);
    const cut = framed.length >> 1;
    READ.set(framed.subarray(0, cut));
    framer.push(READ.subarray(0, cut), onMessage);
    READ.set(framed.subarray(cut));
    framer.push(READ.subarray(0, framed.length - cut), onMessage);
    if (failure !== undefined) throw new Error(`warm-up: ${failure}`);
  }
  const steps = parser.buildSteps();
  for (let s = steps.next(); s.done !== true; s = steps.next());
  const out = parser.result();
  if (out?.kind !== kind) throw new Error(`warm-up: not ${kind}`);
  return out as Extract<XfrOutcome, { kind: K }>;
}

/** zone: OWNERS hosts with one to three A records, some with AAAA, TXT (before the A) and MX. */
function zone(): ZoneVersion {
  const b = new ZoneBuilder(ORIGIN);
  b.add(soa(serial(FIRST_SERIAL)));
  b.add(rr(ORIGIN, RRType.NS, nameToWire('ns.warm-up.invalid.' as DomainName)));
  for (let i = 0; i < OWNERS; i++) {
    const owner = host(i);
    if (i % 5 === 0) b.add(rr(owner, RRType.TXT, Uint8Array.of(4, 0x77, 0x61, 0x72, 0x6d)));
    for (let k = 0; k <= i % 3; k++) b.add(rr(owner, RRType.A, a(i, k)));
    if (i % 2 === 0) b.add(rr(owner, RRType.AAAA, new Uint8Array(16).fill(i & 0xff)));
    if (i % 7 === 0) b.add(rr(owner, RRType.MX, Uint8Array.of(0, 10, ...nameToWire(`mail.${ORIGIN}` as DomainName))));
  }
  const r = b.build();
  if (!r.ok) throw new Error(`warm-up: ${r.error.kind}`);
  return r.value;
}

/**
 * change replaces the last A record of CHANGES owners (which ones and their values vary by round),
 * adds an owner under an empty non-terminal, and removes the one added ADDED_KEPT rounds before.
 */
function change(v: ZoneVersion, round: number): ZoneDiff {
  const removed: ResourceRecord[] = [];
  const added: ResourceRecord[] = [];
  for (let k = 0; k < CHANGES; k++) {
    const i = (round * CHANGES + k) % OWNERS;
    const owner = host(i);
    const rdatas = v.rrset(owner, RRType.A)!.rdatas;
    removed.push(rr(owner, RRType.A, rdatas[rdatas.length - 1]!));
    added.push(rr(owner, RRType.A, a(i, round + 7)));
  }
  added.push(rr(extra(round), RRType.A, a(round, 1)));
  if (round % AXFR_EVERY > ADDED_KEPT) removed.push(rr(extra(round - ADDED_KEPT), RRType.A, a(round - ADDED_KEPT, 1)));
  return { soaFrom: v.soa, soaTo: soa(addSerial(v.serial, 1)), removed, added };
}

const host = (i: number) => `h${i}.${ORIGIN}` as DomainName;
const extra = (round: number) => `x.e${round}.${ORIGIN}` as DomainName;
const rr = (name: DomainName, type: number, rdata: Uint8Array): ResourceRecord => ({ name, type, class: RRClass.IN, ttl: 300, rdata });
const a = (i: number, k: number) => Uint8Array.of(10, k & 0xff, (i >> 8) & 0xff, i & 0xff);

/** soa is the zone's SOA with `serial`: RFC 1035 §3.3.13 fields, made once and re-serialed. */
function soa(s: Serial): ResourceRecord {
  if (soaRdata === undefined) {
    const mname = nameToWire('ns.warm-up.invalid.' as DomainName);
    const rname = nameToWire('hostmaster.warm-up.invalid.' as DomainName);
    soaRdata = new Uint8Array(mname.length + rname.length + 20);
    soaRdata.set(mname, 0);
    soaRdata.set(rname, mname.length);
    const view = new DataView(soaRdata.buffer);
    [3600, 600, 86400, 300].forEach((n, i) => view.setUint32(mname.length + rname.length + 4 + 4 * i, n));
  }
  return rr(ORIGIN, RRType.SOA, withSoaSerial(soaRdata, s));
}

let soaRdata: Uint8Array | undefined;
