// NOTIFY messages (RFC 1996 §3): building the request a primary sends and the response a
// secondary returns. Pure: no sockets.

import { Flag, MessageWriter, Opcode, RRClass, RRType, Section, type DomainName, type Message, type ResourceRecord } from '../wire/index.js';

/** buildNotify returns a NOTIFY for `origin` carrying the new SOA in the answer (RFC 1996 §3.7). */
export function buildNotify(id: number, origin: DomainName, soa: ResourceRecord | undefined): Buffer {
  const w = new MessageWriter(512);
  // RFC 1996 §3.7: opcode NOTIFY, AA set, QTYPE SOA.
  w.header(id, (Opcode.Notify << 11) | Flag.AA);
  w.question(origin, RRType.SOA, RRClass.IN);
  if (soa !== undefined) w.record(Section.Answer, soa);
  return w.finish();
}

/** notifyResponse answers a NOTIFY request with `rcode` (RFC 1996 §4.7: same ID, QR, AA, question). */
export function notifyResponse(request: Message, rcode: number): Buffer {
  const w = new MessageWriter(512);
  w.header(request.header.id, Flag.QR | Flag.AA | (Opcode.Notify << 11) | (rcode & 0xf));
  const q = request.questions[0];
  if (q !== undefined) w.question(q.name, q.type, q.class);
  return w.finish();
}
