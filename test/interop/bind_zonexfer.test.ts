// Interop, BIND `named` primary → zonexfer secondary (STYLE.md tests: primary_secondary naming).
// named serves a zone with `allow-transfer { key zx-key; }` and NOTIFYs zonexfer (also-notify with
// the key) after each reload; `ixfr-from-differences yes` journals each reload. zonexfer pulls the
// zone by TSIG-signed AXFR, then by IXFR after named's NOTIFY, and answers the new serial to dig.
// With a wrong secret on our side the transfer is refused, the old version keeps being served and
// the error is recorded (zone_state.last_error: the incoming API shows soa_serial and checked_time
// only). Skips without named and dig unless ZONEXFER_REQUIRE_PEERS=1.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RRType, nameFromTrusted } from '../../src/wire/index.js';
import { transferIn } from '../../src/xfr/in/client.js';
import { makeKey } from '../../src/tsig/index.js';
import { recordLines } from '../helpers/fake-primary.js';
import { type Instance, startInstance } from '../helpers/instance.js';
import { type DaemonKey, PrimaryDaemon, TempDirs, dig, digSerial } from '../helpers/interop-secondary/daemons.js';
import { type Secondary, addSecondary, lastError, logsOf, nextPublished, recentLog, waitFor, waitPublished } from '../helpers/interop-secondary/secondary.js';
import { requirePeers } from '../helpers/peers.js';

const peers = requirePeers('bind_zonexfer', ['named', 'dig']);
const ORIGIN = 'bind-zonexfer.example.';
const KEY: DaemonKey = { name: 'zx-key', algorithm: 'hmac-sha256', secret: Buffer.from('zonexfer <- named interop key 32B').toString('base64') };
const WRONG = Buffer.from('not the secret named has, 32 oct').toString('base64');

/** v(n): serial n; www moves, v<n> appears and v<n-1> goes, so each step has removals and additions. */
const v = (n: number) => ({ serial: n, lines: [`www IN A 192.0.2.${10 + n}`, `v${n} IN TXT "version ${n}"`, 'mail IN MX 10 www', 'sub IN NS ns.sub', 'ns.sub IN A 192.0.2.53'] });

