// Deterministic benchmark zones and dnsperf query files. The same {origin, records, seed} always
// gives byte-identical output, on any machine and Node version (own PRNG, no Math.random).
//
// The zone is shaped like a real signed-looking customer zone: an apex with SOA, two NS with their
// addresses, DNSKEYs, MX and TXT; then hosts with A/AAAA/TXT/MX (some TXT longer than 255 octets,
// split into several character-strings), CNAMEs to in-zone hosts, some two-label owners (so there
// are empty non-terminals), a few delegations with glue and DS, and RRSIGs over a share of the
// RRsets with signatures of realistic length. The RRSIGs do not verify: this is load, not DNSSEC.
import { createHash } from 'node:crypto';

/**
 * @typedef {{ owner: string, ttl: number, type: string, rdata: string }} Rr
 * @typedef {{ origin: string, rrs: Rr[], candidates: [string, string][], nxParents: string[] }} ZoneModel
 *   `candidates` are the (name, type) pairs a resolver would ask for and get an answer or a
 *   referral; `nxParents` are owners under which invented names are NXDOMAIN.
 */

/** rng returns a small seeded PRNG (sfc32 keyed by SHA-256 of the seed). */
export function rng(seed) {
  const h = createHash('sha256').update(String(seed)).digest();
  let a = h.readUInt32LE(0);
  let b = h.readUInt32LE(4);
  let c = h.readUInt32LE(8);
  let d = h.readUInt32LE(12);
  const u32 = () => {
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return t >>> 0;
  };
  for (let i = 0; i < 16; i++) u32();
  const r = {
    u32,
    float: () => u32() / 4294967296,
    int: (n) => Math.floor(r.float() * n), // 0 .. n-1
    range: (lo, hi) => lo + r.int(hi - lo + 1), // lo .. hi inclusive
    chance: (p) => r.float() < p,
    pick: (arr) => arr[r.int(arr.length)],
    bytes: (n) => {
      const out = Buffer.allocUnsafe(n);
      for (let i = 0; i < n; i++) out[i] = u32() & 0xff;
      return out;
    },
  };
  return r;
}

const SYLLABLES = ['ka', 'lo', 'mi', 'ne', 'ru', 'sa', 'ti', 'vo', 'ze', 'da', 'fe', 'gu', 'ha', 'jo', 'pe', 'qi', 'wy', 'xe', 'bo', 'ci'];
const WORDS = ['www', 'mail', 'api', 'cdn', 'shop', 'vpn', 'app', 'img', 'git', 'db', 'edge', 'auth', 'm', 'blog', 'status'];
const TTLS = [60, 300, 300, 3600, 3600, 3600, 86400];
const TXT_ALPHABET = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+/=.-_ ';

const abs = (name) => (name.endsWith('.') ? name : `${name}.`).toLowerCase();
const labelCount = (name) => (name === '.' ? 0 : name.slice(0, -1).split('.').length);

function txtString(r, len) {
  let s = '';
  for (let i = 0; i < len; i++) s += TXT_ALPHABET[r.int(TXT_ALPHABET.length)];
  return s;
}

// Splits `text` into quoted character-strings of at most 255 octets (RFC 1035 §3.3.14).
function txtRdata(text) {
  const parts = [];
  for (let i = 0; i < text.length; i += 255) parts.push(`"${text.slice(i, i + 255)}"`);
  return parts.join(' ');
}

function ipv4(r) {
  return r.chance(0.5) ? `10.${r.int(256)}.${r.int(256)}.${r.range(1, 254)}` : `198.${r.range(18, 19)}.${r.int(256)}.${r.range(1, 254)}`;
}

function ipv6(r) {
  const g = () => r.int(0x10000).toString(16);
  return `2001:db8:${g()}:${g()}::${g()}`;
}

function timestamp(base, offsetDays) {
  const t = new Date(Date.UTC(2024, 0, 1) + (base + offsetDays) * 86_400_000);
  const p = (n, w = 2) => String(n).padStart(w, '0');
  return `${t.getUTCFullYear()}${p(t.getUTCMonth() + 1)}${p(t.getUTCDate())}${p(t.getUTCHours())}${p(t.getUTCMinutes())}${p(t.getUTCSeconds())}`;
}

const cache = new Map();

/**
 * buildZone returns the zone as records plus the query candidates (memoised per arguments).
 * @param {{ origin: string, records?: number, seed?: string|number }} args
 * @returns {ZoneModel}
 */
