// Unit tests for src/server/dispatch.ts: every dispatch rule with crafted octets, no sockets.
// Drops (short, QR=1), FORMERR (decode failures, QDCOUNT), BADVERS, NOTIMP, NOTIFY/transfer/TSIG
// hooks, REFUSED, SERVFAIL (expired, internal faults), EDNS sizes, TC and additional dropping.
import { readFileSync } from 'node:fs';
import { describe, expect, it, vi } from 'vitest';
import {
  Dispatcher,
  type DispatchResult,
  type DnsHooks,
  type Remote,
  type TransportSink,
  type TsigCheck,
  type ZoneSource,
} from '../../../src/server/index.js';
import {
  EDNS_DO,
  Flag,
  MessageWriter,
  Opcode,
  RRClass,
  RRType,
  Rcode,
  Section,
  nameFromTrusted,
  nameToWire,
  opcodeOf,
  rcodeOf,
} from '../../../src/wire/index.js';
import {
  BIG_TXT_COUNT,
  MAIL_A_COUNT,
  decode,
  exampleTestZone,
  fullRcode,
  query,
  readHexFixtures,
  silentLogger,
  standardZones,
} from '../../helpers/server.js';

const REMOTE: Remote = { address: '192.0.2.200', port: 5353, family: 'IPv4' };

function dispatcher(o: { hooks?: DnsHooks; zones?: ZoneSource; udpMaxPayload?: number } = {}): Dispatcher {
  return new Dispatcher({
    zones: o.zones ?? standardZones(),
    logger: silentLogger(),
    udpMaxPayload: o.udpMaxPayload ?? 1232,
    hooks: o.hooks,
  });
}

/** sync runs a request that must be answered synchronously. */
function sync(r: DispatchResult): Buffer | undefined {
  if (r instanceof Promise) throw new Error('expected a synchronous result');
  return r === undefined ? undefined : Buffer.from(r);
}

function answer(d: Dispatcher, raw: Uint8Array, transport: 'udp' | 'tcp' = 'udp') {
  const out = sync(d.dispatch(raw, transport, REMOTE));
  if (out === undefined) throw new Error('dropped');
  return { out, m: decode(out) };
}

function withHeader(raw: Buffer, patch: (b: Buffer) => void): Buffer {
  const b = Buffer.from(raw);
  patch(b);
  return b;
}

/** tsigRR builds a TSIG RR (RFC 8945 §4.2) with an empty MAC: enough for the decoder to lift it. */
function tsigRR(keyName: string): Uint8Array {
  const owner = nameToWire(nameFromTrusted(keyName));
  const alg = nameToWire(nameFromTrusted('hmac-sha256.'));
  const rdata = Buffer.alloc(alg.length + 16);
  rdata.set(alg, 0);
  let p = alg.length;
  rdata.writeUIntBE(1_700_000_000, p, 6);
  p += 6;
  rdata.writeUInt16BE(300, p); // fudge
  rdata.writeUInt16BE(0, p + 2); // MAC size
  rdata.writeUInt16BE(0x1234, p + 4); // original ID
  rdata.writeUInt16BE(0, p + 6); // error
  rdata.writeUInt16BE(0, p + 8); // other len
  const rrb = Buffer.alloc(owner.length + 10 + rdata.length);
  rrb.set(owner, 0);
  rrb.writeUInt16BE(RRType.TSIG, owner.length);
  rrb.writeUInt16BE(RRClass.ANY, owner.length + 2);
  rrb.writeUInt32BE(0, owner.length + 4);
  rrb.writeUInt16BE(rdata.length, owner.length + 8);
  rrb.set(rdata, owner.length + 10);
  return rrb;
}

function signedQuery(name: string, type: number, id = 0x1234): Buffer {
  const w = new MessageWriter(65535, { compress: false });
  w.header(id, Flag.RD);
  w.question(nameFromTrusted(name), type, RRClass.IN);
  w.rawRecord(Section.Additional, tsigRR('key.example.'));
  return w.finish();
}

