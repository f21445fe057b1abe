// Fuzz harness for zonexfer's untrusted-input boundaries: the wire decoder (decodeMessage), the
// zone-file parser (parseZoneFile, then ZoneBuilder), the server's pure Dispatcher, and the real
// UDP and TCP listeners (startDnsServer). Seeds are the real captures in fixtures/ (queries,
// malformed packets, TSIG-signed queries and responses, AXFR streams) plus generated AXFR, IXFR and
// NOTIFY requests and the zone files; inputs are mutations of them (and some pure noise).
// Invariants: nothing throws past a boundary; promises settle (never reject) within hangMs; every
// answer decodes, has QR set and echoes the ID; UDP answers fit the request's limit (512, or the
// EDNS size capped by ours); the dispatcher's internal-error counter stays 0; listeners keep
// answering a probe; heap growth stays bounded. Failing inputs are written to findings/ as .hex.
// Plain ESM so it runs both under vitest (modules from src/) and from `npm run fuzz` (from dist/):
// the zonexfer modules are passed in, never imported here.
import { createHash } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setImmediate } from 'node:timers';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Worker } from 'node:worker_threads';
import dnsPacket from 'dns-packet';
import { pino } from 'pino';

export const FIXTURES = fileURLToPath(new URL('../../fixtures/', import.meta.url));
/** FINDINGS_DIR: fixtures/malformed/fuzz/ (a sub-folder, so the dispatcher's expect-line fixture test skips it). */
export const FINDINGS_DIR = join(FIXTURES, 'malformed', 'fuzz');

/** DEFAULT_SPLIT: the share of the inputs each target gets. */
export const DEFAULT_SPLIT = { decoder: 0.4, dispatcher: 0.4, zoneFile: 0.12, udp: 0.06, tcp: 0.02 };

const TSIG_NOW = 1795751355; // the captures in fixtures/tsig were signed around this time
const UDP_MAX = 1232;
const ALLOWED_REMOTE = { address: '192.0.2.53', port: 5300, family: 'IPv4' };
const OTHER_REMOTE = { address: '203.0.113.9', port: 5301, family: 'IPv4' };

// ---------------------------------------------------------------------------------------------
// Random numbers (seeded, so a run can be replayed with --seed).

/** rng returns a seeded sfc32 generator (period ≈ 2^128; seeded by splitmix32) with int(n), chance(p), pick(list). */
export function rng(seed) {
  let z = seed >>> 0;
  const splitmix = () => {
    z = (z + 0x9e3779b9) >>> 0;
    let t = z;
    t = Math.imul(t ^ (t >>> 16), 0x21f0aaad);
    t = Math.imul(t ^ (t >>> 15), 0x735a2d97);
    return (t ^ (t >>> 15)) >>> 0;
  };
  let a = splitmix();
  let b = splitmix();
  let c = splitmix();
  let d = splitmix();
  const next = () => {
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return (t >>> 0) / 4294967296;
  };
  for (let i = 0; i < 12; i++) next();
  return {
    next,
    int: (n) => Math.floor(next() * n),
    chance: (p) => next() < p,
    pick: (list) => list[Math.floor(next() * list.length)],
  };
}

// ---------------------------------------------------------------------------------------------
// Corpus.

function hexFile(path) {
  const text = readFileSync(path, 'utf8');
  return Buffer.from(
    text
      .split('\n')
      .filter((l) => !l.startsWith(';'))
      .join('')
      .replace(/\s+/g, ''),
    'hex',
  );
}

function walk(dir, suffix) {
  const out = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...walk(p, suffix));
    else if (name.endsWith(suffix)) out.push(p);
  }
  return out;
}

/** loadCorpus reads the seeds: wire messages (with a label each) and zone-file texts. */
export function loadCorpus() {
  const wire = [];
  for (const dir of ['wire', 'malformed']) {
    for (const f of walk(join(FIXTURES, dir), '.hex')) {
      const text = readFileSync(f, 'utf8');
      if (/^;\s*target:\s*zone-file/m.test(text)) continue;
      wire.push({ label: f.slice(FIXTURES.length), octets: hexFile(f) });
    }
  }
  for (const f of walk(join(FIXTURES, 'tsig'), '.json')) {
    const j = JSON.parse(readFileSync(f, 'utf8'));
    const label = f.slice(FIXTURES.length);
    for (const key of ['message_hex', 'request_hex']) if (typeof j[key] === 'string') wire.push({ label: `${label}:${key}`, octets: Buffer.from(j[key], 'hex') });
    if (Array.isArray(j.messages_hex)) j.messages_hex.forEach((h, i) => wire.push({ label: `${label}:messages[${i}]`, octets: Buffer.from(h, 'hex') }));
  }
  const zones = [];
  for (const name of ['example.com.zone', 'types.example.zone', 'dnssec.example.zone']) zones.push({ label: name, text: readFileSync(join(FIXTURES, 'zones', name), 'utf8') });
  const big = readFileSync(join(FIXTURES, 'zones', 'big10k.example.zone'), 'utf8').split('\n');
  zones.push({ label: 'big10k (first 300 lines)', text: big.slice(0, 300).join('\n') });
  for (const f of walk(join(FIXTURES, 'malformed'), '.hex')) {
    const text = readFileSync(f, 'utf8');
    if (/^;\s*target:\s*zone-file/m.test(text)) zones.push({ label: f.slice(FIXTURES.length), text: hexFile(f).toString('utf8') });
  }
  return { wire, zones };
}

