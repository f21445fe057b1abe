// The notify-out handler: send NOTIFY (RFC 1996) for the current version to every outgoing peer
// with an address, in parallel, each retried until acknowledged (src/notify/send.ts). Outcomes
// are logged per peer and kept in the transfer history.

import { describeNotifyError, sendNotify } from '../../notify/index.js';
import type { EngineContext, ZoneRuntime } from '../context.js';

/** notifyOut notifies the outgoing peers of a zone about its current serial. */
export async function notifyOut(ctx: EngineContext, rt: ZoneRuntime): Promise<void> {
  const cfg = rt.config;
  const out = cfg.outgoing;
  const zone = ctx.registry.get(cfg.id);
  if (out === undefined || !out.enabled || zone === undefined) return;
  const serial = zone.version.serial;
  await Promise.all(
    out.peers
      .filter((p) => p.ip !== null)
      .map(async (p) => {
        const started = ctx.clock.now();
        const remote = `${p.ip}#${p.port}`;
        const r = await sendNotify({ host: p.ip!, port: p.port, key: p.key }, cfg.origin, zone.version.soa, {
          tries: ctx.tuning.notifyTries,
          firstTimeoutMs: ctx.tuning.notifyFirstTimeoutMs,
        });
        const log = { zone: cfg.origin, op: 'notify-out', dir: 'out', remote, key: p.key?.name, serial };
        if (r.ok) ctx.log.info({ ...log, tries: r.value.tries }, 'NOTIFY acknowledged');
        else ctx.log.warn({ ...log, err: describeNotifyError(r.error) }, 'NOTIFY failed');
        await ctx.store.zoneState.appendTransfer({
          zoneId: cfg.id, op: 'notify-out', remote: p.ip, serial, ok: r.ok, error: r.ok ? null : describeNotifyError(r.error),
          startedAt: new Date(started), finishedAt: new Date(ctx.clock.now()),
        });
      }),
  );
  await ctx.store.zoneState.patch(cfg.id, { lastNotifiedSerial: serial });
}
