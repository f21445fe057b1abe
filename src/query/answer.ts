// answerQuery: the authoritative answer for one question from one zone version (RFC 1034 §4.3.2),
// with referrals, CNAME chains (RFC 6604), DNAME (RFC 6672), wildcards (RFC 4592), negative
// answers (RFC 2308) and best-effort DNSSEC records (RFC 4035 §3.1). Pure: no I/O, no encoding.
// Deviations: no NSEC/NSEC3 denial for NXDOMAIN or wildcard answers; ANY returns the whole node.

import { type DomainName, type Question, type ResourceRecord, RRType, Rcode, nameKey, nameToWire } from '../wire/index.js';
import type { RRset, ZoneNode, ZoneVersion } from '../zone/index.js';
import { ownerName, rdataName, walk, wirePrefixLength } from './lookup.js';
import type { AnswerSections } from './types.js';

/** AnswerOptions tune answerQuery per query. */
export interface AnswerOptions {
  /** dnssecOk is the EDNS DO bit (RFC 3225): include RRSIG, DS and NSEC where described. */
  readonly dnssecOk?: boolean;
  /** maxCnameChain bounds how many in-zone CNAME/DNAME targets are followed (default 8). */
  readonly maxCnameChain?: number;
}

/** DEFAULT_MAX_CNAME_CHAIN is the in-zone alias chain bound (Knot and BIND use similar limits). */
export const DEFAULT_MAX_CNAME_CHAIN = 8;

const EMPTY: readonly ResourceRecord[] = Object.freeze([]);

function fixed(rcode: number): AnswerSections {
  return Object.freeze({ rcode, authoritative: false, answers: EMPTY, authorities: EMPTY, additionals: EMPTY });
}

const REFUSED = fixed(Rcode.Refused);
const FORMERR = fixed(Rcode.FormErr);
const NOTIMP = fixed(Rcode.NotImp);
const SERVFAIL = fixed(Rcode.ServFail);

/**
 * answerQuery answers `question` from `zone`. Never throws. Fixed answers without records:
 * REFUSED when the class differs from the zone's, the name is outside the zone, or the type is
 * AXFR/IXFR (the server routes transfers to xfr/out); FORMERR for OPT/TSIG in the question
 * (RFC 6891 §6.1.1, RFC 8945 §5.1 confine them to the additional section); NOTIMP for TKEY and
 * MAILA/MAILB; SERVFAIL for a version without an apex node.
 *
 * Owners keep the zone's stored case, as Knot does; synthesized owners (wildcard answers, the
 * CNAME made from a DNAME) take the query name's spelling. The rcode and the negative SOA reflect
 * the last name of a CNAME/DNAME chain (RFC 6604 §3). ANY (RFC 8482 allows a subset) returns every
 * RRset at the node, with NSEC/NSEC3/RRSIG only when `dnssecOk` (RFC 4035 §3.2.1).
 */