/** generatedQueries: AXFR, IXFR (with the serial the journal starts from), NOTIFY and plain queries. */
function generatedQueries(env) {
  const q = (name, type, extra = {}) =>
    dnsPacket.encode({ type: 'query', id: 0x4242, flags: extra.flags ?? 0, questions: [{ type, name, class: 'IN' }], answers: extra.answers ?? [], authorities: extra.authorities ?? [], additionals: extra.additionals ?? [] });
  const opt = (udpPayloadSize, flags = 0) => ({ type: 'OPT', name: '.', udpPayloadSize, flags, options: [] });
  const soa = (name, serial) => ({ type: 'SOA', name, ttl: 3600, data: { mname: `ns1.${name}`, rname: `hostmaster.${name}`, serial, refresh: 7200, retry: 3600, expire: 1209600, minimum: 300 } });
  const out = [];
  for (const z of ['example.com', 'xfr.test', 'types.example', 'dnssec.example']) {
    out.push(q(z, 'AXFR'), q(z, 'AXFR', { additionals: [opt(4096)] }), q(z, 'SOA'), q(z, 'NS', { additionals: [opt(1232, dnsPacket.DNSSEC_OK)] }));
    out.push(q(z, 'IXFR', { authorities: [soa(z, env.ixfrFrom)] }), q(z, 'IXFR', { authorities: [soa(z, 1)], additionals: [opt(512)] }));
    out.push(q(z, 'SOA', { flags: 4 << 11, answers: [soa(z, 7)] }));
  }
  for (const [name, type] of [['www.example.com', 'A'], ['example.com', 'MX'], ['nope.example.com', 'AAAA'], ['a.b.example.com', 'TXT'], ['x.wild.example.com', 'A'], ['sub.example.com', 'NS'], ['types.example', 'ANY'], ['h1.xfr.test', 'A'], ['dnssec.example', 'DNSKEY']]) {
    out.push(q(name, type), q(name, type, { additionals: [opt(4096, dnsPacket.DNSSEC_OK)] }), q(name, type, { additionals: [opt(600)] }));
  }
  return out.map((octets, i) => ({ label: `generated#${i}`, octets: Buffer.from(octets) }));
}

// ---------------------------------------------------------------------------------------------
// Structured queries: well-formed enough to reach answer building, size limits and the hooks.

const QTYPES = ['A', 'AAAA', 'NS', 'SOA', 'MX', 'TXT', 'CNAME', 'DNAME', 'SRV', 'CAA', 'DS', 'DNSKEY', 'RRSIG', 'NSEC', 'NSEC3', 'ANY', 'AXFR', 'IXFR', 'OPT', 'TLSA', 'SVCB', 'HTTPS', 'NULL', 'PTR'];
const EDNS_SIZES = [0, 1, 256, 511, 512, 513, 600, 1000, 1231, 1232, 1233, 1400, 4096, 65535];

/** structuredQuery builds a random but well-formed request from the zones' own names. */
function structuredQuery(r, names) {
  const base = r.pick(names);
  const name = r.chance(0.3) ? `${r.pick(['x', 'nope', '*', 'a.b', 'zz-top', 'x'.repeat(63)])}.${base}` : base;
  const type = r.chance(0.9) ? r.pick(QTYPES) : `TYPE${r.int(65536)}`;
  const additionals = [];
  if (r.chance(0.7)) additionals.push({ type: 'OPT', name: '.', udpPayloadSize: r.pick(EDNS_SIZES), flags: r.chance(0.5) ? dnsPacket.DNSSEC_OK : 0, options: r.chance(0.2) ? [{ code: 10, data: Buffer.alloc(8, 1) }] : [] });
  const flags = (r.chance(0.9) ? 0 : r.pick([1, 2, 4, 5, 6, 15]) << 11) | (r.chance(0.5) ? dnsPacket.RECURSION_DESIRED : 0) | (r.chance(0.1) ? dnsPacket.CHECKING_DISABLED : 0);
  const authorities = type === 'IXFR' || r.chance(0.05) ? [{ type: 'SOA', name: base, ttl: 0, data: { mname: 'a.', rname: 'b.', serial: r.pick([0, 1, 2024010101, 2024010102, 0xffffffff, r.int(0x100000000)]), refresh: 0, retry: 0, expire: 0, minimum: 0 } }] : [];
  const answers = r.chance(0.05) ? [{ type: 'A', name: base, ttl: 1, data: '192.0.2.1' }] : [];
  try {
    return Buffer.from(dnsPacket.encode({ type: 'query', id: r.int(0x10000), flags, questions: [{ type, name, class: r.chance(0.95) ? 'IN' : r.pick(['CH', 'ANY', 'HS']) }], answers, authorities, additionals }));
  } catch {
    return Buffer.from(dnsPacket.encode({ type: 'query', id: 1, questions: [{ type: 'A', name: base, class: 'IN' }] }));
  }
}

/** nextInput: a structured query (sometimes lightly mutated) or a mutated seed. */
function nextInput(ctx) {
  const { r, seeds, system } = ctx;
  if (r.chance(0.3)) {
    const q = structuredQuery(r, system.names);
    return r.chance(0.3) ? mutateBytes(r, q, seeds) : q;
  }
  return mutateBytes(r, r.pick(seeds).octets, seeds);
}

// ---------------------------------------------------------------------------------------------
// Mutators.

const BYTE_VALUES = [0x00, 0x01, 0x02, 0x3f, 0x40, 0x7f, 0x80, 0xc0, 0xc1, 0xfe, 0xff];
const U16_VALUES = [0, 1, 2, 12, 41, 250, 251, 252, 253, 255, 0x7fff, 0x8000, 0xc00c, 0xfffe, 0xffff];

