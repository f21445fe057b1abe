// Scenario `many-zones`: many small secondary zones. A knotd primary (pinned to the client CPU)
// serves 10 000 seeded zones of 20 records (--quick: 1 000); zonexfer gets one peer and then, per
// zone, a secondary zone and its incoming config through the API (8 requests at once), and knotd /
// nsd / named get the same zones in their config. Value: seconds from the first API call (the
// daemons: their start) until every zone answers its serial; then the CPU each uses while idle.
import { readFileSync } from 'node:fs';
import { ensureManyZones } from '../lib/zonecache.mjs';
import { startKnotPrimary } from '../lib/primary.mjs';
import { DnsClient } from '../lib/dnsclient.mjs';
import { SECONDARY_KINDS, launchSecondary, parseZonexferLog, secondaryDir } from '../lib/secondaries.mjs';
import { hwmMiB, fmtMiB } from '../lib/xfr.mjs';
import { postgresReachable } from '../lib/postgres.mjs';
import { cpuSeconds, enforceAffinity, freePort, isAlive, rssMiB, sleep } from '../lib/procs.mjs';
import { row, standardRatios } from '../lib/report.mjs';
import { fmtNumber } from '../lib/stats.mjs';

/**
 * waitAllServed resolves when every origin answers `serial`: every `intervalMs` it asks a sample of
 * the zones still pending (so polling stays cheap while most are pending), and all of them once a
 * whole sample answered. Resolves {ok, ms (from t0 to the last needed answer), pending, queries}.
 */
export async function waitAllServed(dns, { port, origins, serial, t0, timeoutMs, alive, sample = 64, intervalMs = 500 }) {
  const pending = new Set(origins);
  const deadline = Number(t0 / 1_000_000n) + timeoutMs;
  let lastAt = t0;
  let queries = 0;
  let full = false;
  const ask = async (list) => {
    queries += list.length;
    const answers = await Promise.all(list.map((o) => dns.soa(port, o, 1000)));
    let all = true;
    answers.forEach((r, i) => {
      if (r && r.rcode === 'NOERROR' && r.serial === serial) {
        pending.delete(list[i]);
        lastAt = process.hrtime.bigint();
      } else all = false;
    });
    return all;
  };
  while (pending.size) {
    const list = [...pending];
    const pick = full || list.length <= sample ? list : Array.from({ length: sample }, (_, i) => list[Math.floor((i * list.length) / sample)]);
    const all = await ask(pick);
    full = all && !full; // a complete sample earns a full sweep; a failed full sweep goes back to sampling
    if (!pending.size) break;
    if (!alive()) return { ok: false, reason: 'the process exited', pending: pending.size, queries };
    if (Number(process.hrtime.bigint() / 1_000_000n) > deadline) return { ok: false, reason: `${pending.size} of ${origins.length} zones not served within ${Math.round(timeoutMs / 1000)} s (e.g. ${[...pending][0]})`, pending: pending.size, queries };
    if (!full) await sleep(intervalMs);
  }
  return { ok: true, ms: Number(lastAt - t0) / 1e6, pending: 0, queries };
}

