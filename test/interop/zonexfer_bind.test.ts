// Interop, zonexfer as primary → BIND `named` as secondary, configured only through zonexfer's API
// (zone, records, TSIG keys, peers, outgoing enable): AXFR unsigned and with TSIG (hmac-sha256,
// hmac-sha512; RFC 5936, RFC 8945); API changes → NOTIFY (RFC 1996) → named pulls each by IXFR
// (RFC 1995), removals included, and serves the new serial; a named restarted two versions behind
// catches up by one IXFR; a 20 000-record zone in many TSIG-signed messages (RFC 8945 §5.3.1).
// Skips with one line without named/dig/kdig/rndc (rndc only raises named's log level).

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { soaSerial } from '../../src/zone/index.js';
import { type Instance, startInstance } from '../helpers/instance.js';
import {
  type NamedControl, Daemons, TSIG_LOG_ERRORS, freePort, logLines, namedControl, readLog, requireTools, tail, waitFor, waitForSerial,
} from '../helpers/interop/daemons.js';
import { asRR, axfrBody, kdigXfr } from '../helpers/interop/kdig.js';
import {
  STANDARD_RECORDS, type TestKey, type ToolAlgorithm, addRecord, bigZoneRows, changeByBatch, createPrimaryZone, createTsig, newKey, notifyLogs, serveTo, servedRecords,
  servedSerial, sortedKeys, transferLogs, waitServedSerial,
} from '../helpers/interop/primary.js';

const run = requireTools('zonexfer_bind', ['named', 'dig', 'kdig', 'rndc']);

/** keyed is the `key` field zonexfer's transfer and NOTIFY log lines carry: the key name, or none. */
const keyed = (key: TestKey | undefined): { key?: string } => (key === undefined ? {} : { key: key.name });

/** escape makes a zone name a literal inside a RegExp. */
const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

