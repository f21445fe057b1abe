// Interop: BIND's dig and Knot's kdig ask zonexfer's server (in-process, loopback, port 0) about
// fixtures/zones/example.com.zone. Answers are compared octet for octet with the zone (kdig +json
// RDATAHEX, RFC 8427; dig +unknownformat, RFC 3597 §5): status, AA, NXDOMAIN/NODATA with SOA
// (RFC 2308), referral without AA (RFC 1034 §4.3.2), REFUSED outside our zones, EDNS on/off and
// BADVERS (RFC 6891), TC at 512 then the clients' TCP retry (RFC 7766 §5). Skips without the
// binaries unless ZONEXFER_REQUIRE_PEERS=1.
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DnsServer, startDnsServer } from '../../src/server/index.js';
import {
  type DomainName,
  type ResourceRecord,
  RRClass,
  RRType,
  isSubdomain,
  nameFromTrusted,
  nameKey,
  typeToString,
} from '../../src/wire/index.js';
import { ZoneBuilder } from '../../src/zone/index.js';
import { parseZoneFile } from '../../src/zone/zone-file/index.js';
import { requirePeers } from '../helpers/peers.js';
import { TEST_LIMITS, TestZoneSource, aRdata, nameRdata, silentLogger, txtRdata } from '../helpers/server.js';

/** ZONE_FILE is the fixture; ZONEXFER_INTEROP_ZONE points the suite at another example.com zone. */
const ZONE_FILE = process.env['ZONEXFER_INTEROP_ZONE'] ?? 'fixtures/zones/example.com.zone';
const peers = requirePeers('dig_zonexfer', ['dig', 'kdig']);

// ---------------------------------------------------------------------------------------------
// The zone, and the facts the checks are derived from.

interface RRsetFact {
  readonly name: DomainName;
  readonly type: number;
  readonly ttl: number;
  /** rdatas as upper-case hex, sorted (kdig's RDATAHEX spelling). */
  readonly hex: readonly string[];
}

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex').toUpperCase();

/** DNSSEC-only types are answered only with DO; the checks here never set it. */
const SKIP_TYPES = new Set<number>([RRType.RRSIG, RRType.NSEC, RRType.NSEC3]);

/** Synthetic names, added only when the fixture lacks a delegation or an RRset over 512 octets. */
const SYNTH_CUT = 'zonexfer-sub';
const SYNTH_BIG = 'zonexfer-big';

class ZoneFacts {
  readonly sets = new Map<string, RRsetFact>();
  readonly owners = new Map<string, DomainName>();
  readonly cuts: DomainName[] = [];

  constructor(
    readonly origin: DomainName,
    records: readonly ResourceRecord[],
  ) {
    const byKey = new Map<string, { name: DomainName; type: number; ttl: number; hex: Set<string> }>();
    for (const r of records) {
      const key = `${nameKey(r.name)}/${r.type}`;
      let s = byKey.get(key);
      if (s === undefined) byKey.set(key, (s = { name: r.name, type: r.type, ttl: r.ttl, hex: new Set() }));
      s.hex.add(hex(r.rdata));
      this.owners.set(nameKey(r.name), r.name);
      if (r.type === RRType.NS && nameKey(r.name) !== nameKey(origin) && !this.cuts.some((c) => namesEq(c, r.name))) this.cuts.push(r.name);
    }
    for (const [k, s] of byKey) this.sets.set(k, { name: s.name, type: s.type, ttl: s.ttl, hex: [...s.hex].sort() });
  }

  get soa(): RRsetFact {
    return this.sets.get(`${nameKey(this.origin)}/${RRType.SOA}`)!;
  }

  set(name: string, type: number): RRsetFact | undefined {
    return this.sets.get(`${nameKey(name)}/${type}`);
  }

  /** belowCut: at or under a delegation point (not authoritative data, RFC 1034 §4.2.1). */
  belowCut(name: string): boolean {
    return this.cuts.some((c) => isSubdomain(name, c));
  }