describe('dispatch: drops', () => {
  it('drops fewer than 12 octets, including the empty message', () => {
    const d = dispatcher();
    for (let n = 0; n < 12; n++) expect(d.dispatch(new Uint8Array(n), 'udp', REMOTE)).toBeUndefined();
    expect(d.stats.dropped).toBe(12);
  });

  it('drops responses (QR=1), even well-formed ones (RFC 1035 §4.1.1)', () => {
    const d = dispatcher();
    const resp = withHeader(query('www.example.test', 'A'), (b) => (b[2] = b[2]! | 0x80));
    expect(d.dispatch(resp, 'udp', REMOTE)).toBeUndefined();
    expect(d.dispatch(resp, 'tcp', REMOTE)).toBeUndefined();
  });
});

describe('dispatch: FORMERR', () => {
  it('answers a truncated message with FORMERR echoing ID, opcode, RD and the question', () => {
    const d = dispatcher();
    const q = query('www.example.test', 'A', { id: 0xbeef, rd: true });
    const bad = withHeader(q, (b) => b.writeUInt16BE(1, 6)); // ANCOUNT=1 with no answer: a lie
    const { m } = answer(d, bad);
    expect(m.header.id).toBe(0xbeef);
    expect(rcodeOf(m.header.flags)).toBe(Rcode.FormErr);
    expect(m.header.flags & Flag.QR).toBe(Flag.QR);
    expect(m.header.flags & Flag.RD).toBe(Flag.RD);
    expect(opcodeOf(m.header.flags)).toBe(Opcode.Query);
    expect(m.questions).toEqual([{ name: 'www.example.test.', type: RRType.A, class: RRClass.IN }]);
    expect(m.answers).toHaveLength(0);
    expect(m.edns).toBeUndefined();
  });

  it('sends no question when the question itself cannot be parsed', () => {
    const d = dispatcher();
    // Header with QDCOUNT=1, then a label that claims 63 octets but has 3.
    const raw = Buffer.from('abcd' + '0000' + '0001' + '0000' + '0000' + '0000' + '3f616263', 'hex');
    const { m } = answer(d, raw);
    expect(m.header.id).toBe(0xabcd);
    expect(rcodeOf(m.header.flags)).toBe(Rcode.FormErr);
    expect(m.header.qdcount).toBe(0);
  });

  it('answers a pointer loop in the question with FORMERR and no question', () => {
    const d = dispatcher();
    // QDCOUNT=1; the name at offset 12 is a pointer to offset 12.
    const loop = Buffer.from('0007' + '0000' + '0001' + '0000' + '0000' + '0000' + 'c00c' + '00010001', 'hex');
    const { m } = answer(d, loop);
    expect(rcodeOf(m.header.flags)).toBe(Rcode.FormErr);
    expect(m.header.id).toBe(7);
    expect(m.questions).toHaveLength(0);
  });

  it('answers trailing garbage with FORMERR', () => {
    const d = dispatcher();
    const raw = Buffer.concat([query('www.example.test', 'A'), Buffer.from([1, 2, 3])]);
    expect(rcodeOf(answer(d, raw).m.header.flags)).toBe(Rcode.FormErr);
  });

  it('answers two OPT RRs with FORMERR and no OPT (RFC 6891 §6.1.1)', () => {
    const d = dispatcher();
    const q = query('www.example.test', 'A', { edns: { udpSize: 4096 } });
    const opt = q.subarray(q.length - 11);
    const raw = Buffer.concat([q, opt]);
    raw.writeUInt16BE(2, 10);
    const { m } = answer(d, raw);
    expect(rcodeOf(m.header.flags)).toBe(Rcode.FormErr);
    expect(m.edns).toBeUndefined();
  });

  it('answers QDCOUNT 0 and QDCOUNT 2 with FORMERR', () => {
    const d = dispatcher();
    const none = Buffer.alloc(12);
    none.writeUInt16BE(99, 0);
    expect(rcodeOf(answer(d, none).m.header.flags)).toBe(Rcode.FormErr);
    const q = query('www.example.test', 'A');
    const two = Buffer.concat([q, q.subarray(12)]);
    two.writeUInt16BE(2, 4);
    const { m } = answer(d, two);
    expect(rcodeOf(m.header.flags)).toBe(Rcode.FormErr);
    expect(m.questions).toHaveLength(0);
  });

  it('answers a question of type OPT with FORMERR and TKEY with NOTIMP', () => {
    const d = dispatcher();
    const w = new MessageWriter(512);
    w.header(5, 0);
    w.question(nameFromTrusted('www.example.test.'), RRType.OPT, RRClass.IN);
    expect(rcodeOf(answer(d, w.finish()).m.header.flags)).toBe(Rcode.FormErr);
    const t = new MessageWriter(512);
    t.header(6, 0);
    t.question(nameFromTrusted('www.example.test.'), RRType.TKEY, RRClass.IN);
    expect(rcodeOf(answer(d, t.finish()).m.header.flags)).toBe(Rcode.NotImp);
  });
});