describe.skipIf(!run)('zonexfer primary → named secondary', () => {
  let zx: Instance;
  const daemons = new Daemons();

  beforeAll(async () => {
    // NOTIFY retries start at 250 ms so the NOTIFY that enabling sends (before named runs) ends soon.
    zx = await startInstance({ tuning: { notifyFirstTimeoutMs: 250 } });
  });

  afterAll(async () => {
    await daemons.stopAll();
    await zx?.close();
  });

  /**
   * configureNamed sets zonexfer up to serve `origin` to a named that will listen on a free port
   * (a peer with that port and, with `key`, that TSIG; outgoing enabled).
   */
  async function configureNamed(zoneId: string, origin: string, key: TestKey | undefined) {
    const dir = daemons.tempDir('named');
    const port = await freePort();
    const ctl = await namedControl(dir);
    const tsigId = key === undefined ? undefined : await createTsig(zx, key);
    await serveTo(zx, zoneId, origin, [{ name: `named-${origin}`, ip: '127.0.0.1', port, ...(tsigId !== undefined ? { tsigId } : {}) }]);
    return { dir, port, ctl };
  }

  /** launchNamed starts named as a secondary of zonexfer for `origin` (its first AXFR follows). */
  function launchNamed(dir: string, port: number, ctl: NamedControl, origin: string, key: TestKey | undefined) {
    return daemons.start('named', {
      dir,
      port,
      zones: [{ origin, primaries: [{ host: '127.0.0.1', port: zx.dnsPort }] }],
      ...(key !== undefined ? { tsig: key } : {}),
      waitFor: 'none',
      extraConfig: ctl.extraConfig,
    });
  }

  /** expectNamedHoldsZone checks that named serves exactly the records zonexfer serves (AXFR from named). */
  async function expectNamedHoldsZone(port: number, zoneId: string, origin: string, key: TestKey | undefined): Promise<void> {
    const got = await kdigXfr(port, origin, 'AXFR', key !== undefined ? { key: key.kdigArg } : {});
    expect(got.code, got.out.slice(-2000)).toBe(0);
    expect(sortedKeys(axfrBody(got.records).map(asRR))).toEqual(sortedKeys(servedRecords(zx, zoneId)));
  }

  const cases: { label: string; alg: ToolAlgorithm | undefined }[] = [
    { label: 'unsigned', alg: undefined },
    { label: 'TSIG hmac-sha256', alg: 'hmac-sha256' },
    { label: 'TSIG hmac-sha512', alg: 'hmac-sha512' },
  ];

  it.each(cases)('AXFR ($label), then an API change reaches named by NOTIFY and IXFR', async ({ alg }) => {
    const origin = `${alg ?? 'plain'}.bind.example`;
    const key = alg === undefined ? undefined : newKey(alg, `${alg}.bind-key.`);
    const zoneId = await createPrimaryZone(zx, origin, STANDARD_RECORDS(origin));
    const { dir, port, ctl } = await configureNamed(zoneId, origin, key);
    const named = await launchNamed(dir, port, ctl, origin, key);
    const first = servedSerial(zx, zoneId);

    // The initial AXFR: named answers zonexfer's serial and holds the same records.
    await waitForSerial(port, origin, first, { logFile: named.logFile });
    await expectNamedHoldsZone(port, zoneId, origin, key);
    expect(transferLogs(zx, origin, 'axfr-out')).toContainEqual(
      expect.objectContaining({ msg: 'AXFR sent', serial: first, ...keyed(key) }),
    );

    // named logs the transfer type only at debug level (see namedControl).
    const trace = await ctl.rndc('trace', '3');
    expect(trace.code, trace.out).toBe(0);

    await addRecord(zx, zoneId, { name: `added.${origin}`, type: 'A', content: '192.0.2.99', ttl: 300 });
    await zx.engine.idle();
    const second = servedSerial(zx, zoneId);
    expect(second).toBe(first + 1);

    // zonexfer's NOTIFY (signed when the peer has a key) was acknowledged by named …
    expect(notifyLogs(zx, origin)).toContainEqual(
      expect.objectContaining({ msg: 'NOTIFY acknowledged', serial: second, remote: `127.0.0.1#${port}`, ...keyed(key) }),
    );
    // … which pulls the change and then answers the new serial.
    await waitForSerial(port, origin, second, { logFile: named.logFile });
    const z = escape(origin);
    expect(logLines(named.logFile, new RegExp(`zone ${z}/IN: notify from 127\\.0\\.0\\.1#\\d+: serial ${second}`)).length).toBeGreaterThanOrEqual(1);

    // By IXFR: named says so (debug 1: "requesting IXFR", debug 3: "got incremental response"),
    // it kept the diff in its journal, and zonexfer sent an IXFR (no second AXFR) for that serial.
    const ixfrLines = await waitFor('named to log the IXFR', async () => {
      const lines = logLines(named.logFile, new RegExp(`${z}/IN`), /requesting IXFR|got incremental response/);
      return lines.some((l) => l.includes('got incremental response')) ? lines : undefined;
    }, { detail: () => tail(named.logFile) });
    expect(ixfrLines.some((l) => /requesting IXFR/.test(l))).toBe(true);
    expect(logLines(named.logFile, new RegExp(`${z}`), /got nonincremental response/)).toEqual([]);
    expect(existsSync(join(dir, `${origin}.zone.jnl`))).toBe(true);
    expect(transferLogs(zx, origin, 'ixfr-out')).toContainEqual(
      expect.objectContaining({ msg: 'IXFR sent', serial: second, ...keyed(key) }),
    );
    expect(transferLogs(zx, origin, 'axfr-out').filter((l) => l['serial'] === second)).toEqual([]);

    await expectNamedHoldsZone(port, zoneId, origin, key);

    // One batch that removes, changes (content, TTL) and adds: named applies the diff by IXFR,
    // which needs every removal to match what it holds, else it logs the failure and falls back
    // to AXFR ("retrying with AXFR from … due to previous IXFR failure").
    await changeByBatch(zx, zoneId, origin);
    await zx.engine.idle();
    const third = servedSerial(zx, zoneId);
    expect(third).toBe(second + 1);
    await waitForSerial(port, origin, third, { logFile: named.logFile });
    await waitFor('named to log the second IXFR', async () => {
      const n = logLines(named.logFile, new RegExp(`'${z}/IN'`), /got incremental response/).length;
      return n >= 2 ? n : undefined;
    }, { detail: () => tail(named.logFile) });
    expect(logLines(named.logFile, new RegExp(`${z}`), /nonincremental|retrying with AXFR|IXFR out of sync|not exact|failed/i)).toEqual([]);
    expect(transferLogs(zx, origin, 'ixfr-out')).toContainEqual(expect.objectContaining({ msg: 'IXFR sent', serial: third, ...keyed(key) }));
    expect(transferLogs(zx, origin, 'axfr-out').map((l) => l['serial'])).toEqual([first]);
    await expectNamedHoldsZone(port, zoneId, origin, key);
    expect(logLines(named.logFile, TSIG_LOG_ERRORS)).toEqual([]);
  });

  it('named restarted two versions behind catches up with one IXFR across both diffs (force_notify)', async () => {
    const origin = 'restart.bind.example';
    const key = newKey('hmac-sha256', 'restart.bind-key.');
    const zoneId = await createPrimaryZone(zx, origin, STANDARD_RECORDS(origin));
    const { dir, port, ctl } = await configureNamed(zoneId, origin, key);
    const named = await launchNamed(dir, port, ctl, origin, key);
    const first = servedSerial(zx, zoneId);
    await waitForSerial(port, origin, first, { logFile: named.logFile });
    const zoneFile = join(dir, `${origin}.zone`);
    await waitFor(`named to write ${zoneFile}`, async () => (existsSync(zoneFile) ? true : undefined));
    await named.stop();

    // Two versions while named is down (their NOTIFYs go unanswered; the second publish waits for
    // the first NOTIFY's retries to end, one zone event at a time).
    await addRecord(zx, zoneId, { name: `added.${origin}`, type: 'A', content: '192.0.2.99', ttl: 300 });
    await waitServedSerial(zx, zoneId, first + 1);
    await changeByBatch(zx, zoneId, origin);
    const third = first + 2;
    await waitServedSerial(zx, zoneId, third);
    expect(zx.engine.journal(zoneId).map((d) => soaSerial(d.soaTo.rdata)).slice(-2)).toEqual([first + 1, third]);

    const again = await launchNamed(dir, port, ctl, origin, key);
    await zx.cf.dns.zoneTransfers.outgoing.forceNotify({ zone_id: zoneId });
    await waitForSerial(port, origin, third, { logFile: again.logFile });

    // One IXFR from `first` covered both diffs: zonexfer sent exactly one, for `third`, and never a
    // second AXFR; named kept it in its journal and logged no fallback.
    expect(transferLogs(zx, origin, 'ixfr-out').map((l) => l['serial'])).toEqual([third]);
    expect(transferLogs(zx, origin, 'axfr-out').map((l) => l['serial'])).toEqual([first]);
    expect(existsSync(`${zoneFile}.jnl`)).toBe(true);
    expect(logLines(again.logFile, new RegExp(`${escape(origin)}`), /retrying with AXFR|IXFR out of sync|not exact|failed/i)).toEqual([]);
    await expectNamedHoldsZone(port, zoneId, origin, key);
    expect(logLines(again.logFile, TSIG_LOG_ERRORS)).toEqual([]);
  });

  it('multi-message TSIG: a 20 000-record zone reaches named whole', async () => {
    const origin = 'big.bind.example';
    const zoneId = await createPrimaryZone(zx, origin, []);
    const key = newKey('hmac-sha256', 'big.bind-key.');
    // Configure first, then load the records: inserting 20 000 rows into PGlite keeps the event loop
    // busy for tens of seconds, long enough for the SDK's idle keep-alive connection to be reset.
    const { dir, port, ctl } = await configureNamed(zoneId, origin, key);
    await zx.store.records.insertMany(zoneId, bigZoneRows(origin, 20_000));
    zx.engine.zoneChanged(zoneId);
    await zx.engine.idle();
    const records = servedRecords(zx, zoneId);
    expect(records.length).toBe(20_002);
    const named = await launchNamed(dir, port, ctl, origin, key);
    const serial = servedSerial(zx, zoneId);
    await waitForSerial(port, origin, serial, { logFile: named.logFile, timeoutMs: 30_000 });

    // zonexfer sent it in many messages, each signed with the peer's key …
    const sent = transferLogs(zx, origin, 'axfr-out').filter((l) => l['msg'] === 'AXFR sent' && l['key'] === key.name);
    expect(sent).toHaveLength(1);
    const messages = Number(sent[0]!['messages']);
    expect(messages).toBeGreaterThanOrEqual(10);
    // … and named verified the stream: it reports the same message count and every record (the
    // SOA twice), and logged no TSIG failure.
    const done = await waitFor('named to log the completed transfer', async () => {
      const m = new RegExp(`transfer of '${escape(origin)}/IN' from 127\\.0\\.0\\.1#${zx.dnsPort}: Transfer completed: (\\d+) messages, (\\d+) records`).exec(readLog(named.logFile));
      return m === null ? undefined : { messages: Number(m[1]), records: Number(m[2]) };
    }, { detail: () => tail(named.logFile) });
    expect(done).toEqual({ messages, records: records.length + 1 });
    expect(logLines(named.logFile, TSIG_LOG_ERRORS)).toEqual([]);

    // What named now serves (AXFR from named, signed) is zonexfer's zone, record for record.
    const got = await kdigXfr(port, origin, 'AXFR', { key: key.kdigArg });
    expect(got.code, got.out.slice(-2000)).toBe(0);
    expect(sortedKeys(axfrBody(got.records).map(asRR))).toEqual(sortedKeys(records));
  }, 240_000);
});