describe.skipIf(!peers.run)('named primary → zonexfer secondary', () => {
  let zx: Instance;
  let named: PrimaryDaemon;
  let sec: Secondary;
  const dirs = new TempDirs();

  beforeAll(async () => {
    // Retries every 1-2 s (instead of the SOA RETRY of an hour) so a failed refresh is retried here.
    zx = await startInstance({ logLevel: 'info', tuning: { minRetrySeconds: 1, maxRetrySeconds: 2 } });
    named = await PrimaryDaemon.start('named', { dir: dirs.make('bind-zonexfer'), origin: ORIGIN, content: v(1), key: KEY, notify: { host: '127.0.0.1', port: zx.dnsPort } });
  });
  afterAll(async () => {
    await named?.stop();
    await zx?.close();
    dirs.removeAll();
  });

  /** namedVersion transfers the zone from named with our client (the reference to compare with). */
  async function namedVersion() {
    const key = makeKey(KEY.name, KEY.algorithm, KEY.secret);
    if (!key.ok) throw new Error('bad test key');
    const r = await transferIn({ peer: { host: '127.0.0.1', port: named.port, key: key.value }, origin: nameFromTrusted(ORIGIN), qtype: RRType.AXFR });
    if (!r.ok || r.value.outcome.kind !== 'full') throw new Error(`AXFR from named failed: ${JSON.stringify(r)}`);
    return r.value.outcome.version;
  }

  it('pulls the zone from named by TSIG-signed AXFR', async () => {
    sec = await addSecondary(zx, { origin: ORIGIN, primary: { host: '127.0.0.1', port: named.port }, ixfr: true, tsig: { name: `${KEY.name}.`, algo: KEY.algorithm, secret: KEY.secret } });
    const p = await waitPublished(zx, sec.zoneId, { serial: 1, timeoutMs: 30_000 });
    expect(p.kind).toBe('axfr-in');
    expect(logsOf(zx, ORIGIN, 'axfr-in').find((l) => l['serial'] === 1)).toMatchObject({ remote: `127.0.0.1#${named.port}`, key: `${KEY.name}.` });
    expect(named.log()).toMatch(/transfer of 'bind-zonexfer\.example\/IN': AXFR started: TSIG zx-key/);
    expect(recordLines(zx.engine.registry.get(sec.zoneId)!.version)).toEqual(recordLines(await namedVersion()));
    expect(await digSerial(zx.dnsPort, ORIGIN)).toBe(1);
    expect((await dig(zx.dnsPort, `www.${ORIGIN}`, 'A')).lines).toEqual(['192.0.2.11']);
  });

  it('takes named\'s NOTIFY after a reload and pulls the change by IXFR', async () => {
    const published = nextPublished(zx, sec.zoneId, { serial: 2, timeoutMs: 30_000 });
    await named.change(v(2));
    const p = await published;
    expect(p.kind).toBe('ixfr-in');
    // named's NOTIFY came signed from the peer and was accepted; the transfer was an IXFR 1 → 2.
    expect(logsOf(zx, ORIGIN, 'notify-in').find((l) => l['serial'] === 2)).toMatchObject({ msg: 'NOTIFY accepted: refresh scheduled', key: `${KEY.name}.` });
    expect(logsOf(zx, ORIGIN, 'ixfr-in').find((l) => l['serial'] === 2)).toMatchObject({ msg: 'IXFR completed', remote: `127.0.0.1#${named.port}` });
    expect(named.log()).toMatch(/IXFR started: TSIG zx-key \(serial 1 -> 2\)/);
    expect(recordLines(zx.engine.registry.get(sec.zoneId)!.version)).toEqual(recordLines(await namedVersion()));
    expect(await digSerial(zx.dnsPort, ORIGIN)).toBe(2);
    expect((await dig(zx.dnsPort, `www.${ORIGIN}`, 'A')).lines).toEqual(['192.0.2.12']);
    expect((await dig(zx.dnsPort, `v2.${ORIGIN}`, 'TXT')).lines).toEqual(['"version 2"']);
    expect((await dig(zx.dnsPort, `v1.${ORIGIN}`, 'TXT')).status).toBe('NXDOMAIN');
  });

  it('with a wrong TSIG secret on our side: refused, the old version still served, the error recorded', async () => {
    const zt = zx.cf.dns.zoneTransfers;
    await zt.tsigs.update(sec.tsigId!, { account_id: zx.accountId, name: `${KEY.name}.`, algo: KEY.algorithm, secret: WRONG });
    await zx.engine.idle();
    const before = zx.engine.registry.get(sec.zoneId)!.version;
    await named.change(v(3));
    // named's NOTIFY for serial 3 is signed with the real key: it no longer verifies here, so it
    // schedules nothing. Ask for the transfer through the API instead.
    await waitFor('named to load serial 3', async () => ((await digSerial(named.port, ORIGIN)) === 3 ? true : undefined));
    await zt.forceAXFR.create({ zone_id: sec.zoneId });
    const axfrError = await waitFor('the forced AXFR to fail', async () => (await lastError(zx, sec.zoneId)) ?? undefined, { timeoutMs: 30_000, detail: () => recentLog(zx) });
    expect(axfrError).toMatch(/AXFR: TSIG verification failed: primary answered NOTAUTH to our signed request \(TSIG BADSIG/);
    // The retry that follows (RETRY clamped to 2 s here) asks IXFR first, which is its serial check
    // (RFC 1995 §2; the peer allows IXFR): refused the same way, and no AXFR after a TSIG failure.
    const probeError = await waitFor('a retry to fail on the IXFR', async () => {
      const e = await lastError(zx, sec.zoneId);
      return e?.includes('IXFR:') === true ? e : undefined;
    }, { timeoutMs: 30_000, detail: () => recentLog(zx) });
    expect(probeError).toMatch(/IXFR: TSIG verification failed: primary answered NOTAUTH to our signed request \(TSIG BADSIG/);
    expect(named.log()).toMatch(/request has invalid signature: TSIG zx-key: tsig verify failure \(BADSIG\)/);
    // Nothing replaced the version we had: the very same object, still answering serial 2.
    expect(zx.engine.registry.get(sec.zoneId)!.version).toBe(before);
    expect(zx.engine.registry.get(sec.zoneId)!.expired).toBe(false);
    expect(await digSerial(zx.dnsPort, ORIGIN)).toBe(2);
    expect((await dig(zx.dnsPort, `www.${ORIGIN}`, 'A')).lines).toEqual(['192.0.2.12']);
    // What the API shows: the last serial transferred, no error field (the store keeps it).
    const incoming = (await zt.incoming.get({ zone_id: sec.zoneId })) as Record<string, unknown>;
    expect(incoming['soa_serial']).toBe(2);
    expect(incoming).not.toHaveProperty('last_error');

    // The right secret again: the next retry brings serial 3 and clears the error.
    const published = nextPublished(zx, sec.zoneId, { serial: 3, timeoutMs: 30_000 });
    await zt.tsigs.update(sec.tsigId!, { account_id: zx.accountId, name: `${KEY.name}.`, algo: KEY.algorithm, secret: KEY.secret });
    await published;
    expect(await digSerial(zx.dnsPort, ORIGIN)).toBe(3);
    expect(await lastError(zx, sec.zoneId)).toBeNull();
  });
});
