// The SOA RDATA fields (RFC 1035 §3.3.13) read from and written to uncompressed wire octets.

import { type DomainName, readName, lastNameEnd } from '../wire/index.js';
import { type Serial, serial as toSerial } from './serial.js';

/** SoaFields are the decoded fields of an SOA RDATA. */
export interface SoaFields {
  readonly mname: DomainName;
  readonly rname: DomainName;
  readonly serial: Serial;
  readonly refresh: number;
  readonly retry: number;
  readonly expire: number;
  readonly minimum: number;
}

/** soaSerialOffset returns the offset of the SERIAL field in uncompressed SOA RDATA. */
export function soaSerialOffset(rdata: Uint8Array): number {
  let p = 0;
  for (let n = 0; n < 2; n++) {
    while (rdata[p] !== 0) p += rdata[p]! + 1;
    p++;
  }
  return p;
}

/** readSoa decodes uncompressed SOA RDATA; the caller has validated it (wire reader or zone file). */
export function readSoa(rdata: Uint8Array): SoaFields {
  const mname = readName(rdata, 0);
  const rname = readName(rdata, lastNameEnd());
  const p = lastNameEnd();
  const v = new DataView(rdata.buffer, rdata.byteOffset + p, 20);
  return {
    mname,
    rname,
    serial: toSerial(v.getUint32(0)),
    refresh: v.getUint32(4),
    retry: v.getUint32(8),
    expire: v.getUint32(12),
    minimum: v.getUint32(16),
  };
}

/** soaSerial reads only the SERIAL of uncompressed SOA RDATA. */
export function soaSerial(rdata: Uint8Array): Serial {
  const p = soaSerialOffset(rdata);
  return toSerial(new DataView(rdata.buffer, rdata.byteOffset + p, 4).getUint32(0));
}

/** withSoaSerial returns a copy of SOA RDATA with SERIAL replaced. */
export function withSoaSerial(rdata: Uint8Array, s: Serial): Uint8Array {
  const out = Uint8Array.from(rdata);
  new DataView(out.buffer).setUint32(soaSerialOffset(out), s);
  return out;
}
