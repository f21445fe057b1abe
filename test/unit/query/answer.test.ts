// Table tests for answerQuery (src/query/answer.ts): exact answers and additional processing,
// NODATA/NXDOMAIN with RFC 2308 SOA TTLs, CNAME chains (RFC 6604), DNAME (RFC 6672), referrals and
// DS at the cut (RFC 4035 §3.1.4.1), wildcards (the RFC 4592 §2.2.1 example zone), ANY, DNSSEC
// records, refusals, the root zone, and versions derived with applyDiff.
import { describe, expect, it } from 'vitest';
import { answerQuery, DEFAULT_MAX_CNAME_CHAIN, type AnswerOptions } from '../../../src/query/index.js';
import { type ResourceRecord, RRClass, RRType, Rcode } from '../../../src/wire/index.js';
import { NodeIndex, ZoneVersion, applyDiff } from '../../../src/zone/index.js';
import { type Rendered, type Spec, buildZone, diff, n, rd, render } from './zone-helpers.js';

const { NoError, NXDomain, Refused, FormErr, NotImp, YXDomain } = Rcode;

const long63 = (c: string): string => c.repeat(63);

/** The main zone: apex data, ENTs, CNAME chains, a signed and an unsigned delegation, DNAMEs. */
const MAIN: readonly Spec[] = [
  ['example.com.', 3600, 'SOA', rd.soa('ns1.example.com.', 'hostmaster.example.com.', 1, 300)],
  ['example.com.', 3600, 'NS', rd.name('ns1.example.com.')],
  ['example.com.', 3600, 'NS', rd.name('ns2.example.net.')],
  ['example.com.', 3600, 'MX', rd.mx(10, 'mail.example.com.')],
  ['example.com.', 3600, 'MX', rd.mx(20, 'mail.elsewhere.net.')],
  ['example.com.', 3600, 'RRSIG', rd.rrsig(RRType.SOA, 'example.com.')],
  ['example.com.', 3600, 'RRSIG', rd.rrsig(RRType.NS, 'example.com.')],
  ['ns1.example.com.', 3600, 'A', rd.a('192.0.2.1')],
  ['ns1.example.com.', 3600, 'AAAA', rd.aaaa('2001:db8::1')],
  ['mail.example.com.', 3600, 'A', rd.a('192.0.2.25')],
  ['mail.example.com.', 3600, 'NSEC', rd.nsec('ns1.example.com.')],
  ['mail.example.com.', 3600, 'RRSIG', rd.rrsig(RRType.NSEC, 'example.com.')],
  ['mail.example.com.', 3600, 'RRSIG', rd.rrsig(RRType.A, 'example.com.')],
  ['www.example.com.', 300, 'A', rd.a('192.0.2.80')],
  ['www.example.com.', 300, 'A', rd.a('192.0.2.81')],
  ['www.example.com.', 86400, 'RRSIG', rd.rrsig(RRType.A, 'example.com.')],
  ['www.example.com.', 86400, 'RRSIG', rd.rrsig(RRType.AAAA, 'example.com.', 0xbb)],
  ['Mixed.Example.com.', 600, 'A', rd.a('192.0.2.9')],
  ['a\\.b.example.com.', 600, 'TXT', rd.txt('escaped dot')],
  ['a.b.c.example.com.', 600, 'TXT', rd.txt('deep')],
  ['_sip._tcp.example.com.', 600, 'SRV', rd.srv(0, 5, 5060, 'sipserver.example.com.')],
  ['sipserver.example.com.', 600, 'A', rd.a('192.0.2.50')],
  ['mx2.example.com.', 600, 'MX', rd.mx(10, 'mail.example.com.')],
  ['mx2.example.com.', 600, 'MX', rd.mx(20, 'MAIL.example.com.')],
  // Aliases.
  ['alias.example.com.', 120, 'CNAME', rd.name('www.example.com.')],
  ['alias.example.com.', 120, 'RRSIG', rd.rrsig(RRType.CNAME, 'example.com.')],
  ['chain1.example.com.', 120, 'CNAME', rd.name('chain2.example.com.')],
  ['chain2.example.com.', 120, 'CNAME', rd.name('www.example.com.')],
  ['dangling.example.com.', 120, 'CNAME', rd.name('nowhere.example.com.')],
  ['nodata-alias.example.com.', 120, 'CNAME', rd.name('mail.example.com.')],
  ['external.example.com.', 120, 'CNAME', rd.name('www.example.org.')],
  ['loop1.example.com.', 120, 'CNAME', rd.name('loop2.example.com.')],
  ['loop2.example.com.', 120, 'CNAME', rd.name('loop1.example.com.')],
  ['self.example.com.', 120, 'CNAME', rd.name('self.example.com.')],
  ['to-deleg.example.com.', 120, 'CNAME', rd.name('host.sub.example.com.')],
  ['to-ent.example.com.', 120, 'CNAME', rd.name('c.example.com.')],
  ...Array.from({ length: 11 }, (_, i): Spec => [`c${i}.example.com.`, 60, 'CNAME', rd.name(`c${i + 1}.example.com.`)]),
  ['c11.example.com.', 60, 'A', rd.a('192.0.2.111')],
  // A signed delegation with in-bailiwick glue, an NS in the zone elsewhere and one outside.
  ['sub.example.com.', 3600, 'NS', rd.name('ns1.sub.example.com.')],
  ['sub.example.com.', 3600, 'NS', rd.name('ns1.example.com.')],
  ['sub.example.com.', 3600, 'NS', rd.name('ns.example.net.')],
  ['sub.example.com.', 3600, 'DS', rd.ds(4242)],
  ['sub.example.com.', 3600, 'RRSIG', rd.rrsig(RRType.DS, 'example.com.')],
  ['ns1.sub.example.com.', 3600, 'A', rd.a('192.0.2.53')],
  ['deep.below.sub.example.com.', 3600, 'A', rd.a('192.0.2.54')],
  // An unsigned delegation whose NSEC proves there is no DS.
  ['unsigned.example.com.', 3600, 'NS', rd.name('ns.example.net.')],
  ['unsigned.example.com.', 3600, 'NSEC', rd.nsec('www.example.com.')],
  ['unsigned.example.com.', 3600, 'RRSIG', rd.rrsig(RRType.NSEC, 'example.com.')],
  // DNAMEs: in zone, out of zone, with occluded data below it, and with a long target.
  ['dn2.example.com.', 900, 'DNAME', rd.name('target.example.com.')],
  ['dn2.example.com.', 900, 'RRSIG', rd.rrsig(RRType.DNAME, 'example.com.')],
  ['occluded.dn2.example.com.', 900, 'A', rd.a('192.0.2.66')],
  ['host.target.example.com.', 900, 'A', rd.a('192.0.2.99')],
  ['dnx.example.com.', 900, 'DNAME', rd.name('example.net.')],
  ['dnlong.example.com.', 900, 'DNAME', rd.name(`${long63('x')}.${long63('y')}.${long63('z')}.example.com.`)],
  // A wildcard under an empty non-terminal.
  ['*.wc.example.com.', 500, 'CNAME', rd.name('www.example.com.')],
];

