// Scenario `axfr-out`: AXFR out throughput. Every server holds the same seeded zone (10 000,
// 100 000 and 1 000 000 records; --quick: the two small ones) as a primary; `zonexfer bench axfr
// --json` (this checkout's client, which only counts and checks records) pulls it with 1 and with 8
// concurrent connections, unsigned and TSIG-signed (hmac-sha256), against each server in turn.
// Value: records per second (median over the repetitions); also time per transfer and the server's
// RSS before/peak, and its RSS growth per concurrent transfer during the 8-client runs, which should
// not grow with the zone size (a server that copies the zone per transfer shows it here).
import { join } from 'node:path';
import { ensureZoneFile } from '../lib/zonecache.mjs';
import { startZonexfer, benchTsigKey } from '../lib/zonexfer-api.mjs';
import { runAxfrClient, describeAxfrFailure, sampleRss, fmtMiB, fmtMs, sizeLabel, benchOrigin } from '../lib/xfr.mjs';
import { cpuSeconds, enforceAffinity, freePort, isAlive, rssMiB } from '../lib/procs.mjs';
import { row, standardRatios } from '../lib/report.mjs';
import { fmtNumber, fmtRatio, median, ratio, rotate } from '../lib/stats.mjs';

/** transfersFor: enough transfers to move ≈ targetRecords, a multiple of `clients`, at least `clients`. */
export const transfersFor = (size, clients, targetRecords, max = 400) => {
  const perClient = Math.max(1, Math.ceil(targetRecords / size / clients));
  return Math.min(max, clients * perClient);
};

