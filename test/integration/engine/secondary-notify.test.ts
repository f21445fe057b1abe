// NOTIFY in for a secondary zone (RFC 1996 §3.10, Cloudflare incoming semantics): accepted only
// from a linked peer's address or one of the account's ACL ranges (and signed when the peer has a
// TSIG key); anything else is REFUSED and starts no transfer. An accepted NOTIFY only schedules a
// refresh (STYLE.md principle 3), which then pulls the new serial from the peer.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RRType, Rcode } from '../../../src/wire/index.js';
import { FakePrimary, recordLines, sendNotify, testZone } from '../../helpers/fake-primary.js';
import { type Instance, startInstance } from '../../helpers/instance.js';
import { addSecondary, logsOf, nextPublished, soaSerialOf, waitPublished } from '../../helpers/interop-secondary/secondary.js';

const rcodeOf = (m: { header: { flags: number } } | undefined) => (m === undefined ? 'no answer' : m.header.flags & 0xf);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('secondary: NOTIFY in (fake primary)', () => {
  let zx: Instance;
  let primary: FakePrimary;
  let zoneId: string;
  const origin = 'notify.example.';
  const to = () => ({ host: '127.0.0.1', port: zx.dnsPort });

  beforeAll(async () => {
    zx = await startInstance({ logLevel: 'info' });
    primary = await FakePrimary.start({ zone: testZone(origin, 1) });
    zoneId = (await addSecondary(zx, { origin, primary: primary.address })).zoneId;
    await waitPublished(zx, zoneId, { serial: 1 });
  });
  afterAll(async () => {
    await primary?.close();
    await zx?.close();
  });

  it('refuses a NOTIFY from an address that is neither peer nor ACL, and transfers nothing', async () => {
    primary.publish(testZone(origin, 2, { extra: 'new 300 IN TXT "2"' }));
    const mark = primary.requests.length;
    const res = await sendNotify({ from: '127.0.0.2', to: to(), origin, soa: primary.zone! });
    expect(rcodeOf(res)).toBe(Rcode.Refused);
    // Nothing was scheduled: give a wrongly scheduled refresh time to reach the primary, then check.
    await sleep(500);
    await zx.engine.idle();
    expect(primary.requests.length).toBe(mark);
    expect(await soaSerialOf(zx, origin)).toBe(1);
    const refused = logsOf(zx, origin, 'notify-in').find((l) => l['msg'] === 'NOTIFY refused');
    expect(refused).toMatchObject({ remote: expect.stringMatching(/^127\.0\.0\.2#/), reason: '127.0.0.2 is neither a peer nor in an ACL' });
  });

  it('accepts a NOTIFY from the peer: the refresh probes the SOA and pulls the new serial', async () => {
    const mark = primary.requests.length;
    const published = nextPublished(zx, zoneId, { serial: 2 });
    const res = await sendNotify({ from: '127.0.0.1', to: to(), origin, soa: primary.zone! });
    expect(rcodeOf(res)).toBe(Rcode.NoError);
    expect((await published).kind).toBe('axfr-in');
    // The peer has ixfr_enable false: SOA probe, then AXFR.
    expect(primary.asked(mark)).toEqual([RRType.SOA, RRType.AXFR]);
    expect(recordLines(zx.engine.registry.get(zoneId)!.version)).toEqual(recordLines(primary.zone!));
    expect(await soaSerialOf(zx, origin)).toBe(2);
  });

  it('accepts a NOTIFY from an address inside an account ACL range', async () => {
    await zx.cf.dns.zoneTransfers.acls.create({ account_id: zx.accountId, name: 'notifier', ip_range: '127.0.0.3/32' });
    await zx.engine.idle();
    primary.publish(testZone(origin, 3, { extra: 'new 300 IN TXT "3"' }));
    const published = nextPublished(zx, zoneId, { serial: 3 });
    const res = await sendNotify({ from: '127.0.0.3', to: to(), origin, soa: primary.zone! });
    expect(rcodeOf(res)).toBe(Rcode.NoError);
    await published;
    expect(await soaSerialOf(zx, origin)).toBe(3);
    expect(logsOf(zx, origin, 'notify-in').some((l) => l['msg'] === 'NOTIFY accepted: refresh scheduled' && l['reason'] === 'ACL 127.0.0.3/32')).toBe(true);
  });

  it('answers NOTAUTH for a zone that is not a secondary here', async () => {
    const res = await sendNotify({ from: '127.0.0.1', to: to(), origin: 'elsewhere.example.' });
    expect(rcodeOf(res)).toBe(Rcode.NotAuth);
  });

  it.each([
    ['a TSIG key', 'notify-key.', Buffer.from('zonexfer notify test key, 32 oc').toString('base64'), /must sign with TSIG notify-key/],
    // Non-canonical base64 (stray bits in the last character): the API refuses it now, but a row
    // written before it checked may hold one. The engine cannot decode it: the peer is skipped by
    // refresh and must not count as keyless for NOTIFY.
    ['a key the engine cannot decode', 'broken-key.', 'zxNotifyKeyzxNotifyKeyzxNotifyKeyzxNotifyKy=', /neither a peer nor in an ACL/],
  ])('refuses an unsigned NOTIFY from a peer that has %s', async (_what, name, secret, reason) => {
    const signedOrigin = `notify-${name.replace(/\.$/, '')}.example.`;
    const host = name === 'notify-key.' ? '127.0.0.4' : '127.0.0.5';
    // Nothing listens at the peer's address: only the NOTIFY decision matters here.
    const s = await addSecondary(zx, { origin: signedOrigin, primary: { host, port: primary.port }, tsig: { name, algo: 'hmac-sha256', secret } });
    await zx.engine.idle();
    const res = await sendNotify({ from: host, to: to(), origin: signedOrigin });
    expect(rcodeOf(res)).toBe(Rcode.Refused);
    expect(logsOf(zx, signedOrigin, 'notify-in').find((l) => l['msg'] === 'NOTIFY refused')?.['reason']).toMatch(reason);
    expect(zx.engine.registry.get(s.zoneId)).toBeUndefined();
  });
});
