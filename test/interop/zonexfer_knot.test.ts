// Interop, zonexfer as primary → Knot `knotd` as secondary, configured only through zonexfer's API
// (zone, records, TSIG keys, peers, outgoing enable): AXFR unsigned and with TSIG (hmac-sha256,
// hmac-md5; RFC 5936, RFC 8945); API changes → NOTIFY (RFC 1996) → knotd pulls each by IXFR
// (RFC 1995), removals included, and serves the new serial (dig, `knotc zone-status`); two knotd on
// one address told apart by their keys; a 20 000-record zone in many TSIG-signed messages
// (RFC 8945 §5.3.1). Skips with one line without knotd/knotc/dig/kdig.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Instance, startInstance } from '../helpers/instance.js';
import {
  Daemons, TSIG_LOG_ERRORS, freePort, knotZoneStatus, logLines, readLog, tail, waitFor, waitForSerial,
} from '../helpers/interop/daemons.js';
import { asRR, axfrBody, kdigXfr } from '../helpers/interop/kdig.js';
import {
  STANDARD_RECORDS, type TestKey, type ToolAlgorithm, addRecord, bigZoneRows, changeByBatch, createPrimaryZone, createTsig, newKey, notifyLogs, serveTo, servedRecords,
  servedSerial, sortedKeys, transferLogs, waitServedSerial,
} from '../helpers/interop/primary.js';
import { requirePeers } from '../helpers/peers.js';

const peers = requirePeers('zonexfer_knot', ['knotd', 'knotc', 'dig', 'kdig']);

/** keyed is the `key` field zonexfer's transfer and NOTIFY log lines carry: the key name, or none. */
const keyed = (key: TestKey | undefined): { key?: string } => (key === undefined ? {} : { key: key.name });

/** escape makes a zone name a literal inside a RegExp. */
const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

