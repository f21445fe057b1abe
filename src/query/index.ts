// The query layer's public surface: the authoritative answer function and the zone table.
export * from './answer.js';
export * from './types.js';
export * from './zone-table.js';