export default {
  name: 'many-zones',
  title: 'Many zones: 10 000 small secondary zones configured through the API',
  // nsd is left out: in a trial it took 39 s for 1 000 zones (≈25 zones/s), 10 000 would not fit
  // the time budget of the default run. `--systems` cannot add it back; edit this list to try it.
  systems: ['zonexfer', 'knotd', 'named'],
  defaults: { zones: 10_000, zoneRecords: 20, apiConcurrency: 8, timeout: 420, apiBudget: 300, idle: 30, store: 'auto' },
  quick: { zones: 1_000, timeout: 120, apiBudget: 90, idle: 5 },

  estimateSeconds: (p, n) => (p.zones / 100) * n + p.idle,
  maxSeconds: (p, n) => n * p.timeout + p.idle + 10,

  async run(ctx) {
    const { params: p, tmp, cpus, log } = ctx;
    const startedAt = new Date().toISOString();
    const notes = [];
    // zonexfer's store: PostgreSQL (a throwaway database) when reachable and store is 'auto' or
    // 'postgres' — its API takes zones several times faster than with PGlite — else PGlite.
    let zxKind = 'zonexfer';
    if (p.store !== 'pglite') {
      const why = await postgresReachable();
      if (!why) zxKind = 'zonexfer+pg';
      else if (p.store === 'postgres') throw new Error(why);
      else notes.push(`zonexfer uses PGlite: ${why}.`);
    }
    const kinds = ctx.systems.map((s) => (s.name === 'zonexfer' ? zxKind : s.name));
    const label = (kind) => (kind.startsWith('zonexfer') ? 'zonexfer' : SECONDARY_KINDS[kind].label);
    const state = new Map(kinds.map((k) => [k, { kind: k, error: null, launched: null }]));

    const { zones } = await ensureManyZones({ count: p.zones, records: p.zoneRecords, seed: p.seed }, log);
    const origins = zones.map((z) => z.origin);
    const primaryPort = await freePort();
    let t = Date.now();
    const primary = await startKnotPrimary({ dir: `${tmp}/primary`, port: primaryPort, zones, cpus: cpus.client, timeoutMs: 300_000, logLevel: 'warning' });
    const serial = await primary.soaSerial(origins[0]);
    log(`primary knotd pid ${primary.pid} serves ${p.zones} zones (serial ${serial}) after ${((Date.now() - t) / 1000).toFixed(1)} s`);
    const dns = new DnsClient({ inflight: 256 });
    try {
      for (const kind of kinds) {
        const s = state.get(kind);
        try {
          const port = await freePort();
          // named asks at most 20 SOA per second and runs 2 transfers per primary by default: 10 000
          // zones would take minutes for that alone. Raised (stated in the notes).
          const serverConfig = kind === 'named' ? ['serial-query-rate 1000;', 'transfers-per-ns 20;', 'transfers-in 20;'] : undefined;
          s.launched = await launchSecondary(kind, { dir: secondaryDir(tmp, kind, 'many'), port, primaryPort, origins, cpus: cpus.server, ixfr: false, apiConcurrency: p.apiConcurrency, apiBudgetMs: p.apiBudget * 1000, serverConfig, timeoutMs: p.timeout * 1000 });
          s.port = port;
          const { handle, t0, configuredMs } = s.launched;
          if (configuredMs) log(`${kind}: ${p.zones} zones configured through the API in ${(configuredMs / 1000).toFixed(1)} s (${fmtNumber((1000 * p.zones) / configuredMs)} zones/s, ${2 * p.zones + 1} requests, ${p.apiConcurrency} at once)`);
          const w = await waitAllServed(dns, { port, origins, serial, t0, timeoutMs: p.timeout * 1000, alive: () => isAlive(handle.pid) });
          if (!w.ok) throw new Error(`${w.reason}; log ${handle.logFile}`);
          s.seconds = w.ms / 1000;
          s.configuredSeconds = configuredMs / 1000;
          s.rss = rssMiB(handle.pid);
          s.hwm = hwmMiB(handle.pid);
          if (kind.startsWith('zonexfer')) {
            const text = readFileSync(handle.logFile, 'utf8');
            s.transfersLogged = new Set(parseZonexferLog(text).map((o) => o.zone)).size;
            s.refreshFailures = (text.match(/"msg":"refresh failed"/g) ?? []).length;
          }
          log(`${label(kind)}: all ${p.zones} zones served after ${s.seconds.toFixed(1)} s${configuredMs ? ` (configuring took ${(configuredMs / 1000).toFixed(1)} s)` : ''}, RSS ${fmtMiB(s.rss)} MiB, peak ${fmtMiB(s.hwm)} MiB${s.transfersLogged !== undefined ? `, ${s.transfersLogged} zones transferred by its log, ${s.refreshFailures} refresh failures` : ''}`);
        } catch (err) {
          s.error = err.message;
          log(`${kind}: ${err.message.split('\n')[0]}`);
          if (s.launched) {
            await s.launched.handle.stop();
            s.launched = null;
          }
        }
      }

      // Idle: every secondary that made it stays up; their CPU over the same window.
      const live = [...state.values()].filter((s) => s.launched && !s.error);
      if (live.length) {
        for (const s of live) if (cpus.server !== undefined) await enforceAffinity(s.launched.handle.pid, cpus.server).catch(() => {});
        await sleep(2000);
        const c0 = live.map((s) => cpuSeconds(s.launched.handle.pid));
        const w0 = process.hrtime.bigint();
        log(`idle: measuring the CPU use of ${live.map((s) => s.kind).join(', ')} for ${p.idle} s`);
        await sleep(p.idle * 1000);
        const wall = Number(process.hrtime.bigint() - w0) / 1e9;
        live.forEach((s, i) => {
          s.idleCpuPct = (100 * (cpuSeconds(s.launched.handle.pid) - c0[i])) / wall;
          s.idleRss = rssMiB(s.launched.handle.pid);
          log(`${label(s.kind)}: idle CPU ${s.idleCpuPct.toFixed(2)} % of a core, RSS ${fmtMiB(s.idleRss)} MiB`);
        });
      }
    } finally {
      dns.close();
      for (const s of state.values()) if (s.launched) await s.launched.handle.stop();
      await primary.stop();
    }

    const rows = kinds.map((kind) => {
      const s = state.get(kind);
      const ok = !s.error && Number.isFinite(s.seconds);
      return row(label(kind), {
        version: ctx.versions[SECONDARY_KINDS[kind].system],
        values: ok ? [s.seconds] : [],
        error: ok ? null : (s.error ?? 'no measurement'),
        extra: ok
          ? {
              'configuring (API) s': s.configuredSeconds ? s.configuredSeconds.toFixed(1) : '',
              'API zones/s': s.configuredSeconds ? fmtNumber(p.zones / s.configuredSeconds) : '',
              'idle CPU % of a core': s.idleCpuPct !== undefined ? s.idleCpuPct.toFixed(2) : '',
              'RSS MiB (served → idle)': `${fmtMiB(s.rss)} → ${fmtMiB(s.idleRss)}`,
              'peak RSS MiB': fmtMiB(s.hwm),
            }
          : {},
        details: { seconds: s.seconds ?? null, configuredSeconds: s.configuredSeconds ?? null, idleCpuPct: s.idleCpuPct ?? null, rssMiB: s.rss ?? null, idleRssMiB: s.idleRss ?? null, hwmMiB: s.hwm ?? null, transfersLogged: s.transfersLogged ?? null, refreshFailures: s.refreshFailures ?? null, error: s.error },
      });
    });
    const zx = state.get(zxKind);
    if (zx?.configuredSeconds && zx.seconds) {
      notes.push(`zonexfer: configuring ${p.zones} zones through the API took ${zx.configuredSeconds.toFixed(1)} s of the ${zx.seconds.toFixed(1)} s (${fmtNumber(p.zones / zx.configuredSeconds)} zones/s with ${p.apiConcurrency} requests at once, 2 requests per zone); its log shows ${zx.transfersLogged} zones transferred and ${zx.refreshFailures} failed refreshes.`);
    }
    if (kinds.includes('named')) notes.push('named runs with serial-query-rate 1000, transfers-per-ns 20, transfers-in 20 (defaults 20/s, 2, 10 would make it wait on its own rate limits).');
    notes.push(`"All served" means every zone answered its serial over UDP: the runner asks a sample of 64 pending zones every 0.5 s and all pending zones once a sample fully answered. Idle CPU is each secondary's CPU time over the same ${p.idle} s window after all of them were done (from /proc/PID/stat), in % of one core.`);
    notes.push(`Primary: knotd with all ${p.zones} zones on CPU ${cpus.client ?? '–'}; secondaries on CPU ${cpus.server ?? '–'}, one at a time (the finished ones stay up, idle). One repetition.`);
    notes.push(`zonexfer stores in ${zxKind === 'zonexfer+pg' ? 'PostgreSQL (a throwaway database on the local server, --database-url; its CPU is not in the figures)' : 'PGlite (its data dir)'}. Configuring through the API is bounded by ${p.apiBudget} s; if that runs out the row says how many zones were configured.`);
    notes.push('nsd is not in this scenario: a trial took 39 s for 1 000 zones, too slow for the time budget of the default run at 10 000.');
    if (ctx.skipped?.length) notes.push(...ctx.skipped);
    return {
      name: 'many-zones',
      title: this.title.replace('10 000', fmtNumber(p.zones)),
      description:
        `A knotd primary serves ${fmtNumber(p.zones)} seeded zones of ${p.zoneRecords} records. zonexfer gets one peer, then a secondary zone and an incoming config per zone ` +
        `through its API (${p.apiConcurrency} requests at once)${kinds.length > 1 ? `; ${kinds.filter((k) => !k.startsWith('zonexfer')).join(' and ')} are started with the same zones as secondaries in their config` : ''}. ` +
        'Value: seconds from the first API call (daemons: their start) until every zone answers its serial; lower is better. Then each one\'s CPU use while idle.',
      unit: 's',
      higherIsBetter: false,
      baseline: 'zonexfer',
      params: { zones: p.zones, zoneRecords: p.zoneRecords, apiConcurrency: p.apiConcurrency, timeout: p.timeout, idle: p.idle, seed: p.seed, serverCpus: cpus.server ?? null, primaryCpus: cpus.client ?? null },
      rows,
      ratios: standardRatios(rows, 'zonexfer', false),
      notes,
      startedAt,
      finishedAt: new Date().toISOString(),
    };
  },
};