  typesAt(name: string): number[] {
    return [...this.sets.values()].filter((s) => namesEq(s.name, name)).map((s) => s.type);
  }

  /** belowDname: strictly under a DNAME owner, so occluded (RFC 6672 §2.4). */
  belowDname(name: string): boolean {
    return [...this.sets.values()].some((s) => s.type === RRType.DNAME && !namesEq(s.name, name) && isSubdomain(name, s.name));
  }

  /** authoritative RRsets in a stable order. */
  answerable(): RRsetFact[] {
    return [...this.sets.values()]
      .filter((s) => !SKIP_TYPES.has(s.type) && !this.belowCut(s.name) && !this.belowDname(s.name))
      .sort((a, b) => (a.name === b.name ? a.type - b.type : a.name < b.name ? -1 : 1));
  }
}

function namesEq(a: string, b: string): boolean {
  return nameKey(a) === nameKey(b);
}

function loadZone(): { origin: DomainName; records: ResourceRecord[] } {
  const parsed = parseZoneFile(readFileSync(ZONE_FILE, 'utf8'), { origin: nameFromTrusted('example.com.'), fileName: ZONE_FILE });
  if (!parsed.ok) throw new Error(`${ZONE_FILE}:${parsed.error.line}:${parsed.error.column}: ${parsed.error.message}`);
  const { origin } = parsed.value;
  const records = [...parsed.value.records];
  const facts = new ZoneFacts(origin, records);
  const rr = (name: string, type: number, ttl: number, rdata: Uint8Array): ResourceRecord => ({
    name: nameFromTrusted(name),
    type,
    class: RRClass.IN,
    ttl,
    rdata,
  });
  if (facts.cuts.length === 0) {
    records.push(rr(`${SYNTH_CUT}.${origin}`, RRType.NS, 3600, nameRdata(`ns.${SYNTH_CUT}.${origin}`)));
    records.push(rr(`ns.${SYNTH_CUT}.${origin}`, RRType.A, 3600, aRdata('192.0.2.53')));
  }
  const biggest = Math.max(...facts.answerable().map((s) => s.hex.reduce((n, h) => n + h.length / 2 + 12, 0)));
  if (biggest < 600) {
    for (let i = 0; i < 6; i++) records.push(rr(`${SYNTH_BIG}.${origin}`, RRType.TXT, 300, txtRdata(`${i}`.repeat(200))));
  }
  return { origin, records };
}

// ---------------------------------------------------------------------------------------------
// Running the clients.

interface KdigRR {
  readonly NAME: string;
  readonly TYPE: number;
  readonly CLASS: number;
  readonly TTL: number;
  readonly RDLENGTH: number;
  readonly RDATAHEX?: string;
}

interface KdigMsg {
  readonly AA: number;
  readonly TC: number;
  readonly RD: number;
  readonly RA: number;
  readonly RCODE: number;
  readonly ANCOUNT: number;
  readonly answerRRs?: KdigRR[];
  readonly authorityRRs?: KdigRR[];
  readonly additionalRRs?: KdigRR[];
}

interface DigRR {
  readonly name: string;
  readonly ttl: number;
  readonly type: string;
  /** rdata hex (upper case) from `\# len hex` (+unknownformat), else the presentation text. */
  readonly rdata: string;
}

interface DigMsg {
  readonly status: string;
  readonly flags: readonly string[];
  readonly answer: readonly DigRR[];
  readonly authority: readonly DigRR[];
  readonly edns: string | undefined;
  readonly text: string;
}

function run(bin: string, args: readonly string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(bin, [...args], { timeout: 20_000 }, (e, stdout, stderr) => {
      if (e !== null && stdout === '') reject(new Error(`${bin} ${args.join(' ')}: ${e.message}\n${stderr}`));
      else resolve(stdout + stderr);
    });
  });
}

let server: DnsServer;
let port: number;
let facts: ZoneFacts;

