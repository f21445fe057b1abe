// A secondary that is itself a primary for downstream secondaries (multi-tier, RFC 1996 §3.2 and
// RFC 1995 §5 "a secondary may be a primary"): after an IXFR in, zonexfer NOTIFYs its own
// outgoing peers and serves the same diff by IXFR out from its journal; a downstream peer whose TSIG
// key the engine cannot decode gets no unsigned AXFR (it is not taken as a keyless peer).
import { createSocket, type Socket } from 'node:dgram';
import type Cloudflare from 'cloudflare';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { notifyResponse } from '../../../src/notify/message.js';
import { Opcode, RRType, Rcode, decodeMessage, nameFromTrusted, opcodeOf } from '../../../src/wire/index.js';
import { transferIn } from '../../../src/xfr/in/client.js';
import { computeDiff, soaSerial } from '../../../src/zone/index.js';
import { FakePrimary, recordLines, sendNotify, testZone } from '../../helpers/fake-primary.js';
import { type Instance, startInstance } from '../../helpers/instance.js';
import { addSecondary, createTsig, nextPublished, waitFor, waitPublished } from '../../helpers/interop-secondary/secondary.js';

type PeerCreate = Cloudflare.DNS.ZoneTransfers.PeerCreateParams;

/** NotifySink answers every NOTIFY NOERROR and records the serial it carried. */
async function notifySink(): Promise<{ socket: Socket; port: number; serials: number[] }> {
  const socket = createSocket('udp4');
  const serials: number[] = [];
  socket.on('message', (buf, rinfo) => {
    const d = decodeMessage(buf);
    if (!d.ok || opcodeOf(d.value.header.flags) !== Opcode.Notify) return;
    const soa = d.value.answers.find((r) => r.type === RRType.SOA);
    if (soa !== undefined) serials.push(soaSerial(soa.rdata));
    socket.send(notifyResponse(d.value, Rcode.NoError), rinfo.port, rinfo.address);
  });
  await new Promise<void>((res) => socket.bind(0, '127.0.0.1', () => res()));
  return { socket, port: socket.address().port, serials };
}

describe('secondary: multi-tier (fake primary upstream, zonexfer primary downstream)', () => {
  let zx: Instance;
  let primary: FakePrimary;
  let sink: Awaited<ReturnType<typeof notifySink>>;

  beforeAll(async () => {
    zx = await startInstance({ logLevel: 'info' });
    sink = await notifySink();
  });
  afterAll(async () => {
    sink?.socket.close();
    await primary?.close();
    await zx?.close();
  });

  async function withDownstream(origin: string, peer: { tsig?: { name: string; secret: string } }) {
    const zt = zx.cf.dns.zoneTransfers;
    const s = await addSecondary(zx, { origin, primary: primary.address, ixfr: true });
    await waitPublished(zx, s.zoneId, { serial: 1 });
    const key = peer.tsig === undefined ? undefined : await createTsig(zx, { name: peer.tsig.name, algo: 'hmac-sha256', secret: peer.tsig.secret });
    const down = await zt.peers.create({ account_id: zx.accountId, name: `down-${origin}`, ip: '127.0.0.1', port: sink.port, ...(key ? { tsig_id: key.id } : {}) } as PeerCreate);
    await zt.outgoing.create({ zone_id: s.zoneId, name: origin, peers: [down.id] });
    await zt.outgoing.enable({ zone_id: s.zoneId } as never);
    await zx.engine.idle();
    return s.zoneId;
  }

  it('NOTIFYs downstream after an IXFR in and serves the same diff by IXFR out', async () => {
    const origin = 'tier.example.';
    const v1 = testZone(origin, 1, { extra: 'a 300 IN A 192.0.2.1' });
    const v2 = testZone(origin, 2, { extra: 'b 300 IN A 192.0.2.2' });
    primary = await FakePrimary.start({ zone: v1 });
    const zoneId = await withDownstream(origin, {});
    const o = nameFromTrusted(origin);
    const axfr = await transferIn({ peer: { host: '127.0.0.1', port: zx.dnsPort }, origin: o, qtype: RRType.AXFR });
    expect(axfr.ok && axfr.value.outcome.kind === 'full' && recordLines(axfr.value.outcome.version)).toEqual(recordLines(v1));

    primary.publish(v2);
    const published = nextPublished(zx, zoneId, { serial: 2 });
    await sendNotify({ from: '127.0.0.1', to: { host: '127.0.0.1', port: zx.dnsPort }, origin });
    expect((await published).kind).toBe('ixfr-in');
    await waitFor('a NOTIFY for serial 2 downstream', () => (sink.serials.includes(2) ? true : undefined));

    const ixfr = await transferIn({ peer: { host: '127.0.0.1', port: zx.dnsPort }, origin: o, qtype: RRType.IXFR, currentSoa: v1.soa });
    expect(ixfr.ok).toBe(true);
    if (!ixfr.ok || ixfr.value.outcome.kind !== 'incremental') throw new Error(`expected an incremental IXFR, got ${JSON.stringify(ixfr)}`);
    const want = computeDiff(v1, v2);
    const lines = (rrs: readonly { name: string; type: number; rdata: Uint8Array }[]) => rrs.map((r) => `${r.name} ${r.type} ${Buffer.from(r.rdata).toString('hex')}`).sort();
    expect(ixfr.value.outcome.diffs.map((d) => [lines(d.removed), lines(d.added)])).toEqual([[lines(want.removed), lines(want.added)]]);
  });

  it('refuses an unsigned AXFR from a downstream peer whose TSIG key cannot be decoded', async () => {
    const origin = 'tier-badkey.example.';
    await primary.close();
    primary = await FakePrimary.start({ zone: testZone(origin, 1) });
    // Accepted by the API, refused by the engine's key parser (non-canonical base64).
    await withDownstream(origin, { tsig: { name: 'down-key.', secret: 'zxNotifyKeyzxNotifyKeyzxNotifyKeyzxNotifyKy=' } });
    const axfr = await transferIn({ peer: { host: '127.0.0.1', port: zx.dnsPort }, origin: nameFromTrusted(origin), qtype: RRType.AXFR });
    expect(axfr).toMatchObject({ ok: false, error: { kind: 'refused' } });
  });
});