/** mutateBytes returns a mutated copy of a seed (1 to 8 stacked mutations, or noise). */
export function mutateBytes(r, seed, seeds) {
  if (r.chance(0.03)) {
    const noise = Buffer.alloc(r.int(600));
    for (let i = 0; i < noise.length; i++) noise[i] = r.int(256);
    return noise;
  }
  let b = Buffer.from(seed);
  const n = 1 + (r.chance(0.5) ? 0 : r.int(8));
  for (let k = 0; k < n; k++) {
    const len = b.length;
    const at = len === 0 ? 0 : r.int(len);
    switch (r.int(13)) {
      case 0:
        if (len > 0) b[at] ^= 1 << r.int(8);
        break;
      case 1:
        if (len > 0) b[at] = r.pick(BYTE_VALUES);
        break;
      case 2:
        if (len > 1) b.writeUInt16BE(r.pick(U16_VALUES), r.int(len - 1));
        break;
      case 3: // header counts (QD, AN, NS, AR)
        if (len >= 12) b.writeUInt16BE(r.chance(0.5) ? r.int(4) : r.pick(U16_VALUES), 4 + 2 * r.int(4));
        break;
      case 4: {
        const ins = Buffer.alloc(1 + r.int(16));
        for (let i = 0; i < ins.length; i++) ins[i] = r.int(256);
        b = Buffer.concat([b.subarray(0, at), ins, b.subarray(at)]);
        break;
      }
      case 5:
        b = Buffer.concat([b.subarray(0, at), b.subarray(Math.min(len, at + 1 + r.int(32)))]);
        break;
      case 6: {
        const end = Math.min(len, at + 1 + r.int(64));
        b = Buffer.concat([b.subarray(0, end), b.subarray(at, end), b.subarray(end)]);
        break;
      }
      case 7:
        b = b.subarray(0, r.int(len + 1));
        break;
      case 8: {
        const other = r.pick(seeds).octets;
        const from = r.int(other.length + 1);
        b = Buffer.concat([b.subarray(0, at), other.subarray(from)]);
        break;
      }
      case 9: // a compression pointer, often to a plausible target
        if (len > 1) {
          const p = Math.min(len - 2, at);
          b[p] = 0xc0 | r.int(4);
          b[p + 1] = r.chance(0.5) ? 12 : r.int(256);
        }
        break;
      case 10: // a label length
        if (len > 0) b[at] = r.chance(0.5) ? r.int(64) : 63 + r.int(3);
        break;
      case 11: // flags: opcode, QR, TC, RD, Z, rcode
        if (len >= 4) b.writeUInt16BE(r.chance(0.7) ? (r.int(16) << 11) | r.int(0x7ff) : r.int(0x10000), 2);
        break;
      default: // a 32-bit field (TTL, serial, OPT TTL) to an extreme
        if (len > 3) b.writeUInt32BE(r.pick([0, 1, 0x7fffffff, 0x80000000, 0xffffffff, 0x00010000]), r.int(len - 3));
    }
  }
  // Most requests keep QR clear, so the dispatcher goes past its first check.
  if (b.length >= 3 && r.chance(0.8)) b[2] &= 0x7f;
  return b;
}

const ZONE_TOKENS = [
  '$ORIGIN', '$TTL', '$INCLUDE', '$GENERATE', '(', ')', '"', '\\', '\\#', '\\000', '\\255', '\\999', '\\', ';', '@', '*', 'IN', 'CH', 'CLASS65535',
  'TYPE65535', 'TYPE0', 'SOA', 'A', 'AAAA', 'TXT', 'MX', 'SRV', 'SVCB', 'HTTPS', 'CAA', 'LOC', 'NSEC', 'NSEC3', 'NSEC3PARAM', 'RRSIG', 'DNSKEY', 'DS',
  'TLSA', 'APL', 'NAPTR', 'CERT', 'IPSECKEY', 'HIP', 'URI', 'OPENPGPKEY', 'CNAME', 'DNAME', 'NS', 'PTR', 'HINFO', 'SSHFP', 'ZONEMD', 'CSYNC', 'KX',
  '4294967295', '4294967296', '-1', '0', '65535', '65536', '1w2d3h4m5s', '99999999999999999999', 'x'.repeat(64), 'y'.repeat(300), '.', '..', 'a.b.',
  'mandatory=alpn', 'alpn=h2,h3', 'ipv4hint=1.2.3.4', 'key65535=\\000', 'ech=AAAA', 'port=99999', '1-10', '1-300/7', '${0,3,x}', '${-1}', '${1,9,o}',
  '=', ',', '\\.', '\\\\', '\t', '\r\n', '\n', '\u00e9', '\ud83d\ude00', '2001:db8::1', '192.0.2.1', '::ffff:1.2.3.4', '1.2.3', 'AAAA====', '0x10',
  '52 22 23.000 N 4 53 32.000 E -2.00m 0.00m 10000m 10m', '1:192.0.2.0/24', '!2:2001:db8::/32',
];

/** mutateText returns a mutated zone-file text: line edits, tokens, characters, truncation. */
export function mutateText(r, seed, seeds) {
  let lines = seed.split('\n');
  if (lines.length > 40 && r.chance(0.8)) {
    // A window of the file keeps inputs small; the head keeps $ORIGIN/$TTL/SOA most of the time.
    const from = r.chance(0.5) ? 0 : r.int(lines.length);
    lines = lines.slice(from, from + 5 + r.int(35));
  }
  const n = 1 + r.int(6);
  for (let k = 0; k < n; k++) {
    const i = r.int(Math.max(1, lines.length));
    const line = lines[i] ?? '';
    switch (r.int(9)) {
      case 0:
        lines.splice(i, 1);
        break;
      case 1:
        lines.splice(i, 0, line);
        break;
      case 2: {
        const j = r.int(lines.length);
        [lines[i], lines[j]] = [lines[j] ?? '', line];
        break;
      }
      case 3: {
        const at = r.int(line.length + 1);
        lines[i] = `${line.slice(0, at)}${r.chance(0.5) ? ' ' : ''}${r.pick(ZONE_TOKENS)}${r.chance(0.5) ? ' ' : ''}${line.slice(at)}`;
        break;
      }
      case 4: {
        const words = line.split(/(\s+)/);
        if (words.length > 0) words[r.int(words.length)] = r.pick(ZONE_TOKENS);
        lines[i] = words.join('');
        break;
      }
      case 5: {
        const at = r.int(line.length + 1);
        lines[i] = line.slice(0, at) + String.fromCharCode(r.chance(0.9) ? 32 + r.int(95) : r.int(0x3000)) + line.slice(at + (r.chance(0.5) ? 1 : 0));
        break;
      }
      case 6: {
        const other = r.pick(seeds).text.split('\n');
        lines.splice(i, 0, ...other.slice(r.int(other.length), r.int(other.length) + 3));
        break;
      }
      case 7:
        lines[i] = line.slice(0, r.int(line.length + 1));
        break;
      default:
        lines.splice(i, 0, `${r.pick(['@', 'x', '*', 'a.b', '', ' '])} ${r.pick(['', '3600 ', 'IN ', '60 IN '])}${r.pick(ZONE_TOKENS)} ${r.pick(ZONE_TOKENS)} ${r.pick(ZONE_TOKENS)}`);
    }
  }
  return lines.join(r.chance(0.05) ? '\r\n' : '\n');
}