export function answerQuery(zone: ZoneVersion, question: Question, options?: AnswerOptions): AnswerSections {
  const qtype = question.type;
  if (question.class !== zone.zoneClass) return REFUSED;
  switch (qtype) {
    case RRType.AXFR:
    case RRType.IXFR:
      return REFUSED;
    case RRType.OPT:
    case RRType.TSIG:
      return FORMERR;
    case RRType.TKEY:
    case RRType.MAILA:
    case RRType.MAILB:
      return NOTIMP;
  }
  const dnssecOk = options?.dnssecOk === true;
  const maxChain = options?.maxCnameChain ?? DEFAULT_MAX_CNAME_CHAIN;
  const cls = zone.zoneClass;
  const reply = new Reply();
  const answers = reply.answers;

  let qname = question.name;
  let key = nameKey(qname);
  let followed = 0;
  let visited: string[] | undefined;

  for (;;) {
    const w = walk(zone, key, qtype);
    let target: DomainName | undefined;
    switch (w.kind) {
      case 'out':
        // The first name is the caller's mistake; a chain target outside the zone ends the chain
        // (RFC 1034 §4.3.2 step 3a: the resolver continues from the last CNAME).
        return answers.length === 0 ? REFUSED : reply;
      case 'invalid':
        if (answers.length > 0) return reply;
        return zone.apex() === undefined ? SERVFAIL : FORMERR;
      case 'cut': {
        // RFC 1034 §4.3.2 step 3b: referral. AA stays set only if an in-zone alias was answered
        // first (RFC 1035 §4.1.1: AA speaks for the first owner in the answer section).
        const cut = w.node!;
        const ns = w.set!;
        const cutName = ownerName(cut, suffix(qname, w.pos));
        reply.authoritative = answers.length > 0;
        addSet(reply.authorities, cutName, ns, cls);
        if (dnssecOk) addDelegationSecurity(reply.authorities, cut, cutName, cls);
        addTargets(zone, reply.additionals, ns, 0, dnssecOk, cls);
        return reply;
      }
      case 'dname': {
        const dnode = w.node!;
        const dname = w.set!;
        const dnameRdata = dname.rdatas[0];
        const dnameTarget = dnameRdata === undefined ? undefined : rdataName(dnameRdata, 0);
        if (dnameRdata === undefined || dnameTarget === undefined) return reply;
        const dnameOwner = ownerName(dnode, suffix(qname, w.pos));
        addSet(answers, dnameOwner, dname, cls);
        if (dnssecOk) addSigs(answers, dnode, RRType.DNAME, dnameOwner, dname.ttl, cls);
        // RFC 6672 §2.2: replace the owner suffix of the name with the target; too long → YXDOMAIN.
        const prefixWire = wirePrefixLength(qname, w.pos);
        if (prefixWire + dnameRdata.length > 255) {
          reply.rcode = Rcode.YXDomain;
          return reply;
        }
        const prefix = qname.slice(0, w.pos);
        target = (dnameTarget === '.' ? prefix : prefix + dnameTarget) as DomainName;
        const cnameRdata = new Uint8Array(prefixWire + dnameRdata.length);
        cnameRdata.set(nameToWire(qname).subarray(0, prefixWire));
        cnameRdata.set(dnameRdata, prefixWire);
        // RFC 6672 §3.1: the synthesized CNAME has the query name as owner and the DNAME's TTL.
        answers.push(rr(qname, RRType.CNAME, cls, dname.ttl, cnameRdata));
        // A CNAME query is answered by the synthesized CNAME itself (RFC 1034 §4.3.2 step 3a).
        if (qtype === RRType.CNAME) return reply;
        break;
      }
      case 'missing': {
        // RFC 4592 §3.3.1: the source of synthesis is `*.<closest encloser>`.
        const encloserKey = w.pos === key.length - 1 ? '' : key.slice(w.pos);
        const wild = zone.node('*.' + encloserKey);
        if (wild === undefined) {
          // RFC 2308 §2.1 / RFC 6604 §3: NXDOMAIN for the last name of the chain, SOA in authority.
          reply.rcode = Rcode.NXDomain;
          addNegativeSoa(zone, reply.authorities, dnssecOk);
          return reply;
        }
        // RFC 4592 §4.2 leaves NS at a wildcard undefined; treat it as a cut at the query name.
        const wildNs = qtype === RRType.DS ? undefined : wild.rrset(RRType.NS);
        if (wildNs !== undefined) {
          reply.authoritative = answers.length > 0;
          addSet(reply.authorities, qname, wildNs, cls);
          addTargets(zone, reply.additionals, wildNs, 0, dnssecOk, cls);
          return reply;
        }
        // RFC 4592 §3.3.1: answer as if the source were at the name; owners take the query name.
        target = answerNode(zone, reply, wild, qname, false, qtype, dnssecOk);
        break;
      }
      case 'exact': {
        const node = w.node!;
        target = answerNode(zone, reply, node, ownerName(node, qname), true, qtype, dnssecOk);
        break;
      }
    }
    if (target === undefined) return reply;
    // Follow an alias inside the zone, bounded and loop-safe; a target outside it ends at 'out'.
    if (followed >= maxChain) return reply;
    const targetKey = nameKey(target);
    if (visited === undefined) visited = [key];
    if (visited.includes(targetKey)) return reply;
    visited.push(targetKey);
    followed++;
    qname = target;
    key = targetKey;
  }
}

/** Reply is the AnswerSections under construction; one allocation holds all of it. */
class Reply implements AnswerSections {
  rcode: number = Rcode.NoError;
  authoritative = true;
  readonly answers: ResourceRecord[] = [];
  readonly authorities: ResourceRecord[] = [];
  readonly additionals: ResourceRecord[] = [];
}

