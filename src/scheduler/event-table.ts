// The per-zone event table and its timer queue (after Knot's zone events): each zone has one slot
// per ZoneEventType holding the earliest time it is due; one min-heap orders zones by their
// earliest slot; at most one event runs per zone at a time. Pure: time is passed in, no timers.
// 100,000 idle zones cost one heap entry each and no timer.

/** ZoneEventType is the closed set of things the engine does to a zone. */
export type ZoneEventType = 'refresh' | 'expire' | 'notify-out' | 'force-axfr' | 'reload';

export const EVENT_ORDER: readonly ZoneEventType[] = ['reload', 'force-axfr', 'refresh', 'notify-out', 'expire'];

interface Entry {
  zoneId: string;
  due: number;
  heapIndex: number;
  slots: Map<ZoneEventType, number>;
}

/** DueEvent is one event ready to run. */
export interface DueEvent {
  readonly zoneId: string;
  readonly type: ZoneEventType;
}

/** EventTable holds every zone's pending events, ordered by due time (milliseconds). */
export class EventTable {
  private readonly entries = new Map<string, Entry>();
  private readonly heap: Entry[] = [];
  private readonly running = new Set<string>();

  /** schedule sets slot `type` of a zone to `at`, keeping the earlier time (earliest wins). */
  schedule(zoneId: string, type: ZoneEventType, at: number): void {
    let e = this.entries.get(zoneId);
    if (e === undefined) {
      e = { zoneId, due: Infinity, heapIndex: -1, slots: new Map() };
      this.entries.set(zoneId, e);
    }
    const cur = e.slots.get(type);
    if (cur !== undefined && cur <= at) return;
    e.slots.set(type, at);
    this.reposition(e);
  }

  /** replace sets slot `type` to `at` even when that is later than what is there. */
  replace(zoneId: string, type: ZoneEventType, at: number): void {
    this.cancel(zoneId, type);
    this.schedule(zoneId, type, at);
  }

  /** cancel empties slot `type` of a zone. */
  cancel(zoneId: string, type: ZoneEventType): void {
    const e = this.entries.get(zoneId);
    if (e === undefined || !e.slots.delete(type)) return;
    this.reposition(e);
  }

  /** forget drops every slot of a zone. */
  forget(zoneId: string): void {
    const e = this.entries.get(zoneId);
    if (e === undefined) return;
    e.slots.clear();
    this.reposition(e);
    this.entries.delete(zoneId);
  }

  /** when returns the due time of a slot, or undefined. */
  when(zoneId: string, type: ZoneEventType): number | undefined {
    return this.entries.get(zoneId)?.slots.get(type);
  }

  /** nextDue is the earliest due time of any zone not running, or undefined. */
  nextDue(): number | undefined {
    return this.heap[0]?.due;
  }

  /**
   * takeDue removes and returns the events due at `now`, at most one per zone and none for zones
   * whose previous event is still running (they stay queued). Mark each done with `finished`.
   */
  takeDue(now: number, max = Infinity): DueEvent[] {
    const out: DueEvent[] = [];
    const deferred: Entry[] = [];
    while (this.heap.length > 0 && this.heap[0]!.due <= now && out.length < max) {
      const e = this.pop();
      if (this.running.has(e.zoneId)) {
        deferred.push(e);
        continue;
      }
      let type: ZoneEventType | undefined;
      for (const t of EVENT_ORDER) {
        const at = e.slots.get(t);
        if (at !== undefined && at <= now) {
          type = t;
          break;
        }
      }
      if (type === undefined) continue;
      e.slots.delete(type);
      this.running.add(e.zoneId);
      out.push({ zoneId: e.zoneId, type });
      e.due = Infinity;
      deferred.push(e);
    }
    // Running zones wait off the heap; finished() puts them back.
    for (const e of deferred) if (!this.running.has(e.zoneId)) this.reposition(e);
    return out;
  }

  /** finished marks a zone's running event done, making its other slots eligible again. */
  finished(zoneId: string): void {
    this.running.delete(zoneId);
    const e = this.entries.get(zoneId);
    if (e !== undefined) this.reposition(e);
  }

  /** isRunning tells whether a zone has an event in progress. */
  isRunning(zoneId: string): boolean {
    return this.running.has(zoneId);
  }

  /** size is the number of zones with at least one slot set. */
  get size(): number {
    let n = 0;
    for (const e of this.entries.values()) if (e.slots.size > 0) n++;
    return n;
  }

  private reposition(e: Entry): void {
    let due = Infinity;
    for (const at of e.slots.values()) if (at < due) due = at;
    if (this.running.has(e.zoneId)) due = Infinity;
    if (e.heapIndex >= 0) this.removeAt(e.heapIndex);
    e.due = due;
    if (due !== Infinity) this.push(e);
  }

  private push(e: Entry): void {
    e.heapIndex = this.heap.length;
    this.heap.push(e);
    this.up(e.heapIndex);
  }

  private pop(): Entry {
    const top = this.heap[0]!;
    this.removeAt(0);
    return top;
  }

  private removeAt(i: number): void {
    const h = this.heap;
    const last = h.pop()!;
    const removed = i < h.length ? h[i]! : last;
    removed.heapIndex = -1;
    if (i < h.length) {
      h[i] = last;
      last.heapIndex = i;
      this.down(i);
      this.up(last.heapIndex);
    }
  }

  private up(i: number): void {
    const h = this.heap;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (h[p]!.due <= h[i]!.due) break;
      this.swap(i, p);
      i = p;
    }
  }

  private down(i: number): void {
    const h = this.heap;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < h.length && h[l]!.due < h[m]!.due) m = l;
      if (r < h.length && h[r]!.due < h[m]!.due) m = r;
      if (m === i) return;
      this.swap(i, m);
      i = m;
    }
  }

  private swap(a: number, b: number): void {
    const h = this.heap;
    const x = h[a]!;
    const y = h[b]!;
    h[a] = y;
    h[b] = x;
    x.heapIndex = b;
    y.heapIndex = a;
  }
}