/** The RFC 4592 §2.2.1 example zone. */
const RFC4592: readonly Spec[] = [
  ['example.', 3600, 'SOA', rd.soa('ns.example.com.', 'hostmaster.example.', 1, 3600)],
  ['example.', 3600, 'NS', rd.name('ns.example.com.')],
  ['example.', 3600, 'NS', rd.name('ns.example.net.')],
  ['*.example.', 3600, 'TXT', rd.txt('this is a wildcard')],
  ['*.example.', 3600, 'MX', rd.mx(10, 'host1.example.')],
  ['sub.*.example.', 3600, 'TXT', rd.txt('this is not a wildcard')],
  ['host1.example.', 3600, 'A', rd.a('192.0.2.1')],
  ['_ssh._tcp.host1.example.', 3600, 'SRV', rd.srv(0, 0, 22, 'host1.example.')],
  ['_ssh._tcp.host2.example.', 3600, 'SRV', rd.srv(0, 0, 22, 'host2.example.')],
  ['subdel.example.', 3600, 'NS', rd.name('ns.example.com.')],
  ['subdel.example.', 3600, 'NS', rd.name('ns.example.net.')],
];

/** A zone whose SOA TTL is below its MINIMUM (RFC 2308 §5: the smaller one wins). */
const SHORT_SOA: readonly Spec[] = [
  ['short.test.', 60, 'SOA', rd.soa('ns.short.test.', 'h.short.test.', 7, 300)],
  ['short.test.', 60, 'NS', rd.name('ns.short.test.')],
];

/** A zone with a DNAME at its apex (RFC 6672 §2.3 allows it; the apex itself keeps its data). */
const APEX_DNAME: readonly Spec[] = [
  ['apexdn.test.', 3600, 'SOA', rd.soa('ns.example.com.', 'h.example.com.', 1, 300)],
  ['apexdn.test.', 3600, 'NS', rd.name('ns.example.com.')],
  ['apexdn.test.', 3600, 'DNAME', rd.name('example.com.')],
];

/** The root zone: a delegation to com., root glue, and a wildcard (encloser "."). */
const ROOT: readonly Spec[] = [
  ['.', 86400, 'SOA', rd.soa('a.root-servers.net.', 'nstld.verisign-grs.com.', 2024010100, 86400)],
  ['.', 518400, 'NS', rd.name('a.root-servers.net.')],
  ['com.', 172800, 'NS', rd.name('a.gtld-servers.net.')],
  ['a.gtld-servers.net.', 172800, 'A', rd.a('192.5.6.30')],
  ['a.root-servers.net.', 518400, 'A', rd.a('198.41.0.4')],
  ['*.', 3600, 'TXT', rd.txt('root wildcard')],
];

const zones: Record<string, ZoneVersion> = {
  main: buildZone('example.com.', MAIN),
  rfc4592: buildZone('example.', RFC4592),
  short: buildZone('short.test.', SHORT_SOA),
  apexdn: buildZone('apexdn.test.', APEX_DNAME),
  root: buildZone('.', ROOT),
};

interface Case {
  name: string;
  zone?: keyof typeof zones;
  q: [string, keyof typeof RRType] | [string, keyof typeof RRType, number];
  opts?: AnswerOptions;
  /** unordered compares sections as sets (RRset order within a node is the zone's business). */
  unordered?: boolean;
  want: Partial<Rendered>;
}

const SOA_NEG = 'example.com. 300 SOA ns1.example.com. 1 300';
const SOA_NEG_SIG = 'example.com. 300 RRSIG covers SOA';
const WWW = ['www.example.com. 300 A 192.0.2.80', 'www.example.com. 300 A 192.0.2.81'];
const SUB_NS = ['sub.example.com. 3600 NS ns1.sub.example.com.', 'sub.example.com. 3600 NS ns1.example.com.', 'sub.example.com. 3600 NS ns.example.net.'];
const SUB_GLUE = ['ns1.sub.example.com. 3600 A 192.0.2.53', 'ns1.example.com. 3600 A 192.0.2.1', 'ns1.example.com. 3600 AAAA 2001:db8:0:0:0:0:0:1'];
const chain = (from: number, to: number): string[] =>
  Array.from({ length: to - from }, (_, i) => `c${from + i}.example.com. 60 CNAME c${from + i + 1}.example.com.`);

