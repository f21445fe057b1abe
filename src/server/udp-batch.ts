// BatchUdpListener: the UDP listener on the native batch socket (native/udp-batch, Linux). Each
// readiness event brings up to BATCH datagrams in one call through shared buffers; every answer
// the Dispatcher produces at once is copied into its out slot and all go back in one sendmmsg(2).
// Same contract as UdpListener (udp.ts): no DNS logic here, answers only to the sender, nothing
// thrown out of the batch callback. Answers produced later (NOTIFY, IXFR over UDP) are sent one
// by one with sendTo.

import { createRequire } from 'node:module';
import type { Logger } from 'pino';
import { formatIPv6 } from '../zone/rdata/encoding.js';
import type { Dispatcher } from './dispatch.js';
import type { Remote } from './types.js';
import { PendingAnswers } from './udp.js';

/** NativeHandle is the addon's opaque socket. */
export type NativeHandle = { readonly __nativeUdp: unique symbol };

/** NativeUdp is the addon's interface (see native/udp-batch/udp_batch.c for the buffer layout). */
export interface NativeUdp {
  readonly supported: true;
  readonly BATCH: number;
  readonly IN_SLOT: number;
  readonly OUT_SLOT: number;
  readonly META_SIZE: number;
  open(host: string, port: number, ipv6Only: boolean): NativeHandle;
  localPort(h: NativeHandle): number;
  start(h: NativeHandle, input: Buffer, output: Buffer, meta: Buffer, onBatch: (count: number) => void): void;
  sendTo(h: NativeHandle, data: Uint8Array, family: number, address: Uint8Array, port: number): number;
  close(h: NativeHandle, done: () => void): void;
  sendErrors(h: NativeHandle): number;
}

let loaded: { native: NativeUdp | undefined; why: string } | undefined;

/**
 * loadNativeUdp loads the addon once; undefined (with the reason) when it is not built, not
 * supported here, or turned off with ZONEXFER_UDP=dgram.
 */
export function loadNativeUdp(): { native: NativeUdp | undefined; why: string } {
  if (loaded !== undefined) return loaded;
  if (process.env.ZONEXFER_UDP === 'dgram') return (loaded = { native: undefined, why: 'ZONEXFER_UDP=dgram' });
  try {
    const require = createRequire(import.meta.url);
    // src/server and dist/server are both two levels below the package root.
    const m = require('../../native/udp-batch/build/Release/udp_batch.node') as NativeUdp | { supported: false };
    loaded = m.supported ? { native: m, why: 'recvmmsg/sendmmsg batches' } : { native: undefined, why: `not supported on ${process.platform}` };
  } catch (e) {
    loaded = { native: undefined, why: `native/udp-batch not built (${(e as Error).message.split('\n')[0]})` };
  }
  return loaded;
}

/** BatchRemote is a datagram's sender; the address string is made only when asked for. */
class BatchRemote implements Remote {
  private text: string | undefined;

  constructor(
    /** IPv4: the 4 address octets; IPv6: a copy of the 16. */
    readonly octets: Uint8Array,
    readonly port: number,
    readonly family: 'IPv4' | 'IPv6',
  ) {}

  get address(): string {
    this.text ??= this.family === 'IPv4' ? this.octets.join('.') : ipv6Text(this.octets);
    return this.text;
  }
}

/**
 * ipv6Text formats a sender's 16 octets as node:dgram does: RFC 5952 text, with an IPv4-mapped
 * address in the mixed form (RFC 5952 §5), e.g. `::ffff:192.0.2.1`.
 */
export function ipv6Text(o: Uint8Array): string {
  let mapped = o[10] === 0xff && o[11] === 0xff;
  for (let i = 0; i < 10 && mapped; i++) mapped = o[i] === 0;
  return mapped ? `::ffff:${o[12]}.${o[13]}.${o[14]}.${o[15]}` : formatIPv6(o);
}

/**
 * mayAnswerLater tells whether the Dispatcher might answer this datagram asynchronously (NOTIFY and
 * other opcodes, AXFR/IXFR): such a request is copied out of the shared buffer, which the next
 * batch overwrites. Plain queries are answered before the batch callback returns.
 */