describe('dispatch: EDNS (RFC 6891)', () => {
  it('answers with an OPT carrying our payload size when the query had one, none otherwise', () => {
    const d = dispatcher({ udpMaxPayload: 1400 });
    const withOpt = answer(d, query('www.example.test', 'A', { edns: { udpSize: 4096 } })).m;
    expect(withOpt.edns).toMatchObject({ udpSize: 1400, version: 0, extendedRcode: 0, flags: 0 });
    const without = answer(d, query('www.example.test', 'A')).m;
    expect(without.edns).toBeUndefined();
  });

  it('copies DO into the response OPT (RFC 3225 §3)', () => {
    const d = dispatcher();
    const m = answer(d, query('www.example.test', 'A', { edns: { do: true } })).m;
    expect(m.edns!.flags & EDNS_DO).toBe(EDNS_DO);
  });

  it('answers EDNS version 1 with BADVERS in the extended rcode and version 0', () => {
    const d = dispatcher();
    const { m } = answer(d, query('www.example.test', 'A', { id: 77, edns: { version: 1 } }));
    expect(m.header.id).toBe(77);
    expect(rcodeOf(m.header.flags)).toBe(0);
    expect(m.edns).toMatchObject({ version: 0, extendedRcode: 1 });
    expect(fullRcode(m)).toBe(Rcode.BadVers);
    expect(m.questions).toHaveLength(1);
    expect(m.answers).toHaveLength(0);
  });

  it('treats an advertised size below 512 as 512 (RFC 6891 §6.2.3)', () => {
    const d = dispatcher();
    const { out, m } = answer(d, query('medium.example.test', 'TXT', { edns: { udpSize: 100 } }));
    expect(out.length).toBeLessThanOrEqual(512);
    expect(m.header.flags & Flag.TC).toBe(Flag.TC);
  });
});