const cases: Case[] = [
  // ── exact matches and additional-section processing (RFC 1034 §4.3.2 steps 3a, 6)
  { name: 'exact A', q: ['www.example.com.', 'A'], want: { rcode: NoError, aa: true, answer: WWW, authority: [], additional: [] } },
  { name: 'owner keeps the zone case for a differently cased query', q: ['WWW.EXAMPLE.COM.', 'A'], want: { answer: WWW } },
  { name: 'owner keeps the zone case (mixed case stored)', q: ['mixed.example.com.', 'A'], want: { answer: ['Mixed.Example.com. 600 A 192.0.2.9'] } },
  { name: 'escaped dot inside a label', q: ['A\\.B.example.com.', 'TXT'], want: { answer: ['a\\.b.example.com. 600 TXT "escaped dot"'] } },
  { name: 'apex SOA', q: ['example.com.', 'SOA'], want: { aa: true, answer: ['example.com. 3600 SOA ns1.example.com. 1 300'], authority: [] } },
  {
    name: 'apex NS adds in-zone addresses only',
    q: ['example.com.', 'NS'],
    want: { aa: true, answer: ['example.com. 3600 NS ns1.example.com.', 'example.com. 3600 NS ns2.example.net.'], additional: ['ns1.example.com. 3600 A 192.0.2.1', 'ns1.example.com. 3600 AAAA 2001:db8:0:0:0:0:0:1'] },
  },
  {
    name: 'MX adds the in-zone exchange address',
    q: ['example.com.', 'MX'],
    want: { answer: ['example.com. 3600 MX 10 mail.example.com.', 'example.com. 3600 MX 20 mail.elsewhere.net.'], additional: ['mail.example.com. 3600 A 192.0.2.25'] },
  },
  { name: 'MX additional is not duplicated for one target spelled twice', q: ['mx2.example.com.', 'MX'], want: { additional: ['mail.example.com. 3600 A 192.0.2.25'] } },
  { name: 'SRV adds the target address', q: ['_sip._tcp.example.com.', 'SRV'], want: { answer: ['_sip._tcp.example.com. 600 SRV 0 5 5060 sipserver.example.com.'], additional: ['sipserver.example.com. 600 A 192.0.2.50'] } },

  // ── NODATA and NXDOMAIN (RFC 2308 §2.1, §2.2, §3, §5)
  { name: 'NODATA: SOA with min(TTL, MINIMUM)', q: ['www.example.com.', 'TXT'], want: { rcode: NoError, aa: true, answer: [], authority: [SOA_NEG], additional: [] } },
  { name: 'NXDOMAIN', q: ['nothere.example.com.', 'A'], want: { rcode: NXDomain, aa: true, answer: [], authority: [SOA_NEG] } },
  { name: 'NXDOMAIN two labels down', q: ['a.nothere.example.com.', 'A'], want: { rcode: NXDomain, authority: [SOA_NEG] } },
  { name: 'NXDOMAIN below an existing leaf', q: ['x.www.example.com.', 'A'], want: { rcode: NXDomain } },
  { name: 'NODATA uses the SOA TTL when it is below MINIMUM', zone: 'short', q: ['short.test.', 'TXT'], want: { authority: ['short.test. 60 SOA ns.short.test. 7 300'] } },
  { name: 'NXDOMAIN uses the SOA TTL when it is below MINIMUM', zone: 'short', q: ['x.short.test.', 'A'], want: { rcode: NXDomain, authority: ['short.test. 60 SOA ns.short.test. 7 300'] } },
  { name: 'ENT one label above data is NODATA (RFC 4592 §2.2.2)', q: ['b.c.example.com.', 'A'], want: { rcode: NoError, answer: [], authority: [SOA_NEG] } },
  { name: 'ENT two labels above data is NODATA', q: ['c.example.com.', 'TXT'], want: { rcode: NoError, answer: [], authority: [SOA_NEG] } },
  { name: 'data under ENTs', q: ['a.b.c.example.com.', 'TXT'], want: { answer: ['a.b.c.example.com. 600 TXT "deep"'] } },
  { name: 'sibling of an ENT path is NXDOMAIN', q: ['x.b.c.example.com.', 'A'], want: { rcode: NXDomain } },

  // ── CNAME (RFC 1034 §4.3.2 step 3a, RFC 6604 §3)
  { name: 'CNAME followed in zone', q: ['alias.example.com.', 'A'], want: { rcode: NoError, aa: true, answer: ['alias.example.com. 120 CNAME www.example.com.', ...WWW], authority: [] } },
  { name: 'CNAME query returns the CNAME only', q: ['alias.example.com.', 'CNAME'], want: { answer: ['alias.example.com. 120 CNAME www.example.com.'] } },
  {
    name: 'CNAME chain',
    q: ['chain1.example.com.', 'A'],
    want: { answer: ['chain1.example.com. 120 CNAME chain2.example.com.', 'chain2.example.com. 120 CNAME www.example.com.', ...WWW] },
  },
  { name: 'CNAME to NXDOMAIN: rcode of the last name (RFC 6604)', q: ['dangling.example.com.', 'A'], want: { rcode: NXDomain, aa: true, answer: ['dangling.example.com. 120 CNAME nowhere.example.com.'], authority: [SOA_NEG] } },
  { name: 'CNAME to NODATA', q: ['nodata-alias.example.com.', 'AAAA'], want: { rcode: NoError, answer: ['nodata-alias.example.com. 120 CNAME mail.example.com.'], authority: [SOA_NEG] } },
  { name: 'CNAME to an ENT is NODATA', q: ['to-ent.example.com.', 'A'], want: { rcode: NoError, answer: ['to-ent.example.com. 120 CNAME c.example.com.'], authority: [SOA_NEG] } },
  { name: 'CNAME out of zone stops the chain', q: ['external.example.com.', 'A'], want: { rcode: NoError, aa: true, answer: ['external.example.com. 120 CNAME www.example.org.'], authority: [] } },
  {
    name: 'CNAME loop stops without repeating',
    q: ['loop1.example.com.', 'A'],
    want: { rcode: NoError, answer: ['loop1.example.com. 120 CNAME loop2.example.com.', 'loop2.example.com. 120 CNAME loop1.example.com.'], authority: [] },
  },
  { name: 'CNAME to itself', q: ['self.example.com.', 'A'], want: { rcode: NoError, answer: ['self.example.com. 120 CNAME self.example.com.'] } },
  { name: `long chain stops after ${DEFAULT_MAX_CNAME_CHAIN} follows by default`, q: ['c0.example.com.', 'A'], want: { rcode: NoError, answer: chain(0, DEFAULT_MAX_CNAME_CHAIN + 1), authority: [] } },
  { name: 'long chain with a higher bound reaches the address', q: ['c0.example.com.', 'A'], opts: { maxCnameChain: 20 }, want: { answer: [...chain(0, 11), 'c11.example.com. 60 A 192.0.2.111'] } },
  { name: 'maxCnameChain 0 returns the first CNAME only', q: ['c0.example.com.', 'A'], opts: { maxCnameChain: 0 }, want: { answer: chain(0, 1) } },
  {
    name: 'CNAME into a delegation: the CNAME plus the referral, AA for the alias',
    q: ['to-deleg.example.com.', 'A'],
    want: { rcode: NoError, aa: true, answer: ['to-deleg.example.com. 120 CNAME host.sub.example.com.'], authority: SUB_NS, additional: SUB_GLUE },
  },

  // ── referrals and DS (RFC 1034 §4.3.2 step 3b, RFC 4035 §3.1.4, §3.1.4.1)
  { name: 'referral below a cut', q: ['host.sub.example.com.', 'A'], want: { rcode: NoError, aa: false, answer: [], authority: SUB_NS, additional: SUB_GLUE } },
  { name: 'referral at the cut', q: ['sub.example.com.', 'A'], want: { aa: false, authority: SUB_NS } },
  { name: 'NS at the cut is a referral too', q: ['sub.example.com.', 'NS'], want: { aa: false, answer: [], authority: SUB_NS } },
  { name: 'glue data below a cut is not answered', q: ['ns1.sub.example.com.', 'A'], want: { aa: false, answer: [], authority: SUB_NS } },
  { name: 'existing name far below a cut', q: ['deep.below.sub.example.com.', 'A'], want: { aa: false, answer: [], authority: SUB_NS } },
  { name: 'DS at the cut is answered by the parent', q: ['sub.example.com.', 'DS'], want: { rcode: NoError, aa: true, answer: ['sub.example.com. 3600 DS tag 4242'], authority: [] } },
  { name: 'DS at the cut with DO carries its RRSIG', q: ['sub.example.com.', 'DS'], opts: { dnssecOk: true }, want: { answer: ['sub.example.com. 3600 DS tag 4242', 'sub.example.com. 3600 RRSIG covers DS'] } },
  { name: 'DS at an unsigned cut is NODATA from the parent', q: ['unsigned.example.com.', 'DS'], want: { rcode: NoError, aa: true, answer: [], authority: [SOA_NEG] } },
  { name: 'DS below a cut is a referral', q: ['x.sub.example.com.', 'DS'], want: { aa: false, authority: SUB_NS } },
  {
    name: 'referral with DO adds DS and its RRSIG',
    q: ['host.sub.example.com.', 'A'],
    opts: { dnssecOk: true },
    want: { aa: false, authority: [...SUB_NS, 'sub.example.com. 3600 DS tag 4242', 'sub.example.com. 3600 RRSIG covers DS'], additional: SUB_GLUE },
  },
  {
    name: 'referral to an unsigned child with DO adds the NSEC proving no DS',
    q: ['www.unsigned.example.com.', 'A'],
    opts: { dnssecOk: true },
    want: { aa: false, authority: ['unsigned.example.com. 3600 NS ns.example.net.', 'unsigned.example.com. 3600 NSEC www.example.com.', 'unsigned.example.com. 3600 RRSIG covers NSEC'], additional: [] },
  },
  { name: 'referral without DO has no DS', q: ['www.unsigned.example.com.', 'A'], want: { authority: ['unsigned.example.com. 3600 NS ns.example.net.'] } },

  // ── DNAME (RFC 6672 §2.2, §2.3, §3.1)
  {
    name: 'DNAME: the DNAME, a CNAME with its TTL, then the target',
    q: ['host.dn2.example.com.', 'A'],
    want: { rcode: NoError, aa: true, answer: ['dn2.example.com. 900 DNAME target.example.com.', 'host.dn2.example.com. 900 CNAME host.target.example.com.', 'host.target.example.com. 900 A 192.0.2.99'] },
  },
  {
    name: 'DNAME substitution keeps the query spelling of the prefix',
    q: ['HoSt.DN2.example.com.', 'A'],
    want: { answer: ['dn2.example.com. 900 DNAME target.example.com.', 'HoSt.DN2.example.com. 900 CNAME HoSt.target.example.com.', 'host.target.example.com. 900 A 192.0.2.99'] },
  },
  {
    name: 'DNAME with DO signs the DNAME, not the synthesized CNAME',
    q: ['host.dn2.example.com.', 'A'],
    opts: { dnssecOk: true },
    want: { answer: ['dn2.example.com. 900 DNAME target.example.com.', 'dn2.example.com. 900 RRSIG covers DNAME', 'host.dn2.example.com. 900 CNAME host.target.example.com.', 'host.target.example.com. 900 A 192.0.2.99'] },
  },
  {
    name: 'DNAME occludes data below its owner',
    q: ['occluded.dn2.example.com.', 'A'],
    want: { rcode: NXDomain, answer: ['dn2.example.com. 900 DNAME target.example.com.', 'occluded.dn2.example.com. 900 CNAME occluded.target.example.com.'], authority: [SOA_NEG] },
  },
  { name: 'DNAME does not apply to its owner', q: ['dn2.example.com.', 'A'], want: { rcode: NoError, answer: [], authority: [SOA_NEG] } },
  { name: 'DNAME query at the owner', q: ['dn2.example.com.', 'DNAME'], want: { answer: ['dn2.example.com. 900 DNAME target.example.com.'] } },
  {
    name: 'DNAME out of zone stops after the CNAME',
    q: ['a.b.dnx.example.com.', 'A'],
    want: { rcode: NoError, answer: ['dnx.example.com. 900 DNAME example.net.', 'a.b.dnx.example.com. 900 CNAME a.b.example.net.'], authority: [] },
  },
  {
    name: 'DNAME with qtype CNAME returns the synthesized CNAME',
    q: ['host.dn2.example.com.', 'CNAME'],
    want: { answer: ['dn2.example.com. 900 DNAME target.example.com.', 'host.dn2.example.com. 900 CNAME host.target.example.com.'] },
  },
  {
    name: 'DNAME substitution over 255 octets is YXDOMAIN',
    q: [`${long63('a')}.dnlong.example.com.`, 'A'],
    want: { rcode: YXDomain, answer: [`dnlong.example.com. 900 DNAME ${long63('x')}.${long63('y')}.${long63('z')}.example.com.`], authority: [] },
  },
  { name: 'DNAME at the apex: the apex keeps its data', zone: 'apexdn', q: ['apexdn.test.', 'NS'], want: { answer: ['apexdn.test. 3600 NS ns.example.com.'] } },
  {
    name: 'DNAME at the apex redirects the names below it',
    zone: 'apexdn',
    q: ['www.apexdn.test.', 'A'],
    want: { rcode: NoError, aa: true, answer: ['apexdn.test. 3600 DNAME example.com.', 'www.apexdn.test. 3600 CNAME www.example.com.'] },
  },

  // ── wildcards: the RFC 4592 §2.2.1 example queries
  { name: 'RFC 4592: host3 MX is synthesized', zone: 'rfc4592', q: ['host3.example.', 'MX'], want: { rcode: NoError, aa: true, answer: ['host3.example. 3600 MX 10 host1.example.'], additional: ['host1.example. 3600 A 192.0.2.1'] } },
  { name: 'RFC 4592: host3 A is NODATA from the wildcard', zone: 'rfc4592', q: ['host3.example.', 'A'], want: { rcode: NoError, answer: [], authority: ['example. 3600 SOA ns.example.com. 1 3600'] } },
  { name: 'RFC 4592: foo.bar TXT is synthesized over two labels', zone: 'rfc4592', q: ['foo.bar.example.', 'TXT'], want: { answer: ['foo.bar.example. 3600 TXT "this is a wildcard"'] } },
  { name: 'RFC 4592: host1 MX is NODATA (the name exists)', zone: 'rfc4592', q: ['host1.example.', 'MX'], want: { rcode: NoError, answer: [], authority: ['example. 3600 SOA ns.example.com. 1 3600'] } },
  { name: 'RFC 4592: sub.* MX is NODATA', zone: 'rfc4592', q: ['sub.*.example.', 'MX'], want: { rcode: NoError, answer: [] } },
  { name: 'RFC 4592: _telnet._tcp.host1 is NXDOMAIN (encloser is an ENT without wildcard)', zone: 'rfc4592', q: ['_telnet._tcp.host1.example.', 'SRV'], want: { rcode: NXDomain, answer: [] } },
  { name: 'RFC 4592: host.subdel is a referral, no wildcard across the cut', zone: 'rfc4592', q: ['host.subdel.example.', 'A'], want: { aa: false, answer: [], authority: ['subdel.example. 3600 NS ns.example.com.', 'subdel.example. 3600 NS ns.example.net.'] } },
  { name: 'RFC 4592: ghost.* MX is NXDOMAIN', zone: 'rfc4592', q: ['ghost.*.example.', 'MX'], want: { rcode: NXDomain } },
  { name: 'RFC 4592: the ENT _tcp.host1 is NODATA', zone: 'rfc4592', q: ['_tcp.host1.example.', 'TXT'], want: { rcode: NoError, answer: [] } },
  { name: 'RFC 4592: the wildcard itself is plain data', zone: 'rfc4592', q: ['*.example.', 'TXT'], want: { answer: ['*.example. 3600 TXT "this is a wildcard"'] } },
  { name: 'wildcard owner takes the query spelling', zone: 'rfc4592', q: ['HoSt3.example.', 'TXT'], want: { answer: ['HoSt3.example. 3600 TXT "this is a wildcard"'] } },
  {
    name: 'wildcard ANY synthesizes every RRset',
    zone: 'rfc4592',
    q: ['any.example.', 'ANY'],
    want: { answer: ['any.example. 3600 TXT "this is a wildcard"', 'any.example. 3600 MX 10 host1.example.'], additional: ['host1.example. 3600 A 192.0.2.1'] },
  },
  { name: 'wildcard CNAME under an ENT encloser is followed', q: ['foo.wc.example.com.', 'A'], want: { rcode: NoError, aa: true, answer: ['foo.wc.example.com. 500 CNAME www.example.com.', ...WWW] } },
  { name: 'wildcard CNAME with qtype CNAME', q: ['x.y.wc.example.com.', 'CNAME'], want: { answer: ['x.y.wc.example.com. 500 CNAME www.example.com.'] } },
  { name: 'the ENT holding the wildcard is NODATA', q: ['wc.example.com.', 'A'], want: { rcode: NoError, answer: [], authority: [SOA_NEG] } },

  // ── ANY (RFC 8482: we return the whole node) and DNSSEC types as data
  { name: 'ANY at a name', q: ['www.example.com.', 'ANY'], want: { answer: WWW, authority: [] } },
  {
    name: 'ANY at the apex without DO omits RRSIG',
    q: ['example.com.', 'ANY'],
    unordered: true,
    want: {
      answer: ['example.com. 3600 SOA ns1.example.com. 1 300', 'example.com. 3600 NS ns1.example.com.', 'example.com. 3600 NS ns2.example.net.', 'example.com. 3600 MX 10 mail.example.com.', 'example.com. 3600 MX 20 mail.elsewhere.net.'],
      additional: ['ns1.example.com. 3600 A 192.0.2.1', 'ns1.example.com. 3600 AAAA 2001:db8:0:0:0:0:0:1', 'mail.example.com. 3600 A 192.0.2.25'],
    },
  },
  { name: 'ANY without DO omits NSEC', q: ['mail.example.com.', 'ANY'], want: { answer: ['mail.example.com. 3600 A 192.0.2.25'] } },
  {
    name: 'ANY with DO includes NSEC and the RRSIGs after the set they cover',
    q: ['mail.example.com.', 'ANY'],
    opts: { dnssecOk: true },
    want: { answer: ['mail.example.com. 3600 A 192.0.2.25', 'mail.example.com. 3600 RRSIG covers A', 'mail.example.com. 3600 NSEC ns1.example.com.', 'mail.example.com. 3600 RRSIG covers NSEC'] },
  },
  { name: 'ANY at a CNAME returns the CNAME without following it', q: ['alias.example.com.', 'ANY'], want: { answer: ['alias.example.com. 120 CNAME www.example.com.'] } },
  { name: 'ANY at an ENT is NODATA', q: ['c.example.com.', 'ANY'], want: { rcode: NoError, answer: [], authority: [SOA_NEG] } },
  { name: 'ANY at a missing name is NXDOMAIN', q: ['nothere.example.com.', 'ANY'], want: { rcode: NXDomain } },
  { name: 'RRSIG query without DO is answered as data', q: ['www.example.com.', 'RRSIG'], want: { answer: ['www.example.com. 86400 RRSIG covers A', 'www.example.com. 86400 RRSIG covers AAAA'] } },
  { name: 'NSEC query is answered as data', q: ['mail.example.com.', 'NSEC'], want: { answer: ['mail.example.com. 3600 NSEC ns1.example.com.'] } },
  { name: 'unknown type is NODATA', q: ['www.example.com.', 'URI'], want: { rcode: NoError, answer: [], authority: [SOA_NEG] } },

  // ── DNSSEC records with DO (RFC 4035 §3.1.1, §3.1.3)
  { name: 'DO: RRSIG covering the answer, with the answer TTL', q: ['www.example.com.', 'A'], opts: { dnssecOk: true }, want: { answer: [...WWW, 'www.example.com. 300 RRSIG covers A'] } },
  { name: 'DO: no RRSIG is invented for an unsigned set', q: ['ns1.example.com.', 'A'], opts: { dnssecOk: true }, want: { answer: ['ns1.example.com. 3600 A 192.0.2.1'] } },
  {
    name: 'DO: CNAME chain carries each RRSIG',
    q: ['alias.example.com.', 'A'],
    opts: { dnssecOk: true },
    want: { answer: ['alias.example.com. 120 CNAME www.example.com.', 'alias.example.com. 120 RRSIG covers CNAME', ...WWW, 'www.example.com. 300 RRSIG covers A'] },
  },
  {
    name: 'DO: NODATA carries the SOA RRSIG and the NSEC at the name',
    q: ['mail.example.com.', 'TXT'],
    opts: { dnssecOk: true },
    want: { rcode: NoError, answer: [], authority: [SOA_NEG, SOA_NEG_SIG, 'mail.example.com. 3600 NSEC ns1.example.com.', 'mail.example.com. 3600 RRSIG covers NSEC'] },
  },
  { name: 'DO: NXDOMAIN carries the SOA RRSIG (no NSEC proof: not implemented)', q: ['nothere.example.com.', 'A'], opts: { dnssecOk: true }, want: { rcode: NXDomain, authority: [SOA_NEG, SOA_NEG_SIG] } },
  {
    name: 'DO: additional addresses carry their RRSIGs',
    q: ['example.com.', 'MX'],
    opts: { dnssecOk: true },
    want: { additional: ['mail.example.com. 3600 A 192.0.2.25', 'mail.example.com. 3600 RRSIG covers A'] },
  },

  // ── refusals and errors
  { name: 'class mismatch is REFUSED', q: ['www.example.com.', 'A', RRClass.CH], want: { rcode: Refused, aa: false, answer: [], authority: [], additional: [] } },
  { name: 'class ANY is REFUSED', q: ['www.example.com.', 'A', RRClass.ANY], want: { rcode: Refused } },
  { name: 'name outside the zone is REFUSED', q: ['www.example.org.', 'A'], want: { rcode: Refused, aa: false } },
  { name: 'a suffix that is not at a label boundary is outside', q: ['xexample.com.', 'A'], want: { rcode: Refused } },
  { name: 'an escaped dot is not a label boundary', q: ['a\\.example.com.', 'A'], want: { rcode: Refused } },
  { name: 'the parent of the zone is outside', q: ['com.', 'NS'], want: { rcode: Refused } },
  { name: 'AXFR is not answered here', q: ['example.com.', 'AXFR'], want: { rcode: Refused, aa: false } },
  { name: 'IXFR is not answered here', q: ['example.com.', 'IXFR'], want: { rcode: Refused } },
  { name: 'OPT in the question is FORMERR', q: ['example.com.', 'OPT'], want: { rcode: FormErr, aa: false } },
  { name: 'TSIG in the question is FORMERR', q: ['example.com.', 'TSIG'], want: { rcode: FormErr } },
  { name: 'TKEY is NOTIMP', q: ['example.com.', 'TKEY'], want: { rcode: NotImp } },
  { name: 'MAILB is NOTIMP', q: ['example.com.', 'MAILB'], want: { rcode: NotImp } },

  // ── the root zone
  { name: 'root: SOA at the apex', zone: 'root', q: ['.', 'SOA'], want: { aa: true, answer: ['. 86400 SOA a.root-servers.net. 2024010100 86400'] } },
  {
    name: 'root: referral to com. with glue',
    zone: 'root',
    q: ['www.Example.COM.', 'A'],
    want: { aa: false, authority: ['com. 172800 NS a.gtld-servers.net.'], additional: ['a.gtld-servers.net. 172800 A 192.5.6.30'] },
  },
  { name: 'root: a wildcard whose encloser is the root', zone: 'root', q: ['nosuchtld.', 'TXT'], want: { answer: ['nosuchtld. 3600 TXT "root wildcard"'] } },
  { name: 'root: the net. ENT is NODATA', zone: 'root', q: ['net.', 'A'], want: { rcode: NoError, answer: [], authority: ['. 86400 SOA a.root-servers.net. 2024010100 86400'] } },
];