/** generateCount is the records a text's $GENERATE lines ask for (the parser allows 2^20 each). */
function generateCount(text) {
  let n = 0;
  for (const m of text.matchAll(/\$GENERATE\s+(\d{1,10})-(\d{1,10})(?:\/(\d{1,10}))?/gi)) {
    const span = Math.floor((Number(m[2]) - Number(m[1])) / Number(m[3] ?? 1)) + 1;
    if (span > 0) n += span;
  }
  return n;
}

// ---------------------------------------------------------------------------------------------
// The system under test: zones, hooks, dispatcher, server.

function zoneFromFile(mods, file, originText) {
  const origin = mods.wire.nameFromTrusted(originText);
  const parsed = mods.zoneFile.parseZoneFile(readFileSync(join(FIXTURES, 'zones', file), 'utf8'), { origin, defaultTtl: 3600 });
  if (!parsed.ok) throw new Error(`fixture ${file}: ${JSON.stringify(parsed.error)}`);
  return build(mods, origin, parsed.value.records);
}

function build(mods, origin, records) {
  const b = new mods.zone.ZoneBuilder(origin);
  const added = b.addAll(records);
  if (!added.ok) throw new Error(`zone ${origin}: ${JSON.stringify(added.error)}`);
  const built = b.build();
  if (!built.ok) throw new Error(`zone ${origin}: ${JSON.stringify(built.error)}`);
  return built.value;
}

/** xfrZone rebuilds xfr.test. (3000 A records) from the knotd AXFR capture. */
function xfrZone(mods) {
  const j = JSON.parse(readFileSync(join(FIXTURES, 'tsig', 'knotd-hmac-sha256-axfr.json'), 'utf8'));
  const rrs = [];
  for (const h of j.messages_hex) {
    const m = mods.wire.decodeMessage(Buffer.from(h, 'hex'));
    if (!m.ok) throw new Error('xfr capture does not decode');
    rrs.push(...m.value.answers);
  }
  rrs.pop(); // the closing SOA
  return build(mods, mods.wire.nameFromTrusted('xfr.test.'), rrs);
}

/** tsigKeys: every key of the TSIG captures, by lower-cased name. */
function tsigKeys(mods) {
  const keys = new Map();
  for (const f of walk(join(FIXTURES, 'tsig'), '.json')) {
    const j = JSON.parse(readFileSync(f, 'utf8'));
    if (j.key === undefined) continue;
    const k = mods.tsig.makeKey(j.key.name, j.key.algorithm, j.key.secret);
    if (k.ok) keys.set(mods.wire.nameKey(k.value.name), k.value);
  }
  return keys;
}

/** createSystem builds zones, hooks (the real TSIG verifier, transfer responder and NOTIFY answer). */
export function createSystem(mods) {
  const { wire } = mods;
  const example = zoneFromFile(mods, 'example.com.zone', 'example.com.');
  // Version 2 of example.com: one record more and serial + 1, so IXFR has a journal entry.
  const parsed = mods.zoneFile.parseZoneFile(readFileSync(join(FIXTURES, 'zones', 'example.com.zone'), 'utf8'), { origin: example.origin, defaultTtl: 3600 });
  const recs = parsed.value.records.map((rr) => (rr.type === wire.RRType.SOA ? { ...rr, rdata: mods.zone.withSoaSerial(rr.rdata, (example.serial + 1) >>> 0) } : rr));
  recs.push({ name: wire.nameFromTrusted('fuzz.example.com.'), type: wire.RRType.A, class: wire.RRClass.IN, ttl: 60, rdata: Uint8Array.from([192, 0, 2, 99]) });
  const example2 = build(mods, example.origin, recs);
  const journal = [mods.zone.computeDiff(example, example2)];
  const versions = [example2, xfrZone(mods), zoneFromFile(mods, 'types.example.zone', 'types.example.'), zoneFromFile(mods, 'dnssec.example.zone', 'dnssec.example.')];
  const table = new mods.query.ZoneTable();
  for (const v of versions) table.set(v.origin, { origin: v.origin, version: v, expired: false });
  const zones = { find: (qname) => table.find(qname)?.value };
  const keys = tsigKeys(mods);
  const keyNames = [...keys.values()].map((k) => k.name);
  const policy = { enabled: true, peers: [{ ip: ALLOWED_REMOTE.address, keyName: null }, ...keyNames.map((keyName) => ({ ip: '127.0.0.1', keyName }))], aclRanges: ['127.0.0.0/8', '192.0.2.0/24'] };
  const transfer = mods.xfrOut.createTransferResponder({
    zone: (qname) => {
      const m = table.find(qname);
      if (m === undefined || wire.nameKey(m.value.origin) !== wire.nameKey(qname)) return undefined;
      const v = m.value.version;
      return { id: v.origin, origin: v.origin, version: v, policy, journal: v === example2 ? journal : [] };
    },
    log: { info() {}, warn() {} },
    now: () => TSIG_NOW,
    writeTimeoutMs: 2000,
  });
  const hooks = {
    tsig: (request) => mods.tsig.verifyRequest(request, (name) => keys.get(wire.nameKey(name)), { now: TSIG_NOW }),
    transfer,
    notify: (request, ctx) => {
      const sign = (m) => (ctx.tsig?.ok ? ctx.tsig.sign(m) : m);
      const q = request.questions[0];
      if (q === undefined || q.type !== wire.RRType.SOA) return sign(mods.notify.notifyResponse(request, wire.Rcode.FormErr));
      return sign(mods.notify.notifyResponse(request, ctx.zone === undefined ? wire.Rcode.NotAuth : wire.Rcode.NoError));
    },
  };
  // Owner names (a sample of each zone) for structured queries.
  const names = [];
  for (const v of versions) {
    let k = 0;
    for (const node of v.nodes()) {
      if (k++ > 200) break;
      names.push(node.name);
    }
  }
  return { zones, hooks, ixfrFrom: example.serial, names: names.length > 0 ? names : ['example.com.'] };
}

