// NOTIFY (RFC 1996): messages and the sender. Receiving is the engine's notify hook (validation
// with the same address/ACL/TSIG policy as transfers, then a scheduled refresh).
export * from './message.js';
export * from './send.js';
