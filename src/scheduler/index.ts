// The scheduler's public surface.
export * from './event-table.js';
export * from './scheduler.js';
