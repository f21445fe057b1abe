// The DNS server hooks the engine provides: TSIG verification of requests against the keys of
// configured peers (RFC 8945 §5.2), NOTIFY in (RFC 1996 §3: authenticate, answer, schedule a
// refresh — never transfer inline), and transfers out through src/xfr/out with the zone's
// outgoing policy. Every decision is logged with its reason and a transfer id (`xfr`), and
// reported to ctx.observe (metrics): transfers out, NOTIFY in, TSIG verification failures.
// Refused requests are not written to the history: anyone can send them, as often as they like.

import { notifyResponse } from '../notify/index.js';
import type { DnsHooks, RequestContext } from '../server/types.js';
import { type RequestTsig, verifyRequest } from '../tsig/index.js';
import { RRClass, RRType, Rcode, type DomainName, type Message, nameKey } from '../wire/index.js';
import { type OutgoingPolicy, decideTransfer } from '../xfr/out/policy.js';
import { createTransferResponder } from '../xfr/out/responder.js';
import { soaSerial } from '../zone/index.js';
import type { EngineContext } from './context.js';
import { deferHistory, deferNotes } from './history.js';
import { newXfrId } from './observe.js';

export interface HookDeps {
  policyFor(zoneId: string): OutgoingPolicy | undefined;
  notifyReceived(zoneId: string): void;
}

const DISABLED: OutgoingPolicy = { enabled: false, peers: [], aclRanges: [] };

/** createDnsHooks wires the engine into the DNS server. */
export function createDnsHooks(ctx: EngineContext, deps: HookDeps): DnsHooks {
  const nowSeconds = () => Math.floor(ctx.clock.now() / 1000);
  const transfer = createTransferResponder({
    zone: (qname) => {
      const z = ctx.registry.find(qname);
      if (z === undefined || nameKey(z.origin) !== nameKey(qname)) return undefined;
      return { id: z.id, origin: z.origin, version: z.version, policy: deps.policyFor(z.id) ?? DISABLED, journal: ctx.runtimes.get(z.id)?.journal ?? [] };
    },
    transferred: (zoneId, info) => {
      const type = info.op === 'axfr-out' ? 'AXFR' : 'IXFR';
      const origin = ctx.registry.get(zoneId)?.origin ?? '';
      ctx.observe.transfer({ xfr: info.xfr, zoneId, zone: origin, dir: 'out', type, peer: info.remote, result: 'success', ms: info.ms, bytes: info.bytes, records: info.records });
      if (zoneId.startsWith('file:')) return;
      const now = new Date(ctx.clock.now());
      void ctx.store.outgoing.recordCheck(zoneId, { lastTransferredTime: now, soaSerial: info.serial, checkedTime: now }).catch(() => undefined);
      void ctx.store.zoneState
        .appendTransfer({
          zoneId, op: info.op, remote: info.remote, serial: info.serial, ok: true, error: null, startedAt: new Date(now.getTime() - Math.round(info.ms)), finishedAt: now,
          records: info.records, bytes: info.bytes, xfrId: info.xfr,
        })
        .catch(() => undefined);
    },
    failed: (info) => {
      const refused = info.result === 'refused';
      ctx.observe.transfer({
        xfr: info.xfr, zoneId: info.zoneId ?? '', zone: info.origin ?? '', dir: 'out', type: info.op === 'axfr-out' ? 'AXFR' : 'IXFR',
        peer: refused ? '' : info.remote, result: refused ? 'refused' : 'failure', ms: info.ms, bytes: info.bytes, records: info.records,
      });
      if (refused || info.zoneId === undefined || info.zoneId.startsWith('file:')) return;
      const now = new Date(ctx.clock.now());
      void ctx.store.zoneState
        .appendTransfer({
          zoneId: info.zoneId, op: info.op, remote: info.remote, serial: info.serial ?? null, ok: false, error: info.reason,
          startedAt: new Date(now.getTime() - Math.round(info.ms)), finishedAt: now, records: info.records, bytes: info.bytes, xfrId: info.xfr,
        })
        .catch(() => undefined);
    },
    log: ctx.log,
    now: nowSeconds,
  });
  return {
    tsig: (request) => {
      const r = verifyRequest(request, (name) => ctx.keys.get(nameKey(name)), { now: nowSeconds() })!;
      if (!r.ok) ctx.observe.tsigFailure({ error: r.error, reason: r.failure.reason });
      return r;
    },
    transfer,
    notify: (request, rctx) => notifyIn(ctx, deps, request, rctx),
  };
}