describe('dispatch: opcodes', () => {
  it.each([
    ['IQUERY', Opcode.IQuery],
    ['STATUS', Opcode.Status],
    ['UPDATE', Opcode.Update],
    ['DSO', Opcode.DSO],
    ['unassigned 15', 15],
  ])('answers %s with NOTIMP, echoing opcode and ID', (_name, opcode) => {
    const d = dispatcher();
    const { m } = answer(d, query('www.example.test', 'A', { id: 4242, opcode, rd: true }));
    expect(rcodeOf(m.header.flags)).toBe(Rcode.NotImp);
    expect(opcodeOf(m.header.flags)).toBe(opcode);
    expect(m.header.id).toBe(4242);
    expect(m.header.flags & Flag.RD).toBe(Flag.RD);
  });

  it('answers NOTIFY with NOTIMP when no notify hook is installed', () => {
    const d = dispatcher();
    const { m } = answer(d, query('example.test', 'SOA', { opcode: Opcode.Notify }));
    expect(rcodeOf(m.header.flags)).toBe(Rcode.NotImp);
    expect(opcodeOf(m.header.flags)).toBe(Opcode.Notify);
  });

  it('hands NOTIFY to the hook with the context, sync or async', async () => {
    const reply = Buffer.from(query('example.test', 'SOA', { opcode: Opcode.Notify }));
    reply[2] = reply[2]! | 0x84; // QR + AA
    const notify = vi.fn().mockReturnValueOnce(reply).mockResolvedValueOnce(reply);
    const d = dispatcher({ hooks: { notify } });
    const raw = query('example.test', 'SOA', { opcode: Opcode.Notify });
    expect(sync(d.dispatch(raw, 'udp', REMOTE))).toEqual(reply);
    await expect(d.dispatch(raw, 'tcp', REMOTE)).resolves.toEqual(reply);
    const [msg, ctx] = notify.mock.calls[0]!;
    expect(msg.questions[0].name).toBe('example.test.');
    expect(ctx).toMatchObject({ transport: 'udp', remote: REMOTE, tsig: undefined, maxSize: 512 });
    expect(ctx.zone.origin).toBe('example.test.');
  });

  it('answers SERVFAIL when the notify hook throws or rejects', async () => {
    const d = dispatcher({
      hooks: {
        notify: vi
          .fn()
          .mockImplementationOnce(() => {
            throw new Error('boom');
          })
          .mockRejectedValueOnce(new Error('later boom')),
      },
    });
    const raw = query('example.test', 'SOA', { opcode: Opcode.Notify });
    expect(rcodeOf(decode(sync(d.dispatch(raw, 'udp', REMOTE))!).header.flags)).toBe(Rcode.ServFail);
    const late = await d.dispatch(raw, 'udp', REMOTE);
    expect(rcodeOf(decode(late!).header.flags)).toBe(Rcode.ServFail);
  });
});

describe('dispatch: zone transfers', () => {
  it('answers AXFR over UDP with NOTIMP (RFC 5936 §4.2; as Knot), even with a hook', () => {
    const transfer = vi.fn();
    const d = dispatcher({ hooks: { transfer } });
    const { m } = answer(d, query('example.test', 'AXFR'));
    expect(rcodeOf(m.header.flags)).toBe(Rcode.NotImp);
    expect(transfer).not.toHaveBeenCalled();
  });

  it('answers AXFR over TCP and IXFR over UDP with REFUSED when no transfer hook exists', () => {
    const d = dispatcher();
    const stream: TransportSink = { write: () => Promise.resolve(), abort: () => {} };
    const axfr = sync(d.dispatch(query('example.test', 'AXFR'), 'tcp', REMOTE, stream))!;
    expect(rcodeOf(decode(axfr).header.flags)).toBe(Rcode.Refused);
    expect(rcodeOf(answer(d, query('example.test', 'IXFR')).m.header.flags)).toBe(Rcode.Refused);
  });

  it('streams AXFR over TCP through the sink', async () => {
    const sent: Uint8Array[] = [];
    const stream: TransportSink = { write: (m) => (sent.push(m), Promise.resolve()), abort: vi.fn() };
    const d = dispatcher({
      hooks: {
        transfer: async (req, ctx, sink) => {
          expect(ctx).toMatchObject({ transport: 'tcp', maxSize: 65535 });
          expect(ctx.zone?.origin).toBe('example.test.');
          await sink.write(Uint8Array.of(1));
          await sink.write(Uint8Array.of(2));
          expect(req.questions[0]!.type).toBe(RRType.AXFR);
        },
      },
    });
    await expect(d.dispatch(query('example.test', 'AXFR'), 'tcp', REMOTE, stream)).resolves.toBeUndefined();
    expect(sent).toEqual([Uint8Array.of(1), Uint8Array.of(2)]);
    expect(d.stats.transfers).toBe(1);
  });

  it('sends the first message of an IXFR over UDP, within the UDP limit', async () => {
    const reply = Buffer.from(query('example.test', 'SOA'));
    reply[2] = reply[2]! | 0x84;
    const d = dispatcher({
      hooks: {
        transfer: async (_req, ctx, sink) => {
          expect(ctx.transport).toBe('udp');
          await sink.write(reply);
          await sink.write(Uint8Array.of(9)); // ignored over UDP
        },
      },
    });
    await expect(d.dispatch(query('example.test', 'IXFR'), 'udp', REMOTE)).resolves.toEqual(reply);
  });

  it('answers SERVFAIL when the transfer hook fails before writing, aborts when after', async () => {
    const abort = vi.fn();
    const stream: TransportSink = { write: () => Promise.resolve(), abort };
    const d = dispatcher({
      hooks: {
        transfer: vi
          .fn()
          .mockRejectedValueOnce(new Error('no zone'))
          .mockImplementationOnce(async (_r, _c, sink: { write(m: Uint8Array): Promise<void> }) => {
            await sink.write(Uint8Array.of(1));
            throw new Error('journal gone');
          }),
      },
    });
    const first = await d.dispatch(query('example.test', 'AXFR'), 'tcp', REMOTE, stream);
    expect(rcodeOf(decode(first!).header.flags)).toBe(Rcode.ServFail);
    await expect(d.dispatch(query('example.test', 'AXFR'), 'tcp', REMOTE, stream)).resolves.toBeUndefined();
    expect(abort).toHaveBeenCalledOnce();
  });
});

