// RenderCache: a version's AXFR messages, rendered once on first use and shared by every
// transfer of that version (STYLE.md "render a zone version's AXFR messages once"). Rendering is
// incremental: a transfer that gets ahead of the others renders the next message itself, so the
// first secondary does not wait for the whole zone and memory is only what the zone compresses to.

import type { ZoneVersion } from '../../zone/index.js';
import { type RenderedMessage, renderAxfr } from './render.js';

/** RenderCache holds the rendered messages of one version. */
export class RenderCache {
  private readonly messages: RenderedMessage[] = [];
  private gen: Generator<RenderedMessage> | undefined;

  constructor(version: ZoneVersion) {
    this.gen = renderAxfr(version);
  }

  /** get returns message i, rendering up to it; undefined past the last message. */
  get(i: number): RenderedMessage | undefined {
    while (i >= this.messages.length && this.gen !== undefined) {
      const r = this.gen.next();
      if (r.done === true) this.gen = undefined;
      else this.messages.push(r.value);
    }
    return this.messages[i];
  }

  /** complete tells whether every message has been rendered. */
  get complete(): boolean {
    return this.gen === undefined;
  }
}

const caches = new WeakMap<ZoneVersion, RenderCache>();

/** renderCache returns the shared cache of a version (dropped with the version). */
export function renderCache(version: ZoneVersion): RenderCache {
  let c = caches.get(version);
  if (c === undefined) {
    c = new RenderCache(version);
    caches.set(version, c);
  }
  return c;
}

/**
 * prerender renders a version's AXFR messages ahead of the first request, a few messages per turn
 * of the event loop so queries keep flowing; called when a version of a zone that allows
 * transfers out is published.
 */
export async function prerender(version: ZoneVersion, perTurn = 8): Promise<void> {
  const c = renderCache(version);
  for (let i = 0; c.get(i) !== undefined; i++) {
    if (i % perTurn === perTurn - 1) await new Promise<void>((resolve) => setImmediate(resolve));
  }
}
