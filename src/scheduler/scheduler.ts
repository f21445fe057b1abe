// Scheduler: runs the EventTable. A node-cron heartbeat (once a second) runs due events; an event
// scheduled for "now" (a NOTIFY, an API command) runs on the next turn of the event loop instead of
// waiting for the tick. Never one cron job per zone. Emits typed events so tests can wait on them.

import { EventEmitter } from 'node:events';
import cron, { type ScheduledTask } from 'node-cron';
import { type DueEvent, EventTable, type ZoneEventType } from './event-table.js';

/** SchedulerEvents let tests and metrics observe the event loop. */
export interface SchedulerEvents {
  'event:start': [DueEvent];
  'event:done': [DueEvent];
  'event:failed': [DueEvent & { error: unknown }];
}

export type EventHandler = (ev: DueEvent) => Promise<void>;

export interface SchedulerOptions {
  handler: EventHandler;
  now?: () => number;
  /** concurrency caps events running at once across zones (default 16). */
  concurrency?: number;
  /** heartbeat: false disables the cron tick (tests call tick()). */
  heartbeat?: boolean;
}

/** Scheduler owns the table and runs due events through the handler. */
export class Scheduler extends EventEmitter<SchedulerEvents> {
  readonly table = new EventTable();
  private readonly handler: EventHandler;
  private readonly now: () => number;
  private readonly concurrency: number;
  private active = 0;
  private task: ScheduledTask | undefined;
  private soon = false;
  private stopped = false;
  private readonly inflight = new Set<Promise<void>>();

  constructor(o: SchedulerOptions) {
    super();
    this.handler = o.handler;
    this.now = o.now ?? Date.now;
    this.concurrency = o.concurrency ?? 16;
    if (o.heartbeat !== false) {
      this.task = cron.schedule('* * * * * *', () => this.tick(), { noOverlap: false });
    }
  }

  /** schedule sets a zone's event slot (earliest wins) and runs it promptly when already due. */
  schedule(zoneId: string, type: ZoneEventType, at: number = this.now()): void {
    this.table.schedule(zoneId, type, at);
    if (at <= this.now()) this.kick();
  }

  /** replace sets a slot to `at` even when later than the current one. */
  replace(zoneId: string, type: ZoneEventType, at: number): void {
    this.table.replace(zoneId, type, at);
    if (at <= this.now()) this.kick();
  }

  /**
   * kick runs what is due once the current synchronous work ends (a microtask, not a macrotask:
   * a NOTIFY's refresh starts before the event loop turns, ahead of other queued I/O). Several
   * schedule() calls in one synchronous stretch still make one tick.
   */
  private kick(): void {
    if (this.soon || this.stopped) return;
    this.soon = true;
    queueMicrotask(() => {
      this.soon = false;
      this.tick();
    });
  }

  /** tick runs every due event the concurrency allows. */
  tick(): void {
    if (this.stopped) return;
    const room = this.concurrency - this.active;
    if (room <= 0) return;
    for (const ev of this.table.takeDue(this.now(), room)) this.run(ev);
  }

  private run(ev: DueEvent): void {
    this.active++;
    this.emit('event:start', ev);
    const p: Promise<void> = this.handler(ev)
      .then(
        () => void this.emit('event:done', ev),
        (error: unknown) => void this.emit('event:failed', { ...ev, error }),
      )
      .finally(() => {
        this.active--;
        this.table.finished(ev.zoneId);
        this.inflight.delete(p);
        this.kick();
      });
    this.inflight.add(p);
  }

  /** idle resolves when no event is running and none is due now. */
  async idle(): Promise<void> {
    for (;;) {
      if (this.inflight.size > 0) {
        await Promise.allSettled([...this.inflight]);
        continue;
      }
      const due = this.table.nextDue();
      if (due !== undefined && due <= this.now() && !this.stopped) {
        this.tick();
        if (this.inflight.size > 0) continue;
      }
      return;
    }
  }

  /** stop freezes the table and waits for running events. */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.task?.destroy();
    await Promise.allSettled([...this.inflight]);
  }
}