/** errorLog is a pino logger that keeps the last error line (the dispatcher logs what it catches). */
function errorLog() {
  const state = { last: '' };
  const logger = pino({ level: 'error' }, { write: (line) => void (state.last = line) });
  return { logger, state };
}

// ---------------------------------------------------------------------------------------------
// Checks.

/** udpLimit is the largest answer a UDP request allows (RFC 1035 §4.2.1, RFC 6891 §6.2.5). */
function udpLimit(mods, req) {
  const d = mods.wire.decodeMessage(req);
  if (!d.ok || d.value.edns === undefined) return 512;
  return Math.max(512, Math.min(d.value.edns.udpSize, UDP_MAX));
}

/** answerProblem checks an answer: decodes, QR set, ID echoed, within `limit`. */
function answerProblem(mods, req, out, limit) {
  if (!(out instanceof Uint8Array)) return `answer is not octets: ${typeof out}`;
  if (out.length > limit) return `answer of ${out.length} octets over the limit ${limit}`;
  const d = mods.wire.decodeMessage(out);
  if (!d.ok) return `answer does not decode: ${JSON.stringify(d.error)}`;
  if ((d.value.header.flags & 0x8000) === 0) return 'answer without QR';
  if (req.length >= 2 && d.value.header.id !== ((req[0] << 8) | req[1])) return 'answer with another ID';
  return undefined;
}

