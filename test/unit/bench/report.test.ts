// The bench progress line and report formatting (src/bench/report.ts), with fake timers: on a
// terminal one line rewritten with \r at most 4 times a second and cleared at the end; otherwise
// a plain line a second; nothing with --json off a terminal.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ErrorTally, PLAIN_INTERVAL_MS, Progress, TTY_INTERVAL_MS, si } from '../../../src/bench/report.js';

function capture(isTTY: boolean) {
  const out = { stdout: '', stderr: '' };
  const io = { stdout: { write: (t: string) => (out.stdout += t) }, stderr: { write: (t: string) => (out.stderr += t) }, isTTY };
  return { io, out };
}

describe('Progress', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('rewrites one line on a terminal, at most 4 times a second, and clears it', () => {
    const { io, out } = capture(true);
    let n = 0;
    const p = new Progress(io, () => `tick ${++n}`, false);
    p.start();
    vi.advanceTimersByTime(1000);
    expect(TTY_INTERVAL_MS).toBe(250);
    expect(n).toBe(4);
    expect(out.stderr).toBe('\rtick 1\x1b[K\rtick 2\x1b[K\rtick 3\x1b[K\rtick 4\x1b[K');
    p.stop();
    expect(out.stderr.endsWith('\r\x1b[K')).toBe(true);
    vi.advanceTimersByTime(1000);
    expect(n).toBe(4);
    expect(out.stdout).toBe('');
  });

  it('prints plain lines off a terminal, and nothing when quiet', () => {
    const plain = capture(false);
    const p = new Progress(plain.io, () => 'line', false);
    p.start();
    vi.advanceTimersByTime(PLAIN_INTERVAL_MS * 3 + 10);
    p.stop();
    expect(plain.out.stderr).toBe('line\nline\nline\n');
    const quiet = capture(false);
    const q = new Progress(quiet.io, () => 'line', true);
    q.start();
    vi.advanceTimersByTime(5000);
    q.stop();
    expect(quiet.out.stderr).toBe('');
  });
});

describe('report formatting', () => {
  it('tallies errors by kind, most frequent first, keeping the first example', () => {
    const t = new ErrorTally();
    t.add({ kind: 'timeout', detail: 't1' });
    t.add({ kind: 'rcode', detail: 'REFUSED', rcode: 5 });
    t.add({ kind: 'rcode', detail: 'NOTAUTH', rcode: 9 });
    expect(t.total).toBe(3);
    expect(t.list()).toEqual([{ kind: 'rcode', count: 2, example: 'REFUSED' }, { kind: 'timeout', count: 1, example: 't1' }]);
  });

  it('formats rates with SI prefixes', () => {
    expect(si(1_234_567, 'B')).toBe('1.23 MB');
    expect(si(999)).toBe('999');
    expect(si(0.5)).toBe('0.50');
    expect(si(45_600)).toBe('45.6 k');
  });
});