describe.skipIf(!peers.run)('zonexfer primary → knotd secondary', () => {
  let zx: Instance;
  const daemons = new Daemons();

  beforeAll(async () => {
    // NOTIFY retries start at 250 ms so the NOTIFY that enabling sends (before knotd runs) ends soon.
    zx = await startInstance({ tuning: { notifyFirstTimeoutMs: 250 } });
  });

  afterAll(async () => {
    await daemons.stopAll();
    await zx?.close();
  });

  /**
   * configureKnot sets zonexfer up to serve `origin` to a knotd that will listen on a free port
   * (a peer with that port and, with `key`, that TSIG; outgoing enabled).
   */
  async function configureKnot(zoneId: string, origin: string, key: TestKey | undefined) {
    const dir = daemons.tempDir('knot');
    const port = await freePort();
    const tsigId = key === undefined ? undefined : await createTsig(zx, key);
    await serveTo(zx, zoneId, origin, [{ name: `knot-${origin}`, ip: '127.0.0.1', port, ...(tsigId !== undefined ? { tsigId } : {}) }]);
    return { dir, port };
  }

  /** launchKnot starts knotd as a secondary of zonexfer for `origin` (its first AXFR follows). */
  function launchKnot(dir: string, port: number, origin: string, key: TestKey | undefined) {
    return daemons.start('knotd', {
      dir,
      port,
      zones: [{ origin, primaries: [{ host: '127.0.0.1', port: zx.dnsPort }] }],
      ...(key !== undefined ? { tsig: key } : {}),
      waitFor: 'none',
    });
  }

  /** expectKnotHoldsZone checks that knotd serves exactly the records zonexfer serves (AXFR from knotd). */
  async function expectKnotHoldsZone(port: number, zoneId: string, origin: string, key: TestKey | undefined): Promise<void> {
    const got = await kdigXfr(port, origin, 'AXFR', key !== undefined ? { key: key.kdigArg } : {});
    expect(got.code, got.out.slice(-2000)).toBe(0);
    expect(sortedKeys(axfrBody(got.records).map(asRR))).toEqual(sortedKeys(servedRecords(zx, zoneId)));
  }

  /** knotSerial reads the serial `knotc zone-status` reports for the zone. */
  async function knotSerial(dir: string, origin: string): Promise<number | undefined> {
    const m = /serial: (\d+)/.exec(await knotZoneStatus(dir, origin));
    return m === null ? undefined : Number(m[1]);
  }

  const cases: { label: string; alg: ToolAlgorithm | undefined }[] = [
    { label: 'unsigned', alg: undefined },
    { label: 'TSIG hmac-sha256', alg: 'hmac-sha256' },
    { label: 'TSIG hmac-md5', alg: 'hmac-md5' },
  ];

  it.each(cases)('AXFR ($label), then an API change reaches knotd by NOTIFY and IXFR', async ({ alg }) => {
    const origin = `${alg ?? 'plain'}.knot.example`;
    const key = alg === undefined ? undefined : newKey(alg, `${alg}.knot-key.`);
    const zoneId = await createPrimaryZone(zx, origin, STANDARD_RECORDS(origin));
    const { dir, port } = await configureKnot(zoneId, origin, key);
    const knot = await launchKnot(dir, port, origin, key);
    const first = servedSerial(zx, zoneId);
    const z = escape(`${origin}.`);

    // The initial AXFR: knotd answers zonexfer's serial and holds the same records.
    await waitForSerial(port, origin, first, { logFile: knot.logFile });
    await expectKnotHoldsZone(port, zoneId, origin, key);
    expect(logLines(knot.logFile, new RegExp(`\\[${z}\\] AXFR, incoming, remote 127\\.0\\.0\\.1@${zx.dnsPort}.*finished`))).toHaveLength(1);
    expect(transferLogs(zx, origin, 'axfr-out')).toContainEqual(expect.objectContaining({ msg: 'AXFR sent', serial: first, ...keyed(key) }));

    await addRecord(zx, zoneId, { name: `added.${origin}`, type: 'A', content: '192.0.2.99', ttl: 300 });
    await zx.engine.idle();
    const second = servedSerial(zx, zoneId);
    expect(second).toBe(first + 1);

    // zonexfer's NOTIFY (signed when the peer has a key) was acknowledged by knotd …
    expect(notifyLogs(zx, origin)).toContainEqual(
      expect.objectContaining({ msg: 'NOTIFY acknowledged', serial: second, remote: `127.0.0.1#${port}`, ...keyed(key) }),
    );
    // … which pulls the change and then answers the new serial, on the wire and in knotc.
    await waitForSerial(port, origin, second, { logFile: knot.logFile });
    expect(await knotSerial(dir, origin)).toBe(second);
    expect(logLines(knot.logFile, new RegExp(`\\[${z}\\] notify, incoming, remote 127\\.0\\.0\\.1@\\d+.*serial ${second}`)).length).toBeGreaterThanOrEqual(1);

    // By IXFR: knotd logs an incoming IXFR from zonexfer (and no second AXFR), and zonexfer sent an
    // IXFR for that serial.
    const ixfr = await waitFor('knotd to log the finished IXFR', async () => {
      const lines = logLines(knot.logFile, new RegExp(`\\[${z}\\] IXFR, incoming, remote 127\\.0\\.0\\.1@${zx.dnsPort}.*finished`));
      return lines.length > 0 ? lines : undefined;
    }, { detail: () => tail(knot.logFile) });
    expect(ixfr).toHaveLength(1);
    expect(logLines(knot.logFile, new RegExp(`\\[${z}\\] AXFR, incoming`), /finished/)).toHaveLength(1);
    expect(transferLogs(zx, origin, 'ixfr-out')).toContainEqual(expect.objectContaining({ msg: 'IXFR sent', serial: second, ...keyed(key) }));
    expect(transferLogs(zx, origin, 'axfr-out').filter((l) => l['serial'] === second)).toEqual([]);

    await expectKnotHoldsZone(port, zoneId, origin, key);

    // One batch that removes, changes (content, TTL) and adds: knotd applies the diff by IXFR,
    // which needs every removal to match what it holds, else it logs the failure and falls back
    // to AXFR ("fallback to AXFR").
    await changeByBatch(zx, zoneId, origin);
    await zx.engine.idle();
    const third = servedSerial(zx, zoneId);
    expect(third).toBe(second + 1);
    await waitForSerial(port, origin, third, { logFile: knot.logFile });
    expect(await knotSerial(dir, origin)).toBe(third);
    await waitFor('knotd to log the second IXFR', async () => {
      const n = logLines(knot.logFile, new RegExp(`\\[${z}\\] IXFR, incoming, remote 127\\.0\\.0\\.1@${zx.dnsPort}.*finished`)).length;
      return n >= 2 ? n : undefined;
    }, { detail: () => tail(knot.logFile) });
    expect(logLines(knot.logFile, new RegExp(`\\[${z}\\]`), /fallback|(IXFR|AXFR|refresh).*failed|error|malformed/i)).toEqual([]);
    expect(logLines(knot.logFile, new RegExp(`\\[${z}\\] AXFR, incoming`), /finished/)).toHaveLength(1);
    expect(transferLogs(zx, origin, 'ixfr-out')).toContainEqual(expect.objectContaining({ msg: 'IXFR sent', serial: third, ...keyed(key) }));
    expect(transferLogs(zx, origin, 'axfr-out').map((l) => l['serial'])).toEqual([first]);
    await expectKnotHoldsZone(port, zoneId, origin, key);
    expect(logLines(knot.logFile, TSIG_LOG_ERRORS)).toEqual([]);
  });

  it('two knotd on one address, each with its own key, both follow three changes by IXFR', async () => {
    // Secondaries sharing an address (one host, or BIND views told apart by key) are told apart by
    // their keys: a request signed with either peer's key is theirs (src/xfr/out/policy.ts).
    const origin = 'shared.knot.example';
    const zoneId = await createPrimaryZone(zx, origin, STANDARD_RECORDS(origin));
    const keys = [newKey('hmac-sha384', 'shared-a.knot-key.'), newKey('hmac-sha1', 'shared-b.knot-key.')];
    const dirs = keys.map(() => daemons.tempDir('knot'));
    const ports = [await freePort(), await freePort()];
    const specs = [];
    for (const [i, key] of keys.entries()) specs.push({ name: `knot-shared-${i}`, ip: '127.0.0.1', port: ports[i]!, tsigId: await createTsig(zx, key) });
    await serveTo(zx, zoneId, origin, specs);
    const knots = await Promise.all(keys.map((key, i) => launchKnot(dirs[i]!, ports[i]!, origin, key)));
    const first = servedSerial(zx, zoneId);
    for (const [i, knot] of knots.entries()) await waitForSerial(ports[i]!, origin, first, { logFile: knot.logFile });

    // Three versions (API writes made while a reload is pending would share one).
    await addRecord(zx, zoneId, { name: `added.${origin}`, type: 'A', content: '192.0.2.99', ttl: 300 });
    await waitServedSerial(zx, zoneId, first + 1);
    await changeByBatch(zx, zoneId, origin);
    await waitServedSerial(zx, zoneId, first + 2);
    await addRecord(zx, zoneId, { name: `last.${origin}`, type: 'TXT', content: '"third change"', ttl: 300 });
    const last = first + 3;
    await waitServedSerial(zx, zoneId, last);
    await zx.engine.idle();

    const z = escape(`${origin}.`);
    for (const [i, knot] of knots.entries()) {
      const key = keys[i]!;
      await waitForSerial(ports[i]!, origin, last, { logFile: knot.logFile });
      await expectKnotHoldsZone(ports[i]!, zoneId, origin, key);
      expect(logLines(knot.logFile, new RegExp(`\\[${z}\\] AXFR, incoming`), /finished/)).toHaveLength(1);
      expect(logLines(knot.logFile, new RegExp(`\\[${z}\\] IXFR, incoming`), /finished/).length).toBeGreaterThanOrEqual(1);
      expect(logLines(knot.logFile, new RegExp(`\\[${z}\\]`), /fallback|(IXFR|AXFR|refresh).*failed|error|NOTAUTH|REFUSED/i)).toEqual([]);
      expect(transferLogs(zx, origin, 'axfr-out').filter((l) => l['key'] === key.name).map((l) => l['serial'])).toEqual([first]);
      expect(transferLogs(zx, origin, 'ixfr-out').filter((l) => l['key'] === key.name).map((l) => l['serial'])).toContain(last);
      expect(notifyLogs(zx, origin)).toContainEqual(expect.objectContaining({ msg: 'NOTIFY acknowledged', serial: last, remote: `127.0.0.1#${ports[i]!}`, key: key.name }));
    }
    expect(zx.logs.filter((l) => l['msg'] === 'transfer refused' && l['zone'] === `${origin}.`)).toEqual([]);
  });

  it('multi-message TSIG: a 20 000-record zone reaches knotd whole', async () => {
    const origin = 'big.knot.example';
    const zoneId = await createPrimaryZone(zx, origin, []);
    const key = newKey('hmac-sha256', 'big.knot-key.');
    // Configure first, then load the records: inserting 20 000 rows into PGlite keeps the event loop
    // busy for tens of seconds, long enough for the SDK's idle keep-alive connection to be reset.
    const { dir, port } = await configureKnot(zoneId, origin, key);
    await zx.store.records.insertMany(zoneId, bigZoneRows(origin, 20_000));
    zx.engine.zoneChanged(zoneId);
    await zx.engine.idle();
    const records = servedRecords(zx, zoneId);
    expect(records.length).toBe(20_002);
    const knot = await launchKnot(dir, port, origin, key);
    const serial = servedSerial(zx, zoneId);
    await waitForSerial(port, origin, serial, { logFile: knot.logFile, timeoutMs: 30_000 });
    expect(await knotSerial(dir, origin)).toBe(serial);

    // zonexfer sent it in many messages, each signed with the peer's key …
    const sent = transferLogs(zx, origin, 'axfr-out').filter((l) => l['msg'] === 'AXFR sent' && l['key'] === key.name);
    expect(sent).toHaveLength(1);
    const messages = Number(sent[0]!['messages']);
    expect(messages).toBeGreaterThanOrEqual(10);
    // … and knotd verified the stream: it reports the same message count and logged no TSIG failure.
    const done = await waitFor('knotd to log the finished AXFR', async () => {
      const m = new RegExp(`\\[${escape(`${origin}.`)}\\] AXFR, incoming, remote 127\\.0\\.0\\.1@${zx.dnsPort}.*finished.* (\\d+) messages`).exec(readLog(knot.logFile));
      return m === null ? undefined : Number(m[1]);
    }, { detail: () => tail(knot.logFile) });
    expect(done).toBe(messages);
    expect(logLines(knot.logFile, TSIG_LOG_ERRORS)).toEqual([]);

    // What knotd now serves (AXFR from knotd, signed) is zonexfer's zone, record for record.
    const got = await kdigXfr(port, origin, 'AXFR', { key: key.kdigArg });
    expect(got.code, got.out.slice(-2000)).toBe(0);
    expect(sortedKeys(axfrBody(got.records).map(asRR))).toEqual(sortedKeys(records));
  }, 240_000);
});