function within(promise, ms) {
  let timer;
  return Promise.race([
    promise.then((v) => ({ v }), (e) => ({ rejected: e })),
    new Promise((resolve) => {
      timer = setTimeout(() => resolve({ timeout: true }), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

// ---------------------------------------------------------------------------------------------
// Memory and hangs.

let gcFn;
/** gc runs a full collection when one can be had (--expose-gc, or enabled at run time). */
export function gc() {
  if (gcFn === undefined) {
    if (typeof globalThis.gc === 'function') gcFn = globalThis.gc;
    else {
      setFlagsFromString('--expose-gc');
      gcFn = runInNewContext('gc');
    }
  }
  gcFn();
  gcFn();
}

function heapMb() {
  gc();
  const m = process.memoryUsage();
  return (m.heapUsed + m.external) / (1024 * 1024);
}

/**
 * Watchdog: a worker that sees the input being tried (shared memory) and, when a synchronous
 * target has not returned for hangMs, writes that input as a finding and kills the process (the
 * main thread is stuck, so nothing else could).
 */
class Watchdog {
  constructor(hangMs, dir) {
    this.ctrl = new Int32Array(new SharedArrayBuffer(16));
    this.data = new Uint8Array(new SharedArrayBuffer(1 << 20));
    this.worker = new Worker(new URL('./watchdog.mjs', import.meta.url), { workerData: { ctrl: this.ctrl, data: this.data, hangMs, dir } });
    this.worker.unref();
  }

  /** arm records the input about to run under target number `t`. */
  arm(t, input) {
    const n = Math.min(input.length, this.data.length);
    this.data.set(input.subarray(0, n));
    Atomics.store(this.ctrl, 1, n);
    Atomics.store(this.ctrl, 2, t);
    Atomics.store(this.ctrl, 3, 1);
    Atomics.add(this.ctrl, 0, 1);
  }

  disarm() {
    Atomics.store(this.ctrl, 3, 0);
  }

  stop() {
    return this.worker.terminate();
  }
}

export const TARGETS = ['decoder', 'zone-file', 'dispatcher', 'udp', 'tcp'];

// ---------------------------------------------------------------------------------------------
// Targets.

class Tally {
  constructor(name) {
    this.name = name;
    this.inputs = 0;
    this.crashes = 0;
    this.hangs = 0;
    this.invalid = 0;
    this.internalErrors = 0;
    this.skipped = 0;
    this.slowestMs = 0;
    this.ms = 0;
    this.heapBeforeMb = 0;
    this.heapAfterMb = 0;
    /** outcomes counts what the inputs led to (decode error kinds, rcodes, parse results). */
    this.outcomes = {};
  }

  saw(outcome) {
    this.outcomes[outcome] = (this.outcomes[outcome] ?? 0) + 1;
  }
}

const RCODES = ['NOERROR', 'FORMERR', 'SERVFAIL', 'NXDOMAIN', 'NOTIMP', 'REFUSED', 'YXDOMAIN', 'YXRRSET', 'NXRRSET', 'NOTAUTH', 'NOTZONE'];
function rcodeOf(out) {
  return out.length < 4 ? 'short' : (RCODES[out[3] & 0xf] ?? `rcode${out[3] & 0xf}`);
}

/** Findings writes each failing input once, as fixtures/malformed/fuzz/<target>-<sha1>.hex. */
class Findings {
  constructor(dir, write) {
    this.dir = dir;
    this.write = write;
    this.list = [];
    this.seen = new Set();
  }

  add(target, input, reason) {
    const digest = createHash('sha1').update(input).digest('hex').slice(0, 12);
    const file = `${target}-${digest}.hex`;
    if (this.seen.has(file)) return;
    this.seen.add(file);
    this.list.push({ target, file, reason });
    if (!this.write) return;
    mkdirSync(this.dir, { recursive: true });
    const hex = Buffer.from(input).toString('hex').replace(/(.{64})/g, '$1\n');
    writeFileSync(join(this.dir, file), `; fuzz finding (${new Date().toISOString()}): ${reason.replace(/\s+/g, ' ').slice(0, 300)}\n; target: ${target}\n${hex}\n`);
  }
}

function fuzzDecoder(ctx, n, t) {
  const { mods, r, seeds, findings, watchdog } = ctx;
  for (let i = 0; i < n; i++) {
    const input = mutateBytes(r, r.pick(seeds).octets, seeds);
    watchdog?.arm(0, input);
    const start = performance.now();
    try {
      const d = mods.wire.decodeMessage(input);
      if (typeof d !== 'object' || d === null || typeof d.ok !== 'boolean') throw new Error('decodeMessage returned no Result');
      t.saw(d.ok ? (d.value.tsig !== undefined ? 'ok+tsig' : d.value.edns !== undefined ? 'ok+edns' : 'ok') : `error:${d.error.reason}`);
    } catch (e) {
      t.crashes++;
      findings.add('decoder', input, `decodeMessage threw: ${e?.stack ?? e}`);
    }
    const ms = performance.now() - start;
    if (ms > t.slowestMs) t.slowestMs = ms;
    t.inputs++;
  }
  watchdog?.disarm();
}

function fuzzZoneFile(ctx, n, t) {
  const { mods, r, zoneSeeds, findings, watchdog } = ctx;
  const origins = ['example.com.', 'types.example.', 'dnssec.example.', 'big.example.'].map((o) => mods.wire.nameFromTrusted(o));
  for (let i = 0; i < n; i++) {
    const text = mutateText(r, r.pick(zoneSeeds).text, zoneSeeds);
    // $GENERATE may legally ask for 2^20 records (seconds of work); those are skipped, not run.
    if (generateCount(text) > 10_000) {
      t.skipped++;
      continue;
    }
    const input = Buffer.from(text, 'utf8');
    watchdog?.arm(1, input);
    const start = performance.now();
    try {
      const origin = r.chance(0.8) ? r.pick(origins) : undefined;
      const parsed = mods.zoneFile.parseZoneFile(text, { ...(origin !== undefined ? { origin } : {}), defaultTtl: r.chance(0.5) ? 3600 : undefined, allowInclude: false });
      if (typeof parsed?.ok !== 'boolean') throw new Error('parseZoneFile returned no Result');
      if (parsed.ok) {
        const b = new mods.zone.ZoneBuilder(parsed.value.origin);
        const added = b.addAll(parsed.value.records);
        const built = added.ok ? b.build() : added;
        t.saw(built.ok ? 'zone built' : 'parsed, zone refused');
      } else {
        t.saw('parse error');
      }
    } catch (e) {
      t.crashes++;
      findings.add('zone-file', input, `parseZoneFile/ZoneBuilder threw: ${e?.stack ?? e}`);
    }
    const ms = performance.now() - start;
    if (ms > t.slowestMs) t.slowestMs = ms;
    t.inputs++;
  }
  watchdog?.disarm();
}

/** CollectSink stands in for a TCP connection: checks every message a transfer writes. */
class CollectSink {
  constructor(mods) {
    this.mods = mods;
    this.problem = undefined;
    this.messages = 0;
  }

  write(m) {
    this.messages++;
    if (this.problem === undefined) {
      if (m.length > 65535) this.problem = `transfer message of ${m.length} octets`;
      else if (!this.mods.wire.decodeMessage(m).ok) this.problem = 'transfer message does not decode';
    }
    return this.messages % 64 === 0 ? new Promise((resolve) => setImmediate(resolve)) : Promise.resolve();
  }

  writeParts(parts) {
    return this.write(Buffer.concat(parts));
  }

  abort() {
    this.aborted = true;
  }
}

async function fuzzDispatcher(ctx, n, t) {
  const { mods, r, findings, watchdog, system } = ctx;
  const log = errorLog();
  const d = new mods.server.Dispatcher({ zones: system.zones, logger: log.logger, udpMaxPayload: UDP_MAX, hooks: system.hooks });
  for (let i = 0; i < n; i++) {
    const input = nextInput(ctx);
    const tcp = r.chance(0.3);
    const remote = r.chance(0.7) ? ALLOWED_REMOTE : OTHER_REMOTE;
    const sink = new CollectSink(mods);
    const internal = d.stats.internalErrors;
    watchdog?.arm(2, input);
    const start = performance.now();
    let out;
    try {
      out = d.dispatch(input, tcp ? 'tcp' : 'udp', remote, tcp ? sink : undefined);
    } catch (e) {
      t.crashes++;
      findings.add('dispatcher', input, `dispatch threw (${tcp ? 'tcp' : 'udp'}): ${e?.stack ?? e}`);
      t.inputs++;
      continue;
    }
    watchdog?.disarm();
    if (out instanceof Promise) {
      const settled = await within(out, ctx.hangMs);
      if (settled.timeout) {
        t.hangs++;
        findings.add('dispatcher', input, `dispatch promise unsettled after ${ctx.hangMs} ms (${tcp ? 'tcp' : 'udp'})`);
      } else if (settled.rejected !== undefined) {
        t.crashes++;
        findings.add('dispatcher', input, `dispatch promise rejected: ${settled.rejected?.stack ?? settled.rejected}`);
      }
      out = settled.v;
    }
    const ms = performance.now() - start;
    if (ms > t.slowestMs) t.slowestMs = ms;
    const problem = (out === undefined ? undefined : answerProblem(mods, input, out, tcp ? 65535 : udpLimit(mods, input))) ?? sink.problem;
    if (problem !== undefined) {
      t.invalid++;
      findings.add('dispatcher', input, `${tcp ? 'tcp' : 'udp'}: ${problem}`);
    }
    t.saw(out instanceof Uint8Array ? rcodeOf(out) : sink.messages > 0 ? 'transfer streamed' : 'dropped');
    if (d.stats.internalErrors !== internal) {
      t.internalErrors++;
      findings.add('dispatcher', input, `internal error caught by the dispatcher (${tcp ? 'tcp' : 'udp'}): ${log.state.last.slice(0, 400)}`);
    }
    t.inputs++;
  }
}

const PROBE = Buffer.from(dnsPacket.encode({ type: 'query', id: 0xbeef, flags: 0, questions: [{ type: 'A', name: 'www.example.com', class: 'IN' }] }));

function probeOk(mods, out) {
  if (out === undefined) return false;
  const d = mods.wire.decodeMessage(out);
  return d.ok && d.value.header.id === 0xbeef && (d.value.header.flags & 0xf) === 0 && d.value.answers.length > 0;
}

/** udpProbe asks for www.example.com A until answered (3 tries). */
async function udpProbe(mods, port) {
  for (let i = 0; i < 3; i++) {
    const s = createSocket('udp4');
    const got = await new Promise((resolve) => {
      const timer = setTimeout(() => resolve(undefined), 1000);
      s.on('message', (m) => {
        if (m.length >= 2 && m.readUInt16BE(0) === 0xbeef) {
          clearTimeout(timer);
          resolve(m);
        }
      });
      s.send(PROBE, port, '127.0.0.1');
    });
    s.close();
    if (probeOk(mods, got)) return true;
  }
  return false;
}

async function fuzzUdp(ctx, n, t, server) {
  const { mods, findings } = ctx;
  const port = server.addresses()[0].port;
  const s = createSocket('udp4');
  await new Promise((resolve) => s.bind(0, '127.0.0.1', resolve));
  // IDs are handed out in sequence, so one is reused only 65 536 inputs later: an answer is always
  // checked against the request that earned it (a late answer from an earlier burst included).
  const sent = new Map();
  let seq = 0;
  s.on('message', (m) => {
    const id = m.length >= 2 ? m.readUInt16BE(0) : -1;
    const req = sent.get(id);
    const problem = answerProblem(mods, req ?? Buffer.alloc(0), m, req === undefined ? UDP_MAX : udpLimit(mods, req));
    if (problem !== undefined && !(req === undefined && problem === 'answer with another ID')) {
      t.invalid++;
      findings.add('udp', req ?? m, `udp answer: ${problem}`);
    }
  });
  const internal = server.stats.internalErrors;
  for (let i = 0; i < n; i += 100) {
    const burst = Math.min(100, n - i);
    for (let k = 0; k < burst; k++) {
      const input = nextInput(ctx);
      if (input.length >= 2) {
        const id = seq++ & 0xffff;
        input.writeUInt16BE(id, 0);
        sent.set(id, input);
        sent.delete((id + 0x8000) & 0xffff);
      }
      await new Promise((resolve) => s.send(input, port, '127.0.0.1', () => resolve()));
      t.inputs++;
    }
    await new Promise((resolve) => setTimeout(resolve, 5));
    if ((i / 100) % 20 === 0 && !(await udpProbe(mods, port))) {
      t.hangs++;
      findings.add('udp', Buffer.concat([...sent.values()].map((b) => Buffer.concat([Buffer.from([b.length >> 8, b.length & 255]), b]))), 'udp listener stopped answering after this burst');
      break;
    }
  }
  await new Promise((resolve) => setTimeout(resolve, 50));
  s.close();
  t.internalErrors += server.stats.internalErrors - internal;
  if (!(await udpProbe(mods, port))) t.hangs++;
}

/** tcpSession writes framed inputs (sometimes badly framed, in odd chunks) and reads until close. */
function tcpSession(mods, r, port, inputs, t, findings) {
  return new Promise((resolve) => {
    const sock = connect({ host: '127.0.0.1', port });
    let buf = Buffer.alloc(0);
    let answers = 0;
    const timer = setTimeout(() => {
      sock.destroy();
      resolve({ answers, timedOut: true });
    }, 8000);
    sock.on('data', (chunk) => {
      buf = Buffer.concat([buf, chunk]);
      while (buf.length >= 2) {
        const len = buf.readUInt16BE(0);
        if (buf.length < 2 + len) break;
        const m = buf.subarray(2, 2 + len);
        buf = buf.subarray(2 + len);
        answers++;
        const d = mods.wire.decodeMessage(m);
        if (!d.ok || (d.value.header.flags & 0x8000) === 0) {
          t.invalid++;
          findings.add('tcp', Buffer.concat(inputs), `tcp answer does not decode or lacks QR: ${d.ok ? 'QR clear' : JSON.stringify(d.error)}`);
        }
      }
    });
    sock.on('error', () => undefined);
    sock.on('close', () => {
      clearTimeout(timer);
      resolve({ answers, timedOut: false });
    });
    sock.on('connect', async () => {
      const framed = inputs.map((m) => {
        const len = r.chance(0.05) ? r.int(0x10000) : m.length;
        return Buffer.concat([Buffer.from([len >> 8, len & 255]), m]);
      });
      const stream = Buffer.concat(framed);
      // Split the stream at random points, some writes a tick apart.
      let at = 0;
      while (at < stream.length) {
        const step = r.chance(0.3) ? 1 + r.int(3) : 1 + r.int(stream.length);
        if (!sock.writable) break;
        sock.write(stream.subarray(at, at + step));
        at += step;
        if (r.chance(0.2)) await new Promise((res) => setImmediate(res));
      }
      if (sock.writable) sock.end();
    });
  });
}

async function tcpProbe(mods, port) {
  return new Promise((resolve) => {
    const sock = connect({ host: '127.0.0.1', port });
    let buf = Buffer.alloc(0);
    const timer = setTimeout(() => {
      sock.destroy();
      resolve(false);
    }, 2000);
    sock.on('error', () => resolve(false));
    sock.on('data', (c) => {
      buf = Buffer.concat([buf, c]);
      if (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
        clearTimeout(timer);
        sock.destroy();
        resolve(probeOk(mods, buf.subarray(2, 2 + buf.readUInt16BE(0))));
      }
    });
    sock.on('connect', () => sock.write(Buffer.concat([Buffer.from([0, PROBE.length]), PROBE])));
  });
}

async function fuzzTcp(ctx, n, t, server) {
  const { mods, r, findings } = ctx;
  const port = server.addresses()[0].port;
  const internal = server.stats.internalErrors;
  const per = 20;
  for (let i = 0; i < n; i += per * 4) {
    const sessions = [];
    for (let c = 0; c < 4 && i + c * per < n; c++) {
      const inputs = [];
      for (let k = 0; k < Math.min(per, n - i - c * per); k++) inputs.push(nextInput(ctx));
      t.inputs += inputs.length;
      sessions.push(tcpSession(mods, r, port, inputs, t, findings).then((res) => ({ res, inputs })));
    }
    for (const { res, inputs } of await Promise.all(sessions)) {
      if (res.timedOut) {
        t.hangs++;
        findings.add('tcp', Buffer.concat(inputs.map((b) => Buffer.concat([Buffer.from([b.length >> 8, b.length & 255]), b]))), 'tcp connection neither answered nor closed within 8 s of the client finishing');
      }
    }
    if ((i / (per * 4)) % 10 === 0 && !(await tcpProbe(mods, port))) {
      t.hangs++;
      break;
    }
  }
  // Every connection must be gone once the clients are.
  for (let w = 0; w < 100 && server.stats.snapshot().tcp.open > 0; w++) await new Promise((resolve) => setTimeout(resolve, 20));
  const open = server.stats.snapshot().tcp.open;
  if (open > 0) {
    t.hangs++;
    findings.add('tcp', Buffer.from(`open=${open}`), `${open} TCP connections still open after every client closed`);
  }
  t.internalErrors += server.stats.internalErrors - internal;
  if (!(await tcpProbe(mods, port))) t.hangs++;
}

// ---------------------------------------------------------------------------------------------

/** split divides `total` inputs among the targets by DEFAULT_SPLIT (or `only` one target). */
export function split(total, only) {
  const shares = { decoder: DEFAULT_SPLIT.decoder, 'zone-file': DEFAULT_SPLIT.zoneFile, dispatcher: DEFAULT_SPLIT.dispatcher, udp: DEFAULT_SPLIT.udp, tcp: DEFAULT_SPLIT.tcp };
  const out = {};
  for (const name of TARGETS) out[name] = only === undefined ? Math.round(total * shares[name]) : name === only ? total : 0;
  return out;
}

/**
 * runFuzz tries `counts[target]` inputs on each target and returns the tallies and findings.
 * options: { counts, seed, hangMs = 5000, writeFindings = true, findingsDir, watchdog = true, log }.
 */
export async function runFuzz(mods, options) {
  const seed = options.seed >>> 0;
  const hangMs = options.hangMs ?? 5000;
  const log = options.log ?? (() => undefined);
  const dir = options.findingsDir ?? FINDINGS_DIR;
  const findings = new Findings(dir, options.writeFindings ?? true);
  const corpus = loadCorpus();
  const system = createSystem(mods);
  const seeds = [...corpus.wire, ...generatedQueries(system)];
  const watchdog = options.watchdog === false ? undefined : new Watchdog(Math.max(hangMs, 10_000), dir);
  const ctx = { mods, r: rng(seed), seeds, zoneSeeds: corpus.zones, findings, watchdog, system, hangMs };
  const tallies = [];
  const heapStart = heapMb();
  let server;
  try {
    for (const name of TARGETS) {
      const n = options.counts[name] ?? 0;
      if (n <= 0) continue;
      const t = new Tally(name);
      t.heapBeforeMb = heapMb();
      const start = performance.now();
      if (name === 'udp' || name === 'tcp') {
        server ??= await mods.server.startDnsServer({
          listen: [{ host: '127.0.0.1', port: 0 }],
          zones: system.zones,
          limits: { tcpIdleTimeoutMs: 2000, tcpMaxConnections: 256, tcpMaxConnectionsPerClient: 64, udpMaxPayload: UDP_MAX },
          logger: errorLog().logger,
          hooks: system.hooks,
          closeGraceMs: 1000,
        });
        if (name === 'udp') await fuzzUdp(ctx, n, t, server);
        else await fuzzTcp(ctx, n, t, server);
      } else if (name === 'decoder') fuzzDecoder(ctx, n, t);
      else if (name === 'zone-file') fuzzZoneFile(ctx, n, t);
      else await fuzzDispatcher(ctx, n, t);
      t.ms = performance.now() - start;
      t.heapAfterMb = heapMb();
      tallies.push(t);
      log(
        `[fuzz] ${name}: ${t.inputs} inputs in ${(t.ms / 1000).toFixed(1)} s, crashes ${t.crashes}, hangs ${t.hangs}, invalid answers ${t.invalid}, ` +
          `internal errors ${t.internalErrors}${t.skipped ? `, skipped ${t.skipped}` : ''}, slowest ${t.slowestMs.toFixed(1)} ms, heap ${t.heapBeforeMb.toFixed(1)} → ${t.heapAfterMb.toFixed(1)} MB`,
      );
      const seen = Object.entries(t.outcomes).sort((a, b) => b[1] - a[1]);
      if (seen.length > 0) log(`[fuzz]   outcomes: ${seen.map(([k, v]) => `${k} ${v}`).join(', ')}`);
    }
  } finally {
    await server?.close();
    await watchdog?.stop();
  }
  const heapEnd = heapMb();
  const sum = (k) => tallies.reduce((a, t) => a + t[k], 0);
  return {
    seed,
    targets: tallies,
    inputs: sum('inputs'),
    crashes: sum('crashes'),
    hangs: sum('hangs'),
    invalid: sum('invalid'),
    internalErrors: sum('internalErrors'),
    heapStartMb: heapStart,
    heapEndMb: heapEnd,
    findings: findings.list,
  };
}

/** replay runs every stored finding (fixtures/malformed/**) through the targets once (regression). */
export async function replay(mods) {
  const { wire, zones } = loadCorpus();
  const system = createSystem(mods);
  const log = errorLog();
  const d = new mods.server.Dispatcher({ zones: system.zones, logger: log.logger, udpMaxPayload: UDP_MAX, hooks: system.hooks });
  const problems = [];
  for (const { label, octets } of wire) {
    try {
      mods.wire.decodeMessage(octets);
      for (const transport of ['udp', 'tcp']) {
        const sink = new CollectSink(mods);
        let out = d.dispatch(octets, transport, ALLOWED_REMOTE, transport === 'tcp' ? sink : undefined);
        if (out instanceof Promise) out = await out;
        const problem = (out === undefined ? undefined : answerProblem(mods, octets, out, transport === 'tcp' ? 65535 : udpLimit(mods, octets))) ?? sink.problem;
        if (problem !== undefined) problems.push(`${label} (${transport}): ${problem}`);
      }
    } catch (e) {
      problems.push(`${label}: threw ${e?.message ?? e}`);
    }
  }
  for (const { label, text } of zones) {
    try {
      mods.zoneFile.parseZoneFile(text, { origin: mods.wire.nameFromTrusted('example.com.'), defaultTtl: 3600 });
    } catch (e) {
      problems.push(`${label}: threw ${e?.message ?? e}`);
    }
  }
  if (d.stats.internalErrors > 0) problems.push(`internal errors: ${d.stats.internalErrors} (${log.state.last.slice(0, 300)})`);
  return { inputs: wire.length * 2 + zones.length, problems };
}