async function kdig(...args: string[]): Promise<KdigMsg> {
  const out = await run(peers.paths.kdig, ['@127.0.0.1', '-p', String(port), '+json', '+norecurse', '+retry=0', '+time=3', ...args]);
  const start = out.indexOf('{');
  return JSON.parse(out.slice(start, out.lastIndexOf('}') + 1)) as KdigMsg;
}

async function kdigText(...args: string[]): Promise<string> {
  return run(peers.paths.kdig, ['@127.0.0.1', '-p', String(port), '+norecurse', '+retry=0', '+time=3', ...args]);
}

async function dig(...args: string[]): Promise<DigMsg> {
  const text = await run(peers.paths.dig, ['@127.0.0.1', '-p', String(port), '+norecurse', '+tries=1', '+time=3', '+noall', '+answer', '+authority', '+comments', '+unknownformat', ...args]);
  return parseDig(text);
}

/** parseDig reads the last answer in dig's output (after a TC retry there are two headers). */
export function parseDig(text: string): DigMsg {
  const lines = text.split('\n');
  let start = 0;
  lines.forEach((l, i) => {
    if (l.includes('->>HEADER<<-')) start = i;
  });
  const header = lines[start] ?? '';
  const status = /status: ([A-Z0-9]+)/.exec(header)?.[1] ?? '';
  const flags = (/;; flags: ([a-z ]*);/.exec(lines[start + 1] ?? '')?.[1] ?? '').trim().split(/\s+/).filter((f) => f !== '');
  const sections: Record<string, DigRR[]> = { ANSWER: [], AUTHORITY: [] };
  let edns: string | undefined;
  let current: DigRR[] | undefined;
  for (const l of lines.slice(start + 2)) {
    const sec = /^;; (ANSWER|AUTHORITY|ADDITIONAL|QUESTION) SECTION:/.exec(l);
    if (sec !== null) {
      current = sections[sec[1]!];
      continue;
    }
    if (l.startsWith('; EDNS:')) edns = l;
    if (l.trim() === '' || l.startsWith(';')) continue;
    if (current === undefined) continue;
    const f = l.trim().split(/\s+/);
    const generic = f[4] === '\\#';
    current.push({
      name: f[0]!,
      ttl: Number(f[1]),
      type: f[3]!,
      rdata: generic ? f.slice(6).join('').toUpperCase() : f.slice(4).join(' '),
    });
  }
  return { status, flags, answer: sections['ANSWER']!, authority: sections['AUTHORITY']!, edns, text };
}

function digType(type: number): string {
  return `TYPE${type}`;
}

beforeAll(async () => {
  if (!peers.run) return;
  if (!existsSync(ZONE_FILE)) throw new Error(`${ZONE_FILE} is missing (the zone-file fixture this suite serves)`);
  const { origin, records } = loadZone();
  facts = new ZoneFacts(origin, records);
  const b = new ZoneBuilder(origin);
  const added = b.addAll(records);
  if (!added.ok) throw new Error(`zone: ${JSON.stringify(added.error)}`);
  const built = b.build();
  if (!built.ok) throw new Error(`zone: ${JSON.stringify(built.error)}`);
  server = await startDnsServer({
    listen: [{ host: '127.0.0.1', port: 0 }],
    zones: new TestZoneSource([built.value]),
    limits: TEST_LIMITS,
    logger: silentLogger(),
  });
  port = server.addresses()[0]!.port;
});

afterAll(async () => {
  await server?.close();
});

// ---------------------------------------------------------------------------------------------

