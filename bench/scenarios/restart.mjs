// Scenario `restart`: how long a restarted zonexfer takes to serve what it has stored (issue 6:
// restart without re-transfer), with one big zone stored and with many small zones stored, on
// PGlite (the data dir) and on PostgreSQL (DATABASE_URL, a schema of its own); and how long storing
// the big zone's version takes (persistVersion) next to taking it in by AXFR (the target: storing
// adds no more than the transfer took). Only zonexfer is measured; knotd, when installed, is the
// primary the big zone is transferred from (else a second zonexfer serving it from a zone file).
import { randomBytes } from 'node:crypto';
import { mkdirSync, openSync, closeSync, readFileSync } from 'node:fs';
import { createSocket } from 'node:dgram';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { DEFAULT_POSTGRES_URL, createThrowawayDb, postgresReachable } from '../lib/postgres.mjs';
import { ensureZoneFile } from '../lib/zonecache.mjs';
import { REPO, SYSTEMS } from '../lib/systems.mjs';
import { startKnot, haveBinary } from '../peers/peers.mjs';
import { freePort, rssMiB, sleep, spawnTracked } from '../lib/procs.mjs';
import { row } from '../lib/report.mjs';
import { fmtNumber, median } from '../lib/stats.mjs';

const BIG = 'big.restart.example.';
const SMALL = (i) => `z${i}.small.restart.example.`;
const dist = (p) => import(pathToFileURL(join(REPO, 'dist', p)).href);

