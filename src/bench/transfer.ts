// One benchmark transfer over its own TCP connection: send the AXFR/IXFR query (TSIG-signed when a
// key is given), read with one large reusable buffer (net `onread`: no Buffer per read), cut frames
// without copying (FrameSplitter) and hand each message to TransferCheck; close as soon as the
// final SOA is verified. Bounded by a per-transfer timeout; never retries.

import { randomInt } from 'node:crypto';
import { connect, isIPv6 } from 'node:net';
import { performance } from 'node:perf_hooks';
import { type TsigKey, TsigStreamVerifier } from '../tsig/index.js';
import { RRClass, RRType, type DomainName, type ResourceRecord, frame } from '../wire/index.js';
import { buildQuery } from '../xfr/in/client.js';
import { type BenchFailure, failure } from './failure.js';
import { FrameSplitter } from './frames.js';
import { type RecordHook, TransferCheck, type TransferSummary } from './transfer-check.js';

/** READ_BUFFER_SIZE is the size of each connection's read buffer: 256 KiB, four full messages. */
export const READ_BUFFER_SIZE = 256 * 1024;

/** TransferTarget says what to pull from where. */
export interface TransferTarget {
  readonly host: string;
  readonly port: number;
  readonly origin: DomainName;
  readonly qtype: typeof RRType.AXFR | typeof RRType.IXFR;
  /** ixfrSerial: the serial put in the IXFR query's authority SOA (RFC 1995 §3). */
  readonly ixfrSerial?: number;
  readonly key?: TsigKey | undefined;
  readonly timeoutMs: number;
  readonly onRecord?: RecordHook;
}

/** TransferResult is one transfer's outcome with its timings (ms from the connect call). */
export type TransferResult =
  | { readonly ok: true; readonly summary: TransferSummary; readonly ttfbMs: number; readonly totalMs: number; readonly bytes: number }
  | { readonly ok: false; readonly failure: BenchFailure; readonly totalMs: number; readonly bytes: number };

/**
 * ixfrAuthority is the SOA sent in an IXFR query: the zone's owner and the client's serial
 * (RFC 1995 §3). Servers read only the serial, so MNAME and RNAME are the root name.
 */
export function ixfrAuthority(origin: DomainName, serial: number): ResourceRecord {
  const rdata = new Uint8Array(22);
  new DataView(rdata.buffer).setUint32(2, serial >>> 0);
  return { name: origin, type: RRType.SOA, class: RRClass.IN, ttl: 0, rdata };
}

const nowSeconds = (): number => Math.floor(Date.now() / 1000);

/**
 * runTransfer performs one transfer with `readBuffer` (owned by the caller, one per concurrent
 * transfer) and resolves with its result; never rejects.
 */
export function runTransfer(t: TransferTarget, readBuffer: Uint8Array): Promise<TransferResult> {
  const id = randomInt(0, 0x10000);
  const authority = t.qtype === RRType.IXFR ? ixfrAuthority(t.origin, t.ixfrSerial ?? 0) : undefined;
  const q = buildQuery(t.origin, t.qtype, id, t.key, nowSeconds(), authority);
  const verifier = t.key !== undefined && q.mac !== undefined ? new TsigStreamVerifier(t.key, q.mac) : undefined;
  const check = new TransferCheck({
    origin: t.origin,
    id,
    qtype: t.qtype,
    ...(t.ixfrSerial !== undefined ? { ixfrSerial: t.ixfrSerial } : {}),
    ...(verifier !== undefined ? { verifier } : {}),
    ...(t.onRecord !== undefined ? { onRecord: t.onRecord } : {}),
  });
  const splitter = new FrameSplitter();
  const t0 = performance.now();
  return new Promise((resolve) => {
    let settled = false;
    let bytes = 0;
    let ttfb = -1;
    let now = nowSeconds();
    const finish = (f: BenchFailure | undefined): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      const totalMs = performance.now() - t0;
      const summary = check.summary();
      if (f === undefined && summary !== undefined) resolve({ ok: true, summary, ttfbMs: ttfb, totalMs, bytes });
      else resolve({ ok: false, failure: f ?? check.end(), totalMs, bytes });
    };
    const onMessage = (msg: Uint8Array): boolean => {
      const r = check.push(msg, now);
      if (!r.ok) {
        finish(r.error);
        return false;
      }
      if (r.value === 'done') {
        finish(undefined);
        return false;
      }
      return true;
    };
    const socket = connect({
      host: t.host,
      port: t.port,
      family: isIPv6(t.host) ? 6 : 0,
      noDelay: true,
      onread: {
        buffer: readBuffer,
        callback: (n: number, buf: Uint8Array): boolean => {
          if (settled) return false;
          if (ttfb < 0) ttfb = performance.now() - t0;
          bytes += n;
          // One clock read per chunk, not per message: TSIG fudge is 300 s.
          now = nowSeconds();
          return splitter.feed(buf, n, onMessage);
        },
      },
    });
    const timer = setTimeout(
      () => finish(failure('timeout', `no complete transfer after ${t.timeoutMs} ms (${check.recordCount} records so far)`)),
      t.timeoutMs,
    );
    socket.on('connect', () => socket.write(frame(q.message)));
    socket.on('error', (e) => finish(failure('io', e.message)));
    socket.on('close', () => {
      if (!settled) finish(check.end());
    });
  });
}
