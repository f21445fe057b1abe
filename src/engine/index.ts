// The engine's public surface.
export * from './config.js';
export * from './context.js';
export * from './engine.js';
export * from './observe.js';
export * from './ports.js';
export * from './primary-zone.js';
export * from './registry.js';
export { dateSerial } from './handlers/primary.js';
export * from './changes.js';
