// A NOTIFY's log line and metric wait for the refresh it scheduled to send its request
// (src/engine/history.ts): run once by that refresh, or by a timer when no refresh comes.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ZoneRuntime } from '../../../src/engine/context.js';
import { deferNotes, runNotes } from '../../../src/engine/history.js';

const runtime = () => ({ pendingNotes: [] }) as unknown as ZoneRuntime;

describe('NOTIFY notes', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('waits for the refresh, then runs each note once, oldest first', () => {
    const rt = runtime();
    const ran: number[] = [];
    deferNotes(rt, () => ran.push(1));
    deferNotes(rt, () => ran.push(2));
    expect(ran).toEqual([]);
    runNotes(rt);
    expect(ran).toEqual([1, 2]);
    vi.advanceTimersByTime(1000);
    runNotes(rt);
    expect(ran).toEqual([1, 2]);
    expect(rt.notesTimer).toBeUndefined();
  });

  it('runs the notes by itself when no refresh sends a request soon', () => {
    const rt = runtime();
    const ran: string[] = [];
    deferNotes(rt, () => ran.push('notify'));
    vi.advanceTimersByTime(49);
    expect(ran).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(ran).toEqual(['notify']);
    expect(rt.pendingNotes).toHaveLength(0);
  });
});