export default {
  name: 'axfr-out',
  title: 'AXFR out throughput',
  systems: ['zonexfer', 'knotd', 'nsd', 'named'],
  defaults: { reps: 2, sizes: [10_000, 100_000, 1_000_000], clientCounts: [1, 8], tsigModes: [false, true], targetRecords: 1_000_000, timeout: 120, warmup: true },
  // --quick: no separate warm-up transfer (the first measurement is the smoke test too).
  quick: { reps: 1, sizes: [10_000, 100_000], targetRecords: 300_000, warmup: false },

  estimateSeconds(p, n) {
    const sizes = p.records ? [p.records] : p.sizes;
    // ≈ 1.5 M records/s for the fastest, a third of that for the slowest: a rough plan only.
    let s = 0;
    for (const size of sizes) for (const c of p.clientCounts) s += (transfersFor(size, c, p.targetRecords) * size) / 1e6 + 0.5;
    return s * p.tsigModes.length * p.reps * n;
  },

  async run(ctx) {
    const { params: p, tmp, cpus, log } = ctx;
    const startedAt = new Date().toISOString();
    const sizes = p.records ? [p.records] : p.sizes;
    const notes = [];
    const key = benchTsigKey('bench-key');
    /** @type {{size:number, tsig:boolean, clients:number, system:string, rep:number, rps:number, completeMs:number, rssBefore:number, rssPeak:number, rssAfter:number, cpuPct:number, transfers:number, records:number}[]} */
    const meas = [];
    const errors = new Map(); // `${size}|${tsig}|${clients}|${system}` or `${size}|${tsig}|*|${system}` → message
    const systemNames = ctx.systems.map((s) => s.name);
    const setErr = (size, tsig, clients, system, msg) => {
      const k = `${size}|${tsig}|${clients}|${system}`;
      if (!errors.has(k)) errors.set(k, msg);
      log(`${system} (${sizeLabel(size)} records, ${tsig ? 'TSIG' : 'no TSIG'}${clients === '*' ? '' : `, ${clients} client(s)`}): ${msg.split('\n')[0]}`);
    };
    const errOf = (size, tsig, clients, system) => errors.get(`${size}|${tsig}|${clients}|${system}`) ?? errors.get(`${size}|${tsig}|*|${system}`);

    // Every server holds all the sizes at once (one origin per size), so each starts once per mode.
    const zones = [];
    for (const size of sizes) zones.push({ origin: benchOrigin(size), file: await ensureZoneFile({ origin: benchOrigin(size), records: size, seed: p.seed }, log), size });
    // zonexfer stays up for both TSIG modes: it answers signed and unsigned requests alike.
    let zx = null;
    let zxError = null;
    if (systemNames.includes('zonexfer')) {
      try {
        const t = Date.now();
        const port = await freePort();
        zx = await startZonexfer({ dir: join(tmp, 'zonexfer'), port, zones, cpus: cpus.server, allowTransfer: '127.0.0.1/32' });
        const account = await zx.api.createAccount('bench');
        await zx.api.addKeyholder(account.id, key);
        log(`zonexfer: pid ${zx.handle.pid} serves ${sizes.map(sizeLabel).join(' + ')} records after ${((Date.now() - t) / 1000).toFixed(1)} s, RSS ${fmtMiB(rssMiB(zx.handle.pid))} MiB`);
      } catch (err) {
        zxError = `start failed: ${err.message}`;
        zx = null;
      }
    }
    try {
      for (const tsig of p.tsigModes) {
        const mode = tsig ? 'tsig' : 'plain';
        if (zxError) for (const size of sizes) setErr(size, tsig, '*', 'zonexfer', zxError);
        const live = [];
        if (zx) live.push({ name: 'zonexfer', handle: { pid: zx.handle.pid, port: zx.handle.port, stop: async () => {} } });
        try {
          for (const system of ctx.systems.filter((s) => s.peer)) {
            try {
              const t = Date.now();
              const port = await freePort();
              const handle = await system.start({ dir: join(tmp, `${system.name}-${mode}`), port, zones, cpus: cpus.server, timeoutMs: 300_000, ...(tsig ? { tsig: key } : {}) });
              live.push({ name: system.name, handle });
              log(`${system.name}: pid ${handle.pid} serves ${sizes.map(sizeLabel).join(' + ')} records${tsig ? ' (TSIG required)' : ''} after ${((Date.now() - t) / 1000).toFixed(1)} s, RSS ${fmtMiB(rssMiB(handle.pid))} MiB`);
            } catch (err) {
              for (const size of sizes) setErr(size, tsig, '*', system.name, `start failed: ${err.message}`);
            }
          }
          // Warm-up and smoke test: one transfer of each zone (zonexfer renders its wire cache here).
          for (const s of p.warmup ? [...live] : []) {
            for (const z of zones) {
              try {
                const r = await runAxfrClient({ port: s.handle.port, zone: z.origin, tsig: tsig ? key : undefined, cpus: cpus.client, nice: p.nice, timeoutS: p.timeout, logFile: join(tmp, `client-${s.name}-${sizeLabel(z.size)}-${mode}-warmup.json`) });
                if (r.transfers_ok !== 1) throw new Error(describeAxfrFailure(r));
                if (r.records_per_transfer !== z.size + 1) notes.push(`${s.name}: ${r.records_per_transfer} records per AXFR of the ${sizeLabel(z.size)} zone, expected ${z.size + 1}.`);
              } catch (err) {
                setErr(z.size, tsig, '*', s.name, `warm-up transfer failed: ${err.message}`);
              }
            }
          }
          for (let rep = 0; rep < p.reps; rep++) {
            for (const s of rotate(live, rep)) {
              if (cpus.server !== undefined) await enforceAffinity(s.handle.pid, cpus.server);
              for (const { origin, size } of zones) {
                if (errOf(size, tsig, '*', s.name)) continue;
                const expected = size + 1; // the SOA opens and closes an AXFR
                for (const clients of p.clientCounts) {
                  if (errOf(size, tsig, clients, s.name)) continue;
                  const transfers = transfersFor(size, clients, p.targetRecords);
                  const rssBefore = rssMiB(s.handle.pid);
                  const cpu0 = cpuSeconds(s.handle.pid);
                  const sampler = sampleRss(s.handle.pid, 100);
                  let r;
                  try {
                    r = await runAxfrClient({
                      port: s.handle.port, zone: origin, tsig: tsig ? key : undefined, concurrency: clients, transfers, cpus: cpus.client, nice: p.nice, timeoutS: p.timeout,
                      logFile: join(tmp, `client-${s.name}-${sizeLabel(size)}-${mode}-c${clients}-rep${rep + 1}.json`),
                    });
                  } catch (err) {
                    sampler.stop();
                    setErr(size, tsig, clients, s.name, err.message);
                    continue;
                  }
                  const mem = sampler.stop();
                  const cpuPct = (100 * (cpuSeconds(s.handle.pid) - cpu0)) / (r.elapsed_s > 0 ? r.elapsed_s : r.wallSeconds);
                  if (r.transfers_failed > 0 || r.transfers_ok === 0) {
                    setErr(size, tsig, clients, s.name, describeAxfrFailure(r));
                  } else if (r.records_per_transfer !== expected) {
                    setErr(size, tsig, clients, s.name, `${r.records_per_transfer} records per transfer, expected ${expected}`);
                  } else if (tsig && r.signed_messages_per_transfer < r.messages_per_transfer) {
                    setErr(size, tsig, clients, s.name, `only ${r.signed_messages_per_transfer} of ${r.messages_per_transfer} messages per transfer were TSIG-signed`);
                  } else {
                    meas.push({ size, tsig, clients, system: s.name, rep: rep + 1, rps: r.records_per_s, completeMs: r.complete_ms?.p50, rssBefore, rssPeak: mem.peakMiB, rssAfter: mem.lastMiB, cpuPct, clientCpuPct: r.client?.cpu_pct ?? null, transfers: r.transfers_ok, records: r.records_per_transfer });
                    log(`rep ${rep + 1}/${p.reps} ${sizeLabel(size).padStart(4)} ${tsig ? 'TSIG ' : 'plain'} c${clients} ${s.name.padEnd(8)} ${fmtNumber(r.records_per_s).padStart(10)} rec/s  ${fmtMs(r.complete_ms?.p50).padStart(6)} ms/transfer  ${r.transfers_ok} transfers  server CPU ${cpuPct.toFixed(0)}%  client CPU ${r.client?.cpu_pct?.toFixed(0) ?? '?'}%  RSS ${fmtMiB(rssBefore)} → peak ${fmtMiB(mem.peakMiB)} MiB`);
                  }
                }
              }
              if (!isAlive(s.handle.pid)) for (const size of sizes) setErr(size, tsig, '*', s.name, `exited during repetition ${rep + 1}`);
            }
          }
        } finally {
          for (const s of live) if (s.name !== 'zonexfer') await s.handle.stop();
        }
      }
    } finally {
      if (zx) await zx.handle.stop();
    }

    // ---- results --------------------------------------------------------------------------------
    const pick = (size, tsig, clients, system) => meas.filter((m) => m.size === size && m.tsig === tsig && m.clients === clients && m.system === system);
    const head = { size: sizes.at(-1), tsig: false, clients: p.clientCounts[0] };
    const rows = systemNames.map((name) => {
      const ms = pick(head.size, head.tsig, head.clients, name);
      const error = errOf(head.size, head.tsig, head.clients, name) ?? (ms.length ? null : 'no measurement');
      return row(name, {
        version: ctx.versions[name],
        values: ms.map((m) => m.rps),
        error: ms.length ? null : error,
        extra: ms.length
          ? {
              'ms per transfer': fmtMs(median(ms.map((m) => m.completeMs))),
              'server CPU %': median(ms.map((m) => m.cpuPct))?.toFixed(0) ?? '',
              'client CPU %': median(ms.map((m) => m.clientCpuPct))?.toFixed(0) ?? '',
              'RSS MiB before → peak': `${fmtMiB(median(ms.map((m) => m.rssBefore)))} → ${fmtMiB(median(ms.map((m) => m.rssPeak)))}`,
            }
          : {},
        details: { measurements: meas.filter((m) => m.system === name), errors: [...errors].filter(([k]) => k.endsWith(`|${name}`)).map(([k, v]) => ({ config: k, error: v })) },
      });
    });

    const configRows = [];
    const bestRows = [];
    for (const size of sizes) {
      for (const tsig of p.tsigModes) {
        for (const clients of p.clientCounts) {
          const medians = new Map();
          const zxMedian = median(pick(size, tsig, clients, 'zonexfer').map((m) => m.rps));
          for (const name of systemNames) {
            const ms = pick(size, tsig, clients, name);
            const err = errOf(size, tsig, clients, name);
            const rps = median(ms.map((m) => m.rps));
            medians.set(name, rps);
            const growth = median(ms.map((m) => (m.rssPeak - m.rssBefore) / clients));
            configRows.push([
              sizeLabel(size), clients, tsig ? 'yes' : 'no', name,
              ms.length ? fmtNumber(rps) : `error: ${(err ?? 'no measurement').split('\n')[0].slice(0, 120)}`,
              ms.map((m) => fmtNumber(m.rps)).join(', '),
              fmtMs(median(ms.map((m) => m.completeMs))),
              name === 'zonexfer' ? (ms.length ? '1.00×' : '–') : fmtRatio(ratio(zxMedian, rps)),
              ms.length ? `${fmtMiB(median(ms.map((m) => m.rssBefore)))} → ${fmtMiB(median(ms.map((m) => m.rssPeak)))}` : '',
              ms.length ? growth.toFixed(1) : '',
              ms.length ? median(ms.map((m) => m.cpuPct)).toFixed(0) : '',
              ms.length ? (median(ms.map((m) => m.clientCpuPct))?.toFixed(0) ?? '') : '',
            ]);
          }
          const base = medians.get('zonexfer');
          const peers = systemNames.filter((n) => n !== 'zonexfer' && Number.isFinite(medians.get(n)));
          const best = peers.length ? peers.reduce((a, b) => (medians.get(b) > medians.get(a) ? b : a)) : null;
          bestRows.push([sizeLabel(size), clients, tsig ? 'yes' : 'no', fmtNumber(base), best ?? '–', best ? fmtNumber(medians.get(best)) : '–', best ? fmtRatio(ratio(base, medians.get(best))) : '–']);
        }
      }
    }

    // Memory per concurrent transfer must be flat in zone size.
    const biggestClients = Math.max(...p.clientCounts);
    if (biggestClients > 1 && sizes.length > 1) {
      for (const name of systemNames) {
        const per = sizes.map((size) => median(pick(size, false, biggestClients, name).map((m) => (m.rssPeak - m.rssBefore) / biggestClients)));
        if (per.every((x) => x === null)) continue;
        const text = sizes.map((s, i) => `${sizeLabel(s)}: ${per[i] === null ? '–' : per[i].toFixed(1)}`).join(', ');
        const first = per.find((x) => x !== null);
        const last = per.at(-1);
        const grows = first !== null && last !== null && last > 20 && last > 4 * Math.max(first, 1);
        notes.push(`${name}: RSS growth per concurrent transfer during the ${biggestClients}-client runs (unsigned), MiB by zone size: ${text}${grows ? ' — grows with the zone size: a transfer holds memory proportional to the zone.' : ' (flat: good).'}`);
      }
    }
    const clientBound = [];
    for (const size of sizes) for (const tsig of p.tsigModes) for (const clients of p.clientCounts) for (const name of systemNames) {
      const c = median(pick(size, tsig, clients, name).map((m) => m.clientCpuPct));
      if (c !== null && c > 90) clientBound.push(`${name} ${sizeLabel(size)}/${clients}${tsig ? '/TSIG' : ''} (${c.toFixed(0)} %)`);
    }
    if (clientBound.length) notes.push(`The client used > 90 % of its CPU against ${clientBound.join(', ')}: there the figure is a lower bound of what the server can do (one Node client process; it only counts records).`);
    notes.push('RSS is sampled every 100 ms from /proc (VmRSS of the process tree); "growth per client" = (peak during the run − before) / clients, so short peaks between samples can be missed.');
    notes.push('zonexfer serves the zone from `--zone-file` with `--allow-transfer 127.0.0.1/32`; for the TSIG runs it knows the key through an API zone whose outgoing peer uses it (the engine only loads keys linked to peers), and signs every response message (checked: signed messages = messages). The peers are restarted with the key required for AXFR.');
    if (!cpus.server) notes.push('Not pinned (fewer than 2 CPUs or taskset missing): servers and client shared the CPUs.');
    if (ctx.skipped?.length) notes.push(...ctx.skipped);

    const allPeerRatios = standardRatios(rows, 'zonexfer', true);
    return {
      name: 'axfr-out',
      title: this.title,
      description:
        `Each server (pinned to CPU ${cpus.server ?? '–'}) serves the same seeded zone (A, AAAA, TXT incl. >255-octet, MX, CNAME, delegations with DS, DNSKEY, RRSIG) ` +
        `of ${sizes.map(sizeLabel).join(' / ')} records as a primary; \`zonexfer bench axfr --json\` (pinned to CPU ${cpus.client ?? '–'}; it only counts and checks records) pulls it ` +
        `with ${p.clientCounts.join(' and ')} concurrent connection(s), ${p.tsigModes.map((t) => (t ? 'TSIG hmac-sha256' : 'unsigned')).join(' and ')}, ≈${fmtNumber(p.targetRecords)} records per measurement ` +
        `(at least one transfer per connection), ${p.reps} repetition(s) in rotated order${p.warmup ? ', after one unmeasured warm-up transfer' : ''}. ` +
        `Headline value: records/s for the ${sizeLabel(head.size)}-record zone, ${head.clients} client, unsigned (median); every configuration is in the table below.`,
      unit: 'records/s',
      higherIsBetter: true,
      baseline: 'zonexfer',
      params: { origins: sizes.map(benchOrigin), sizes, clientCounts: p.clientCounts, tsigModes: p.tsigModes, reps: p.reps, targetRecords: p.targetRecords, warmup: p.warmup, seed: p.seed, timeout: p.timeout, nice: p.nice ?? null, serverCpus: cpus.server ?? null, clientCpus: cpus.client ?? null },
      rows,
      ratios: allPeerRatios,
      tables: [
        {
          title: 'Every configuration',
          caption: 'Median records/s and time per transfer (median of the per-run p50); RSS of the server before the run → peak during it; growth = (peak − before) / clients.',
          columns: ['zone ', 'clients', 'TSIG ', 'system ', 'median records/s', 'repetitions ', 'ms per transfer', 'zonexfer / system', 'RSS MiB before → peak', 'RSS growth MiB per client', 'server CPU %', 'client CPU %'],
          rows: configRows,
        },
        { title: 'zonexfer / best peer, per configuration', columns: ['zone ', 'clients', 'TSIG ', 'zonexfer records/s', 'best peer ', 'its records/s', 'zonexfer / best peer'], rows: bestRows },
      ],
      notes,
      startedAt,
      finishedAt: new Date().toISOString(),
    };
  },
};