describe('dispatch: TSIG', () => {
  it('answers NOTAUTH without a TSIG RR when no tsig hook is installed (gap, RFC 8945 §5.2.1)', () => {
    const d = dispatcher();
    const { m } = answer(d, signedQuery('www.example.test.', RRType.A));
    expect(rcodeOf(m.header.flags)).toBe(Rcode.NotAuth);
    expect(m.tsig).toBeUndefined();
    expect(m.answers).toHaveLength(0);
  });

  it('uses the hook: failure → its response or NOTAUTH; success → reserve and sign', () => {
    const failed: TsigCheck = { ok: false, error: 'BADKEY' };
    const sign = vi.fn((r: Uint8Array) => Buffer.concat([r, Buffer.from('SIG')]));
    const good: TsigCheck = { ok: true, keyName: nameFromTrusted('key.example.'), reserve: 100, sign };
    const tsig = vi.fn().mockReturnValueOnce(failed).mockReturnValueOnce({ ...failed, response: Buffer.from('prebuilt-resp') }).mockReturnValueOnce(good);
    const d = dispatcher({ hooks: { tsig } });
    const raw = signedQuery('www.example.test.', RRType.A);
    expect(rcodeOf(answer(d, raw).m.header.flags)).toBe(Rcode.NotAuth);
    expect(sync(d.dispatch(raw, 'udp', REMOTE))!.toString()).toBe('prebuilt-resp');
    const out = sync(d.dispatch(raw, 'udp', REMOTE))!;
    expect(out.subarray(out.length - 3).toString()).toBe('SIG');
    const m = decode(out.subarray(0, out.length - 3));
    expect(rcodeOf(m.header.flags)).toBe(Rcode.NoError);
    expect(m.answers).toHaveLength(1);
    expect(sign).toHaveBeenCalledOnce();
  });
});

