// Samples (src/bench/stats.ts): nearest-rank percentiles over a growable sample buffer.
import { describe, expect, it } from 'vitest';
import { Samples } from '../../../src/bench/stats.js';

describe('Samples', () => {
  it('answers nearest-rank percentiles and the max', () => {
    const s = new Samples();
    for (let i = 100; i >= 1; i--) s.add(i);
    expect(s.count).toBe(100);
    expect(s.percentiles()).toEqual({ p50: 50, p90: 90, p99: 99, max: 100 });
    expect(s.mean()).toBe(50.5);
  });

  it('grows past its first buffer and handles one or no sample', () => {
    const s = new Samples();
    expect(s.percentiles()).toEqual({ p50: 0, p90: 0, p99: 0, max: 0 });
    s.add(3.5);
    expect(s.percentiles()).toEqual({ p50: 3.5, p90: 3.5, p99: 3.5, max: 3.5 });
    for (let i = 0; i < 5000; i++) s.add(1);
    expect(s.count).toBe(5001);
    expect(s.percentiles().max).toBe(3.5);
    expect(s.percentiles().p99).toBe(1);
  });
});
