// Master-file printer: $ORIGIN, $TTL, the apex SOA first, then one record per line with owner
// names relative to the origin and every TTL and class explicit, so the text reloads to the same
// records octet for octet (names keep their case: see relativeTo). RDATA names print absolute.
// RFC 3597 §5: RDATA without a presentation form (unknown type, malformed octets) prints as
// `TYPEnnn \# len hex`; so do the few types some readers lack by name, unless portable is false.

import { type DomainName, RRType, type ResourceRecord, classToString, namesEqual, typeToString } from '../../wire/index.js';
import { formatGeneric, formatRdataPresentation, isPortableType, relativeTo } from '../rdata/index.js';

/** PrintOptions tunes printZoneFile. */
export interface PrintOptions {
  /**
   * portable (default true) writes types that Knot DNS 3.2 does not know by name (PX, TA, DLV)
   * in the generic `TYPEnnn \#` form every RFC 3597 reader accepts, and SVCB/HTTPS keys newer
   * than RFC 9460's own as `keyNNNNN` (see FormatOptions).
   */
  readonly portable?: boolean;
}

/** classToString walks the class table; zones use one or two classes, so remember them. */
const classText = new Map<number, string>();
function classMnemonic(cls: number): string {
  let t = classText.get(cls);
  if (t === undefined) {
    t = classToString(cls);
    if (classText.size < 64) classText.set(cls, t);
  }
  return t;
}

/** formatRecordLine renders one record as a master-file line relative to `origin`. */
export function formatRecordLine(origin: DomainName, rr: ResourceRecord, opts: PrintOptions = {}): string {
  const portable = opts.portable ?? true;
  const owner = relativeTo(rr.name, origin);
  let type: string;
  let rdata: string | undefined;
  if (!portable || isPortableType(rr.type)) rdata = formatRdataPresentation(rr.type, rr.rdata, undefined, { portable });
  if (rdata === undefined) {
    type = `TYPE${rr.type}`;
    rdata = formatGeneric(rr.rdata);
  } else {
    type = typeToString(rr.type);
  }
  return `${owner}\t${rr.ttl}\t${classMnemonic(rr.class)}\t${type}\t${rdata}`;
}

/**
 * printZoneFile renders records as master-file text: `$ORIGIN`, `$TTL` (the SOA's TTL), the first
 * SOA owned by `origin`, then the other records in the order given. parseZoneFile of the result
 * with no options yields the same records (same octets; the SOA moved first).
 */
export function printZoneFile(origin: DomainName, records: Iterable<ResourceRecord>, opts: PrintOptions = {}): string {
  const all = Array.isArray(records) ? (records as readonly ResourceRecord[]) : [...records];
  const soaIndex = all.findIndex((r) => r.type === RRType.SOA && namesEqual(r.name, origin));
  const lines: string[] = [`$ORIGIN ${origin}`];
  if (soaIndex >= 0) {
    const soa = all[soaIndex]!;
    lines.push(`$TTL ${soa.ttl}`, formatRecordLine(origin, soa, opts));
  }
  for (let i = 0; i < all.length; i++) if (i !== soaIndex) lines.push(formatRecordLine(origin, all[i]!, opts));
  return lines.join('\n') + '\n';
}
