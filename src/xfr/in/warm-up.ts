// JIT warm-up of the IXFR-in path: parse an IXFR answer, apply its diff, encode it for the
// journal, on a small made-up zone, a few hundred times.
//
// Why: a secondary takes an IXFR every few minutes at most, so without this the path from NOTIFY
// to serving always runs as cold code: interpreted, and compiled by V8 while the diff is being
// applied (on a server pinned to one core the compiler threads take that core from the main
// thread). Measured with the 1M-record bench zone in a script, the first 100-change diff applied
// in ~24 ms cold and in ~1 ms after this warm-up; in the bench (a 1M-record AXFR in between,
// which V8 sees too), the IXFR median went from 10–11 ms to 9 ms. The work here is the same code
// on the same kinds of values (records parsed from rendered messages). Pure: no I/O; the CLI runs
// it in slices once serving.

import { RRClass, RRType, type DomainName, type ResourceRecord, nameToWire } from '../../wire/index.js';
import { type Serial, type ZoneDiff, type ZoneVersion, ZoneBuilder, addSerial, applyDiff, encodeDiff, serial, withSoaSerial } from '../../zone/index.js';
import { renderIxfr } from '../out/render.js';
import { XfrParser } from './parser.js';

const ORIGIN = 'warm-up.invalid.' as DomainName;
const OWNERS = 400;
const CHANGES = 20;

/** warmIxfrPath runs `rounds` made-up IXFRs through the parser, applyDiff and encodeDiff. */
export function warmIxfrPath(rounds: number): void {
  let v = zone();
  for (let round = 0; round < rounds; round++) {
    const d = change(v, round);
    const parser = new XfrParser({ origin: ORIGIN, zoneClass: RRClass.IN, qtype: RRType.IXFR, id: 0, currentSerial: v.serial });
    for (const m of renderIxfr(d.soaTo, ORIGIN, [d])) {
      const r = parser.push(m.octets);
      if (!r.ok) throw new Error(`warm-up: ${r.error.kind}`);
    }
    const out = parser.result();
    if (out?.kind !== 'incremental') throw new Error('warm-up: not incremental');
    const next = applyDiff(v, out.diffs[0]!);
    if (!next.ok) throw new Error(`warm-up: ${next.error.kind}`);
    encodeDiff(out.diffs[0]!);
    v = next.value;
  }
}

function zone(): ZoneVersion {
  const b = new ZoneBuilder(ORIGIN);
  b.add(soa(serial(1)));
  b.add(rr(ORIGIN, RRType.NS, nameToWire('ns.warm-up.invalid.' as DomainName)));
  for (let i = 0; i < OWNERS; i++) b.add(rr(`h${i}.${ORIGIN}` as DomainName, RRType.A, a(i, 0)));
  const r = b.build();
  if (!r.ok) throw new Error(`warm-up: ${r.error.kind}`);
  return r.value;
}

/** change replaces the A record of CHANGES owners (which ones and their values vary by round). */
function change(v: ZoneVersion, round: number): ZoneDiff {
  const removed: ResourceRecord[] = [];
  const added: ResourceRecord[] = [];
  for (let k = 0; k < CHANGES; k++) {
    const i = (round * CHANGES + k) % OWNERS;
    const owner = `h${i}.${ORIGIN}` as DomainName;
    const set = v.rrset(owner, RRType.A)!;
    removed.push(rr(owner, RRType.A, set.rdatas[0]!));
    added.push(rr(owner, RRType.A, a(i, round + 1)));
  }
  return { soaFrom: v.soa, soaTo: soa(addSerial(v.serial, 1)), removed, added };
}

const rr = (name: DomainName, type: number, rdata: Uint8Array): ResourceRecord => ({ name, type, class: RRClass.IN, ttl: 300, rdata });
const a = (i: number, round: number) => Uint8Array.of(10, round & 0xff, (i >> 8) & 0xff, i & 0xff);

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
