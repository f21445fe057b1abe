// Scenario `axfr-in`: a secondary pulling a big zone. One knotd primary (pinned to the client CPU)
// serves the seeded 1 000 000-record zone (--quick: 100 000); zonexfer (configured through its API,
// PGlite; and again with --database-url to a throwaway PostgreSQL database when one is reachable),
// knotd, nsd and named (pinned to the server CPU) are each started fresh as its secondary, one at a
// time, in rotated order. Value: seconds from configuring (zonexfer: the first API call) or
// starting (the daemons) the secondary until it answers the primary's serial (SOA polled over UDP
// every 20 ms). Also the secondary's peak RSS (VmHWM), and how responsive it stayed meanwhile.
import { readFileSync } from 'node:fs';
import { ensureZoneFile } from '../lib/zonecache.mjs';
import { startKnotPrimary } from '../lib/primary.mjs';
import { DnsClient, waitForSerial } from '../lib/dnsclient.mjs';
import { SECONDARY_KINDS, launchSecondary, parseZonexferLog, secondaryDir } from '../lib/secondaries.mjs';
import { postgresReachable } from '../lib/postgres.mjs';
import { hwmMiB, fmtMiB, fmtMs, sizeLabel, benchOrigin } from '../lib/xfr.mjs';
import { enforceAffinity, freePort, isAlive, rssMiB, sleep } from '../lib/procs.mjs';
import { row, standardRatios } from '../lib/report.mjs';
import { fmtNumber, median, rotate } from '../lib/stats.mjs';

