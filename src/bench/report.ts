// Output of `zonexfer bench`: where it goes (BenchIO), the progress line (rewritten in place with
// \r at most 4 times a second on a terminal, a plain line every second otherwise, none with --json
// unless on a terminal), the error tally, and number formatting for the text report. The JSON
// reports' fields are documented in axfr.ts, notify.ts and query.ts.

import type { BenchFailure, BenchFailureKind } from './failure.js';

/** BenchIO is where a bench run writes: the report to stdout, progress and notes to stderr. */
export interface BenchIO {
  readonly stdout: { write(text: string): unknown };
  readonly stderr: { write(text: string): unknown };
  /** isTTY: stderr is a terminal (progress is then one line rewritten in place). */
  readonly isTTY: boolean;
}

/** TTY_INTERVAL_MS: a terminal progress line is redrawn at most 4 times a second. */
export const TTY_INTERVAL_MS = 250;
/** PLAIN_INTERVAL_MS: without a terminal, one progress line a second. */
export const PLAIN_INTERVAL_MS = 1000;

/**
 * Progress draws `line()` periodically on stderr until stop(). On a terminal the line is
 * rewritten with \r and cleared at the end; otherwise each is a plain line. `quiet` (--json
 * without a terminal) draws nothing.
 */
export class Progress {
  private timer: NodeJS.Timeout | undefined;
  private drawn = false;

  constructor(
    private readonly io: BenchIO,
    private readonly line: () => string,
    private readonly quiet: boolean,
  ) {}

  start(): void {
    if (this.quiet) return;
    this.timer = setInterval(() => this.draw(), this.io.isTTY ? TTY_INTERVAL_MS : PLAIN_INTERVAL_MS);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    if (this.drawn && this.io.isTTY) this.io.stderr.write('\r\x1b[K');
  }

  private draw(): void {
    this.drawn = true;
    if (this.io.isTTY) this.io.stderr.write(`\r${this.line()}\x1b[K`);
    else this.io.stderr.write(`${this.line()}\n`);
  }
}

/** ErrorTally counts failures by kind and keeps the first detail of each for the report. */
export class ErrorTally {
  private readonly byKind = new Map<BenchFailureKind, { count: number; example: string }>();
  private n = 0;

  get total(): number {
    return this.n;
  }

  add(f: BenchFailure): void {
    this.n++;
    const e = this.byKind.get(f.kind);
    if (e === undefined) this.byKind.set(f.kind, { count: 1, example: f.detail });
    else e.count++;
  }

  /** list is the tally as JSON-ready rows, most frequent first. */
  list(): { kind: BenchFailureKind; count: number; example: string }[] {
    return [...this.byKind].map(([kind, e]) => ({ kind, count: e.count, example: e.example })).sort((a, b) => b.count - a.count);
  }

  /** lines renders the tally for the text report. */
  lines(): string[] {
    return this.list().map((e) => `  error       ${e.count} × ${e.kind}: ${e.example}`);
  }
}

/** si formats a rate or size with k/M/G (10^3 steps) and 3 significant digits. */
export function si(v: number, unit = ''): string {
  const abs = Math.abs(v);
  const [d, p] = abs >= 1e9 ? [1e9, 'G'] : abs >= 1e6 ? [1e6, 'M'] : abs >= 1e3 ? [1e3, 'k'] : [1, ''];
  const x = v / d;
  const text = Math.abs(x) >= 100 ? x.toFixed(0) : Math.abs(x) >= 10 ? x.toFixed(1) : x.toFixed(2);
  return `${text} ${p}${unit}`.trimEnd();
}

/** ms formats milliseconds for the text report. */
export function ms(v: number): string {
  return v >= 100 ? `${v.toFixed(0)} ms` : v >= 10 ? `${v.toFixed(1)} ms` : `${v.toFixed(2)} ms`;
}

/** percentileLine renders `p50 … p90 … p99 … max …` for the text report. */
export function percentileLine(p: { p50: number; p90: number; p99: number; max: number }): string {
  return `p50 ${ms(p.p50)}  p90 ${ms(p.p90)}  p99 ${ms(p.p99)}  max ${ms(p.max)}`;
}
