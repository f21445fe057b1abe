// `zonexfer bench` against real Knot DNS daemons (bench/peers/peers.mjs): a knotd primary serving
// the committed 10 000-record fixture with TSIG (every message of every transfer verified, RFC
// 8945 §5.3.1), IXFR up-to-date and AXFR-style answers (RFC 1995 §2, §4), the UDP query load, and
// NOTIFY acknowledged by a knotd secondary. Skips with one line without knotd (unless
// ZONEXFER_REQUIRE_PEERS=1). Figures are checked for sanity, never for speed.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../helpers/interop/daemons.js';
import { requirePeers } from '../../helpers/peers.js';
import { type AxfrJson, bench, ordered } from './helpers.js';

const peers = requirePeers('bench_knot', ['knotd']);

const root = resolve(fileURLToPath(new URL('../../..', import.meta.url)));
const FIXTURE = join(root, 'fixtures/zones/big10k.example.zone');
const ORIGIN = 'big.example.';
/** The fixture's serial and size: `generate.mjs --origin big.example. --records 10000` (seed 1). */
const SERIAL = 2024000001;
const RECORDS = 10_000;

interface Handle {
  readonly port: number;
  stop(): Promise<void>;
}
interface KnotOptions {
  dir: string;
  port: number;
  zones: ({ origin: string; file: string } | { origin: string; primaries: { host: string; port: number }[] })[];
  tsig?: { name: string; algorithm: string; secret: string };
}
type StartKnot = (o: KnotOptions) => Promise<Handle>;

describe.skipIf(!peers.run)('zonexfer bench against knotd', () => {
  const secret = randomBytes(32).toString('base64');
  const tsig = { name: 'bench-key', algorithm: 'hmac-sha256', secret };
  const kdigKey = `hmac-sha256:bench-key:${secret}`;
  const dirs: string[] = [];
  const handles: Handle[] = [];
  let primary: string;
  let secondaryPort: number;

  beforeAll(async () => {
    const { startKnot } = (await import(pathToFileURL(join(root, 'bench/peers/peers.mjs')).href)) as { startKnot: StartKnot };
    const dir = (p: string) => {
      const d = mkdtempSync(join(tmpdir(), `zx-bench-${p}-`));
      dirs.push(d);
      return d;
    };
    const p = await startKnot({ dir: dir('knot-primary'), port: await freePort(), zones: [{ origin: ORIGIN, file: FIXTURE }], tsig });
    handles.push(p);
    primary = `127.0.0.1:${p.port}`;
    const s = await startKnot({ dir: dir('knot-secondary'), port: await freePort(), zones: [{ origin: ORIGIN, primaries: [{ host: '127.0.0.1', port: p.port }] }], tsig });
    handles.push(s);
    secondaryPort = s.port;
  });

  afterAll(async () => {
    await Promise.all(handles.map((h) => h.stop()));
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('pulls a 10 000-record zone with every message TSIG-verified', async () => {
    const r = await bench<AxfrJson>(['axfr', '--server', primary, '--zone', ORIGIN, '--tsig', kdigKey, '--transfers', '6', '--concurrency', '3', '--json']);
    expect(r.code).toBe(0);
    const j = r.report;
    expect(j).toMatchObject({
      tsig_key: 'bench-key.', transfers_ok: 6, transfers_failed: 0, serials: [SERIAL], kinds: { axfr: 6 }, records_per_transfer: RECORDS + 1, errors: [],
    });
    expect(j.messages_per_transfer).toBeGreaterThan(1);
    expect(j.signed_messages_per_transfer).toBe(j.messages_per_transfer);
    expect(j.records_per_s).toBeGreaterThan(0);
    expect(ordered(j.ttfb_ms) && ordered(j.complete_ms)).toBe(true);
  });

  it('refuses nothing silently: no key, and the wrong key, are reported', async () => {
    const unsigned = await bench<AxfrJson>(['axfr', '--server', primary, '--zone', ORIGIN, '--transfers', '2', '--json']);
    expect(unsigned.code).toBe(1);
    expect(unsigned.report).toMatchObject({ transfers_ok: 0, transfers_failed: 2, errors: [{ kind: 'rcode' }] });
    const wrong = `hmac-sha256:bench-key:${randomBytes(32).toString('base64')}`;
    const bad = await bench<AxfrJson>(['axfr', '--server', primary, '--zone', ORIGIN, '--tsig', wrong, '--transfers', '2', '--json']);
    expect(bad.code).toBe(1);
    expect(bad.report.errors[0]!.example).toMatch(/NOTAUTH \(TSIG BADSIG\)/);
  });

  it('checks IXFR answers: a lone SOA when current, AXFR-style without a journal', async () => {
    const current = await bench<AxfrJson>(['axfr', '--server', primary, '--zone', ORIGIN, '--tsig', kdigKey, '--ixfr', String(SERIAL), '--transfers', '2', '--json']);
    expect(current.report).toMatchObject({ transfers_ok: 2, kinds: { 'up-to-date': 2 }, records_per_transfer: 1 });
    const older = await bench<AxfrJson>(['axfr', '--server', primary, '--zone', ORIGIN, '--tsig', kdigKey, '--ixfr', String(SERIAL - 1), '--transfers', '2', '--json']);
    expect(older.report).toMatchObject({ transfers_ok: 2, kinds: { 'ixfr-as-axfr': 2 }, records_per_transfer: RECORDS + 1 });
  });

  it('runs the query load on names from a signed AXFR', async () => {
    const r = await bench<{ names: { source: string; count: number }; answered: number; rcodes: Record<string, number> }>(
      ['query', '--server', primary, '--zone', ORIGIN, '--tsig', kdigKey, '--duration', '300ms', '--json'],
    );
    expect(r.code).toBe(0);
    expect(r.report.names.source).toBe('axfr');
    expect(r.report.names.count).toBeGreaterThan(100);
    expect(r.report.rcodes['NOERROR']).toBe(r.report.answered);
  });

  it('measures NOTIFY acknowledgements from a knotd secondary', async () => {
    const r = await bench<{ sent: number; acked: number; failed: number; ack_ms: { p50: number; p90: number; p99: number; max: number } }>(
      ['notify', '--target', `127.0.0.1:${secondaryPort}`, '--zone', ORIGIN, '--tsig', kdigKey, '--count', '5', '--json'],
    );
    expect(r.code).toBe(0);
    expect(r.report).toMatchObject({ sent: 5, acked: 5, failed: 0 });
    expect(ordered(r.report.ack_ms)).toBe(true);
  });
});
