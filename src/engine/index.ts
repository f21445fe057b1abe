// The engine's public surface.
export * from './engine.js';
export * from './ports.js';
export * from './primary-zone.js';
export * from './registry.js';