export default {
  name: 'restart',
  title: 'Restart: time until the stored zones are served',
  systems: ['zonexfer'],
  defaults: { reps: 3, records: 1_000_000, zones: 10_000 },
  quick: { reps: 1, records: 100_000, zones: 1_000 },

  estimateSeconds: (p) => p.reps * (2 * 2 + (p.records / 1e6) * 40) + (p.zones / 1000) * 8,

  /**
   * @param {{ params: { reps: number, records: number, zones: number, seed: string }, tmp: string,
   *   versions: Record<string, string>, log: (msg: string) => void, skipped?: string[] }} ctx
   * @returns {Promise<import('../lib/report.mjs').ScenarioResult>}
   */
  async run(ctx) {
    const { params: p, tmp, log } = ctx;
    const startedAt = new Date().toISOString();
    const notes = [];
    const rows = [];
    const why = SYSTEMS.zonexfer.available();
    const version = ctx.versions.zonexfer;
    const kinds = [{ kind: 'pglite', label: 'PGlite' }, { kind: 'pg', label: 'PostgreSQL' }];
    const adminUrl = process.env.DATABASE_URL || DEFAULT_POSTGRES_URL;
    const pgMissing = await postgresReachable(adminUrl);
    const big = `${fmtNumber(p.records)} records`;
    const many = `${fmtNumber(p.zones)} zones`;
    if (why) {
      for (const k of kinds) for (const what of [`restart, 1 zone of ${big}`, `restart, ${many}`]) rows.push(row(`${k.label}: ${what}`, { version, error: why }));
      return result(this, p, rows, [], [`zonexfer not built: ${why}`], startedAt);
    }

    const { openStore } = await dist('store/index.js');
    const { persistVersion } = await dist('engine/persist.js');
    const { transferIn } = await dist('xfr/in/client.js');
    const { RRType, nameFromTrusted } = await dist('wire/index.js');
    const { ZoneBuilder, encodeSnapshot } = await dist('zone/index.js');

    // 1. The big zone: a zone file, a primary serving it, and AXFR-in timings (zonexfer's own client).
    let t;
    mkdirSync(tmp, { recursive: true });
    const zoneFile = await ensureZoneFile({ origin: BIG, records: p.records, seed: p.seed }, log);
    const primary = await startPrimary(tmp, zoneFile, log);
    notes.push(`The big zone is transferred from ${primary.name} on loopback by zonexfer's own AXFR client (src/xfr/in), in the benchmark process.`);
    const axfrTimes = [];
    let bigVersion;
    try {
      for (let rep = 0; rep < p.reps; rep++) {
        bigVersion = undefined; // one copy in memory at a time
        t = Date.now();
        const r = await transferIn({ peer: { host: '127.0.0.1', port: primary.port }, origin: nameFromTrusted(BIG), qtype: RRType.AXFR, timeouts: { connectMs: 5000, idleMs: 60_000, overallMs: 900_000 } });
        const s = (Date.now() - t) / 1000;
        if (!r.ok || r.value.outcome.kind !== 'full') throw new Error(`AXFR from ${primary.name} failed: ${JSON.stringify(r.ok ? r.value.outcome.kind : r.error)}`);
        bigVersion = r.value.outcome.version;
        axfrTimes.push(s);
        log(`AXFR-in ${rep + 1}/${p.reps}: ${bigVersion.recordCount} records in ${s.toFixed(2)} s`);
      }
    } finally {
      await primary.stop();
    }
    rows.push(row(`AXFR-in of ${big}`, { version, values: axfrTimes, extra: { store: '–', 'RSS MiB': '', 'stored MiB': '' }, details: { primary: primary.name } }));

    // 2. Per store: persistVersion timings for the big version, then restarts with it stored;
    //    then a second database with many small zones, and restarts with those.
    const persistMedians = {};
    for (const k of kinds) {
      if (k.kind === 'pg' && pgMissing !== null) {
        const error = `${pgMissing} (set DATABASE_URL or BENCH_POSTGRES_URL)`;
        for (const what of [`store 1 version of ${big}`, `restart, 1 zone of ${big}`, `restart, ${many}`]) rows.push(row(`${k.label}: ${what}`, { version, error }));
        continue;
      }
      const dbs = [];
      const db = async (name) => {
        const dataDir = join(tmp, `${k.kind}-${name}`);
        mkdirSync(dataDir, { recursive: true });
        if (k.kind === 'pglite') return { dataDir, open: () => openStore({ dataDir }), cliUrl: undefined };
        // A throwaway database per store (dropped at the end, and on Ctrl-C).
        const d = await createThrowawayDb(adminUrl);
        dbs.push(d);
        return { dataDir, open: () => openStore({ databaseUrl: d.url, dataDir }), cliUrl: d.url };
      };
      try {
        // 2a. The big zone, stored through the engine's own persistVersion.
        const bigDb = await db('big');
        const store = await bigDb.open();
        let zoneId;
        const persistTimes = [];
        let storedBytes = 0;
        try {
          const account = await store.accounts.create('bench');
          zoneId = (await store.zones.create({ accountId: account.id, name: BIG.slice(0, -1), type: 'secondary' })).id;
          const rt = { config: { id: zoneId, origin: BIG }, storedSerial: null, diffsSinceSnapshot: 0, journal: [] };
          const engineCtx = { store, tuning: { journalLimit: 100 } };
          for (let rep = 0; rep < p.reps; rep++) {
            t = Date.now();
            // A full snapshot each time (as an AXFR in stores it); the same serial replaces itself.
            const r = await persistVersion(engineCtx, rt, bigVersion, undefined, true);
            const s = (Date.now() - t) / 1000;
            if (r !== 'saved') throw new Error(`persistVersion: ${r}`);
            persistTimes.push(s);
            log(`${k.label}: persistVersion ${rep + 1}/${p.reps} of ${bigVersion.recordCount} records in ${s.toFixed(2)} s`);
          }
          storedBytes = encodeSnapshot(bigVersion).reduce((a, c) => a + c.length, 0);
        } finally {
          await store.close();
        }
        persistMedians[k.kind] = median(persistTimes);
        rows.push(row(`${k.label}: store 1 version of ${big}`, { version, values: persistTimes, extra: { store: k.label, 'RSS MiB': '', 'stored MiB': (storedBytes / 2 ** 20).toFixed(1) } }));
        const bigRestarts = await restarts(bigDb, p.reps, [BIG], `${k.label}, 1 zone of ${big}`, log);
        rows.push(row(`${k.label}: restart, 1 zone of ${big}`, { version, values: bigRestarts.values, error: bigRestarts.error, extra: { store: k.label, 'RSS MiB': bigRestarts.rss, 'stored MiB': (storedBytes / 2 ** 20).toFixed(1) }, details: bigRestarts.details }));

        // 2b. Many small zones, seeded through the store API (zones.create + versions.save).
        const manyDb = await db('many');
        const s2 = await manyDb.open();
        t = Date.now();
        try {
          const account = await s2.accounts.create('bench');
          const seedOne = async (i) => {
            const origin = SMALL(i);
            const z = await s2.zones.create({ accountId: account.id, name: origin.slice(0, -1), type: 'secondary' });
            const v = smallZone(ZoneBuilder, nameFromTrusted, origin, i);
            const r = await s2.versions.save(
              z.id,
              { kind: 'full', version: { serial: v.serial, origin, soaTtl: v.soa.ttl, soaRdata: v.soa.rdata, recordCount: v.recordCount, chunks: encodeSnapshot(v, 4096) } },
              { expectSerial: null, journalLimit: 100 },
            );
            if (r !== 'saved') throw new Error(`versions.save: ${r}`);
          };
          const parallel = k.kind === 'pg' ? 8 : 1;
          for (let i = 0; i < p.zones; i += parallel) await Promise.all(Array.from({ length: Math.min(parallel, p.zones - i) }, (_, j) => seedOne(i + j)));
        } finally {
          await s2.close();
        }
        log(`${k.label}: ${many} seeded in ${((Date.now() - t) / 1000).toFixed(1)} s`);
        const sample = [0, p.zones - 1, ...Array.from({ length: 8 }, (_, j) => Math.floor(((j + 1) * p.zones) / 10))].map(SMALL);
        const manyRestarts = await restarts(manyDb, p.reps, sample, `${k.label}, ${many}`, log);
        rows.push(row(`${k.label}: restart, ${many}`, { version, values: manyRestarts.values, error: manyRestarts.error, extra: { store: k.label, 'RSS MiB': manyRestarts.rss, 'stored MiB': '' }, details: manyRestarts.details }));
      } finally {
        for (const d of dbs) await d.drop().catch(() => undefined);
      }
    }

    const axfr = median(axfrTimes);
    const ratios = kinds
      .filter((k) => persistMedians[k.kind] !== undefined)
      .map((k) => ({ label: `storing / AXFR-in, ${k.label} (issue target ≤ 1)`, value: axfr ? persistMedians[k.kind] / axfr : null }));
    for (const r of ratios) {
      if (r.value !== null && r.value > 1) notes.push(`${r.label.split(' (')[0]}: storing the version took ${r.value.toFixed(2)}× the transfer: above the issue's target.`);
    }
    notes.push(
      'Restart: from spawning `node dist/cli/main.js serve` on the stored database to the first SOA answer for the zone(s) (UDP, polled every 10 ms); zonexfer opens its DNS port only once every stored zone is loaded, so the first answer means all are served. Each restart ends with SIGTERM.',
      'Store: persistVersion (src/engine/persist.ts) of the transferred version as a full snapshot, in the benchmark process, on a freshly opened store (the same serial replaces itself on each repetition).',
    );
    if (ctx.skipped?.length) notes.push(...ctx.skipped);
    return result(this, p, rows, ratios, notes, startedAt);
  },
};

