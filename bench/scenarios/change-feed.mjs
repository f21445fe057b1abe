// Scenario `change-feed`: how fast a change made through one zonexfer instance's API reaches
// another instance on the same PostgreSQL database (issue 6: "within one second; measure this in
// the bench"). Two instances, A and B, run against a throwaway database. Through A's API: a new
// primary zone (a config change: B must start serving a zone it did not know), then record changes
// to that zone (a new version: B must answer the new serial). Value: milliseconds from sending the
// API request to A until B answers the new SOA (UDP, polled every 5 ms); lower is better. The API
// call's own duration (A storing the version) is reported beside it.
import { join } from 'node:path';
import { DnsClient, waitForSerial } from '../lib/dnsclient.mjs';
import { DEFAULT_POSTGRES_URL, createThrowawayDb, postgresReachable } from '../lib/postgres.mjs';
import { freePort, isAlive, sleep } from '../lib/procs.mjs';
import { row } from '../lib/report.mjs';
import { SYSTEMS } from '../lib/systems.mjs';
import { benchToken, startZonexfer } from '../lib/zonexfer-api.mjs';
import { fmtMs } from '../lib/xfr.mjs';
import { median, percentile } from '../lib/stats.mjs';

const ORIGIN = 'feed.bench.example.';
const zoneOf = (i) => `z${i}.feed.bench.example.`;

/** untilServed waits until B answers a serial `accept` takes (SOA polled every 5 ms); resolves {ms, serial}. */
async function untilServed(dns, port, zone, t0, accept, alive) {
  const w = await waitForSerial(dns, { port, zone, accept, t0, intervalMs: 5, timeoutMs: 10_000, alive });
  if (!w.ok) throw new Error(`B, ${zone}: ${w.reason}`);
  return w;
}

export default {
  name: 'change-feed',
  title: 'Change feed: a change through instance A served by instance B (one PostgreSQL)',
  systems: ['zonexfer'],
  defaults: { reps: 20, zones: 5 },
  quick: { reps: 5, zones: 2 },

  estimateSeconds: (p) => 15 + (p.reps + p.zones) * 1.5,

  async run(ctx) {
    const { params: p, tmp, log } = ctx;
    const startedAt = new Date().toISOString();
    const version = ctx.versions.zonexfer;
    const notes = [];
    const labels = { zone: 'new zone through A → served by B', record: 'record change through A → new serial on B' };
    const fail = (error) => [row(labels.zone, { version, error }), row(labels.record, { version, error })];
    const why = SYSTEMS.zonexfer.available() ?? (await postgresReachable(process.env.DATABASE_URL || DEFAULT_POSTGRES_URL));
    if (why) return result(this, p, fail(why), [`left out: ${why}`], startedAt);

    const db = await createThrowawayDb(process.env.DATABASE_URL || DEFAULT_POSTGRES_URL);
    const token = benchToken();
    const dns = new DnsClient();
    const started = [];
    const zoneMs = [];
    const recordMs = [];
    const apiMs = [];
    try {
      // Both on the server CPU: the same machine, as a pair of instances would share a host here.
      for (const name of ['a', 'b']) {
        const port = await freePort();
        const z = await startZonexfer({ dir: join(tmp, name), port, cpus: ctx.cpus.server, databaseUrl: db.url, token });
        started.push({ ...z, port });
      }
      const [a, b] = started;
      const alive = () => isAlive(b.handle.pid);
      const account = await a.api.createAccount('feed');

      // 1. New zones (a configuration change): B serves a zone it has not seen.
      let zoneId;
      for (let i = 0; i < p.zones; i++) {
        const origin = i === 0 ? ORIGIN : zoneOf(i);
        const t0 = process.hrtime.bigint();
        const zone = await a.api.createZone(account.id, origin, 'full');
        if (i === 0) zoneId = zone.id;
        const r = await untilServed(dns, b.port, origin, t0, () => true, alive);
        zoneMs.push(r.ms);
        log(`zone ${i + 1}/${p.zones}: ${origin} served by B ${fmtMs(r.ms)} ms after the create request to A`);
      }

      // 2. Record changes (a new version each): B answers the new serial.
      let serial = (await dns.soa(b.port, ORIGIN, 1000))?.serial;
      for (let rep = 0; rep < p.reps; rep++) {
        const before = serial;
        const t0 = process.hrtime.bigint();
        await a.api.request('POST', `/zones/${zoneId}/dns_records`, { type: 'A', name: `h${rep}.${ORIGIN.slice(0, -1)}`, content: `192.0.2.${(rep % 250) + 1}`, ttl: 300 });
        const api = Number(process.hrtime.bigint() - t0) / 1e6;
        const r = await untilServed(dns, b.port, ORIGIN, t0, (s) => s !== before, alive);
        serial = r.serial;
        recordMs.push(r.ms);
        apiMs.push(api);
        log(`change ${rep + 1}/${p.reps}: B answers serial ${r.serial} ${fmtMs(r.ms)} ms after the request to A (API answered after ${fmtMs(api)} ms)`);
        await sleep(50);
      }
    } catch (err) {
      notes.push(`failed: ${err.message}`);
      log(`change-feed: ${err.message}`);
    } finally {
      dns.close();
      for (const z of started) await z.handle.stop();
      await db.drop().catch((err) => log(`dropping ${db.name}: ${err.message}`));
    }

    const extra = (values, api) => (values.length ? { 'p90 ms': fmtMs(percentile(values, 0.9)), 'max ms': fmtMs(Math.max(...values)), 'API call ms (median)': api ? fmtMs(median(api)) : '' } : {});
    const rows = [
      row(labels.zone, { version, values: zoneMs, error: zoneMs.length ? null : (notes[0] ?? 'no measurement'), extra: extra(zoneMs) }),
      row(labels.record, { version, values: recordMs, error: recordMs.length ? null : (notes[0] ?? 'no measurement'), extra: extra(recordMs, apiMs) }),
    ];
    const worst = Math.max(...zoneMs, ...recordMs);
    if (Number.isFinite(worst)) notes.push(`Slowest of all ${zoneMs.length + recordMs.length} changes: ${fmtMs(worst)} ms (issue target: within 1,000 ms)${worst > 1000 ? ': above the target' : ''}.`);
    notes.push('Both instances run with --database-url on one throwaway PostgreSQL database, pinned to the server CPU; B learns of each change only through LISTEN/NOTIFY and then reads the tables.');
    return result(this, p, rows, notes, startedAt);
  },
};

function result(s, p, rows, notes, startedAt) {
  return {
    name: 'change-feed',
    title: s.title,
    description:
      `Two zonexfer instances on one PostgreSQL database. Through instance A's API: ${p.zones} new primary zone(s), then ${p.reps} record change(s) to one of them, one at a time. ` +
      'Value: milliseconds from sending the request to A until instance B answers the new zone or the new serial (SOA over UDP, polled every 5 ms), median; lower is better.',
    unit: 'ms',
    higherIsBetter: false,
    baseline: 'zonexfer',
    params: { reps: p.reps, zones: p.zones },
    rows,
    ratios: [],
    notes,
    startedAt,
    finishedAt: new Date().toISOString(),
  };
}
