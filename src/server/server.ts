// startDnsServer: binds one UDP socket and one TCP listener per listen address (RFC 1035 §4.2: the
// same port on both), admits TCP connections under global and per-client caps (RFC 7766 §10), and
// closes gracefully. The DNS work is the Dispatcher's; the per-connection work is TcpConnection's.
// Port 0: TCP binds an ephemeral port first and UDP then takes the same number, retried on collision.

import { type Socket as UdpSocket, createSocket } from 'node:dgram';
import { type LookupOneOptions, lookup } from 'node:dns';
import { type AddressInfo, type Server, type Socket, createServer, isIPv4, isIPv6 } from 'node:net';
import type { Logger } from 'pino';
import { Dispatcher } from './dispatch.js';
import { DnsStats } from './stats.js';
import { TcpConnection, type TcpShared } from './tcp.js';
import type { DnsServer, DnsServerOptions, ListenAddress } from './types.js';
import { UdpListener } from './udp.js';
import { BatchUdpListener, type NativeHandle, type NativeUdp, loadNativeUdp } from './udp-batch.js';

/** How many ephemeral ports to try when UDP finds the TCP port taken. */
const PORT_ATTEMPTS = 16;
const DEFAULT_CLOSE_GRACE_MS = 5000;

/** UdpBinding is a bound UDP socket: node:dgram, or the native batch socket (udp-batch.ts). */
type UdpBinding = { readonly kind: 'dgram'; readonly socket: UdpSocket } | { readonly kind: 'native'; readonly native: NativeUdp; readonly handle: NativeHandle };

interface Bound {
  readonly host: string;
  readonly port: number;
  readonly tcp: Server;
  readonly udp: UdpBinding;
}

/**
 * startDnsServer binds every listen address and starts answering. Rejects (having closed what it
 * bound) when an address cannot be bound, e.g. EADDRINUSE on a fixed port or EACCES.
 */
export async function startDnsServer(options: DnsServerOptions): Promise<DnsServer> {
  const bound: Bound[] = [];
  try {
    for (const addr of options.listen) bound.push(await bindPair(addr, wantsIpv6Only(addr, options.listen), options.udp ?? 'auto'));
  } catch (e) {
    await Promise.all(bound.map((b) => closeBound(b)));
    throw e;
  }
  return new RunningServer(options, bound);
}

class RunningServer implements DnsServer {
  readonly stats: DnsStats;
  private readonly dispatcher: Dispatcher;
  private readonly logger: Logger;
  private readonly conns = new Set<TcpConnection>();
  private readonly perClient = new Map<string, number>();
  private readonly udps: (UdpListener | BatchUdpListener)[] = [];
  private readonly shared: TcpShared;
  private closing: Promise<void> | undefined;
  private allClosed: (() => void) | undefined;

  constructor(
    private readonly options: DnsServerOptions,
    private readonly bound: readonly Bound[],
  ) {
    this.logger = options.logger;
    this.stats = new DnsStats();
    this.dispatcher = new Dispatcher({
      zones: options.zones,
      logger: options.logger,
      udpMaxPayload: options.limits.udpMaxPayload,
      hooks: options.hooks,
      stats: this.stats,
    });
    this.shared = {
      dispatcher: this.dispatcher,
      logger: this.logger,
      stats: this.stats,
      idleTimeoutMs: options.limits.tcpIdleTimeoutMs,
      onClosed: (c) => this.forget(c),
    };
    for (const b of bound) {
      b.tcp.on('connection', (s: Socket) => this.onConnection(s));
      b.tcp.on('error', (e: Error) => this.logger.warn({ host: b.host, port: b.port, err: e.message }, 'tcp listener error'));
      this.udps.push(b.udp.kind === 'native' ? new BatchUdpListener(b.udp.native, b.udp.handle, this.dispatcher, this.logger) : new UdpListener(b.udp.socket, this.dispatcher, this.logger));
      const udp = b.udp.kind === 'native' ? 'native batches (recvmmsg/sendmmsg)' : `node:dgram (${options.udp === 'dgram' ? 'asked for' : loadNativeUdp().why})`;
      this.logger.info({ host: b.host, port: b.port, udp }, 'dns listening (udp+tcp)');
    }
  }