export function buildZone({ origin, records = 100_000, seed = 'zonexfer' }) {
  const o = abs(origin);
  const key = `${o}|${records}|${seed}`;
  if (cache.has(key)) return cache.get(key);
  if (!Number.isInteger(records) || records < 20) throw new RangeError('records must be an integer >= 20');
  const r = rng(`${seed}|zone|${o}|${records}`);
  const rrs = [];
  const candidates = [];
  const nxParents = [o];
  const hosts = [];
  const add = (owner, ttl, type, rdata) => rrs.push({ owner, ttl, type, rdata });
  const sigBase = r.range(0, 300);

  // Keys: a KSK (RSASHA256, 2048-bit public key ≈ 260 octets) and a ZSK (ECDSAP256, 64 octets).
  const ksk = { flags: 257, alg: 8, key: r.bytes(260), tag: r.range(1, 65535) };
  const zsk = { flags: 256, alg: 13, key: r.bytes(64), tag: r.range(1, 65535) };
  const sign = (owner, ttl, type, key = zsk) => {
    const sigLen = key.alg === 8 ? 256 : 64;
    const inception = timestamp(sigBase, 0);
    const expiration = timestamp(sigBase, 30);
    add(owner, ttl, 'RRSIG', `${type} ${key.alg} ${labelCount(owner)} ${ttl} ${expiration} ${inception} ${key.tag} ${o} ${r.bytes(sigLen).toString('base64')}`);
  };

  // Apex.
  const ns = [`ns1.${o}`, `ns2.${o}`];
  add(o, 3600, 'SOA', `${ns[0]} hostmaster.${o} 2024010101 7200 3600 1209600 300`);
  for (const n of ns) add(o, 86400, 'NS', n);
  add(o, 3600, 'DNSKEY', `${ksk.flags} 3 ${ksk.alg} ${ksk.key.toString('base64')}`);
  add(o, 3600, 'DNSKEY', `${zsk.flags} 3 ${zsk.alg} ${zsk.key.toString('base64')}`);
  add(o, 3600, 'MX', `10 mail.${o}`);
  add(o, 3600, 'TXT', txtRdata(`v=spf1 ip4:198.18.0.0/15 include:_spf.${o.slice(0, -1)} -all`));
  sign(o, 3600, 'SOA');
  sign(o, 86400, 'NS');
  sign(o, 3600, 'DNSKEY', ksk);
  candidates.push([o, 'SOA'], [o, 'NS'], [o, 'DNSKEY'], [o, 'MX'], [o, 'TXT']);
  for (const n of ns) {
    add(n, 86400, 'A', ipv4(r));
    add(n, 86400, 'AAAA', ipv6(r));
    candidates.push([n, 'A'], [n, 'AAAA']);
    hosts.push(n);
  }
  add(`mail.${o}`, 3600, 'A', ipv4(r));
  candidates.push([`mail.${o}`, 'A']);
  hosts.push(`mail.${o}`);

  let serial = 0;
  const label = () => {
    const base = r.chance(0.3) ? r.pick(WORDS) : `${r.pick(SYLLABLES)}${r.pick(SYLLABLES)}`;
    return `${base}${(serial++).toString(36)}`;
  };

  while (rrs.length < records) {
    const kind = r.float();
    if (kind < 0.03) {
      // Delegation: NS pair with in-bailiwick glue, a DS or two, the DS signed half the time.
      const child = `${label()}.${o}`;
      const ttl = 86400;
      const childNs = [`ns1.${child}`, `ns2.${child}`];
      for (const n of childNs) add(child, ttl, 'NS', n);
      for (const n of childNs) add(n, ttl, 'A', ipv4(r));
      const dsCount = r.range(1, 2);
      for (let i = 0; i < dsCount; i++) add(child, ttl, 'DS', `${r.range(1, 65535)} 13 2 ${r.bytes(32).toString('hex').toUpperCase()}`);
      if (r.chance(0.5)) sign(child, ttl, 'DS');
      candidates.push([child, 'NS'], [child, 'DS'], [`www.${child}`, 'A']);
    } else if (kind < 0.18 && hosts.length > 0) {
      // CNAME to an in-zone host: resolvers ask for A and get the chain.
      const owner = `${label()}.${o}`;
      const ttl = r.pick(TTLS);
      add(owner, ttl, 'CNAME', r.pick(hosts));
      if (r.chance(0.25)) sign(owner, ttl, 'CNAME');
      candidates.push([owner, 'A']);
    } else {
      // A host; one in five sits two labels down, which makes its parent an empty non-terminal.
      const owner = r.chance(0.2) ? `${label()}.${label()}.${o}` : `${label()}.${o}`;
      const sets = [];
      if (r.chance(0.85)) sets.push(['A', r.range(1, 3), () => ipv4(r)]);
      if (r.chance(0.45)) sets.push(['AAAA', r.range(1, 2), () => ipv6(r)]);
      if (r.chance(0.25)) {
        // One TXT in five is 300–420 octets: several character-strings in one RR.
        sets.push(['TXT', 1, () => txtRdata(r.chance(0.2) ? txtString(r, r.range(300, 420)) : `${r.pick(['v=spf1 ', 'google-site-verification=', 'k=', 'token='])}${txtString(r, r.range(10, 60))}`)]);
      }
      if (r.chance(0.08)) sets.push(['MX', r.range(1, 2), () => `${r.pick([10, 20, 30])} ${r.pick(hosts)}`]);
      if (sets.length === 0) sets.push(['A', 1, () => ipv4(r)]);
      for (const [type, count, make] of sets) {
        const ttl = r.pick(TTLS);
        const seen = new Set();
        for (let i = 0; i < count; i++) {
          const rdata = make();
          if (seen.has(rdata)) continue; // an RRset holds no duplicates
          seen.add(rdata);
          add(owner, ttl, type, rdata);
        }
        if (r.chance(0.3)) sign(owner, ttl, type);
        candidates.push([owner, type]);
      }
      hosts.push(owner);
      nxParents.push(owner);
    }
  }
  rrs.length = records; // the last owner may have overshot; a shorter RRset is still valid

  // Keep only the candidates whose data survived the cut (a delegation counts by its NS).
  const present = new Set(rrs.map((rr) => `${rr.owner} ${rr.type}`));
  const owners = new Set(rrs.map((rr) => rr.owner));
  const kept = candidates.filter(([name, type]) => {
    if (name.startsWith('www.') && !owners.has(name)) return present.has(`${name.slice(4)} NS`); // below a cut: referral
    if (type === 'A' && present.has(`${name} CNAME`)) return present.has(`${name} CNAME`);
    return present.has(`${name} ${type}`);
  });
  const model = { origin: o, rrs, candidates: kept, nxParents: nxParents.filter((n) => owners.has(n)) };
  cache.set(key, model);
  return model;
}