describe('dispatch: standard queries', () => {
  it('answers from the zone: AA, ID/opcode/RD/CD copied, RA clear, question case preserved', () => {
    const d = dispatcher();
    const { m } = answer(d, query('WwW.ExAmPlE.TeSt', 'A', { id: 0x4d2, rd: true, cd: true }));
    expect(m.header.id).toBe(0x4d2);
    expect(m.header.flags & (Flag.QR | Flag.AA | Flag.RD | Flag.CD | Flag.RA | Flag.TC)).toBe(Flag.QR | Flag.AA | Flag.RD | Flag.CD);
    expect(rcodeOf(m.header.flags)).toBe(Rcode.NoError);
    expect(m.questions[0]!.name).toBe('WwW.ExAmPlE.TeSt.');
    expect(m.answers).toHaveLength(1);
    expect(m.answers[0]).toMatchObject({ type: RRType.A, ttl: 300 });
    expect([...m.answers[0]!.rdata]).toEqual([192, 0, 2, 10]);
  });

  it('answers NXDOMAIN and NODATA with the SOA in authority', () => {
    const d = dispatcher();
    const nx = answer(d, query('nope.example.test', 'A')).m;
    expect(rcodeOf(nx.header.flags)).toBe(Rcode.NXDomain);
    expect(nx.header.flags & Flag.AA).toBe(Flag.AA);
    expect(nx.authorities.map((r) => r.type)).toEqual([RRType.SOA]);
    const nodata = answer(d, query('www.example.test', 'AAAA')).m;
    expect(rcodeOf(nodata.header.flags)).toBe(Rcode.NoError);
    expect(nodata.answers).toHaveLength(0);
    expect(nodata.authorities.map((r) => r.type)).toEqual([RRType.SOA]);
  });

  it('answers a referral without AA, NS in authority and glue in additional', () => {
    const d = dispatcher();
    const { m } = answer(d, query('host.sub.example.test', 'A'));
    expect(m.header.flags & Flag.AA).toBe(0);
    expect(rcodeOf(m.header.flags)).toBe(Rcode.NoError);
    expect(m.authorities.map((r) => r.type)).toEqual([RRType.NS]);
    expect(m.additionals.map((r) => r.name)).toContain('ns.sub.example.test.');
  });

  it('answers REFUSED for a name in no zone, RD copied and RA clear', () => {
    const d = dispatcher();
    const { m } = answer(d, query('www.elsewhere.test', 'A', { rd: true }));
    expect(rcodeOf(m.header.flags)).toBe(Rcode.Refused);
    expect(m.header.flags & (Flag.RD | Flag.RA | Flag.AA)).toBe(Flag.RD);
    expect(m.questions).toHaveLength(1);
  });

  it('answers REFUSED for a class the zone is not in (CH)', () => {
    const d = dispatcher();
    expect(rcodeOf(answer(d, query('www.example.test', 'A', { qclass: 'CH' })).m.header.flags)).toBe(Rcode.Refused);
  });

  it('answers SERVFAIL for an expired zone', () => {
    const d = dispatcher();
    const { m } = answer(d, query('ns.expired.test', 'A', { edns: {} }));
    expect(rcodeOf(m.header.flags)).toBe(Rcode.ServFail);
    expect(m.header.flags & Flag.AA).toBe(0);
    expect(m.answers).toHaveLength(0);
    expect(m.edns).toBeDefined();
  });

  it('never throws: a fault in the zone source becomes SERVFAIL', () => {
    const zones: ZoneSource = {
      find: () => {
        throw new Error('zone table corrupt');
      },
    };
    const d = dispatcher({ zones });
    const { m } = answer(d, query('www.example.test', 'A', { id: 31 }));
    expect(rcodeOf(m.header.flags)).toBe(Rcode.ServFail);
    expect(m.header.id).toBe(31);
    expect(d.stats.internalErrors).toBe(1);
  });
});

