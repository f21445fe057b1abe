// The server's contracts: where zones come from (ZoneSource), the hooks other modules plug in
// (xfr/out, notify, tsig), listener limits and the running-server handle. Types only, no logic.
// The hook shapes follow STYLE.md: TSIG is verified once and its status handed to the handler
// (RFC 8945 §5.2), NOTIFY is answered by the notify module (RFC 1996 §3), transfers stream (RFC 5936).

import type { Logger } from 'pino';
import type { DomainName, Message } from '../wire/index.js';
import type { ZoneVersion } from '../zone/index.js';
import type { DnsStats } from './stats.js';

/** ZoneMatch is the zone that holds a query name: its origin, the version to answer from, and
 * whether it has expired (RFC 1035 §4.3.5 / RFC 1996: an expired secondary answers SERVFAIL). */
export interface ZoneMatch {
  readonly origin: DomainName;
  readonly version: ZoneVersion;
  readonly expired: boolean;
}

/** ZoneSource finds the zone with the longest origin that is a suffix of `qname`, or undefined. */
export interface ZoneSource {
  find(qname: DomainName): ZoneMatch | undefined;
}

/** Transport is the transport a request arrived on. */
export type Transport = 'udp' | 'tcp';

/** Remote is the peer address; dgram's RemoteInfo satisfies it, so UDP allocates nothing. */
export interface Remote {
  readonly address: string;
  readonly port: number;
  readonly family: string;
}

/** MessageSink takes whole DNS messages (unframed); `write` resolves once the transport can take
 * more (TCP: after 'drain' when the socket buffer is over its high-water mark) and rejects when
 * the connection is gone. */
export interface MessageSink {
  write(message: Uint8Array): Promise<void>;
  /** writeParts, when present, sends one message given as consecutive parts without joining them. */
  writeParts?(parts: readonly Uint8Array[]): Promise<void>;
}

/** TransportSink is what a transport hands the dispatcher: a sink that can also be aborted (TCP:
 * the connection is destroyed, which is how a transfer that fails mid-stream is signalled). */
export interface TransportSink extends MessageSink {
  abort(): void;
}

/** TsigErrorName: the RFC 8945 §5.2 verification failures. */
export type TsigErrorName = 'FORMERR' | 'BADSIG' | 'BADKEY' | 'BADTIME' | 'BADTRUNC';

/**
 * TsigCheck is the outcome of verifying a request's TSIG RR (placeholder until src/tsig lands).
 * Verified: `reserve` octets are kept free in every response and `sign` appends the TSIG RR to a
 * finished response (RFC 8945 §5.3). Failed: `response` is the error answer the tsig module built
 * (RFC 8945 §5.3.2); without one the server answers NOTAUTH with no TSIG RR.
 */
export type TsigCheck =
  | {
      readonly ok: true;
      readonly keyName: DomainName;
      readonly reserve: number;
      sign(response: Uint8Array): Uint8Array;
    }
  | { readonly ok: false; readonly error: TsigErrorName; readonly response?: Uint8Array };

/** RequestContext is what a hook learns about a request besides the message itself. */
export interface RequestContext {
  readonly transport: Transport;
  readonly remote: Remote;
  /** zone is `zones.find(qname)` for the first question, when there is one. */
  readonly zone: ZoneMatch | undefined;
  /** tsig is undefined when the request carried no TSIG RR. */
  readonly tsig: TsigCheck | undefined;
  /** maxSize is the largest message the transport accepts: the UDP limit, or 65535 over TCP. */
  readonly maxSize: number;
}

/**
 * DnsHooks lets other modules answer what the query core does not.
 * - `notify`: NOTIFY requests (RFC 1996); returns the response, or undefined to drop. Absent: NOTIMP.
 * - `transfer`: AXFR over TCP and IXFR over either transport. Writes every response message to
 *   `sink` itself (over UDP only the first message is sent and it must fit `ctx.maxSize`). A
 *   rejection before the first write becomes SERVFAIL; after it, the TCP connection is closed.
 *   Absent: REFUSED.
 * - `tsig`: verifies a request that carries a TSIG RR. Absent: NOTAUTH (see dispatch.ts).
 */
export interface DnsHooks {
  notify?: (request: Message, ctx: RequestContext) => Uint8Array | undefined | Promise<Uint8Array | undefined>;
  transfer?: (request: Message, ctx: RequestContext, sink: MessageSink) => Promise<void>;
  tsig?: (request: Message) => TsigCheck;
}

/** ListenAddress is one address to serve on; IPv6 hosts without brackets ('::1'); port 0 lets
 * the OS choose (TCP first, then UDP on the same port). */
export interface ListenAddress {
  readonly host: string;
  readonly port: number;
}

/** ServerLimits bound what one client can make the server hold (RFC 7766 §6.2.3, §10). */
export interface ServerLimits {
  /** TCP: close a connection with nothing in flight after this long without a whole message. */
  readonly tcpIdleTimeoutMs: number;
  readonly tcpMaxConnections: number;
  readonly tcpMaxConnectionsPerClient: number;
  /** Our EDNS UDP payload size (RFC 6891 §6.2.5); also the largest UDP response sent. */
  readonly udpMaxPayload: number;
}

/** DnsServerOptions configures startDnsServer. */
export interface DnsServerOptions {
  readonly listen: readonly ListenAddress[];
  readonly zones: ZoneSource;
  readonly limits: ServerLimits;
  readonly logger: Logger;
  readonly hooks?: DnsHooks;
  /** closeGraceMs bounds how long close() waits for in-flight answers (default 5000). */
  readonly closeGraceMs?: number;
  /** udp: 'auto' (default) uses the native batch socket where it is built (Linux), else
   * node:dgram; 'dgram' always uses node:dgram. ZONEXFER_UDP=dgram forces 'dgram' too. */
  readonly udp?: 'auto' | 'dgram';
}

/** DnsServer is a running server. */
export interface DnsServer {
  /** addresses returns the bound addresses, with the ports the OS chose for port 0. */
  addresses(): { host: string; port: number }[];
  /** close stops accepting, closes idle TCP connections, waits for in-flight answers up to
   * closeGraceMs, then destroys what is left. Idempotent. */
  close(): Promise<void>;
  readonly stats: DnsStats;
}