/**
 * generateZone returns the zone-file text (absolute owner names, one RR a line, `$TTL` header).
 * @param {{ origin: string, records?: number, seed?: string|number }} args
 */
export function generateZone(args) {
  const { origin, rrs } = buildZone(args);
  const lines = [`; zonexfer benchmark zone ${origin} records=${rrs.length} seed=${args.seed ?? 'zonexfer'}`, `$ORIGIN ${origin}`, '$TTL 3600'];
  for (const rr of rrs) lines.push(`${rr.owner} ${rr.ttl} IN ${rr.type} ${rr.rdata}`);
  return `${lines.join('\n')}\n`;
}

/**
 * generateQueries returns a dnsperf data file (`name type` lines): a `1 - nxFraction` share picked
 * uniformly from the zone's existing (name, type) pairs, the rest invented names (NXDOMAIN), in a
 * seeded random order. Expect about 90 % NOERROR and 10 % NXDOMAIN by default.
 * @param {{ origin: string, records?: number, seed?: string|number, count?: number, nxFraction?: number }} args
 */
export function generateQueries({ count = 100_000, nxFraction = 0.1, ...zoneArgs }) {
  const { candidates, nxParents } = buildZone(zoneArgs);
  const r = rng(`${zoneArgs.seed ?? 'zonexfer'}|queries|${count}|${nxFraction}`);
  const lines = [];
  for (let i = 0; i < count; i++) {
    if (r.chance(nxFraction)) {
      // A hyphen never occurs in generated owner labels, so `nx-…` cannot collide with one.
      lines.push(`nx-${r.u32().toString(36)}.${r.pick(nxParents)} ${r.pick(['A', 'A', 'AAAA', 'TXT', 'MX'])}`);
    } else {
      const [name, type] = r.pick(candidates);
      lines.push(`${name} ${type}`);
    }
  }
  return `${lines.join('\n')}\n`;
}
