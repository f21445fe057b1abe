// UdpListener: one bound UDP socket. Each datagram goes to the Dispatcher and its answer back to
// the sender; what the dispatcher drops is dropped. The dispatcher already keeps every answer
// within the UDP limit (RFC 1035 §4.2.1, RFC 6891 §6.2.5), so nothing here splits or trims.
// Owns no DNS logic; never lets a send error escape the 'message' handler.

import type { RemoteInfo, Socket } from 'node:dgram';
import type { Logger } from 'pino';
import type { Dispatcher } from './dispatch.js';

/**
 * PendingAnswers counts the answers still being produced asynchronously (a NOTIFY or an IXFR over
 * UDP going through a hook), so that a listener's stop() can wait for them.
 */
export class PendingAnswers {
  private count = 0;
  private waiter: (() => void) | undefined;

  /** track runs `then` on the answer once it is there, counting it as pending until then. */
  track<T>(answer: Promise<T>, then: (value: T) => void): void {
    this.count++;
    void answer.then((value) => {
      this.count--;
      then(value);
      if (this.count === 0 && this.waiter !== undefined) this.waiter();
    });
  }

  /** idle resolves once no answer is pending. */
  idle(): Promise<void> {
    if (this.count === 0) return Promise.resolve();
    return new Promise((resolve) => {
      this.waiter = resolve;
    });
  }
}

/** UdpListener answers datagrams on one socket until closed. */
export class UdpListener {
  private readonly pending = new PendingAnswers();
  private stopped = false;
  private closedSocket = false;

  constructor(
    readonly socket: Socket,
    private readonly dispatcher: Dispatcher,
    private readonly logger: Logger,
  ) {
    socket.on('message', this.onMessage);
    socket.on('error', this.onError);
    socket.on('close', () => {
      this.closedSocket = true;
    });
  }

  /** stop ignores new datagrams and resolves once answers still being produced are sent. */
  stop(): Promise<void> {
    this.stopped = true;
    return this.pending.idle();
  }

  /** close closes the socket (after stop, or at once when forced). */
  close(): Promise<void> {
    this.stopped = true;
    if (this.closedSocket) return Promise.resolve();
    return new Promise((resolve) => {
      try {
        this.socket.close(() => resolve());
      } catch {
        resolve();
      }
    });
  }

  private readonly onMessage = (msg: Buffer, rinfo: RemoteInfo): void => {
    if (this.stopped) return;
    const out = this.dispatcher.dispatch(msg, 'udp', rinfo);
    if (out === undefined) return;
    if (out instanceof Uint8Array) {
      this.send(out, rinfo);
      return;
    }
    this.pending.track(out, (r) => {
      if (r !== undefined) this.send(r, rinfo);
    });
  };

  private send(out: Uint8Array, rinfo: RemoteInfo): void {
    if (this.closedSocket) return;
    try {
      // Errors of the send itself arrive as 'error' events; this catches synchronous argument
      // errors, e.g. a spoofed source port 0.
      this.socket.send(out, rinfo.port, rinfo.address);
    } catch (e) {
      this.logger.debug({ remote: rinfo.address, port: rinfo.port, err: (e as Error).message }, 'udp send failed');
    }
  }

  private readonly onError = (e: Error): void => {
    this.logger.warn({ err: e.message }, 'udp listener error');
  };
}