function ask(zone: ZoneVersion, qname: string, qtype: keyof typeof RRType, qclass: number = RRClass.IN, opts?: AnswerOptions): Rendered {
  return render(answerQuery(zone, { name: n(qname), type: RRType[qtype], class: qclass }, opts));
}

describe('answerQuery', () => {
  it.each(cases)('$name', (c) => {
    const zone = zones[c.zone ?? 'main']!;
    const got = ask(zone, c.q[0], c.q[1], c.q[2], c.opts);
    const picked: Partial<Rendered> = {};
    const want: Partial<Rendered> = { ...c.want };
    for (const k of Object.keys(c.want) as (keyof Rendered)[]) {
      const g = got[k];
      const w = c.want[k];
      (picked as Record<string, unknown>)[k] = c.unordered && Array.isArray(g) ? [...g].sort() : g;
      (want as Record<string, unknown>)[k] = c.unordered && Array.isArray(w) ? [...w].sort() : w;
    }
    expect(picked).toEqual(want);
  });

  it('uses the DNAME wire octets verbatim in the synthesized CNAME', () => {
    const a = answerQuery(zones.main!, { name: n('X.dn2.example.com.'), type: RRType.A, class: RRClass.IN });
    const cname = a.answers[1]!;
    expect(Buffer.from(cname.rdata).toString('latin1')).toBe('\x01X\x06target\x07example\x03com\x00');
  });

  it('does not modify the zone or share answer arrays between queries', () => {
    const q = { name: n('www.example.com.'), type: RRType.A, class: RRClass.IN };
    const a = answerQuery(zones.main!, q);
    (a.answers as ResourceRecord[]).length = 0;
    expect(answerQuery(zones.main!, q).answers).toHaveLength(2);
  });

  it('a version without an apex node answers SERVFAIL rather than throwing', () => {
    const good = zones.short!;
    const broken = new ZoneVersion(good.origin, good.zoneClass, good.soa, [new NodeIndex()], 0, 0);
    expect(answerQuery(broken, { name: n('short.test.'), type: RRType.A, class: RRClass.IN }).rcode).toBe(Rcode.ServFail);
  });
});