  addresses(): { host: string; port: number }[] {
    return this.bound.map((b) => ({ host: b.host, port: b.port }));
  }

  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private onConnection(socket: Socket): void {
    const ip = clientKey(socket.remoteAddress);
    const { tcpMaxConnections, tcpMaxConnectionsPerClient } = this.options.limits;
    const n = ip === undefined ? 0 : (this.perClient.get(ip) ?? 0);
    // RFC 7766 §10: bound the connections one client, and all clients, can hold open. At the
    // global bound, the idlest connection makes room (§6.2.3: a server under pressure may close
    // idle connections), so idle floods cannot lock every other client out of TCP.
    if (this.closing !== undefined || ip === undefined || n >= tcpMaxConnectionsPerClient || (this.conns.size >= tcpMaxConnections && !this.evictIdlest())) {
      this.stats.tcpRejected++;
      socket.on('error', noop);
      socket.destroy();
      return;
    }
    this.perClient.set(ip, n + 1);
    this.stats.tcpAccepted++;
    this.stats.tcpOpen++;
    this.conns.add(new TcpConnection(socket, this.shared));
  }

  /**
   * evictIdlest closes the connection idle the longest (none in flight, nothing queued) and
   * forgets it at once, so the new one is admitted within the bound. A scan of the open
   * connections, done only at the bound (a thousand by default).
   */
  private evictIdlest(): boolean {
    let victim: TcpConnection | undefined;
    let since = Infinity;
    for (const c of this.conns) {
      const t = c.idleSince();
      if (t !== undefined && t < since) {
        since = t;
        victim = c;
      }
    }
    if (victim === undefined) return false;
    this.forget(victim);
    victim.evict();
    this.logger.debug({ remote: victim.remote.address }, 'tcp: idle connection closed to admit a new one');
    return true;
  }

  /** forget removes a connection from the counts (once: when evicted, or when it closes). */
  private forget(c: TcpConnection): void {
    if (!this.conns.delete(c)) return;
    this.stats.tcpOpen--;
    const ip = clientKey(c.remote.address)!;
    const n = (this.perClient.get(ip) ?? 1) - 1;
    if (n <= 0) this.perClient.delete(ip);
    else this.perClient.set(ip, n);
    if (this.conns.size === 0 && this.allClosed !== undefined) this.allClosed();
  }

  private async shutdown(): Promise<void> {
    const tcpClosed = this.bound.map((b) => new Promise<void>((resolve) => b.tcp.close(() => resolve())));
    for (const c of this.conns) c.shutdown();
    const connsClosed = new Promise<void>((resolve) => {
      if (this.conns.size === 0) resolve();
      else this.allClosed = resolve;
    });
    const drained = Promise.all([connsClosed, ...this.udps.map((u) => u.stop())]);
    let timer: NodeJS.Timeout | undefined;
    const grace = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, this.options.closeGraceMs ?? DEFAULT_CLOSE_GRACE_MS);
    });
    await Promise.race([drained, grace]);
    clearTimeout(timer);
    for (const c of this.conns) c.destroy();
    await Promise.all(this.udps.map((u) => u.close()));
    await Promise.all(tcpClosed);
    this.logger.info('dns server closed');
  }
}

function noop(): void {}

/** clientKey is the per-client cap key: an IPv4-mapped IPv6 address counts as its IPv4 address. */
function clientKey(address: string | undefined): string | undefined {
  return address?.startsWith('::ffff:') === true && address.includes('.') ? address.slice(7) : address;
}

