// Secondaries for the transfer-in scenarios (axfr-in, ixfr, many-zones): zonexfer configured
// through its API (PGlite in its data dir, or --database-url to a throwaway PostgreSQL database),
// and knotd / nsd / named from peers.mjs configured with the zones as secondaries of one primary.
// launchSecondary returns the instant the secondary was *configured* (zonexfer: the first API
// call, after the process and its API were up; the daemons: just before they are spawned, so their
// few milliseconds of start-up count against them) and a handle to stop it.
import { join } from 'node:path';
import { startKnot, startNsd, startNamed } from '../peers/peers.mjs';
import { track } from './procs.mjs';
import { createThrowawayDb } from './postgres.mjs';
import { mapLimit, startZonexfer } from './zonexfer-api.mjs';

/** The secondary kinds: key → {system (version/availability in SYSTEMS), label}. */
export const SECONDARY_KINDS = {
  zonexfer: { system: 'zonexfer', label: 'zonexfer' },
  'zonexfer+pg': { system: 'zonexfer', label: 'zonexfer (PostgreSQL)' },
  knotd: { system: 'knotd', label: 'knotd' },
  nsd: { system: 'nsd', label: 'nsd' },
  named: { system: 'named', label: 'named' },
};

const abs = (origin) => (origin.endsWith('.') ? origin : `${origin}.`);

/**
 * launchSecondary starts secondary `kind` for `origins`, pulling from 127.0.0.1:`primaryPort`.
 * Options: dir, port, cpus, ixfr (zonexfer peer ixfr_enable), apiConcurrency (zonexfer: zones
 * configured at once), apiBudgetMs (zonexfer: give up configuring after this long, with the rate
 * reached), serverConfig (daemons: extra global lines), timeoutMs.
 * Resolves {t0 (hrtime bigint), configuredMs (zonexfer: until the last API call returned),
 * handle: {pid, port, logFile, stop}, api?, zoneIds?, database?}.
 */
export async function launchSecondary(kind, { dir, port, primaryPort, origins, cpus, ixfr = true, apiConcurrency = 8, apiBudgetMs = Infinity, serverConfig, timeoutMs = 300_000 }) {
  if (kind === 'zonexfer' || kind === 'zonexfer+pg') {
    let database = null;
    if (kind === 'zonexfer+pg') database = await createThrowawayDb();
    let zx;
    try {
      zx = await startZonexfer({ dir, port, cpus, ...(database ? { databaseUrl: database.url } : {}), timeoutMs });
    } catch (err) {
      if (database) await database.drop().catch(() => {});
      throw err;
    }
    const stop = async () => {
      await zx.handle.stop();
      if (database) await database.drop().catch(() => {});
    };
    const untrack = track(`${kind} secondary`, stop);
    const handle = { pid: zx.handle.pid, port, logFile: zx.handle.logFile, stop: () => stop().finally(untrack) };
    try {
      const account = await zx.api.createAccount('bench');
      const t0 = process.hrtime.bigint();
      const peer = await zx.api.createPeer(account.id, { name: 'primary', ip: '127.0.0.1', port: primaryPort, ixfr });
      let configured = 0;
      const zoneIds = await mapLimit(origins, apiConcurrency, async (o) => {
        const elapsed = Number(process.hrtime.bigint() - t0) / 1e6;
        if (elapsed > apiBudgetMs) {
          throw new Error(`gave up after ${(elapsed / 1000).toFixed(0)} s with ${configured} of ${origins.length} zones configured (${(configured / (elapsed / 1000)).toFixed(1)} zones/s)`);
        }
        const id = await zx.api.addSecondary(account.id, abs(o), [peer.id]);
        configured++;
        return id;
      });
      const configuredMs = Number(process.hrtime.bigint() - t0) / 1e6;
      return { t0, configuredMs, handle, api: zx.api, zoneIds, database };
    } catch (err) {
      await handle.stop();
      throw new Error(`configuring zonexfer through its API failed: ${err.message}`, { cause: err });
    }
  }
  const zones = origins.map((o) => ({ origin: abs(o), primaries: [{ host: '127.0.0.1', port: primaryPort }] }));
  const common = { dir, port, zones, cpus, waitFor: 'none', timeoutMs };
  const t0 = process.hrtime.bigint();
  let h;
  if (kind === 'knotd') h = await startKnot({ ...common, serverConfig: ['udp-workers: 1', 'tcp-workers: 1', 'background-workers: 1', ...(serverConfig ?? [])] });
  else if (kind === 'nsd') h = await startNsd({ ...common, serverConfig: ['rrl-ratelimit: 0', 'rrl-whitelist-ratelimit: 0', ...(serverConfig ?? [])] });
  else if (kind === 'named') h = await startNamed({ ...common, ...(serverConfig ? { serverConfig } : {}) });
  else throw new Error(`unknown secondary kind ${kind}`);
  const untrack = track(`${kind} secondary (pid ${h.pid})`, () => h.stop());
  return { t0, configuredMs: 0, handle: { pid: h.pid, port, logFile: h.logFile, stop: () => h.stop().finally(untrack) } };
}

/** zonexferTransferLog returns zonexfer's 'AXFR completed'/'IXFR completed' log objects (JSON lines). */
export function parseZonexferLog(text) {
  const out = [];
  for (const line of text.split('\n')) {
    if (!line.startsWith('{') || !line.includes('completed')) continue;
    try {
      const o = JSON.parse(line);
      if (o.msg === 'AXFR completed' || o.msg === 'IXFR completed') out.push(o);
    } catch {
      // not a log object
    }
  }
  return out;
}

export const secondaryDir = (tmp, kind, tag) => join(tmp, `${kind.replace('+', '-')}-${tag}`);
