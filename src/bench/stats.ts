// Latency samples and their percentiles (nearest-rank), kept in a growable Float64Array so a
// million samples cost 8 MB and no object each. Pure: the callers measure time.

/** Percentiles of a sample set, in the unit the samples were added in (milliseconds here). */
export interface Percentiles {
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly max: number;
}

/** Samples collects numbers and answers percentiles over them. */
export class Samples {
  private data = new Float64Array(1024);
  private n = 0;

  /** count is the number of samples added. */
  get count(): number {
    return this.n;
  }

  /** add appends one sample. */
  add(v: number): void {
    if (this.n === this.data.length) {
      const bigger = new Float64Array(this.data.length * 2);
      bigger.set(this.data);
      this.data = bigger;
    }
    this.data[this.n++] = v;
  }

  /** mean is the arithmetic mean, 0 without samples. */
  mean(): number {
    let s = 0;
    for (let i = 0; i < this.n; i++) s += this.data[i]!;
    return this.n === 0 ? 0 : s / this.n;
  }

  /** percentiles returns p50, p90, p99 and max (nearest rank), all 0 without samples. */
  percentiles(): Percentiles {
    if (this.n === 0) return { p50: 0, p90: 0, p99: 0, max: 0 };
    const sorted = this.data.slice(0, this.n).sort();
    return { p50: rank(sorted, 0.5), p90: rank(sorted, 0.9), p99: rank(sorted, 0.99), max: sorted[this.n - 1]! };
  }
}

/** rank is the nearest-rank percentile `q` (0 < q ≤ 1) of ascending `sorted`. */
function rank(sorted: Float64Array, q: number): number {
  const i = Math.max(0, Math.ceil(q * sorted.length) - 1);
  return sorted[Math.min(i, sorted.length - 1)]!;
}

/** round3 rounds to three decimals, for reports (latencies in ms keep microseconds). */
export function round3(v: number): number {
  return Math.round(v * 1000) / 1000;
}

/** roundPercentiles rounds every field with round3. */
export function roundPercentiles(p: Percentiles): Percentiles {
  return { p50: round3(p.p50), p90: round3(p.p90), p99: round3(p.p99), max: round3(p.max) };
}
