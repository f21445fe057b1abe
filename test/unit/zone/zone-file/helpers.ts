// Helpers for the zone-file tests: parse or fail loudly, render records as comparable lines,
// an in-memory $INCLUDE reader and a record-set key that ignores order.
import { expect } from 'vitest';
import { type ResourceRecord, classToString, err, ok, typeToString } from '../../../../src/wire/index.js';
import { formatRdata } from '../../../../src/zone/rdata/index.js';
import {
  type ParsedZone,
  type ReadInclude,
  type ZoneFileError,
  type ZoneFileOptions,
  parseZoneFile,
} from '../../../../src/zone/zone-file/index.js';

/** parseOk parses or fails the test with the error. */
export function parseOk(text: string, opts: ZoneFileOptions = {}): ParsedZone {
  const r = parseZoneFile(text, opts);
  if (!r.ok) throw new Error(`${r.error.file}:${r.error.line}:${r.error.column}: ${r.error.message}`);
  return r.value;
}

/** parseErr parses and returns the error, failing the test when the text parses. */
export function parseErr(text: string, opts: ZoneFileOptions = {}): ZoneFileError {
  const r = parseZoneFile(text, opts);
  expect(r.ok, 'expected a parse error').toBe(false);
  if (r.ok) throw new Error('parsed');
  return r.error;
}

/** show renders one record as `owner ttl class type rdata` with absolute names. */
export function show(rr: ResourceRecord): string {
  return `${rr.name} ${rr.ttl} ${classToString(rr.class)} ${typeToString(rr.type)} ${formatRdata(rr.type, rr.rdata)}`;
}

/** lines parses text and renders every record. */
export function lines(text: string, opts: ZoneFileOptions = {}): string[] {
  return parseOk(text, opts).records.map(show);
}

/** exact is an order-preserving, octet-exact key list (names keep their case). */
export function exact(records: readonly ResourceRecord[]): string[] {
  return records.map((r) => `${r.name}|${r.type}|${r.class}|${r.ttl}|${Buffer.from(r.rdata).toString('hex')}`);
}

/** memoryReader serves $INCLUDE files from a map and records what was asked for. */
export function memoryReader(files: Record<string, string>): ReadInclude & { asked: string[] } {
  const asked: string[] = [];
  const read = (path: string) => {
    asked.push(path);
    const text = files[path];
    return text === undefined ? err(`no such file "${path}"`) : ok(text);
  };
  return Object.assign(read, { asked });
}
