// TcpConnection: one accepted DNS-over-TCP connection. Owns framing, pipelining, back-pressure,
// the idle timer and graceful end; knows nothing of DNS beyond the 2-octet length (it hands whole
// messages to the Dispatcher). RFC 1035 §4.2.2 framing; RFC 7766 §6.2.1 pipelining with answers
// sent as soon as ready (out of order allowed), §6.2.3 idle timeouts, §10 resource limits.
//
//            data (whole messages queued)          answer written / drain / async answer done
//   ┌──────────────────────────────────┐          ┌────────────────────────────────────────┐
//   ▼                                  │          ▼                                        │
// READING ── queue not empty, write buffer over high-water, in-flight ≥ max ──▶ PAUSED ───┘
//   │  idle timeout with nothing in flight / server close / peer FIN
//   ▼
// ENDING (no new queries; in-flight answers still written) ── in-flight = 0 ──▶ end + destroy
//   any state ── socket error / queued octets over bound / peer not reading for an idle period
//             ──▶ destroyed
//
// The idle timer restarts only on a whole message received or a response sent, so a peer that
// trickles a partial length prefix or a partial message is cut off after tcpIdleTimeoutMs.

import type { Socket } from 'node:net';
import type { Logger } from 'pino';
import { TcpFramer, frame } from '../wire/index.js';
import type { Dispatcher, DispatchResult } from './dispatch.js';
import type { DnsStats } from './stats.js';
import type { Remote, TransportSink } from './types.js';

/** MAX_IN_FLIGHT bounds answers still being produced (hooks) per connection before we stop reading. */
export const MAX_IN_FLIGHT = 32;
/** MAX_QUEUED bounds octets received and framed but not yet dispatched; over it the peer is cut off.
 * Reading pauses as soon as anything is queued, so only a peer ignoring flow control gets here. */
export const MAX_QUEUED = 256 * 1024;

/** TcpShared is what every connection of one server shares. */
export interface TcpShared {
  readonly dispatcher: Dispatcher;
  readonly logger: Logger;
  readonly stats: DnsStats;
  readonly idleTimeoutMs: number;
  onClosed(conn: TcpConnection): void;
}

const EMPTY = Buffer.alloc(0);
const RESOLVED = Promise.resolve();

interface Waiter {
  resolve(): void;
  reject(e: Error): void;
}

/** TcpConnection serves one socket until it closes; `closed` resolves when it has. */
export class TcpConnection implements TransportSink {
  readonly remote: Remote;
  private readonly framer = new TcpFramer();
  private queue: Buffer[] = [];
  private qHead = 0;
  private queued = 0;
  private inFlight = 0;
  private paused = false;
  private ending = false;
  private ended = false;
  private peerEnded = false;
  private isClosed = false;
  private waiters: Waiter[] = [];
  private readonly timer: NodeJS.Timeout;
  /** lastActive: when a whole message last arrived or an answer was last written (performance.now()). */
  private lastActive = performance.now();

  constructor(
    private readonly socket: Socket,
    private readonly shared: TcpShared,
  ) {
    this.remote = { address: socket.remoteAddress ?? '', port: socket.remotePort ?? 0, family: socket.remoteFamily ?? '' };
    socket.on('data', this.onData);
    socket.on('drain', this.onDrain);
    socket.on('end', this.onEnd);
    socket.on('error', this.onError);
    socket.on('close', this.onClose);
    this.timer = setTimeout(this.onIdle, shared.idleTimeoutMs);
  }

  /** shutdown stops reading, drops queued queries, ends once in-flight answers are written. */
  shutdown(): void {
    if (this.isClosed) return;
    this.ending = true;
    this.socket.pause();
    this.paused = true;
    this.queue = [];
    this.qHead = 0;
    this.queued = 0;
    this.maybeEnd();
  }

  /** destroy closes the socket at once. */
  destroy(): void {
    this.socket.destroy();
  }

  /** write sends one message (transfers); resolves when the socket can take more (RFC 7766 §6.2.2
   * flow control via 'drain'), rejects once the connection is gone. */
  write(message: Uint8Array): Promise<void> {
    return this.writeParts([message]);
  }

  /** writeParts sends one message given as consecutive parts, without joining them (the parts
   * of a cached transfer message are written as they are; only the length prefix is new). */
  writeParts(parts: readonly Uint8Array[]): Promise<void> {
    const s = this.socket;
    if (this.isClosed || !s.writable) return Promise.reject(new Error('connection closed'));
    let more: boolean;
    if (parts.length === 1 && parts[0]!.length < 4096) {
      more = s.write(frame(parts[0]!));
    } else {
      let len = 0;
      for (const p of parts) len += p.length;
      const prefix = Buffer.allocUnsafe(2);
      prefix.writeUInt16BE(len, 0);
      s.cork();
      s.write(prefix);
      for (const p of parts) s.write(p);
      s.uncork();
      more = s.writableLength < s.writableHighWaterMark;
    }
    this.active();
    if (more) return RESOLVED;
    return new Promise<void>((resolve, reject) => {
      this.waiters.push({ resolve, reject });
    });
  }

  /**
   * idleSince returns when the connection last received a whole message or wrote an answer, or
   * undefined when it is busy: answers in flight, queries queued, or already ending.
   */
  idleSince(): number | undefined {
    if (this.isClosed || this.ending || this.inFlight > 0 || this.qHead < this.queue.length) return undefined;
    return this.lastActive;
  }

