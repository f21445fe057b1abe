// The server's public surface: startDnsServer and its types, the pure Dispatcher (for tests and
// for embedding), and the stats counters. Sockets live in server.ts, tcp.ts and udp.ts only.
export { Dispatcher, type DispatchResult, type DispatcherOptions } from './dispatch.js';
export { type RequestView, parseCommonQuery } from './request.js';
export { OPT_SIZE, ResponseBuilder, responseFlags } from './response.js';
export { startDnsServer } from './server.js';
export { DnsStats, type DnsStatsSnapshot, rcodeName } from './stats.js';
export { MAX_IN_FLIGHT, MAX_QUEUED, TcpConnection } from './tcp.js';
export type * from './types.js';
