// The zone layer's public surface: versions, builder, diffs, serial arithmetic, SOA fields.
export * from './builder.js';
export * from './diff.js';
export * from './errors.js';
export * from './serial.js';
export * from './soa.js';
export * from './version.js';
export { SlabWriter, wireLength, skipSet } from './node.js';
export * from './snapshot.js';