describe.skipIf(!peers.run)('dig and kdig against zonexfer', () => {
  it('kdig: every authoritative RRset comes back AA and octet-equal to the zone', async () => {
    const sets = facts.answerable().slice(0, 80);
    expect(sets.length).toBeGreaterThan(2);
    for (const s of sets) {
      const m = await kdig(s.name, typeToString(s.type));
      const what = `${s.name} ${typeToString(s.type)}`;
      expect(m.RCODE, what).toBe(0);
      expect(m.AA, what).toBe(1);
      const got = (m.answerRRs ?? []).filter((r) => r.TYPE === s.type);
      expect(got.every((r) => namesEq(r.NAME, s.name) && r.TTL === s.ttl && r.CLASS === RRClass.IN), what).toBe(true);
      expect(got.map((r) => r.RDATAHEX ?? '').sort(), what).toEqual(s.hex);
    }
  });

  it('dig: the same RRsets, read through +unknownformat', async () => {
    const sets = facts.answerable().slice(0, 40);
    for (const s of sets) {
      const m = await dig(s.name, digType(s.type));
      const what = `${s.name} ${typeToString(s.type)}`;
      expect(m.status, what).toBe('NOERROR');
      expect(m.flags, what).toContain('aa');
      const got = m.answer.filter((r) => r.type === digType(s.type));
      expect(got.every((r) => namesEq(r.name, s.name) && r.ttl === s.ttl), what).toBe(true);
      expect(got.map((r) => r.rdata).sort(), what).toEqual(s.hex);
    }
  });

  it('NXDOMAIN: AA, no answer, the zone SOA in authority (RFC 2308 §2.1)', async () => {
    const owner = [...facts.owners.values()].find(
      (o) => !o.startsWith('*') && !facts.belowCut(o) && !facts.belowDname(o) && !facts.owners.has(nameKey(`*.${o}`)) && !facts.typesAt(o).includes(RRType.DNAME),
    )!;
    const name = `zonexfer-nx.${owner}`;
    const k = await kdig(name, 'A');
    expect(k.RCODE).toBe(3);
    expect(k.AA).toBe(1);
    expect(k.ANCOUNT).toBe(0);
    const soa = (k.authorityRRs ?? []).filter((r) => r.TYPE === RRType.SOA);
    expect(soa.map((r) => r.RDATAHEX)).toEqual(facts.soa.hex);
    const d = await dig(name, 'A');
    expect(d.status).toBe('NXDOMAIN');
    expect(d.flags).toContain('aa');
    expect(d.authority.map((r) => r.rdata)).toEqual(facts.soa.hex);
  });

  it('NODATA: NOERROR, AA, empty answer, SOA in authority (RFC 2308 §2.2)', async () => {
    const owner = [...facts.owners.values()].find((o) => {
      const t = facts.typesAt(o);
      return !facts.belowCut(o) && !facts.belowDname(o) && t.length > 0 && !t.includes(RRType.CNAME) && !t.includes(RRType.DNAME) && !o.startsWith('*');
    })!;
    const k = await kdig(owner, 'TYPE65280');
    expect(k.RCODE).toBe(0);
    expect(k.AA).toBe(1);
    expect(k.ANCOUNT).toBe(0);
    expect((k.authorityRRs ?? []).map((r) => r.TYPE)).toEqual([RRType.SOA]);
    const d = await dig(owner, 'TYPE65280');
    expect(d.status).toBe('NOERROR');
    expect(d.answer).toHaveLength(0);
    expect(d.authority.map((r) => r.type)).toEqual([digType(RRType.SOA)]);
  });

  it('referral: no AA, the delegation NS RRset in authority (RFC 1034 §4.3.2 step 3b)', async () => {
    const cut = facts.cuts[0]!;
    const ns = facts.set(cut, RRType.NS)!;
    const k = await kdig(`www.${cut}`, 'A');
    expect(k.RCODE).toBe(0);
    expect(k.AA).toBe(0);
    const auth = (k.authorityRRs ?? []).filter((r) => r.TYPE === RRType.NS);
    expect(auth.map((r) => r.RDATAHEX).sort()).toEqual(ns.hex);
    const d = await dig(`www.${cut}`, 'A');
    expect(d.status).toBe('NOERROR');
    expect(d.flags).not.toContain('aa');
    expect(d.authority.filter((r) => r.type === digType(RRType.NS)).map((r) => r.rdata).sort()).toEqual(ns.hex);
  });

  it('REFUSED for a name in no served zone, without AA or RA', async () => {
    const k = await kdig('www.zonexfer-not-served.invalid', 'A');
    expect(k.RCODE).toBe(5);
    expect(k.AA).toBe(0);
    expect(k.RA).toBe(0);
    const d = await dig('www.zonexfer-not-served.invalid', 'A');
    expect(d.status).toBe('REFUSED');
    expect(d.flags).not.toContain('aa');
  });

  it('EDNS: an OPT with our size for +edns=0, none for +noedns, BADVERS for version 1', async () => {
    const origin = facts.origin;
    const withOpt = await kdig('+edns=0', origin, 'SOA');
    const opt = (withOpt.additionalRRs ?? []).find((r) => r.TYPE === RRType.OPT);
    expect(opt?.CLASS).toBe(TEST_LIMITS.udpMaxPayload);
    const noOpt = await kdig('+noedns', origin, 'SOA');
    expect((noOpt.additionalRRs ?? []).some((r) => r.TYPE === RRType.OPT)).toBe(false);
    expect(noOpt.AA).toBe(1);
    expect((await dig('+edns=0', origin, 'SOA')).edns).toMatch(/version: 0.*udp: 1232/);
    expect((await dig('+noedns', origin, 'SOA')).edns).toBeUndefined();
    expect((await dig('+edns=1', '+noednsnegotiation', origin, 'SOA')).status).toBe('BADVERS');
    // kdig shows the extended rcode in the OPT TTL: BADVERS (16) is 1 in the upper 8 bits.
    const bad = await kdig('+edns=1', origin, 'SOA');
    expect((bad.additionalRRs ?? []).find((r) => r.TYPE === RRType.OPT)?.TTL).toBe(1 << 24);
  });

  it('+tcp gets the same answer as UDP; RD is echoed when set, RA never', async () => {
    const origin = facts.origin;
    const udp = await kdig(origin, 'SOA');
    const tcp = await kdig('+tcp', origin, 'SOA');
    expect(tcp.answerRRs).toEqual(udp.answerRRs);
    const rd = await kdig('+recurse', origin, 'SOA');
    expect(rd.RD).toBe(1);
    expect(rd.RA).toBe(0);
    const d = await dig('+tcp', origin, 'SOA');
    expect(d.answer.map((r) => r.rdata)).toEqual(facts.soa.hex);
  });

  it('truncates a big answer at 512 (TC, no answer RRs) and the clients retry over TCP', async () => {
    const big = facts
      .answerable()
      .sort((a, b) => b.hex.join('').length - a.hex.join('').length)[0]!;
    const type = typeToString(big.type);
    for (const args of [['+bufsize=512'], ['+noedns']]) {
      const k = await kdig(...args, '+ignore', big.name, type);
      expect(k.TC, `${args[0]}`).toBe(1);
      expect(k.ANCOUNT).toBe(0);
      const d = await dig(...args, '+ignore', big.name, digType(big.type));
      expect(d.flags).toContain('tc');
      expect(d.answer).toHaveLength(0);
    }
    const d = await dig('+bufsize=512', big.name, digType(big.type));
    expect(d.text).toMatch(/Truncated, retrying in TCP mode/);
    expect(d.flags).not.toContain('tc');
    expect(d.answer.filter((r) => r.type === digType(big.type)).map((r) => r.rdata).sort()).toEqual(big.hex);
    const k = await kdigText('+bufsize=512', big.name, type);
    expect(k).toMatch(/truncated reply .*retrying over TCP/);
    expect(k).toMatch(/ANSWER: (\d+)/);
    expect(Number(/ANSWER: (\d+)/.exec(k)![1])).toBe(big.hex.length);
  });

  it('answers ANY at the apex over TCP with every apex RRset (RFC 8482 allows a subset over UDP)', async () => {
    const k = await kdig('+tcp', facts.origin, 'ANY');
    expect(k.RCODE).toBe(0);
    expect(k.AA).toBe(1);
    const types = new Set((k.answerRRs ?? []).map((r) => r.TYPE));
    for (const t of facts.typesAt(facts.origin).filter((t) => !SKIP_TYPES.has(t))) expect(types.has(t), typeToString(t)).toBe(true);
  });
});
