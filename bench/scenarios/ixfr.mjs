// Scenario `ixfr`: a small change to a big zone. A knotd primary (journal, zonefile-load:
// difference; pinned to the client CPU) serves the seeded 1 000 000-record zone (--quick: 100 000);
// zonexfer (API, PGlite; and with PostgreSQL when reachable), knotd, nsd and named (pinned to the
// server CPU) hold it as secondaries. Each repetition changes 100 A records and bumps the serial in
// the primary's zone file, reloads the primary (which journals the difference), then — once the
// primary serves the new serial — notifies the secondaries one at a time in rotated order and
// measures NOTIFY → the secondary answers the new serial (SOA polled over UDP every millisecond: the
// systems take 3–10 ms, so a coarser poll would decide much of the difference between them; 9
// repetitions by default, as single ones vary by milliseconds). Before each NOTIFY the runner waits (up to
// settleSeconds) for both CPUs to be quiet, so no system is measured while the one before it (or
// the primary's reload) still works: on two cores that after-work delayed the next system's
// answers by several milliseconds.
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureZoneFile, zoneSerialOf } from '../lib/zonecache.mjs';
import { rng } from '../lib/zones.mjs';
import { startKnotPrimary } from '../lib/primary.mjs';
import { DnsClient, waitForSerial } from '../lib/dnsclient.mjs';
import { SECONDARY_KINDS, launchSecondary, parseZonexferLog, secondaryDir } from '../lib/secondaries.mjs';
import { postgresReachable } from '../lib/postgres.mjs';
import { fmtMiB, fmtMs, sizeLabel, benchOrigin } from '../lib/xfr.mjs';
import { enforceAffinity, freePort, isAlive, rssMiB, cpuSeconds, waitQuiet } from '../lib/procs.mjs';
import { row, standardRatios } from '../lib/report.mjs';
import { median, rotate } from '../lib/stats.mjs';

/** changeLines edits `count` A records of `lines` in place (seeded by rep) and returns their indexes. */
export function changeLines(lines, aLines, count, seed, rep) {
  const r = rng(`${seed}|ixfr|${rep}`);
  const picked = new Set();
  while (picked.size < Math.min(count, aLines.length)) picked.add(aLines[r.int(aLines.length)]);
  let i = 0;
  for (const idx of picked) {
    // 100.64.0.0/10 never occurs in the generated zone, and each value is used once per rep.
    const addr = `100.${64 + (rep % 64)}.${(i >> 8) & 255}.${i & 255}`;
    lines[idx] = lines[idx].replace(/ IN A \S+$/, ` IN A ${addr}`);
    i++;
  }
  return [...picked];
}

/** howOf tells how zonexfer's log says it took `serial` in: 'IXFR', 'AXFR', or '?' (no line yet). */
function howOf(entries, serial) {
  const e = entries.find((o) => o.serial === serial);
  return e ? (e.msg === 'IXFR completed' ? 'IXFR' : 'AXFR') : '?';
}