/** An IPv6 wildcard listener is made IPv6-only when an IPv4 wildcard shares its port, so both bind. */
function wantsIpv6Only(addr: ListenAddress, all: readonly ListenAddress[]): boolean {
  const host = unbracket(addr.host);
  if (host !== '::' || addr.port === 0) return false;
  return all.some((a) => unbracket(a.host) === '0.0.0.0' && a.port === addr.port);
}

function unbracket(host: string): string {
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}

async function bindPair(addr: ListenAddress, ipv6Only: boolean, mode: 'auto' | 'dgram'): Promise<Bound> {
  const host = unbracket(addr.host);
  const attempts = addr.port === 0 ? PORT_ATTEMPTS : 1;
  let last: unknown;
  for (let i = 0; i < attempts; i++) {
    const tcp = createServer({ allowHalfOpen: true, noDelay: true });
    await listenTcp(tcp, host, addr.port, ipv6Only);
    const port = (tcp.address() as AddressInfo).port;
    try {
      return { host, port, tcp, udp: await bindUdp(host, port, ipv6Only, mode) };
    } catch (e) {
      last = e;
      await closeBound({ host, port, tcp, udp: undefined }); // a failed bindUdp leaves nothing open
      if (addr.port !== 0 || (e as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw e;
    }
  }
  throw last;
}

/**
 * literalLookup replaces dns.lookup for the UDP socket. Answers go to the IP literal a datagram
 * came from, and dns.lookup would defer every send by a tick (plus a closure) only to hand the
 * literal back. Non-literal bind hosts still go through dns.lookup.
 */
function literalLookup(
  address: string,
  options: LookupOneOptions | number,
  callback: (err: NodeJS.ErrnoException | null, address: string, family: number) => void,
): void {
  const f = isIPv4(address) ? 4 : isIPv6(address) ? 6 : 0;
  if (f !== 0) {
    callback(null, address, f);
    return;
  }
  lookup(address, typeof options === 'number' ? { family: options } : options, callback);
}

function listenTcp(tcp: Server, host: string, port: number, ipv6Only: boolean): Promise<void> {
  return new Promise((resolve, reject) => {
    tcp.once('error', reject);
    tcp.listen({ host, port, ipv6Only, exclusive: true }, () => {
      tcp.off('error', reject);
      resolve();
    });
  });
}

/**
 * bindUdp binds the native batch socket when it is available and the host is an IP literal,
 * else a node:dgram socket. Rejects with the system error (e.g. EADDRINUSE) and leaves nothing open.
 */
function bindUdp(host: string, port: number, ipv6Only: boolean, mode: 'auto' | 'dgram'): Promise<UdpBinding> {
  const native = mode === 'auto' ? loadNativeUdp().native : undefined;
  if (native !== undefined && (isIPv4(host) || isIPv6(host))) {
    try {
      return Promise.resolve({ kind: 'native', native, handle: native.open(host, port, ipv6Only) });
    } catch (e) {
      return Promise.reject(e as Error);
    }
  }
  const socket = createSocket({ type: isIPv6(host) ? 'udp6' : 'udp4', ipv6Only, lookup: literalLookup });
  return new Promise((resolve, reject) => {
    socket.once('error', (e) => {
      try {
        socket.close();
      } catch {
        // not open
      }
      reject(e);
    });
    socket.bind({ address: host, port, exclusive: true }, () => {
      socket.removeAllListeners('error');
      resolve({ kind: 'dgram', socket });
    });
  });
}

function closeBound(b: Omit<Bound, 'udp'> & { readonly udp: UdpBinding | undefined }): Promise<void> {
  const tcp = new Promise<void>((resolve) => {
    if (!b.tcp.listening) resolve();
    else b.tcp.close(() => resolve());
  });
  const u = b.udp;
  const udp = new Promise<void>((resolve) => {
    if (u === undefined) resolve();
    else if (u.kind === 'native') u.native.close(u.handle, resolve);
    else {
      try {
        u.socket.close(() => resolve());
      } catch {
        resolve();
      }
    }
  });
  return Promise.all([tcp, udp]).then(() => undefined);
}