/**
 * notifyIn validates a NOTIFY (RFC 1996 §3.10: only from our primaries; here also the account's ACL
 * ranges, and with the peer's TSIG key when it has one) and schedules a refresh.
 */
function notifyIn(ctx: EngineContext, deps: HookDeps, request: Message, rctx: RequestContext): Uint8Array | undefined {
  const tsig = rctx.tsig as RequestTsig | undefined;
  const sign = (m: Uint8Array) => (tsig?.ok ? tsig.sign(m) : m);
  const q = request.questions[0];
  const remote = `${rctx.remote.address}#${rctx.remote.port}`;
  const xfr = newXfrId();
  // Refused NOTIFYs are counted without zone (unless ours) or peer: any address may send them.
  const refused = (zoneId: string, zone: string) => ctx.observe.notify({ xfr, zoneId, zone, dir: 'in', peer: '', result: 'refused' });
  if (q === undefined || q.type !== RRType.SOA || q.class !== RRClass.IN) {
    refused('', '');
    return sign(notifyResponse(request, Rcode.FormErr));
  }
  const zoneId = ctx.byOrigin.get(nameKey(q.name));
  const rt = zoneId === undefined ? undefined : ctx.runtimes.get(zoneId);
  const log = { zone: q.name as DomainName, op: 'notify-in', dir: 'in', remote, key: tsig?.ok ? tsig.keyName : undefined, xfr };
  if (rt === undefined || rt.config.type !== 'secondary' || rt.config.incoming === undefined) {
    ctx.log.info({ ...log, reason: 'not a secondary zone here' }, 'NOTIFY refused');
    refused(rt?.config.id ?? '', rt?.config.origin ?? '');
    return sign(notifyResponse(request, Rcode.NotAuth));
  }
  const inc = rt.config.incoming;
  const policy: OutgoingPolicy = {
    enabled: true,
    // A peer whose TSIG key cannot be used is skipped by refresh; it must not count as a keyless
    // peer here either (that would accept its unsigned NOTIFY).
    peers: inc.peers.filter((p) => p.keyError === undefined).map((p) => ({ ip: p.ip, keyName: p.key?.name ?? null })),
    aclRanges: rt.config.aclRanges,
  };
  const d = decideTransfer(policy, rctx.remote.address, tsig?.ok ? tsig.keyName : undefined);
  if (!d.allow) {
    ctx.log.info({ ...log, reason: d.reason }, 'NOTIFY refused');
    refused(rt.config.id, rt.config.origin);
    return sign(notifyResponse(request, d.rcode === 'NOTAUTH' ? Rcode.NotAuth : Rcode.Refused));
  }
  const soa = request.answers.find((r) => r.type === RRType.SOA);
  const serial = soa === undefined ? null : soaSerial(soa.rdata);
  deps.notifyReceived(rt.config.id);
  const now = new Date(ctx.clock.now());
  deferHistory(ctx, rt, { zoneId: rt.config.id, op: 'notify-in', remote: rctx.remote.address, serial, ok: true, error: null, startedAt: now, finishedAt: now, xfrId: xfr });
  // Logged and counted once the refresh scheduled above has its request on the wire (history.ts):
  // before, the log line sat on the path from NOTIFY to serving.
  deferNotes(rt, () => {
    ctx.log.info({ ...log, serial: serial ?? undefined, reason: d.reason }, 'NOTIFY accepted: refresh scheduled');
    ctx.observe.notify({ xfr, zoneId: rt.config.id, zone: rt.config.origin, dir: 'in', peer: rctx.remote.address, result: 'success' });
  });
  return sign(notifyResponse(request, Rcode.NoError));
}

