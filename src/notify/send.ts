// Sending NOTIFY to secondaries over UDP (RFC 1996 §3.6): retransmit with backoff until a matching
// response arrives or the tries run out; TSIG-sign the request and verify the response when the
// peer has a key. The engine calls this; it never transfers anything itself.
//
//   send ──▶ wait(t) ──response ok──▶ acked
//              │ timeout, tries left: t *= 2, send again
//              └ no tries left ──────▶ failed (logged by the caller)

import { randomInt } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { isIPv6 } from 'node:net';
import { type TsigKey, describeTsigFailure, keyring, signMessage, verifyMessage } from '../tsig/index.js';
import { Flag, Opcode, type DomainName, type ResourceRecord, decodeMessage, opcodeOf, rcodeOf } from '../wire/index.js';
import { type Result, ok, err } from '../wire/result.js';
import { buildNotify } from './message.js';

export interface NotifyTarget {
  readonly host: string;
  readonly port: number;
  readonly key?: TsigKey | undefined;
}

export type NotifyError =
  | { kind: 'timeout'; tries: number }
  | { kind: 'rcode'; rcode: number }
  | { kind: 'tsig'; reason: string }
  | { kind: 'io'; detail: string };

export interface NotifyOptions {
  /** tries: how many times to send (default 5). */
  tries?: number;
  /** firstTimeoutMs: wait before the first retransmission, doubled each time (default 1000). */
  firstTimeoutMs?: number;
  now?: () => number;
}

/** describeNotifyError renders a NotifyError for logs. */
export function describeNotifyError(e: NotifyError): string {
  switch (e.kind) {
    case 'timeout':
      return `no answer after ${e.tries} tries`;
    case 'rcode':
      return `answered rcode ${e.rcode}`;
    case 'tsig':
      return `TSIG: ${e.reason}`;
    case 'io':
      return e.detail;
  }
}

/** sendNotify notifies one target about `origin`'s new SOA; resolves with the number of tries. */
export function sendNotify(target: NotifyTarget, origin: DomainName, soa: ResourceRecord | undefined, o: NotifyOptions = {}): Promise<Result<{ tries: number }, NotifyError>> {
  const tries = o.tries ?? 5;
  const now = o.now ?? (() => Math.floor(Date.now() / 1000));
  const id = randomInt(0, 0x10000);
  const plain = buildNotify(id, origin, soa);
  const signed = target.key !== undefined ? signMessage(plain, target.key, { now: now() }) : undefined;
  const message = signed?.message ?? plain;
  return new Promise((resolve) => {
    const sock = createSocket(isIPv6(target.host) ? 'udp6' : 'udp4');
    let sent = 0;
    let wait = o.firstTimeoutMs ?? 1000;
    let timer: NodeJS.Timeout | undefined;
    let settled = false;
    const done = (r: Result<{ tries: number }, NotifyError>) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      sock.close();
      resolve(r);
    };
    const send = () => {
      sent++;
      sock.send(message, target.port, target.host, (e) => {
        if (e) done(err({ kind: 'io', detail: e.message }));
      });
      timer = setTimeout(() => {
        if (sent >= tries) return done(err({ kind: 'timeout', tries: sent }));
        wait *= 2;
        send();
      }, wait);
    };
    sock.on('error', (e) => done(err({ kind: 'io', detail: e.message })));
    sock.on('message', (buf) => {
      const m = decodeMessage(buf);
      if (!m.ok) return;
      const h = m.value.header;
      if (h.id !== id || (h.flags & Flag.QR) === 0 || opcodeOf(h.flags) !== Opcode.Notify) return;
      if (target.key !== undefined && signed !== undefined) {
        if (m.value.tsig === undefined) return done(err({ kind: 'tsig', reason: 'unsigned response' }));
        const v = verifyMessage(m.value.raw, m.value.tsig.offset, keyring([target.key]), { now: now(), requestMac: signed.mac });
        if (!v.ok) return done(err({ kind: 'tsig', reason: describeTsigFailure(v.error) }));
      }
      const rcode = rcodeOf(h.flags);
      if (rcode !== 0) return done(err({ kind: 'rcode', rcode }));
      done(ok({ tries: sent }));
    });
    send();
  });
}
