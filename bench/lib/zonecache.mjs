// Cached benchmark zone files under bench/results/tmp/cache/ (git-ignored), shared by scenarios and
// by runs: generating the 1 000 000-record zone takes ~15 s and ~1 GiB, so it is done once, in a
// child process (the runner stays small), and reused while the generator (zones.mjs), the origin,
// the size and the seed are the same. Files are written to a temporary name and renamed, so an
// interrupted run never leaves a half-written zone behind.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { REPO } from './systems.mjs';
import { spawnTracked } from './procs.mjs';

export const CACHE_DIR = join(REPO, 'bench', 'results', 'tmp', 'cache');
const ZONES_MJS = join(REPO, 'bench', 'lib', 'zones.mjs');

const abs = (origin) => (origin.endsWith('.') ? origin : `${origin}.`);

function generatorHash() {
  return createHash('sha256').update(readFileSync(ZONES_MJS)).digest('hex').slice(0, 10);
}

/** runNode runs a small ESM program in a child Node process; rejects with its stderr on failure. */
async function runNode(code, timeoutMs) {
  const proc = spawnTracked('zone generator', process.execPath, ['--input-type=module', '-e', code], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  proc.child.stderr.on('data', (d) => {
    stderr += d;
  });
  const timer = setTimeout(() => proc.stop(), timeoutMs);
  const r = await proc.exited;
  clearTimeout(timer);
  if (r.error || r.code !== 0) throw new Error(`zone generation failed (${r.error?.message ?? `exit ${r.code}, signal ${r.signal}`}): ${stderr.trim().split('\n').slice(-3).join(' | ')}`);
}

/**
 * ensureZoneFile returns the path of the cached zone file for {origin, records, seed} (zones.mjs
 * generateZone), generating it first when missing. `log` is told when it has to generate.
 */
export async function ensureZoneFile({ origin, records, seed = 'zonexfer' }, log = () => {}) {
  const o = abs(origin);
  mkdirSync(CACHE_DIR, { recursive: true });
  const key = createHash('sha256').update(`${generatorHash()}|${o}|${records}|${seed}`).digest('hex').slice(0, 12);
  const file = join(CACHE_DIR, `${o.slice(0, -1)}-${records}-${key}.zone`);
  if (existsSync(file)) return file;
  const t = Date.now();
  log(`generating the ${records}-record zone ${o} (cached in ${file.slice(REPO.length + 1)})…`);
  const tmp = `${file}.tmp-${process.pid}`;
  const code = `
    import { generateZone } from ${JSON.stringify(ZONES_MJS)};
    import { writeFileSync, renameSync } from 'node:fs';
    writeFileSync(${JSON.stringify(tmp)}, generateZone(${JSON.stringify({ origin: o, records, seed })}));
    renameSync(${JSON.stringify(tmp)}, ${JSON.stringify(file)});`;
  try {
    await runNode(code, 600_000);
  } finally {
    rmSync(tmp, { force: true });
  }
  log(`zone ${o} (${records} records, ${(statSync(file).size / 2 ** 20).toFixed(0)} MiB) generated in ${((Date.now() - t) / 1000).toFixed(1)} s`);
  return file;
}

/** manyZoneOrigin(i) → 'z00042.many.example.' */
export const manyZoneOrigin = (i, suffix = 'many.example.') => `z${String(i).padStart(5, '0')}.${suffix}`;

/**
 * ensureManyZones returns {dir, zones: [{origin, file}]} for `count` small zones of `records`
 * records each (zones.mjs, one seed per zone), cached in one directory.
 */
export async function ensureManyZones({ count, records = 20, seed = 'zonexfer', suffix = 'many.example.' }, log = () => {}) {
  mkdirSync(CACHE_DIR, { recursive: true });
  const key = createHash('sha256').update(`${generatorHash()}|${count}|${records}|${seed}|${suffix}`).digest('hex').slice(0, 12);
  const dir = join(CACHE_DIR, `many-${count}x${records}-${key}`);
  const zones = [];
  for (let i = 0; i < count; i++) {
    const origin = manyZoneOrigin(i, suffix);
    zones.push({ origin, file: join(dir, `${origin.slice(0, -1)}.zone`) });
  }
  const done = join(dir, '.complete');
  if (existsSync(done)) return { dir, zones };
  const t = Date.now();
  log(`generating ${count} zones of ${records} records (cached in ${dir.slice(REPO.length + 1)})…`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  // The list is rebuilt in the child (10 000 paths would not fit in one argument).
  const code = `
    import { generateZone } from ${JSON.stringify(ZONES_MJS)};
    import { writeFileSync } from 'node:fs';
    import { join } from 'node:path';
    const count = ${count};
    for (let i = 0; i < count; i++) {
      const origin = 'z' + String(i).padStart(5, '0') + '.' + ${JSON.stringify(suffix)};
      writeFileSync(join(${JSON.stringify(dir)}, origin.slice(0, -1) + '.zone'), generateZone({ origin, records: ${records}, seed: ${JSON.stringify(seed)} }));
    }
    writeFileSync(${JSON.stringify(done)}, String(count));`;
  await runNode(code, 600_000);
  log(`${count} zones generated in ${((Date.now() - t) / 1000).toFixed(1)} s (${readdirSync(dir).length - 1} files)`);
  return { dir, zones };
}

/** zoneSerial reads the SOA serial from a zones.mjs file (its first SOA line). */
export function zoneSerialOf(text) {
  const m = /\sIN SOA \S+ \S+ (\d+) /.exec(text);
  if (!m) throw new Error('no SOA line found');
  return Number(m[1]);
}
