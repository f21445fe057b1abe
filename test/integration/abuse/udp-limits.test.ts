// UDP answers through the real listener: never larger than the request allows (512 octets without
// EDNS, RFC 1035 §4.2.1; the advertised size with EDNS, at least 512 and capped by our payload,
// RFC 6891 §6.2.3-§6.2.5), truncated with TC when the answer does not fit and then whole over TCP;
// AXFR over UDP refused (NOTIMP, the server's choice: RFC 5936 §4.2 leaves UDP AXFR undefined);
// IXFR over UDP (RFC 1995 §2) answered incrementally when it fits one datagram, else with the lone
// current SOA; plus a UDP flood during which an ordinary query loop keeps its answers.
import { createSocket } from 'node:dgram';
import dnsPacket from 'dns-packet';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Flag, type Message, RRType, Rcode, decodeMessage } from '../../../src/wire/index.js';
import { type ZoneVersion, computeDiff } from '../../../src/zone/index.js';
import { aRdata, buildZone, exampleTestZone, fullRcode, nameRdata, query, rr, soaRdata, tcpExchange, txtRdata, udpExchange } from '../../helpers/server.js';
import { type AbuseServer, Canary, LIMITS, describeCanary, sleep, startAbuseServer } from './helpers.js';

const OURS = LIMITS.udpMaxPayload;

/** zone: `extra` TXT records whose text carries `tag` (same tag: unchanged records between versions). */
function zone(origin: string, serial: number, extra: number, tag: string): ZoneVersion {
  const records = [
    rr(origin, RRType.SOA, 3600, soaRdata(`ns.${origin}`, `h.${origin}`, serial)),
    rr(origin, RRType.NS, 3600, nameRdata(`ns.${origin}`)),
    rr(`ns.${origin}`, RRType.A, 3600, aRdata('192.0.2.1')),
  ];
  for (let i = 0; i < extra; i++) records.push(rr(`r${i}.${origin}`, RRType.TXT, 300, txtRdata(`${tag}-${i}-${'z'.repeat(60)}`)));
  return buildZone(origin, records);
}

/** ixfr builds an IXFR request carrying the client's SOA serial (RFC 1995 §3). */
function ixfr(origin: string, serial: number, o: { udpSize?: number } = {}): Buffer {
  return dnsPacket.encode({
    type: 'query',
    id: 0x1f1f,
    questions: [{ type: 'IXFR', name: origin, class: 'IN' }],
    authorities: [{ type: 'SOA', name: origin, ttl: 0, data: { mname: 'a.', rname: 'b.', serial, refresh: 0, retry: 0, expire: 0, minimum: 0 } }],
    additionals: o.udpSize === undefined ? [] : [{ type: 'OPT', name: '.', udpPayloadSize: o.udpSize, extendedRcode: 0, ednsVersion: 0, flags: 0, flag_do: false, options: [] }],
  });
}

/** withUdpSize writes the OPT payload size into a query built by query(…, { edns }) (its last RR,
 * 11 octets, no options): dns-packet would turn a size of 0 into 4096. */
function withUdpSize(q: Buffer, size: number): Buffer {
  const out = Buffer.from(q);
  out.writeUInt16BE(size, out.length - 8);
  return out;
}

function decoded(octets: Uint8Array | undefined): Message {
  if (octets === undefined) throw new Error('no answer');
  const d = decodeMessage(octets);
  if (!d.ok) throw new Error(`undecodable answer: ${d.error.reason}`);
  return d.value;
}

function soaSerialOf(m: Message, i: number): number {
  const a = m.answers[i];
  if (a === undefined || a.type !== RRType.SOA) throw new Error(`answer ${i} is not an SOA`);
  return Buffer.from(a.rdata).readUInt32BE(a.rdata.length - 20);
}