export function mayAnswerLater(b: Buffer, at: number, len: number): boolean {
  if (len < 12) return false;
  if ((b[at + 2]! & 0x78) !== 0) return true; // opcode ≠ QUERY
  let p = at + 12;
  const end = at + len;
  while (p < end) {
    const l = b[p]!;
    if (l === 0) break;
    if (l >= 0x40) return true; // a pointer or an extended label in a question: let the codec judge
    p += 1 + l;
  }
  if (p + 2 >= end) return false;
  const qtype = (b[p + 1]! << 8) | b[p + 2]!;
  return qtype === 251 || qtype === 252; // IXFR, AXFR
}

/** BatchUdpListener answers datagrams on one native socket until closed. */
export class BatchUdpListener {
  private readonly input: Buffer;
  private readonly output: Buffer;
  private readonly meta: Buffer;
  private readonly m32: Int32Array;
  private readonly words: number;
  private readonly pending = new PendingAnswers();
  private stopped = false;
  private closed: Promise<void> | undefined;

  constructor(
    private readonly native: NativeUdp,
    private readonly handle: NativeHandle,
    private readonly dispatcher: Dispatcher,
    private readonly logger: Logger,
  ) {
    const n = native.BATCH;
    this.input = Buffer.allocUnsafeSlow(n * native.IN_SLOT);
    this.output = Buffer.allocUnsafeSlow(n * native.OUT_SLOT);
    this.meta = Buffer.alloc(n * native.META_SIZE);
    this.m32 = new Int32Array(this.meta.buffer, this.meta.byteOffset, this.meta.length >> 2);
    this.words = native.META_SIZE >> 2;
    native.start(handle, this.input, this.output, this.meta, this.onBatch);
  }

  /** stop ignores new datagrams and resolves once answers still being produced are sent. */
  stop(): Promise<void> {
    this.stopped = true;
    return this.pending.idle();
  }

  /** close closes the socket (after stop, or at once when forced). */
  close(): Promise<void> {
    this.stopped = true;
    this.closed ??= new Promise((resolve) => this.native.close(this.handle, resolve));
    return this.closed;
  }

  private readonly onBatch = (count: number): void => {
    const { m32, words, input, output, native } = this;
    for (let i = 0; i < count; i++) {
      const w = i * words;
      m32[w + 3] = 0;
      const len = m32[w]!;
      if (this.stopped || len < 0) continue; // len < 0: over IN_SLOT octets, not a whole message
      const at = i * native.IN_SLOT;
      const mo = i * native.META_SIZE + 16;
      const v4 = m32[w + 2] === 4;
      const octets = v4 ? this.meta.subarray(mo, mo + 4) : Uint8Array.prototype.slice.call(this.meta, mo, mo + 16);
      const later = mayAnswerLater(input, at, len);
      const remote = new BatchRemote(later && v4 ? Uint8Array.prototype.slice.call(octets) : octets, m32[w + 1]!, v4 ? 'IPv4' : 'IPv6');
      const msg = later ? Buffer.from(input.subarray(at, at + len)) : input.subarray(at, at + len);
      let out;
      try {
        out = this.dispatcher.dispatch(msg, 'udp', remote);
      } catch (e) {
        this.logger.error({ err: (e as Error).message }, 'udp dispatch failed');
        continue;
      }
      if (out === undefined) continue;
      if (out instanceof Uint8Array) {
        if (out.length > native.OUT_SLOT) continue;
        output.set(out, i * native.OUT_SLOT);
        m32[w + 3] = out.length;
        continue;
      }
      if (!later) {
        // The Dispatcher went asynchronous for a request mayAnswerLater judged synchronous: its
        // view of the shared buffer may be overwritten. Never expected; answer nothing.
        this.logger.error({ remote: remote.address }, 'udp request answered asynchronously from a shared buffer; dropped');
        continue;
      }
      this.pending.track(out, (r) => {
        if (r !== undefined && this.closed === undefined) this.sendLater(r, remote);
      });
    }
  };

  private sendLater(out: Uint8Array, remote: BatchRemote): void {
    const e = this.native.sendTo(this.handle, out, remote.family === 'IPv4' ? 4 : 6, remote.octets, remote.port);
    if (e !== 0) this.logger.debug({ remote: remote.address, port: remote.port, errno: e }, 'udp send failed');
  }
}