  /** active notes activity (a whole message in, an answer out): the idle timer restarts. */
  private active(): void {
    this.timer.refresh();
    this.lastActive = performance.now();
  }

  /** evict closes an idle connection to make room for a new one (RFC 7766 §6.2.3). */
  evict(): void {
    this.shared.stats.tcpEvicted++;
    this.ending = true;
    this.socket.destroy();
  }

  /** abort destroys the connection (a transfer failed after sending part of its answer). */
  abort(): void {
    this.socket.destroy();
  }

  private readonly onData = (chunk: Buffer): void => {
    if (this.ending) return;
    const frames = this.framer.push(chunk);
    if (frames.length > 0) {
      this.active();
      for (let i = 0; i < frames.length; i++) {
        const f = frames[i]!;
        this.queue.push(f);
        this.queued += f.length;
      }
    }
    if (this.queued + this.framer.buffered > MAX_QUEUED) {
      this.shared.logger.debug({ remote: this.remote.address }, 'tcp: too much unanswered input; closing');
      this.socket.destroy();
      return;
    }
    this.pump();
  };

  /** pump dispatches queued messages while the socket can take answers, then sets reading on/off. */
  private pump(): void {
    const s = this.socket;
    const q = this.queue;
    while (this.qHead < q.length) {
      if (this.isClosed || this.ending) return;
      if (this.inFlight >= MAX_IN_FLIGHT || s.writableNeedDrain) break;
      const msg = q[this.qHead]!;
      q[this.qHead++] = EMPTY;
      this.queued -= msg.length;
      this.handle(msg);
    }
    if (this.qHead === q.length && this.qHead > 0) {
      q.length = 0;
      this.qHead = 0;
    }
    if (this.isClosed) return;
    const blocked = this.qHead < q.length || this.inFlight >= MAX_IN_FLIGHT || s.writableNeedDrain;
    if (blocked) {
      if (!this.paused) {
        s.pause();
        this.paused = true;
      }
    } else if (this.paused && !this.ending) {
      s.resume();
      this.paused = false;
    }
    if (this.peerEnded || this.ending) this.maybeEnd();
  }

  private handle(msg: Buffer): void {
    const out: DispatchResult = this.shared.dispatcher.dispatch(msg, 'tcp', this.remote, this);
    if (out === undefined) return;
    if (out instanceof Uint8Array) {
      this.send(out);
      return;
    }
    this.inFlight++;
    out.then(this.onAnswer, this.onAnswerError);
  }

  private send(msg: Uint8Array): void {
    const s = this.socket;
    if (this.isClosed || !s.writable) return;
    s.write(frame(msg));
    this.active();
  }

  private readonly onAnswer = (out: Uint8Array | undefined): void => {
    this.inFlight--;
    if (out !== undefined) this.send(out);
    if (this.ending) this.maybeEnd();
    else this.pump();
  };

  // Dispatch promises never reject; this keeps the count right if that contract is ever broken.
  private readonly onAnswerError = (e: unknown): void => {
    this.shared.logger.error({ remote: this.remote.address, err: e }, 'tcp: answer promise rejected');
    this.onAnswer(undefined);
  };

  private readonly onDrain = (): void => {
    const w = this.waiters;
    if (w.length > 0) {
      this.waiters = [];
      for (const x of w) x.resolve();
    }
    if (!this.ending) this.pump();
  };

  private readonly onEnd = (): void => {
    this.peerEnded = true;
    this.pump();
  };

  private readonly onIdle = (): void => {
    if (this.isClosed) return;
    if (this.ended) {
      // FIN sent a whole idle period ago and our data still not flushed: the peer stopped reading.
      this.socket.destroy();
      return;
    }
    if (this.inFlight > 0) {
      // A transfer waiting on 'drain' for a whole idle period means the peer stopped reading.
      if (this.socket.writableNeedDrain) {
        this.shared.logger.debug({ remote: this.remote.address }, 'tcp: peer stopped reading; closing');
        this.socket.destroy();
        return;
      }
      this.timer.refresh();
      return;
    }
    // RFC 7766 §6.2.3: the server may close an idle connection; the client reconnects if needed.
    this.shared.stats.tcpIdleClosed++;
    this.ending = true;
    this.queue = [];
    this.qHead = 0;
    this.maybeEnd();
  };

  private readonly onError = (e: Error): void => {
    this.shared.logger.debug({ remote: this.remote.address, err: e.message }, 'tcp connection error');
  };

  private readonly onClose = (): void => {
    if (this.isClosed) return;
    this.isClosed = true;
    clearTimeout(this.timer);
    const w = this.waiters;
    this.waiters = [];
    for (const x of w) x.reject(new Error('connection closed'));
    this.shared.onClosed(this);
  };

  /** maybeEnd sends FIN once nothing is left to answer, then destroys after the flush (or after
   * one more idle period if the peer never reads what is left). */
  private maybeEnd(): void {
    if (this.ended || this.isClosed || this.inFlight > 0) return;
    if (!this.ending && this.qHead < this.queue.length) return;
    this.ended = true;
    this.timer.refresh();
    this.socket.destroySoon();
  }
}