describe('UDP limits, AXFR and IXFR over UDP', () => {
  let s: AbuseServer;
  // small.test.: 1 → 2 adds one record (fits a datagram). large.test.: 1 → 2 replaces 60 records (does not).
  const small1 = zone('small.test.', 1, 3, 'same');
  const small2 = zone('small.test.', 2, 4, 'same');
  const large1 = zone('large.test.', 1, 60, 'one');
  const large2 = zone('large.test.', 2, 60, 'two');

  beforeAll(async () => {
    s = await startAbuseServer({
      zones: [small2, large2],
      journals: new Map([
        [small2.origin, [computeDiff(small1, small2)]],
        [large2.origin, [computeDiff(large1, large2)]],
      ]),
    });
  });
  afterAll(async () => {
    await s?.close();
  });

  it('never answers larger than the request allows; TC answers are whole over TCP', async () => {
    expect(exampleTestZone().rrset('big.example.test.', RRType.TXT)).toBeDefined();
    const names: Array<[string, dnsPacket.RecordType]> = [
      ['www.example.test', 'A'], ['medium.example.test', 'TXT'], ['big.example.test', 'TXT'], ['mx.example.test', 'MX'],
      ['mail.example.test', 'A'], ['example.test', 'NS'], ['sub.example.test', 'A'], ['nope.example.test', 'TXT'], ['large.test', 'TXT'],
    ];
    const sizes: Array<number | undefined> = [undefined, 0, 100, 511, 512, 513, 600, 1000, 1231, 1232, 1233, 1400, 4096, 65535];
    let checked = 0;
    let truncated = 0;
    for (const [name, type] of names) {
      for (const udpSize of sizes) {
        for (const dnssec of [false, true]) {
          const q = udpSize === undefined ? query(name, type) : withUdpSize(query(name, type, { edns: { udpSize: 4096, do: dnssec } }), udpSize);
          const out = await udpExchange('127.0.0.1', s.port, q);
          const m = decoded(out);
          const limit = udpSize === undefined ? 512 : Math.min(Math.max(udpSize, 512), OURS);
          expect(out!.length, `${name} ${type} edns ${udpSize}`).toBeLessThanOrEqual(limit);
          expect(m.edns !== undefined).toBe(udpSize !== undefined);
          if (m.edns !== undefined) expect(m.edns.udpSize).toBe(OURS);
          checked++;
          if ((m.header.flags & Flag.TC) !== 0) {
            truncated++;
            // RFC 7766 §5: the client retries over TCP and gets the whole answer.
            const whole = decoded(await tcpExchange('127.0.0.1', s.port, q));
            expect(whole.header.flags & Flag.TC).toBe(0);
            expect(whole.answers.length).toBeGreaterThan(m.answers.length);
          }
        }
      }
    }
    console.log(`[udp] ${checked} UDP answers within their request's limit (512 without EDNS, else the advertised size in [512, ${OURS}]); ${truncated} truncated, each whole over TCP`);
    expect(truncated).toBeGreaterThan(0);
  });

  it('refuses AXFR over UDP with NOTIMP', async () => {
    for (const q of [query('example.test', 'AXFR'), query('example.test', 'AXFR', { edns: { udpSize: 4096 } }), query('small.test', 'AXFR'), query('unknown.test', 'AXFR')]) {
      const m = decoded(await udpExchange('127.0.0.1', s.port, q));
      expect(fullRcode(m)).toBe(Rcode.NotImp);
      expect(m.answers).toHaveLength(0);
    }
    // Over TCP the same AXFR streams the zone.
    const tcp = decoded(await tcpExchange('127.0.0.1', s.port, query('small.test', 'AXFR')));
    expect(fullRcode(tcp)).toBe(Rcode.NoError);
    expect(tcp.answers.length).toBeGreaterThan(3);
  });

  it('answers IXFR over UDP incrementally when it fits, else with the lone current SOA', async () => {
    // Up to date: the lone SOA.
    for (const origin of ['small.test', 'large.test']) {
      const m = decoded(await udpExchange('127.0.0.1', s.port, ixfr(origin, 2)));
      expect(m.answers).toHaveLength(1);
      expect(soaSerialOf(m, 0)).toBe(2);
    }
    // A small diff fits one datagram: SOA 2, SOA 1, removed…, SOA 2, added…, SOA 2.
    const small = await udpExchange('127.0.0.1', s.port, ixfr('small.test', 1));
    const sm = decoded(small);
    expect(small!.length).toBeLessThanOrEqual(512);
    expect(sm.answers.length).toBeGreaterThan(3);
    expect(soaSerialOf(sm, 0)).toBe(2);
    expect(soaSerialOf(sm, 1)).toBe(1);
    // A large diff does not: the lone current SOA tells the client to retry over TCP (RFC 1995 §2).
    for (const udpSize of [undefined, 1232, 4096]) {
      const out = await udpExchange('127.0.0.1', s.port, ixfr('large.test', 1, udpSize === undefined ? {} : { udpSize }));
      const m = decoded(out);
      expect(out!.length).toBeLessThanOrEqual(udpSize === undefined ? 512 : OURS);
      expect(m.answers).toHaveLength(1);
      expect(soaSerialOf(m, 0)).toBe(2);
    }
    // A serial the journal does not reach (a full transfer would be needed): the lone SOA too.
    const old = decoded(await udpExchange('127.0.0.1', s.port, ixfr('small.test', 0x7fff0000)));
    expect(old.answers).toHaveLength(1);
    // Over TCP the large diff is sent whole.
    const tcp = decoded(await tcpExchange('127.0.0.1', s.port, ixfr('large.test', 1)));
    expect(tcp.answers.length).toBeGreaterThan(100);
    // An IXFR without the client's SOA is malformed (RFC 1995 §3).
    const bare = decoded(await udpExchange('127.0.0.1', s.port, query('small.test', 'IXFR')));
    expect(fullRcode(bare)).toBe(Rcode.FormErr);
  });

  it('keeps answering ordinary queries during a UDP flood', { timeout: 60_000 }, async () => {
    const canary = new Canary(s.port);
    const flood = createSocket('udp4');
    await new Promise<void>((resolve) => flood.bind(0, '127.0.0.1', resolve));
    let answers = 0;
    flood.on('message', () => answers++);
    const q = query('big.example.test', 'TXT', { edns: { udpSize: 4096 } });
    const SENT = 50_000;
    for (let i = 0; i < SENT; i++) {
      if (i % 500 === 0) await sleep(1);
      flood.send(q, s.port, '127.0.0.1');
    }
    await sleep(500);
    const r = await canary.stop();
    flood.close();
    console.log(`[udp] flood of ${SENT} queries (${answers} answers received, the rest dropped by socket buffers): canary ${describeCanary(r)}`);
    expect(r.udp.wrong + r.tcp.wrong).toBe(0);
    expect(r.udp.answered).toBeGreaterThan(0);
    expect(r.tcp.answered).toBeGreaterThan(0);
  });
});