describe('dispatch: sizes and truncation (RFC 2181 §9, RFC 7766 §5)', () => {
  it('sets TC and sends the question only when the answer exceeds 512 without EDNS', () => {
    const d = dispatcher();
    const { out, m } = answer(d, query('medium.example.test', 'TXT', { id: 9 }));
    expect(out.length).toBeLessThanOrEqual(512);
    expect(m.header.flags & Flag.TC).toBe(Flag.TC);
    expect(m.header.flags & Flag.AA).toBe(Flag.AA);
    expect(m.questions).toHaveLength(1);
    expect(m.answers.length + m.authorities.length + m.additionals.length).toBe(0);
    expect(d.stats.truncated).toBe(1);
  });

  it('fits the same answer with EDNS 1232, and keeps the OPT in a truncated answer', () => {
    const d = dispatcher();
    const fits = answer(d, query('medium.example.test', 'TXT', { edns: { udpSize: 1232 } })).m;
    expect(fits.header.flags & Flag.TC).toBe(0);
    expect(fits.answers).toHaveLength(1);
    const { out, m } = answer(d, query('big.example.test', 'TXT', { edns: { udpSize: 4096 } }));
    expect(out.length).toBeLessThanOrEqual(1232); // min(4096, udpMaxPayload 1232)
    expect(m.header.flags & Flag.TC).toBe(Flag.TC);
    expect(m.edns).toMatchObject({ udpSize: 1232 });
  });

  it('uses the client size when smaller than ours, ours when larger', () => {
    const big = dispatcher({ udpMaxPayload: 4096 });
    const full = answer(big, query('big.example.test', 'TXT', { edns: { udpSize: 4096 } }));
    expect(full.m.header.flags & Flag.TC).toBe(0);
    expect(full.m.answers).toHaveLength(BIG_TXT_COUNT);
    const small = answer(big, query('big.example.test', 'TXT', { edns: { udpSize: 1500 } }));
    expect(small.out.length).toBeLessThanOrEqual(1500);
    expect(small.m.header.flags & Flag.TC).toBe(Flag.TC);
  });

  it('answers in full over TCP', () => {
    const d = dispatcher();
    const { m } = answer(d, query('big.example.test', 'TXT'), 'tcp');
    expect(m.header.flags & Flag.TC).toBe(0);
    expect(m.answers).toHaveLength(BIG_TXT_COUNT);
  });

  it('drops additional RRsets whole when they do not fit, without TC', () => {
    const d = dispatcher();
    const { out, m } = answer(d, query('mx.example.test', 'MX'));
    expect(out.length).toBeLessThanOrEqual(512);
    expect(m.header.flags & Flag.TC).toBe(0);
    expect(m.answers.map((r) => r.type)).toEqual([RRType.MX]);
    const mailA = m.additionals.filter((r) => r.name === 'mail.example.test.' && r.type === RRType.A);
    expect([0, MAIL_A_COUNT]).toContain(mailA.length);
    // Over TCP the whole RRset goes.
    const tcp = answer(d, query('mx.example.test', 'MX'), 'tcp').m;
    expect(tcp.additionals.filter((r) => r.type === RRType.A)).toHaveLength(MAIL_A_COUNT);
  });
});

describe('dispatch: stats', () => {
  it('counts responses per rcode, queries per transport and drops', () => {
    const d = dispatcher();
    answer(d, query('www.example.test', 'A'));
    answer(d, query('nope.example.test', 'A'), 'tcp');
    answer(d, query('www.elsewhere.test', 'A'));
    d.dispatch(new Uint8Array(3), 'udp', REMOTE);
    const s = d.stats.snapshot();
    expect(s.queries).toEqual({ udp: 3, tcp: 1 });
    expect(s.responses).toEqual({ NOERROR: 1, NXDOMAIN: 1, REFUSED: 1 });
    expect(s.dropped).toBe(1);
  });
});

describe('dispatch: fixtures', () => {
  const expected: Record<string, number | 'drop'> = {
    DROP: 'drop',
    FORMERR: Rcode.FormErr,
    NOTIMP: Rcode.NotImp,
    REFUSED: Rcode.Refused,
    NOERROR: Rcode.NoError,
    NXDOMAIN: Rcode.NXDomain,
    BADVERS: Rcode.BadVers,
    NOTAUTH: Rcode.NotAuth,
  };

  it.each(readHexFixtures('fixtures/malformed').map((f) => [f.file, f] as const))('malformed %s', (_file, f) => {
    const d = dispatcher();
    const want = expected[f.expect ?? ''];
    expect(want, `${f.file} needs a known "; expect:" line`).toBeDefined();
    const out = sync(d.dispatch(f.octets, 'udp', REMOTE));
    if (want === 'drop') {
      expect(out).toBeUndefined();
      return;
    }
    expect(out).toBeDefined();
    const m = decode(out!);
    expect(fullRcode(m)).toBe(want);
    expect(m.header.id).toBe(f.octets.readUInt16BE(0));
  });

  it.each(readHexFixtures('fixtures/wire').map((f) => [f.file, f] as const))('captured query %s', (_file, f) => {
    const zones = { find: standardZones().find.bind(standardZones()) };
    const d = dispatcher({ zones });
    const out = sync(d.dispatch(f.octets, 'udp', REMOTE))!;
    const m = decode(out);
    expect(m.header.id).toBe(f.octets.readUInt16BE(0));
    expect(rcodeOf(m.header.flags)).toBe(expected[f.expect ?? '']);
  });

  it('fixture notes exist', () => {
    for (const dir of ['fixtures/malformed', 'fixtures/wire']) {
      for (const f of readHexFixtures(dir)) {
        expect(f.note.length, `${dir}/${f.file}`).toBeGreaterThan(5);
        expect(readFileSync(`${dir}/${f.file}`, 'utf8').startsWith(';')).toBe(true);
      }
    }
  });
});