/**
 * answerNode answers from an existing node, or from the wildcard standing in for the name
 * (`exact` false), and returns the CNAME target to follow, or undefined when the answer is done.
 */
function answerNode(
  zone: ZoneVersion,
  reply: Reply,
  node: ZoneNode,
  owner: DomainName,
  exact: boolean,
  qtype: number,
  dnssecOk: boolean,
): DomainName | undefined {
  const cls = zone.zoneClass;
  const answers = reply.answers;
  if (qtype === RRType.ANY) {
    const before = answers.length;
    addAny(zone, reply, node, owner, dnssecOk);
    if (answers.length === before) addNegativeSoa(zone, reply.authorities, dnssecOk);
    return undefined;
  }
  const set = node.rrset(qtype);
  if (set !== undefined) {
    addSet(answers, owner, set, cls);
    if (dnssecOk) addSigs(answers, node, qtype, owner, set.ttl, cls);
    additionalFor(zone, reply.additionals, set, dnssecOk);
    return undefined;
  }
  if (qtype !== RRType.CNAME) {
    const cname = node.rrset(RRType.CNAME);
    const cnameRdata = cname?.rdatas[0];
    if (cname !== undefined && cnameRdata !== undefined) {
      // RFC 1034 §4.3.2 step 3a: put the CNAME in the answer and restart at its target.
      addSet(answers, owner, cname, cls);
      if (dnssecOk) addSigs(answers, node, RRType.CNAME, owner, cname.ttl, cls);
      return rdataName(cnameRdata, 0);
    }
  }
  // RFC 2308 §2.2 NODATA: NOERROR, no answer, the SOA; the name exists (an ENT too, RFC 4592
  // §2.2.2). RFC 4035 §3.1.3.1: the NSEC at the name proves the type's absence.
  addNegativeSoa(zone, reply.authorities, dnssecOk);
  if (dnssecOk && exact) {
    const nsec = node.rrset(RRType.NSEC);
    if (nsec !== undefined) {
      addSet(reply.authorities, owner, nsec, cls);
      addSigs(reply.authorities, node, RRType.NSEC, owner, nsec.ttl, cls);
    }
  }
  return undefined;
}

/** suffix is the part of `name` from `pos` (a label boundary found by `walk`) on. */
function suffix(name: DomainName, pos: number): DomainName {
  return (pos === 0 ? name : name.slice(pos)) as DomainName;
}

function rr(name: DomainName, type: number, cls: number, ttl: number, rdata: Uint8Array): ResourceRecord {
  return { name, type, class: cls, ttl, rdata };
}

/** addSet appends every RR of `set` under `owner`. */
function addSet(out: ResourceRecord[], owner: DomainName, set: RRset, cls: number): void {
  const rdatas = set.rdatas;
  for (let i = 0; i < rdatas.length; i++) out.push(rr(owner, set.type, cls, set.ttl, rdatas[i]!));
}

/**
 * addSigs appends the RRSIGs at `node` covering `type` (Type Covered is the first two RDATA
 * octets, RFC 4034 §3.1), with the covered RRset's TTL (RFC 4034 §3: they must match).
 */
function addSigs(out: ResourceRecord[], node: ZoneNode, type: number, owner: DomainName, ttl: number, cls: number): void {
  const sigs = node.rrset(RRType.RRSIG);
  if (sigs === undefined) return;
  const rdatas = sigs.rdatas;
  for (let i = 0; i < rdatas.length; i++) {
    const r = rdatas[i]!;
    if (r.length >= 2 && ((r[0]! << 8) | r[1]!) === type) out.push(rr(owner, RRType.RRSIG, cls, ttl, r));
  }
}

/**
 * addNegativeSoa appends the apex SOA with TTL = min(SOA TTL, MINIMUM) (RFC 2308 §3 and §5),
 * and its RRSIGs when `dnssecOk` (RFC 4035 §3.1.3).
 */
