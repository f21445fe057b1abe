// The wire layer's public surface: constants, names, the message codec, framing.
export * from './constants.js';
export * from './errors.js';
export * from './framing.js';
export * from './message.js';
export * from './name.js';
export * from './rdata-layout.js';
export { decodeMessage, expandRdata, readHeader, readName, readRdata, skipName, lastNameEnd } from './reader.js';
export * from './result.js';
export { MessageWriter, Section, type SectionNumber } from './writer.js';
