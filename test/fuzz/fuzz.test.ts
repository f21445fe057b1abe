// The CI slice of the fuzz harness (harness.mjs; `npm run fuzz -- --iterations N` runs longer
// campaigns against dist/): 200 000 inputs over the wire decoder, the zone-file parser, the
// Dispatcher and the real UDP and TCP listeners, fed from src/. Nothing may crash, hang, answer
// invalidly (undecodable, over the UDP limit, wrong ID) or trip the dispatcher's internal-error
// guard, and heap growth stays bounded. Stored findings (fixtures/malformed/**) are replayed first.
// The seed is fixed (FUZZ_SEED overrides) so a CI failure replays; failing inputs are written to
// fixtures/malformed/fuzz/. A self-check plants a crash to prove the oracle reports it.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as notify from '../../src/notify/index.js';
import * as query from '../../src/query/index.js';
import * as server from '../../src/server/index.js';
import * as tsig from '../../src/tsig/index.js';
import * as wire from '../../src/wire/index.js';
import * as xfrOut from '../../src/xfr/out/responder.js';
import * as zoneFile from '../../src/zone/zone-file/index.js';
import * as zone from '../../src/zone/index.js';
import { replay, runFuzz, split, type FuzzModules } from './harness.mjs';

const mods: FuzzModules = { wire, zone, zoneFile, query, server, tsig, xfrOut, notify };
const CI_INPUTS = 200_000;
const SEED = Number(process.env.FUZZ_SEED ?? 20_240_101);
/** MAX_HEAP_GROWTH_MB bounds heapUsed + external growth over the whole slice (after full GCs). */
const MAX_HEAP_GROWTH_MB = 48;

describe('fuzz', () => {
  it('replays every stored finding and capture without a problem', async () => {
    const r = await replay(mods);
    console.log(`[fuzz] replayed ${r.inputs} stored inputs: ${r.problems.length} problems`);
    expect(r.problems).toEqual([]);
    expect(r.inputs).toBeGreaterThan(50);
  });

  it(`survives ${CI_INPUTS} inputs across decoder, zone-file parser, dispatcher, UDP and TCP listeners`, async () => {
    const lines: string[] = [];
    const report = await runFuzz(mods, { counts: split(CI_INPUTS), seed: SEED, hangMs: 5000, log: (l) => lines.push(l) });
    console.log([...lines, `[fuzz] seed ${report.seed}: ${report.inputs} inputs, ${report.crashes} crashes, ${report.hangs} hangs, ${report.invalid} invalid answers, ${report.internalErrors} internal errors, heap ${report.heapStartMb.toFixed(1)} → ${report.heapEndMb.toFixed(1)} MB`].join('\n'));
    const findings = report.findings.map((f) => `${f.file}: ${f.reason.split('\n')[0]}`);
    expect(findings, findings.join('\n')).toEqual([]);
    expect(report.inputs).toBeGreaterThanOrEqual(CI_INPUTS * 0.99); // the zone-file target skips $GENERATE bombs
    expect(report.crashes + report.hangs + report.invalid + report.internalErrors).toBe(0);
    expect(report.heapEndMb - report.heapStartMb).toBeLessThan(MAX_HEAP_GROWTH_MB);
    for (const t of report.targets) expect(t.inputs, t.name).toBeGreaterThan(0);
  });

  it('reports a planted crash and writes the input as a finding (self-check)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'zonexfer-fuzz-'));
    try {
      const planted = {
        ...wire,
        decodeMessage: (buf: Uint8Array) => {
          if (buf.length === 13) throw new Error('planted');
          return wire.decodeMessage(buf);
        },
      };
      const report = await runFuzz({ ...mods, wire: planted }, { counts: { decoder: 5000 }, seed: 1, findingsDir: dir, watchdog: false });
      expect(report.crashes).toBeGreaterThan(0);
      const files = readdirSync(dir);
      expect(files.length).toBeGreaterThan(0);
      const text = readFileSync(join(dir, files[0]!), 'utf8');
      expect(text).toMatch(/^; fuzz finding .*planted/);
      expect(text).toContain('; target: decoder');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