export default {
  name: 'axfr-in',
  title: 'AXFR in: time until a new secondary serves a big zone',
  systems: ['zonexfer', 'knotd', 'nsd', 'named'],
  defaults: { reps: 2, records: 1_000_000, postgres: true, timeout: 300, settle: 2 },
  quick: { reps: 1, records: 100_000, timeout: 120, settle: 1 },

  estimateSeconds: (p, n) => p.reps * (n + (p.postgres ? 1 : 0)) * (p.records / 1e6) * 15,
  maxSeconds: (p, n) => p.reps * (n + (p.postgres ? 1 : 0)) * (p.timeout + p.settle + 10),

  async run(ctx) {
    const { params: p, tmp, cpus, log } = ctx;
    const startedAt = new Date().toISOString();
    const ORIGIN = benchOrigin(p.records);
    const notes = [];
    const names = ctx.systems.map((s) => s.name);
    const kinds = [];
    for (const n of names) {
      kinds.push(n);
      if (n === 'zonexfer' && p.postgres) {
        const why = await postgresReachable();
        if (why) notes.push(`zonexfer (PostgreSQL) left out: ${why}.`);
        else kinds.push('zonexfer+pg');
      }
    }
    const state = new Map(kinds.map((k) => [k, { kind: k, reps: [], errors: [] }]));

    const zoneFile = await ensureZoneFile({ origin: ORIGIN, records: p.records, seed: p.seed }, log);
    const primaryPort = await freePort();
    let t = Date.now();
    const primary = await startKnotPrimary({ dir: `${tmp}/primary`, port: primaryPort, zones: [{ origin: ORIGIN, file: zoneFile }], cpus: cpus.client, timeoutMs: 300_000 });
    const serial = await primary.soaSerial(ORIGIN);
    log(`primary knotd pid ${primary.pid} on CPU ${cpus.client ?? '–'} serves ${sizeLabel(p.records)} records, serial ${serial}, after ${((Date.now() - t) / 1000).toFixed(1)} s`);
    const dns = new DnsClient();
    try {
      for (let rep = 0; rep < p.reps; rep++) {
        for (const kind of rotate(kinds, rep)) {
          const s = state.get(kind);
          if (s.fatal) continue;
          let launched = null;
          try {
            const port = await freePort();
            launched = await launchSecondary(kind, { dir: secondaryDir(tmp, kind, `rep${rep + 1}`), port, primaryPort, origins: [ORIGIN], cpus: cpus.server, ixfr: false, timeoutMs: p.timeout * 1000 });
            const { handle } = launched;
            const rssStart = rssMiB(handle.pid);
            const w = await waitForSerial(dns, { port, zone: ORIGIN, serial, t0: launched.t0, intervalMs: 20, timeoutMs: p.timeout * 1000, alive: () => isAlive(handle.pid) });
            if (!w.ok) throw new Error(`${w.reason}; log ${handle.logFile}`);
            const hwmAtAnswer = hwmMiB(handle.pid);
            // What happens right after (named writes its zone file, knotd flushes its journal…).
            await sleep(p.settle * 1000);
            if (cpus.server !== undefined) await enforceAffinity(handle.pid, cpus.server).catch(() => {});
            const hwm = hwmMiB(handle.pid);
            const rssEnd = rssMiB(handle.pid);
            let transferMs = null;
            if (kind.startsWith('zonexfer')) {
              const done = parseZonexferLog(readFileSync(handle.logFile, 'utf8')).find((o) => o.zone === ORIGIN && o.msg === 'AXFR completed');
              transferMs = done?.ms ?? null;
            }
            s.reps.push({ rep: rep + 1, seconds: w.ms / 1000, configuredMs: launched.configuredMs, hwmAtAnswer, hwm, rssStart, rssEnd, transferMs, polls: w.polls, unanswered: w.unanswered, maxLatencyMs: w.maxLatencyMs });
            log(`rep ${rep + 1}/${p.reps} ${SECONDARY_KINDS[kind].label.padEnd(21)} serves serial ${serial} after ${(w.ms / 1000).toFixed(2)} s${transferMs !== null ? ` (transfer ${(transferMs / 1000).toFixed(2)} s by its log)` : ''}  peak RSS ${fmtMiB(hwm)} MiB  unanswered polls ${w.unanswered}/${w.polls}, slowest answer ${fmtMs(w.maxLatencyMs)} ms`);
          } catch (err) {
            s.errors.push(`rep ${rep + 1}: ${err.message}`);
            log(`rep ${rep + 1}/${p.reps} ${kind}: ${err.message.split('\n')[0]}`);
            if (/not installed|cannot|not built|not reachable/.test(err.message)) s.fatal = true;
          } finally {
            if (launched) await launched.handle.stop();
          }
        }
      }
    } finally {
      dns.close();
      await primary.stop();
    }

    const rows = kinds.map((kind) => {
      const s = state.get(kind);
      const sys = SECONDARY_KINDS[kind].system;
      const values = s.reps.map((r) => r.seconds);
      const med = (f) => median(s.reps.map(f));
      if (s.errors.length && values.length) notes.push(`${SECONDARY_KINDS[kind].label}: ${s.errors.length} repetition(s) failed: ${s.errors[0].split('\n')[0]}`);
      return row(SECONDARY_KINDS[kind].label, {
        version: ctx.versions[sys],
        values,
        error: values.length ? null : (s.errors[0] ?? 'no measurement'),
        extra: values.length
          ? {
              'of which configuring s': kind.startsWith('zonexfer') ? (med((r) => r.configuredMs) / 1000).toFixed(2) : '',
              'transfer s (own log)': kind.startsWith('zonexfer') && med((r) => r.transferMs) !== null ? (med((r) => r.transferMs) / 1000).toFixed(2) : '',
              'peak RSS MiB (VmHWM)': fmtMiB(med((r) => r.hwm)),
              'RSS MiB idle → after': `${fmtMiB(med((r) => r.rssStart))} → ${fmtMiB(med((r) => r.rssEnd))}`,
              'unanswered polls': `${Math.round(med((r) => r.unanswered))} / ${Math.round(med((r) => r.polls))}`,
              'slowest answer ms': fmtMs(med((r) => r.maxLatencyMs)),
            }
          : {},
        details: { kind, repetitions: s.reps, errors: s.errors },
      });
    });

    const zx = state.get('zonexfer');
    const zxSeconds = median(zx?.reps.map((r) => r.seconds) ?? []);
    const zxTransfer = median(zx?.reps.map((r) => r.transferMs) ?? []);
    if (zxSeconds !== null && zxTransfer !== null && zxSeconds * 1000 > 1.25 * zxTransfer) {
      notes.push(`zonexfer: the transfer itself took ${(zxTransfer / 1000).toFixed(1)} s by its log, but the zone was served only after ${zxSeconds.toFixed(1)} s: ${((100 * (zxSeconds * 1000 - zxTransfer)) / (zxSeconds * 1000)).toFixed(0)} % of the time lies between the transfer's end (the version is served then, and stored after) and the first poll it answered: its event loop was busy (with PGlite, storing the version runs on it).`);
    }
    const zxUnanswered = median(zx?.reps.map((r) => r.unanswered) ?? []);
    if (zxUnanswered) notes.push(`zonexfer: ${Math.round(zxUnanswered)} SOA polls (every 20 ms, 500 ms timeout) got no answer while it took the zone in: its event loop was blocked, so it answered no query for any zone meanwhile.`);
    notes.push('The daemons\' times include their start-up (a few ms to ~0.1 s, no zone to load); zonexfer\'s instance is up (API ready, account created) before the clock starts, and its time includes the API calls (peer, zone, incoming config).');
    notes.push('Peak RSS is VmHWM of the secondary\'s process tree (nsd: summed over its processes) read after it answered plus the settle time; zonexfer (PGlite) includes the embedded database, zonexfer (PostgreSQL) does not include the PostgreSQL server\'s memory.');
    notes.push(`Primary: knotd ${await primary.version().catch(() => '')} (zonefile-load: difference, journal), pinned to CPU ${cpus.client ?? '–'}; the secondaries on CPU ${cpus.server ?? '–'}; zonexfer's peer has ixfr_enable false (a first transfer is an AXFR either way).`);
    if (ctx.skipped?.length) notes.push(...ctx.skipped);
    const ratioRows = rows.filter((r) => r.system !== SECONDARY_KINDS['zonexfer+pg'].label);
    return {
      name: 'axfr-in',
      title: this.title,
      description:
        `A knotd primary serves the seeded ${sizeLabel(p.records)}-record zone (${fmtNumber(p.records)} records, same generator as axfr-out). Each secondary is started fresh, ` +
        `one at a time (${p.reps} repetition(s), order rotated), and configured to pull it: zonexfer through its API (POST peer, zone, incoming; PGlite` +
        `${kinds.includes('zonexfer+pg') ? ', and a second row with --database-url to a throwaway PostgreSQL database' : ''}), knotd/nsd/named from a generated config. ` +
        'Value: seconds until the secondary answers the primary\'s SOA serial (polled over UDP every 20 ms); lower is better.',
      unit: 's',
      higherIsBetter: false,
      baseline: 'zonexfer',
      params: { origin: ORIGIN, records: p.records, reps: p.reps, seed: p.seed, timeout: p.timeout, settle: p.settle, postgres: kinds.includes('zonexfer+pg'), serverCpus: cpus.server ?? null, primaryCpus: cpus.client ?? null },
      rows,
      ratios: standardRatios(ratioRows, 'zonexfer', false),
      notes,
      startedAt,
      finishedAt: new Date().toISOString(),
    };
  },
};