describe('dispatch: exampleTestZone sanity', () => {
  it('holds the records the tests rely on', () => {
    const z = exampleTestZone();
    expect(z.rrset('big.example.test.', RRType.TXT)?.rdatas).toHaveLength(BIG_TXT_COUNT);
    expect(z.rrset('mail.example.test.', RRType.A)?.rdatas).toHaveLength(MAIL_A_COUNT);
  });
});

describe('DS at a cut between two hosted zones', () => {
  it('answers a DS query for a child apex from the parent zone (RFC 4035 §3.1.4.1)', async () => {
    const { ZoneBuilder } = await import('../../../src/zone/index.js');
    const { ZoneRegistry } = await import('../../../src/engine/index.js');
    const { Dispatcher } = await import('../../../src/server/index.js');
    const { MessageWriter, RRType, decodeMessage, nameFromTrusted, nameToWire, Flag } = await import('../../../src/wire/index.js');
    const { pino } = await import('pino');
    const soaOf = (o: string, serial: number) => {
      const m = nameToWire(nameFromTrusted('ns.' + o));
      const r = nameToWire(nameFromTrusted('h.' + o));
      const rd = new Uint8Array(m.length + r.length + 20);
      rd.set(m);
      rd.set(r, m.length);
      new DataView(rd.buffer).setUint32(m.length + r.length, serial);
      return { name: nameFromTrusted(o), type: RRType.SOA, class: 1, ttl: 60, rdata: rd };
    };
    const parent = new ZoneBuilder(nameFromTrusted('p.example.'));
    parent.add(soaOf('p.example.', 1));
    parent.add({ name: nameFromTrusted('c.p.example.'), type: RRType.NS, class: 1, ttl: 60, rdata: nameToWire(nameFromTrusted('ns.c.p.example.')) });
    parent.add({ name: nameFromTrusted('c.p.example.'), type: RRType.DS, class: 1, ttl: 60, rdata: Uint8Array.of(0, 1, 8, 2, 9, 9) });
    const child = new ZoneBuilder(nameFromTrusted('c.p.example.'));
    child.add(soaOf('c.p.example.', 1));
    const reg = new ZoneRegistry();
    const pv = parent.build();
    const cv = child.build();
    if (!pv.ok || !cv.ok) throw new Error('build');
    reg.install({ id: 'p', origin: pv.value.origin, role: 'primary', version: pv.value, expired: false });
    reg.install({ id: 'c', origin: cv.value.origin, role: 'primary', version: cv.value, expired: false });
    const d = new Dispatcher({ zones: reg, logger: pino({ level: 'silent' }), udpMaxPayload: 1232 });
    const w = new MessageWriter(512);
    w.header(7, 0);
    w.question(nameFromTrusted('c.p.example.'), RRType.DS, 1);
    const out = d.dispatch(w.finish(), 'udp', { address: '127.0.0.1', port: 1, family: 'IPv4' }) as Uint8Array;
    const r = decodeMessage(out);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.answers.map((x) => x.type)).toEqual([RRType.DS]);
    expect(r.value.header.flags & Flag.AA).toBe(Flag.AA);
  });
});
