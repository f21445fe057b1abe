// Helpers for the bench integration tests: run `zonexfer bench …` in-process (runBench) with its
// output captured, and read the one JSON object `--json` prints.
import { runBench } from '../../../src/bench/index.js';

export interface BenchRun<R> {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  /** report is the parsed JSON object (only for --json runs). */
  readonly report: R;
}

/** bench runs `zonexfer bench …args` with captured output (not a terminal). */
export async function bench<R = Record<string, unknown>>(args: readonly string[]): Promise<BenchRun<R>> {
  let stdout = '';
  let stderr = '';
  const code = await runBench(args, {
    stdout: { write: (t: string) => (stdout += t) },
    stderr: { write: (t: string) => (stderr += t) },
    isTTY: false,
  });
  const report = (args.includes('--json') ? JSON.parse(stdout) : undefined) as R;
  return { code, stdout, stderr, report };
}

/** Percentiles as the reports print them. */
export interface Pct {
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly max: number;
}

/** ordered tells whether percentiles are non-negative and non-decreasing. */
export function ordered(p: Pct): boolean {
  return p.p50 >= 0 && p.p50 <= p.p90 && p.p90 <= p.p99 && p.p99 <= p.max;
}

/** AxfrJson is the part of the `bench axfr --json` report the tests read. */
export interface AxfrJson {
  format: string;
  mode: string;
  zone: string;
  tsig_key: string | null;
  concurrency: number;
  stopped_by: string;
  elapsed_s: number;
  transfers_ok: number;
  transfers_failed: number;
  transfers_per_s: number;
  records_per_s: number;
  bytes_per_s: number;
  records_per_transfer: number;
  messages_per_transfer: number;
  bytes_per_transfer: number;
  signed_messages_per_transfer: number;
  serials: number[];
  kinds: Record<string, number>;
  ttfb_ms: Pct;
  complete_ms: Pct;
  client: { cpu_s: number; cpu_pct: number; event_loop_utilization: number };
  errors: { kind: string; count: number; example: string }[];
}