describe('answerQuery on versions derived with applyDiff', () => {
  const BASE: readonly Spec[] = [
    ['example.com.', 3600, 'SOA', rd.soa('ns1.example.com.', 'hostmaster.example.com.', 1, 300)],
    ['example.com.', 3600, 'NS', rd.name('ns1.example.com.')],
    ['ns1.example.com.', 3600, 'A', rd.a('192.0.2.1')],
    ['www.example.com.', 300, 'A', rd.a('192.0.2.80')],
    ['www.example.com.', 300, 'A', rd.a('192.0.2.81')],
    ['a.b.c.example.com.', 600, 'TXT', rd.txt('deep')],
    ['parent.example.com.', 600, 'TXT', rd.txt('has a child')],
    ['kid.parent.example.com.', 600, 'TXT', rd.txt('child')],
  ];
  const apply = (v: ZoneVersion, serial: number, removed: readonly Spec[], added: readonly Spec[]): ZoneVersion => {
    const r = applyDiff(v, diff(v, serial, removed, added));
    if (!r.ok) throw new Error(`applyDiff: ${JSON.stringify(r.error)}`);
    return r.value;
  };
  const countNodes = (v: ZoneVersion): number => [...v.nodes()].length;

  it('removing the last records at a name makes it NXDOMAIN, while the old version still answers', () => {
    const v1 = buildZone('example.com.', BASE);
    const v2 = apply(v1, 2, [BASE[3]!, BASE[4]!], []);
    expect(ask(v2, 'www.example.com.', 'A')).toMatchObject({ rcode: NXDomain, answer: [], authority: ['example.com. 300 SOA ns1.example.com. 2 300'] });
    expect(ask(v1, 'www.example.com.', 'A').answer).toHaveLength(2);
    expect(v2.nodeCount).toBe(countNodes(v2));
  });

  it('removing one record of two keeps the other', () => {
    const v2 = apply(buildZone('example.com.', BASE), 2, [BASE[3]!], []);
    expect(ask(v2, 'www.example.com.', 'A').answer).toEqual(['www.example.com. 300 A 192.0.2.81']);
  });

  it('removing the only data under ENTs removes the ENTs (NODATA becomes NXDOMAIN)', () => {
    const v1 = buildZone('example.com.', BASE);
    expect(ask(v1, 'c.example.com.', 'A').rcode).toBe(NoError);
    const v2 = apply(v1, 2, [BASE[5]!], []);
    expect(ask(v2, 'a.b.c.example.com.', 'TXT').rcode).toBe(NXDomain);
    expect(ask(v2, 'b.c.example.com.', 'A').rcode).toBe(NXDomain);
    expect(ask(v2, 'c.example.com.', 'A').rcode).toBe(NXDomain);
    expect(v2.nodeCount).toBe(countNodes(v2));
  });

  it('removing the data at a name with children leaves an ENT (NODATA)', () => {
    const v2 = apply(buildZone('example.com.', BASE), 2, [BASE[6]!], []);
    expect(ask(v2, 'parent.example.com.', 'TXT')).toMatchObject({ rcode: NoError, answer: [] });
    expect(ask(v2, 'kid.parent.example.com.', 'TXT').answer).toEqual(['kid.parent.example.com. 600 TXT "child"']);
  });

  it('new names appear with their ENTs', () => {
    const v2 = apply(buildZone('example.com.', BASE), 2, [], [['new.deep.example.com.', 60, 'A', rd.a('192.0.2.7')]]);
    expect(ask(v2, 'new.deep.example.com.', 'A').answer).toEqual(['new.deep.example.com. 60 A 192.0.2.7']);
    expect(ask(v2, 'deep.example.com.', 'A')).toMatchObject({ rcode: NoError, answer: [] });
    expect(ask(v2, 'other.deep.example.com.', 'A').rcode).toBe(NXDomain);
    expect(v2.nodeCount).toBe(countNodes(v2));
  });

  it('an added delegation turns existing names below it into referrals', () => {
    const v2 = apply(buildZone('example.com.', BASE), 2, [], [['c.example.com.', 3600, 'NS', rd.name('ns.example.net.')]]);
    expect(ask(v2, 'a.b.c.example.com.', 'TXT')).toMatchObject({ aa: false, answer: [], authority: ['c.example.com. 3600 NS ns.example.net.'] });
  });

  it('an added wildcard answers for missing names, and its removal brings NXDOMAIN back', () => {
    const wild: Spec = ['*.example.com.', 60, 'TXT', rd.txt('wild')];
    const v2 = apply(buildZone('example.com.', BASE), 2, [], [wild]);
    expect(ask(v2, 'nothere.example.com.', 'TXT').answer).toEqual(['nothere.example.com. 60 TXT "wild"']);
    const v3 = apply(v2, 3, [wild], []);
    expect(ask(v3, 'nothere.example.com.', 'TXT').rcode).toBe(NXDomain);
  });

  it('a name removed and re-added in one diff stays', () => {
    const v2 = apply(buildZone('example.com.', BASE), 2, [BASE[3]!, BASE[4]!], [['www.example.com.', 60, 'AAAA', rd.aaaa('2001:db8::80')]]);
    expect(ask(v2, 'www.example.com.', 'AAAA').answer).toEqual(['www.example.com. 60 AAAA 2001:db8:0:0:0:0:0:80']);
    expect(ask(v2, 'www.example.com.', 'A')).toMatchObject({ rcode: NoError, answer: [] });
  });

  it('an ENT losing one child and gaining another in one diff stays', () => {
    const v2 = apply(buildZone('example.com.', BASE), 2, [BASE[5]!], [['x.b.c.example.com.', 60, 'TXT', rd.txt('new')]]);
    expect(ask(v2, 'b.c.example.com.', 'A')).toMatchObject({ rcode: NoError, answer: [] });
    expect(ask(v2, 'a.b.c.example.com.', 'TXT').rcode).toBe(NXDomain);
    expect(ask(v2, 'x.b.c.example.com.', 'TXT').answer).toEqual(['x.b.c.example.com. 60 TXT "new"']);
    expect(v2.nodeCount).toBe(countNodes(v2));
  });

  it('an ENT left by one diff disappears when a later diff removes its last child', () => {
    const v2 = apply(buildZone('example.com.', BASE), 2, [BASE[6]!], []);
    const v3 = apply(v2, 3, [BASE[7]!], []);
    expect(ask(v3, 'kid.parent.example.com.', 'TXT').rcode).toBe(NXDomain);
    expect(ask(v3, 'parent.example.com.', 'TXT').rcode).toBe(NXDomain);
    expect(v3.nodeCount).toBe(countNodes(v3));
  });

  it('data added at an existing ENT makes it answer', () => {
    const v2 = apply(buildZone('example.com.', BASE), 2, [], [['B.C.example.com.', 60, 'A', rd.a('192.0.2.3')]]);
    expect(ask(v2, 'b.c.example.com.', 'A').answer).toEqual(['b.c.example.com. 60 A 192.0.2.3']);
    expect(ask(v2, 'a.b.c.example.com.', 'TXT').answer).toHaveLength(1);
  });

  it('a removal spelled in another case removes the record', () => {
    const v2 = apply(buildZone('example.com.', BASE), 2, [['WWW.Example.COM.', 300, 'A', rd.a('192.0.2.80')], ['www.example.com.', 300, 'A', rd.a('192.0.2.81')]], []);
    expect(ask(v2, 'www.example.com.', 'A').rcode).toBe(NXDomain);
  });

  it('many diffs in a row (beyond the overlay limit) keep answering', () => {
    let v = buildZone('example.com.', BASE);
    for (let i = 0; i < 20; i++) {
      const added: Spec = [`h${i}.example.com.`, 60, 'A', rd.a(`192.0.2.${100 + i}`)];
      const removed: Spec[] = i > 0 ? [[`h${i - 1}.example.com.`, 60, 'A', rd.a(`192.0.2.${99 + i}`)]] : [];
      v = apply(v, 2 + i, removed, [added]);
    }
    expect(ask(v, 'h19.example.com.', 'A').answer).toEqual(['h19.example.com. 60 A 192.0.2.119']);
    expect(ask(v, 'h18.example.com.', 'A').rcode).toBe(NXDomain);
    expect(ask(v, 'www.example.com.', 'A').answer).toHaveLength(2);
    expect(v.nodeCount).toBe(countNodes(v));
  });
});
