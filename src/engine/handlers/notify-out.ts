// The notify-out handler: send NOTIFY (RFC 1996) for the current version to every outgoing peer
// with an address, in parallel, each retried until acknowledged (src/notify/send.ts). Outcomes
// are logged per peer (one transfer id `xfr` per peer), kept in the transfer history and reported
// to ctx.observe (metrics). When the engine stops, a NOTIFY still being retried is abandoned.

import { type NotifyError, describeNotifyError, sendNotify } from '../../notify/index.js';
import { Rcode } from '../../wire/index.js';
import type { EngineContext, ZoneRuntime } from '../context.js';
import { EngineAborted, abortable, newXfrId } from '../observe.js';

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
        const xfr = newXfrId();
        const log = { zone: cfg.origin, op: 'notify-out', dir: 'out', remote, key: p.key?.name, xfr, serial };
        let r: Awaited<ReturnType<typeof sendNotify>>;
        try {
          r = await abortable(
            sendNotify({ host: p.ip!, port: p.port, key: p.key }, cfg.origin, zone.version.soa, {
              tries: ctx.tuning.notifyTries,
              firstTimeoutMs: ctx.tuning.notifyFirstTimeoutMs,
            }),
            ctx.signal,
          );
        } catch (e) {
          if (!(e instanceof EngineAborted)) throw e;
          ctx.log.warn({ ...log, err: e.message }, 'NOTIFY abandoned');
          return;
        }
        if (r.ok) ctx.log.info({ ...log, tries: r.value.tries }, 'NOTIFY acknowledged');
        else ctx.log.warn({ ...log, err: describeNotifyError(r.error) }, 'NOTIFY failed');
        ctx.observe.notify({ xfr, zoneId: cfg.id, zone: cfg.origin, dir: 'out', peer: p.ip!, result: r.ok ? 'success' : refusal(r.error) ? 'refused' : 'failure' });
        await ctx.store.zoneState.appendTransfer({
          zoneId: cfg.id, op: 'notify-out', remote: p.ip, serial, ok: r.ok, error: r.ok ? null : describeNotifyError(r.error),
          startedAt: new Date(started), finishedAt: new Date(ctx.clock.now()), xfrId: xfr,
        });
      }),
  );
  await ctx.store.zoneState.patch(cfg.id, { lastNotifiedSerial: serial });
}

/** refusal: the secondary answered REFUSED or NOTAUTH (it does not take NOTIFY from us). */
function refusal(e: NotifyError): boolean {
  return e.kind === 'rcode' && (e.rcode === Rcode.Refused || e.rcode === Rcode.NotAuth);
}