function result(s, p, rows, ratios, notes, startedAt) {
  return {
    name: 'restart',
    title: s.title,
    description:
      `Seconds until a restarted zonexfer serves its stored zones: one zone of ${fmtNumber(p.records)} records, and ${fmtNumber(p.zones)} small zones (10 records each), ` +
      `on PGlite (the data dir) and on PostgreSQL (DATABASE_URL); and seconds to store the big zone's version (persistVersion) next to seconds to take it in by AXFR. ` +
      `Median of ${p.reps} repetition(s); lower is better.`,
    unit: 's',
    higherIsBetter: false,
    baseline: 'zonexfer',
    params: { records: p.records, zones: p.zones, reps: p.reps, seed: p.seed },
    rows,
    ratios,
    notes,
    startedAt,
    finishedAt: new Date().toISOString(),
  };
}

/** smallZone: SOA, NS, and 8 address records. */
function smallZone(ZoneBuilder, nameFromTrusted, origin, i) {
  const o = nameFromTrusted(origin);
  const b = new ZoneBuilder(o);
  const wire = (n) => Buffer.concat([...n.split('.').filter(Boolean).map((l) => Buffer.concat([Buffer.from([l.length]), Buffer.from(l)])), Buffer.from([0])]);
  const soa = Buffer.alloc(wire(`ns1.${origin}`).length + wire(`hostmaster.${origin}`).length + 20);
  let off = wire(`ns1.${origin}`).copy(soa, 0);
  off += wire(`hostmaster.${origin}`).copy(soa, off);
  for (const v of [2026010100 + (i % 100), 7200, 3600, 1209600, 300]) off = soa.writeUInt32BE(v, off);
  const add = (name, type, rdata) => {
    const r = b.add({ name: nameFromTrusted(name), type, class: 1, ttl: 3600, rdata });
    if (!r.ok) throw new Error(`smallZone: ${JSON.stringify(r.error)}`);
  };
  add(origin, 6, soa);
  add(origin, 2, wire(`ns1.${origin}`));
  add(`ns1.${origin}`, 1, Uint8Array.from([192, 0, 2, 1]));
  for (let h = 0; h < 7; h++) add(`h${h}.${origin}`, 1, Uint8Array.from([10, (i >> 8) & 0xff, i & 0xff, h]));
  const v = b.build();
  if (!v.ok) throw new Error(`smallZone: ${JSON.stringify(v.error)}`);
  return v.value;
}

/** soaQuery builds a DNS query for `origin` SOA (no EDNS). */
function soaQuery(origin, id) {
  const labels = origin.split('.').filter(Boolean).map((l) => Buffer.concat([Buffer.from([l.length]), Buffer.from(l)]));
  const head = Buffer.alloc(12);
  head.writeUInt16BE(id, 0);
  head.writeUInt16BE(1, 4); // QDCOUNT
  return Buffer.concat([head, ...labels, Buffer.from([0, 0, 6, 0, 1])]);
}

