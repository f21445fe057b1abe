#!/usr/bin/env node
// npm run fuzz -- [--iterations N] [--seed S] [--target decoder|zone-file|dispatcher|udp|tcp] [--hang-ms MS]
// Builds first (the npm script), then fuzzes the compiled modules in dist/ through harness.mjs:
// prints the inputs tried and the crashes per target, writes every failing input to
// fixtures/malformed/fuzz/ and exits 1 when anything failed. Default: 200 000 inputs, random seed.
import { parseArgs } from 'node:util';
import { TARGETS, replay, runFuzz, split } from './harness.mjs';

const { values } = parseArgs({
  options: {
    iterations: { type: 'string', default: '200000' },
    seed: { type: 'string' },
    target: { type: 'string' },
    'hang-ms': { type: 'string', default: '5000' },
    'no-findings': { type: 'boolean', default: false },
  },
});
const iterations = Number(values.iterations);
if (!Number.isInteger(iterations) || iterations < 1) throw new Error(`--iterations must be a positive integer, got ${values.iterations}`);
if (values.target !== undefined && !TARGETS.includes(values.target)) throw new Error(`--target must be one of ${TARGETS.join(', ')}`);
const seed = values.seed === undefined ? (Date.now() ^ (process.pid << 16)) >>> 0 : Number(values.seed) >>> 0;

const dist = new URL('../../dist/', import.meta.url);
const load = (path) => import(new URL(path, dist).href);
const mods = {
  wire: await load('wire/index.js'),
  zone: await load('zone/index.js'),
  zoneFile: await load('zone/zone-file/index.js'),
  query: await load('query/index.js'),
  server: await load('server/index.js'),
  tsig: await load('tsig/index.js'),
  xfrOut: await load('xfr/out/responder.js'),
  notify: await load('notify/index.js'),
};

const regression = await replay(mods);
console.log(`[fuzz] replayed ${regression.inputs} stored inputs (fixtures/wire, fixtures/malformed, fixtures/tsig): ${regression.problems.length} problems`);
for (const p of regression.problems) console.log(`[fuzz]   ${p}`);

console.log(`[fuzz] seed ${seed}, ${iterations} inputs${values.target ? ` on ${values.target}` : ''} (replay: --seed ${seed})`);
const started = Date.now();
const report = await runFuzz(mods, {
  counts: split(iterations, values.target),
  seed,
  hangMs: Number(values['hang-ms']),
  writeFindings: !values['no-findings'],
  log: (line) => console.log(line),
});
console.log(
  `[fuzz] total: ${report.inputs} inputs tried in ${((Date.now() - started) / 1000).toFixed(1)} s, crashes ${report.crashes}, hangs ${report.hangs}, ` +
    `invalid answers ${report.invalid}, internal errors ${report.internalErrors}; heap ${report.heapStartMb.toFixed(1)} → ${report.heapEndMb.toFixed(1)} MB`,
);
for (const f of report.findings) console.log(`[fuzz] finding ${f.file}: ${f.reason.split('\n')[0]}`);
const failed = report.crashes + report.hangs + report.invalid + report.internalErrors + regression.problems.length;
process.exit(failed > 0 ? 1 : 0);
