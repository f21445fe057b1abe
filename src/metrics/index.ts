// Prometheus metrics (issue 8): the Metrics registry and its wiring to the engine and DNS server.
export * from './metrics.js';
export * from './bind.js';
