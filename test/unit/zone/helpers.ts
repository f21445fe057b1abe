// Small record constructors for zone tests (no zone-file parser needed).
import { type DomainName, RRClass, RRType, type ResourceRecord, nameFromTrusted, nameToWire } from '../../../src/wire/index.js';

export const n = (s: string): DomainName => nameFromTrusted(s);

export function a(name: string, ip: string, ttl = 300): ResourceRecord {
  return { name: n(name), type: RRType.A, class: RRClass.IN, ttl, rdata: Uint8Array.from(ip.split('.').map(Number)) };
}

export function ns(name: string, target: string, ttl = 3600): ResourceRecord {
  return { name: n(name), type: RRType.NS, class: RRClass.IN, ttl, rdata: nameToWire(n(target)) };
}

export function cname(name: string, target: string, ttl = 300): ResourceRecord {
  return { name: n(name), type: RRType.CNAME, class: RRClass.IN, ttl, rdata: nameToWire(n(target)) };
}

export function soa(origin: string, serial: number, ttl = 3600): ResourceRecord {
  const m = nameToWire(n('ns1.' + origin));
  const r = nameToWire(n('hostmaster.' + origin));
  const rdata = new Uint8Array(m.length + r.length + 20);
  rdata.set(m, 0);
  rdata.set(r, m.length);
  const v = new DataView(rdata.buffer, m.length + r.length);
  [serial, 7200, 900, 1209600, 300].forEach((x, i) => v.setUint32(i * 4, x));
  return { name: n(origin), type: RRType.SOA, class: RRClass.IN, ttl, rdata };
}