/** answersSoa: one UDP query; true on a NOERROR answer with at least one answer record. */
function answersSoa(port, origin, timeoutMs = 200) {
  return new Promise((res) => {
    const s = createSocket('udp4');
    const id = Math.floor(Math.random() * 0x10000);
    const done = (v) => {
      clearTimeout(timer);
      s.close();
      res(v);
    };
    const timer = setTimeout(() => done(false), timeoutMs);
    s.on('message', (m) => {
      if (m.length >= 12 && m.readUInt16BE(0) === id) done((m.readUInt16BE(2) & 0xf) === 0 && m.readUInt16BE(6) > 0);
    });
    s.on('error', () => done(false));
    s.send(soaQuery(origin, id), port, '127.0.0.1');
  });
}

/**
 * restarts starts zonexfer on the stored database `reps` times and returns the seconds from spawn
 * until every zone in `origins` answered SOA (first answer; the port opens after the load).
 */
async function restarts(db, reps, origins, what, log) {
  const values = [];
  const details = [];
  let rss = '';
  for (let rep = 0, portRetries = 0; rep < reps; rep++) {
    // The API is not used here: port 0. The DNS port is picked free, which is racy on a busy
    // machine: a start that finds it taken is retried on another port.
    const port = await freePort();
    const logFile = join(db.dataDir, `zonexfer-${rep}.out`);
    const args = [join(REPO, 'dist', 'cli', 'main.js'), 'serve', '--dns', `127.0.0.1:${port}`, '--api', '127.0.0.1:0', '--data', db.dataDir, '--token', randomBytes(24).toString('hex'), '--log-level', 'warn'];
    if (db.cliUrl) args.push('--database-url', db.cliUrl);
    const env = { ...process.env, NODE_ENV: 'production' };
    delete env.DATABASE_URL;
    const fd = openSync(logFile, 'a');
    const t0 = process.hrtime.bigint();
    const proc = spawnTracked('zonexfer', process.execPath, args, { cwd: db.dataDir, stdio: ['ignore', fd, fd], env });
    closeSync(fd);
    try {
      const deadline = Date.now() + 600_000;
      let first;
      for (;;) {
        if (proc.result) throw new Error(`exited (code ${proc.result.code}, signal ${proc.result.signal}): ${tail(logFile)}`);
        if (Date.now() > deadline) throw new Error(`no SOA answer within 600 s: ${tail(logFile)}`);
        if (await answersSoa(port, origins[0])) {
          first = Number(process.hrtime.bigint() - t0) / 1e9;
          break;
        }
        await sleep(10);
      }
      for (const o of origins.slice(1)) if (!(await answersSoa(port, o, 2000))) throw new Error(`${o} not answered after ${origins[0]} was`);
      values.push(first);
      const r = rssMiB(proc.child.pid);
      rss = r ? r.toFixed(0) : rss;
      details.push({ rep: rep + 1, seconds: first, rssMiB: r ?? null });
      log(`restart ${rep + 1}/${reps} (${what}): serving after ${first.toFixed(2)} s${r ? `, RSS ${r.toFixed(0)} MiB` : ''}`);
    } catch (err) {
      await proc.stop();
      if (/EADDRINUSE/.test(err.message) && portRetries++ < 3) {
        log(`restart ${rep + 1}/${reps} (${what}): port ${port} taken meanwhile, again on another port`);
        rep--;
        continue;
      }
      log(`restart ${rep + 1}/${reps} (${what}): ${err.message}`);
      return { values, error: err.message.split('\n')[0], rss, details };
    }
    await proc.stop();
  }
  return { values, error: null, rss, details };
}

function tail(file, n = 10) {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-n).join('\n');
  } catch {
    return '(no log)';
  }
}

/** startPrimary serves the big zone: knotd when installed, else zonexfer from the zone file. */
async function startPrimary(tmp, zoneFile, log) {
  const port = await freePort();
  const dir = join(tmp, 'primary');
  mkdirSync(dir, { recursive: true });
  const t = Date.now();
  if (haveBinary('knotd')) {
    const h = await startKnot({ dir, port, zones: [{ origin: BIG, file: zoneFile }], timeoutMs: 600_000, serverConfig: ['tcp-workers: 1', 'background-workers: 1'] });
    log(`primary knotd (pid ${h.pid}) loaded ${BIG} in ${((Date.now() - t) / 1000).toFixed(1)} s`);
    return { name: 'knotd', port, stop: () => h.stop() };
  }
  const h = await SYSTEMS.zonexfer.start({ dir, port, zones: [{ origin: BIG, file: zoneFile }], timeoutMs: 600_000, extraArgs: ['--allow-transfer', '127.0.0.1/32'] });
  log(`primary zonexfer --zone-file (pid ${h.pid}) loaded ${BIG} in ${((Date.now() - t) / 1000).toFixed(1)} s`);
  return { name: 'zonexfer (--zone-file)', port, stop: () => h.stop() };
}
