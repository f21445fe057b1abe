// Test helpers for src/query: RDATA written by hand (no zone-file parser), zones built with
// ZoneBuilder from one-line record specs, and a compact text rendering of answer sections.
import { type DomainName, type ResourceRecord, RRClass, RRType, nameFromTrusted, nameToWire, readName, typeToString } from '../../../src/wire/index.js';
import { type ZoneDiff, type ZoneVersion, ZoneBuilder, describeZoneError, readSoa } from '../../../src/zone/index.js';
import type { AnswerSections } from '../../../src/query/index.js';

export const n = (text: string): DomainName => nameFromTrusted(text);

const u16 = (v: number): number[] => [(v >>> 8) & 0xff, v & 0xff];
const u32 = (v: number): number[] => [(v >>> 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff];
const wire = (name: string): number[] => [...nameToWire(n(name))];

export const rd = {
  a: (ip: string): Uint8Array => Uint8Array.from(ip.split('.').map(Number)),
  /** aaaa takes the 8 groups spelled out or with one `::`. */
  aaaa(ip: string): Uint8Array {
    const [head = '', tail] = ip.split('::');
    const h = head === '' ? [] : head.split(':');
    const t = tail === undefined || tail === '' ? [] : tail.split(':');
    const groups = [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t];
    return Uint8Array.from(groups.flatMap((g) => u16(parseInt(g, 16))));
  },
  name: (target: string): Uint8Array => Uint8Array.from(wire(target)),
  mx: (pref: number, host: string): Uint8Array => Uint8Array.from([...u16(pref), ...wire(host)]),
  srv: (prio: number, weight: number, port: number, target: string): Uint8Array =>
    Uint8Array.from([...u16(prio), ...u16(weight), ...u16(port), ...wire(target)]),
  txt: (text: string): Uint8Array => Uint8Array.from([text.length, ...Buffer.from(text, 'latin1')]),
  soa: (mname: string, rname: string, serial: number, minimum: number): Uint8Array =>
    Uint8Array.from([...wire(mname), ...wire(rname), ...u32(serial), ...u32(7200), ...u32(900), ...u32(1209600), ...u32(minimum)]),
  /** rrsig is a structurally valid RRSIG (RFC 4034 §3.1) whose signature is a marker, not a MAC. */
  rrsig: (covered: number, signer: string, marker = 0xaa): Uint8Array =>
    Uint8Array.from([...u16(covered), 13, 2, ...u32(3600), ...u32(2000000000), ...u32(1700000000), ...u16(12345), ...wire(signer), marker, marker]),
  ds: (keyTag: number): Uint8Array => Uint8Array.from([...u16(keyTag), 13, 2, ...new Array<number>(32).fill(0xab)]),
  /** nsec carries the next name and an arbitrary bitmap; only its presence matters here. */
  nsec: (next: string): Uint8Array => Uint8Array.from([...wire(next), 0, 1, 0x40]),
};

/** Spec is [owner, ttl, type name, rdata]. */
export type Spec = readonly [string, number, keyof typeof RRType, Uint8Array];

export function record([owner, ttl, type, rdata]: Spec, cls: number = RRClass.IN): ResourceRecord {
  return { name: n(owner), type: RRType[type], class: cls, ttl, rdata };
}

/** buildZone builds a version from specs; throws (test failure) when the builder refuses them. */
export function buildZone(origin: string, specs: readonly Spec[], cls: number = RRClass.IN): ZoneVersion {
  const b = new ZoneBuilder(n(origin), cls);
  for (const s of specs) {
    const r = b.add(record(s, cls));
    if (!r.ok) throw new Error(`add ${s[0]} ${s[2]}: ${describeZoneError(r.error)}`);
  }
  const v = b.build();
  if (!v.ok) throw new Error(`build ${origin}: ${describeZoneError(v.error)}`);
  return v.value;
}

/** diff makes a ZoneDiff from `v` to a new serial with the given removals and additions. */
export function diff(v: ZoneVersion, serial: number, removed: readonly Spec[], added: readonly Spec[]): ZoneDiff {
  const soa = readSoa(v.soa.rdata);
  const soaTo: ResourceRecord = { ...v.soa, rdata: rd.soa(soa.mname, soa.rname, serial, soa.minimum) };
  return { soaFrom: v.soa, soaTo, removed: removed.map((s) => record(s)), added: added.map((s) => record(s)) };
}

function renderRdata(type: number, r: Uint8Array): string {
  switch (type) {
    case RRType.A:
      return [...r].join('.');
    case RRType.AAAA:
      return Array.from({ length: 8 }, (_, i) => ((r[2 * i]! << 8) | r[2 * i + 1]!).toString(16)).join(':');
    case RRType.NS:
    case RRType.CNAME:
    case RRType.DNAME:
      return readName(r, 0);
    case RRType.MX:
      return `${(r[0]! << 8) | r[1]!} ${readName(r, 2)}`;
    case RRType.SRV:
      return `${(r[0]! << 8) | r[1]!} ${(r[2]! << 8) | r[3]!} ${(r[4]! << 8) | r[5]!} ${readName(r, 6)}`;
    case RRType.TXT:
      return JSON.stringify(Buffer.from(r.subarray(1, 1 + r[0]!)).toString('latin1'));
    case RRType.SOA: {
      const s = readSoa(r);
      return `${s.mname} ${s.serial} ${s.minimum}`;
    }
    case RRType.RRSIG:
      return `covers ${typeToString((r[0]! << 8) | r[1]!)}`;
    case RRType.DS:
      return `tag ${(r[0]! << 8) | r[1]!}`;
    case RRType.NSEC:
      return readName(r, 0);
    default:
      return Buffer.from(r).toString('hex');
  }
}

/** show renders one RR as "owner ttl TYPE rdata". */
export function show(rr: ResourceRecord): string {
  return `${rr.name} ${rr.ttl} ${typeToString(rr.type)} ${renderRdata(rr.type, rr.rdata)}`;
}

/** Rendered is an AnswerSections with every record shown as text. */
export interface Rendered {
  rcode: number;
  aa: boolean;
  answer: string[];
  authority: string[];
  additional: string[];
}

export function render(a: AnswerSections): Rendered {
  return {
    rcode: a.rcode,
    aa: a.authoritative,
    answer: a.answers.map(show),
    authority: a.authorities.map(show),
    additional: a.additionals.map(show),
  };
}