export default {
  name: 'ixfr',
  title: 'IXFR: NOTIFY → secondary serves a 100-record change of a big zone',
  systems: ['zonexfer', 'knotd', 'nsd', 'named'],
  defaults: { reps: 9, records: 1_000_000, changes: 100, postgres: true, timeout: 300, ixfrTimeout: 120, settleSeconds: 3 },
  quick: { reps: 2, records: 100_000, timeout: 120, ixfrTimeout: 60 },

  estimateSeconds: (p, n) => p.timeout / 5 + p.reps * (n + 1) * 2.5,
  maxSeconds: (p, n) => p.timeout + p.reps * ((n + 1) * (p.ixfrTimeout + p.settleSeconds) + 120),

  async run(ctx) {
    const { params: p, tmp, cpus, log } = ctx;
    const startedAt = new Date().toISOString();
    const ORIGIN = benchOrigin(p.records);
    const notes = [];
    const kinds = [];
    for (const n of ctx.systems.map((s) => s.name)) {
      kinds.push(n);
      if (n === 'zonexfer' && p.postgres) {
        const why = await postgresReachable();
        if (why) notes.push(`zonexfer (PostgreSQL) left out: ${why}.`);
        else kinds.push('zonexfer+pg');
      }
    }
    const state = new Map(kinds.map((k) => [k, { kind: k, reps: [], errors: [], launched: null, setupSeconds: null }]));

    // The primary's own copy of the zone: it is edited every repetition.
    const cached = await ensureZoneFile({ origin: ORIGIN, records: p.records, seed: p.seed }, log);
    const zoneFile = join(tmp, 'primary.zone');
    copyFileSync(cached, zoneFile);
    const lines = readFileSync(zoneFile, 'utf8').split('\n');
    const soaIdx = lines.findIndex((l) => / IN SOA /.test(l));
    const baseSerial = zoneSerialOf(lines[soaIdx]);
    const aLines = [];
    lines.forEach((l, i) => {
      if (/ IN A \S+$/.test(l) && !/^ns\d\./.test(l)) aLines.push(i);
    });

    const primaryPort = await freePort();
    let t = Date.now();
    const primary = await startKnotPrimary({ dir: join(tmp, 'primary'), port: primaryPort, zones: [{ origin: ORIGIN, file: zoneFile }], cpus: cpus.client, timeoutMs: 300_000 });
    log(`primary knotd pid ${primary.pid} serves ${sizeLabel(p.records)} records, serial ${baseSerial}, after ${((Date.now() - t) / 1000).toFixed(1)} s`);
    const dns = new DnsClient();
    let primaryReloads = [];
    try {
      // 1. Every secondary takes the zone in (at once; only a set-up, reported for information).
      await Promise.all(kinds.map(async (kind) => {
        const s = state.get(kind);
        try {
          const port = await freePort();
          s.launched = await launchSecondary(kind, { dir: secondaryDir(tmp, kind, 'ixfr'), port, primaryPort, origins: [ORIGIN], cpus: cpus.server, ixfr: true, timeoutMs: p.timeout * 1000 });
          s.port = port;
          const w = await waitForSerial(dns, { port, zone: ORIGIN, serial: baseSerial, t0: s.launched.t0, intervalMs: 100, timeoutMs: p.timeout * 1000, alive: () => isAlive(s.launched.handle.pid) });
          if (!w.ok) throw new Error(`initial transfer: ${w.reason}; log ${s.launched.handle.logFile}`);
          s.setupSeconds = w.ms / 1000;
          log(`${SECONDARY_KINDS[kind].label}: holds serial ${baseSerial} after ${s.setupSeconds.toFixed(1)} s (all secondaries pulling at once), RSS ${fmtMiB(rssMiB(s.launched.handle.pid))} MiB`);
        } catch (err) {
          s.fatal = err.message;
          log(`${kind}: ${err.message.split('\n')[0]}`);
        }
      }));

      // 2. Repetitions: change, reload the primary, NOTIFY each secondary in turn.
      for (let rep = 0; rep < p.reps; rep++) {
        const serial = baseSerial + rep + 1;
        changeLines(lines, aLines, p.changes, p.seed, rep);
        lines[soaIdx] = lines[soaIdx].replace(` ${serial - 1} `, ` ${serial} `);
        writeFileSync(zoneFile, lines.join('\n'));
        const t0 = process.hrtime.bigint();
        await primary.reload(ORIGIN);
        const pw = await waitForSerial(dns, { port: primaryPort, zone: ORIGIN, serial, t0, intervalMs: 20, timeoutMs: 120_000, alive: () => isAlive(primary.pid) });
        if (!pw.ok) throw new Error(`primary did not serve serial ${serial} after reload: ${pw.reason}; log ${primary.logFile}`);
        primaryReloads.push(pw.ms);
        log(`rep ${rep + 1}/${p.reps}: primary serves serial ${serial} (${p.changes} A records changed) ${(pw.ms / 1000).toFixed(1)} s after the reload request`);
        for (const kind of rotate(kinds, rep)) {
          const s = state.get(kind);
          if (s.fatal || s.stuck) continue;
          const { handle } = s.launched;
          if (cpus.server !== undefined) await enforceAffinity(handle.pid, cpus.server).catch(() => {});
          // 250 ms windows under 10 % busy: the previous system's after-work (its journal, its
          // database's commit, a change feed) or the primary's reload is over.
          const busy = await waitQuiet(undefined, p.settleSeconds, 10, 250);
          if (busy >= 10) notes.push(`rep ${rep + 1} ${kind}: the CPUs were still ${busy.toFixed(0)} % busy after ${p.settleSeconds} s of waiting; measured anyway.`);
          const logBefore = kind.startsWith('zonexfer') ? readFileSync(handle.logFile, 'utf8').length : 0;
          const rssBefore = rssMiB(handle.pid);
          const cpu0 = cpuSeconds(handle.pid);
          const n0 = process.hrtime.bigint();
          const ack = await dns.notify(s.port, ORIGIN, 2000);
          const w = await waitForSerial(dns, { port: s.port, zone: ORIGIN, serial, t0: n0, intervalMs: 1, timeoutMs: p.ixfrTimeout * 1000, alive: () => isAlive(handle.pid) });
          if (!w.ok) {
            s.errors.push(`rep ${rep + 1}: ${w.reason} (NOTIFY ${ack ? ack.rcode : 'not acknowledged'}); log ${handle.logFile}`);
            log(`rep ${rep + 1}/${p.reps} ${kind}: ${w.reason}`);
            // It is behind now: later repetitions would measure a different (bigger) change.
            s.stuck = true;
            continue;
          }
          const how = kind.startsWith('zonexfer') ? howOf(parseZonexferLog(readFileSync(handle.logFile, 'utf8').slice(logBefore)), serial) : null;
          const rec = { rep: rep + 1, ms: w.ms, notifyRcode: ack?.rcode ?? 'timeout', notifyAckMs: ack?.ms ?? null, rssBefore, rssAfter: rssMiB(handle.pid), cpuSeconds: cpuSeconds(handle.pid) - cpu0, how, unanswered: w.unanswered, maxLatencyMs: w.maxLatencyMs };
          s.reps.push(rec);
          log(`rep ${rep + 1}/${p.reps} ${SECONDARY_KINDS[kind].label.padEnd(21)} NOTIFY (${rec.notifyRcode}) → serial ${serial} in ${fmtMs(w.ms)} ms${how ? ` by ${how}` : ''}  CPU ${rec.cpuSeconds.toFixed(2)} s  RSS ${fmtMiB(rssBefore)} → ${fmtMiB(rec.rssAfter)} MiB  unanswered polls ${w.unanswered}, slowest answer ${fmtMs(w.maxLatencyMs)} ms`);
        }
      }
    } finally {
      dns.close();
      for (const s of state.values()) if (s.launched) await s.launched.handle.stop();
      await primary.stop();
    }
    // zonexfer logs a transfer just after serving its version, and the line can reach the file
    // after the runner has seen the new serial and read the log: those repetitions are looked up
    // again in the whole log, now complete.
    for (const s of state.values()) {
      if (!s.kind.startsWith('zonexfer') || !s.reps.some((r) => r.how === '?')) continue;
      const entries = parseZonexferLog(readFileSync(s.launched.handle.logFile, 'utf8'));
      for (const r of s.reps) if (r.how === '?') r.how = howOf(entries, baseSerial + r.rep);
    }

    const rows = kinds.map((kind) => {
      const s = state.get(kind);
      const values = s.reps.map((r) => r.ms);
      const med = (f) => median(s.reps.map(f));
      if (s.errors.length && values.length) notes.push(`${SECONDARY_KINDS[kind].label}: ${s.errors[0].split('\n')[0]}`);
      const hows = [...new Set(s.reps.map((r) => r.how).filter(Boolean))];
      if (hows.includes('AXFR')) notes.push(`${SECONDARY_KINDS[kind].label}: took the change by AXFR, not IXFR, in ${s.reps.filter((r) => r.how === 'AXFR').length} repetition(s).`);
      return row(SECONDARY_KINDS[kind].label, {
        version: ctx.versions[SECONDARY_KINDS[kind].system],
        values,
        error: values.length ? null : (s.fatal ?? s.errors[0] ?? 'no measurement'),
        extra: values.length
          ? {
              'transfer (own log)': hows.join('/') || '',
              'CPU s per change': med((r) => r.cpuSeconds).toFixed(2),
              'RSS MiB before → after (last rep)': `${fmtMiB(s.reps.at(-1).rssBefore)} → ${fmtMiB(s.reps.at(-1).rssAfter)}`,
              'unanswered polls': String(med((r) => r.unanswered)),
              'slowest answer ms': fmtMs(med((r) => r.maxLatencyMs)),
              'initial AXFR s (concurrent)': s.setupSeconds?.toFixed(1) ?? '',
            }
          : {},
        details: { kind, repetitions: s.reps, errors: s.errors, setupSeconds: s.setupSeconds },
      });
    });
    const zx = state.get('zonexfer');
    const zxCpu = median(zx?.reps.map((r) => r.cpuSeconds) ?? []);
    if (zxCpu !== null && zxCpu > 1) notes.push(`zonexfer spent ${zxCpu.toFixed(1)} s of CPU per ${p.changes}-record change of a ${sizeLabel(p.records)}-record zone: work proportional to the zone, not to the change (the peers: ${kinds.filter((k) => !k.startsWith('zonexfer')).map((k) => `${k} ${median(state.get(k).reps.map((r) => r.cpuSeconds))?.toFixed(2) ?? '–'} s`).join(', ')}).`);
    notes.push(`The primary (knotd, journal, zonefile-load: difference, CPU ${cpus.client ?? '–'}) served each new serial ${primaryReloads.map((ms) => (ms / 1000).toFixed(1)).join(', ')} s after the reload request (not part of the value). The runner sends the NOTIFY (from 127.0.0.1, no SOA in the answer section) as soon as the primary serves the serial, to one secondary at a time.`);
    if (ctx.skipped?.length) notes.push(...ctx.skipped);
    const ratioRows = rows.filter((r) => r.system !== SECONDARY_KINDS['zonexfer+pg'].label);
    return {
      name: 'ixfr',
      title: this.title,
      description:
        `A knotd primary serves the seeded ${sizeLabel(p.records)}-record zone; every secondary first takes it in by AXFR. Then, ${p.reps} time(s), ${p.changes} A records change ` +
        `and the serial goes up in the primary's zone file, the primary reloads it (its journal gets the difference), and each secondary in turn (order rotated) gets a NOTIFY; ` +
        `value: milliseconds from the NOTIFY until that secondary answers the new serial (SOA polled over UDP every millisecond), median; lower is better. Each NOTIFY waits for both CPUs to be under 10 % busy (250 ms windows, up to ${p.settleSeconds} s). zonexfer is configured through its API with ixfr_enable.`,
      unit: 'ms',
      higherIsBetter: false,
      baseline: 'zonexfer',
      params: { origin: ORIGIN, records: p.records, changes: p.changes, reps: p.reps, seed: p.seed, timeout: p.timeout, ixfrTimeout: p.ixfrTimeout, settleSeconds: p.settleSeconds, postgres: kinds.includes('zonexfer+pg'), serverCpus: cpus.server ?? null, primaryCpus: cpus.client ?? null },
      rows,
      ratios: standardRatios(ratioRows, 'zonexfer', false),
      notes,
      startedAt,
      finishedAt: new Date().toISOString(),
    };
  },
};