function addNegativeSoa(zone: ZoneVersion, out: ResourceRecord[], dnssecOk: boolean): void {
  const soa = zone.soa;
  const r = soa.rdata;
  const n = r.length;
  const minimum = n >= 4 ? ((r[n - 4]! << 24) | (r[n - 3]! << 16) | (r[n - 2]! << 8) | r[n - 1]!) >>> 0 : 0;
  const ttl = Math.min(soa.ttl, minimum);
  out.push(rr(soa.name, RRType.SOA, zone.zoneClass, ttl, r));
  if (dnssecOk) {
    const apex = zone.apex();
    if (apex !== undefined) addSigs(out, apex, RRType.SOA, soa.name, ttl, zone.zoneClass);
  }
}

/**
 * addDelegationSecurity appends the DS RRset and its RRSIGs at a cut, or else the NSEC that proves
 * there is none (RFC 4035 §3.1.4). NSEC3 opt-out proofs are not generated.
 */
function addDelegationSecurity(out: ResourceRecord[], cut: ZoneNode, owner: DomainName, cls: number): void {
  const ds = cut.rrset(RRType.DS);
  const proof = ds ?? cut.rrset(RRType.NSEC);
  if (proof === undefined) return;
  addSet(out, owner, proof, cls);
  addSigs(out, cut, proof.type, owner, proof.ttl, cls);
}

/**
 * addAny answers qtype ANY with every RRset at the node (a choice RFC 8482 §4 permits; the server
 * may trim over UDP). NSEC, NSEC3 and RRSIG only with DO (RFC 4035 §3.2.1); RRSIGs follow the set
 * they cover, with its TTL.
 */
function addAny(zone: ZoneVersion, reply: Reply, node: ZoneNode, owner: DomainName, dnssecOk: boolean): void {
  const cls = zone.zoneClass;
  const answers = reply.answers;
  const sets = node.sets;
  for (let i = 0; i < sets.length; i++) {
    const set = sets[i]!;
    const t = set.type;
    if (t === RRType.RRSIG) continue;
    if (!dnssecOk && (t === RRType.NSEC || t === RRType.NSEC3)) continue;
    addSet(answers, owner, set, cls);
    if (dnssecOk) addSigs(answers, node, t, owner, set.ttl, cls);
    additionalFor(zone, reply.additionals, set, dnssecOk);
  }
}

/** additionalFor does RFC 1034 §4.3.2 step 6 for the types whose RDATA names a host. */
function additionalFor(zone: ZoneVersion, out: ResourceRecord[], set: RRset, dnssecOk: boolean): void {
  const cls = zone.zoneClass;
  switch (set.type) {
    case RRType.NS:
      addTargets(zone, out, set, 0, dnssecOk, cls);
      return;
    case RRType.MX:
      addTargets(zone, out, set, 2, dnssecOk, cls);
      return;
    case RRType.SRV:
      // RFC 2782: priority, weight, port, then the target.
      addTargets(zone, out, set, 6, dnssecOk, cls);
      return;
  }
}

/**
 * addTargets appends the A and AAAA RRsets held in this zone for the name at `offset` of each
 * RDATA (RFC 1034 §4.3.2 step 6): authoritative addresses and glue alike, including glue under
 * another cut (RFC 9471 §2.2 permits sibling glue). Wildcards are not expanded for this, and
 * names outside the zone are left to the resolver. A name already added is not added twice.
 */
function addTargets(zone: ZoneVersion, out: ResourceRecord[], set: RRset, offset: number, dnssecOk: boolean, cls: number): void {
  const rdatas = set.rdatas;
  for (let i = 0; i < rdatas.length; i++) {
    const name = rdataName(rdatas[i]!, offset);
    if (name === undefined) continue;
    const node = zone.node(nameKey(name));
    if (node === undefined || node.setCount === 0) continue;
    const owner = ownerName(node, name);
    let seen = false;
    for (let j = 0; j < out.length; j++) {
      if (out[j]!.name === owner) {
        seen = true;
        break;
      }
    }
    if (seen) continue;
    const a = node.rrset(RRType.A);
    if (a !== undefined) {
      addSet(out, owner, a, cls);
      if (dnssecOk) addSigs(out, node, RRType.A, owner, a.ttl, cls);
    }
    const aaaa = node.rrset(RRType.AAAA);
    if (aaaa !== undefined) {
      addSet(out, owner, aaaa, cls);
      if (dnssecOk) addSigs(out, node, RRType.AAAA, owner, aaaa.ttl, cls);
    }
  }
}
