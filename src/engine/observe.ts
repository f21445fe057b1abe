// What the engine reports for metrics and logs besides 'published' (issue 8): each transfer in or
// out and each NOTIFY in or out with its outcome, and each TSIG verification failure. The engine
// emits these as events (engine.ts EngineEvents); src/metrics turns them into Prometheus series.
// Also the short transfer id (`xfr`) that tags every log line of one transfer, and the abort used
// at shutdown so a stalled transfer in cannot hold the process for its overall timeout.

import { randomBytes } from 'node:crypto';

/** XfrResult: how a transfer or NOTIFY ended. 'refused' is the policy (ours or the peer's) saying no;
 * 'aborted' is a transfer cut short because the engine is stopping. */
export type XfrResult = 'success' | 'failure' | 'refused' | 'aborted';

/** TransferObserved is one transfer attempt: one AXFR or IXFR exchange with one peer. */
export interface TransferObserved {
  readonly xfr: string;
  /** zoneId / zone: the zone's id and origin; '' when the request named a zone that is not ours. */
  readonly zoneId: string;
  readonly zone: string;
  readonly dir: 'in' | 'out';
  readonly type: 'AXFR' | 'IXFR';
  /** peer: the peer's IP address; '' for refused requests (any address may send those). */
  readonly peer: string;
  readonly result: XfrResult;
  /** ms: wall time of the exchange; bytes / records: octets and RRs on the wire (0 when unknown). */
  readonly ms: number;
  readonly bytes: number;
  readonly records: number;
}

/** NotifyObserved is one NOTIFY received (dir 'in') or sent to one peer (dir 'out'). */
export interface NotifyObserved {
  readonly xfr: string;
  readonly zoneId: string;
  readonly zone: string;
  readonly dir: 'in' | 'out';
  readonly peer: string;
  readonly result: Exclude<XfrResult, 'aborted'>;
}

/** TsigFailureObserved is a request whose TSIG did not verify (RFC 8945 §5.2). */
export interface TsigFailureObserved {
  /** error: the answer's code (FORMERR, BADKEY, BADSIG, BADTIME, BADTRUNC). */
  readonly error: string;
  /** reason: the closed set of src/tsig/errors.ts (unknown-key, mac-mismatch, outside-fudge, ...). */
  readonly reason: string;
}

/** EngineObserver receives the observations; the engine forwards them as events. */
export interface EngineObserver {
  transfer(e: TransferObserved): void;
  notify(e: NotifyObserved): void;
  tsigFailure(e: TsigFailureObserved): void;
}

/** newXfrId returns a short random transfer id for log lines and the history (8 hex digits). */
export function newXfrId(): string {
  return randomBytes(4).toString('hex');
}

/** EngineAborted is thrown into a handler waiting on the network when the engine stops. */
export class EngineAborted extends Error {
  constructor() {
    super('aborted: zonexfer is shutting down');
    this.name = 'EngineAborted';
  }
}

/**
 * abortable resolves like `p` unless `signal` aborts first, then rejects with EngineAborted.
 * The operation behind `p` is not cancelled: its own timeouts end it (the process exits first).
 */
export function abortable<T>(p: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(new EngineAborted());
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new EngineAborted());
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });
}
