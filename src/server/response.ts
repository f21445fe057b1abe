// ResponseBuilder: turns a RequestView plus AnswerSections (or an error rcode) into response
// octets under a size limit. Owns header flags, the OPT RR and truncation; never looks at zones.
// RFC 1035 §4.1.1 (header), RFC 2181 §9 (TC only when required data is cut; additional data is
// dropped whole), RFC 6891 §6.1.3 / §7 (OPT in every answer to an EDNS query, extended rcode),
// RFC 3225 §3 (DO copied), RFC 4035 §3.1.6 (CD copied), RFC 4343 §4.1 (question case preserved).

import type { AnswerSections } from '../query/types.js';
import {
  EDNS_DO,
  type Edns,
  Flag,
  MessageWriter,
  type Question,
  type ResourceRecord,
  Rcode,
  Section,
  namesEqual,
} from '../wire/index.js';
import type { RequestView } from './request.js';
import type { DnsStats } from './stats.js';
import type { TsigCheck } from './types.js';

/** OPT_SIZE is the wire size of our OPT RR: root owner, type, class, TTL, RDLENGTH, no options. */
export const OPT_SIZE = 11;

/** Bits copied from request to response: opcode (RFC 1035 §4.1.1), RD, CD (RFC 4035 §3.1.6). */
const COPIED = 0x7800 | Flag.RD | Flag.CD;

const NO_OPTIONS: Edns['options'] = [];

type OptFields = Pick<Edns, 'udpSize' | 'extendedRcode' | 'version' | 'flags' | 'options'>;

/** newWriter is the one place response writers are made (see the report: a reusable writer
 * would save a large buffer allocation per response). */
function newWriter(limit: number): MessageWriter {
  return new MessageWriter(limit);
}

/** ResponseBuilder writes responses with our EDNS parameters; one per server. */
export class ResponseBuilder {
  private readonly optPlain: OptFields;
  private readonly optDo: OptFields;

  constructor(
    private readonly udpMaxPayload: number,
    private readonly stats: DnsStats,
  ) {
    this.optPlain = { udpSize: udpMaxPayload, extendedRcode: 0, version: 0, flags: 0, options: NO_OPTIONS };
    this.optDo = { udpSize: udpMaxPayload, extendedRcode: 0, version: 0, flags: EDNS_DO, options: NO_OPTIONS };
  }

  /**
   * limit is the largest response for `view` on `transport`: 65535 over TCP (RFC 1035 §4.2.2);
   * over UDP min(requestor's payload size, ours), and 512 without EDNS (RFC 6891 §6.2.5,
   * RFC 1035 §4.2.1), never below 512.
   */
  limit(view: RequestView, tcp: boolean): number {
    if (tcp) return 65535;
    if (!view.edns) return 512;
    const n = view.udpSize < this.udpMaxPayload ? view.udpSize : this.udpMaxPayload;
    return n < 512 ? 512 : n;
  }

  /**
   * answer writes an answer: answer and authority RRs must all fit or the response is the
   * question alone with TC set (RFC 2181 §9, RFC 7766 §5); additional RRsets that do not fit
   * are dropped whole, without TC.
   */
  answer(view: RequestView, q: Question, limit: number, s: AnswerSections, tsig: TsigCheck | undefined): Buffer {
    const flags = responseFlags(view.flags, s.rcode, s.authoritative, false);
    let w = this.start(view, q, limit, flags, tsig);
    const adds = s.additionals;
    const stop = fill(w, s, adds.length);
    if (stop < 0) {
      this.stats.truncated++;
      w = this.start(view, q, limit, flags | Flag.TC, tsig);
    } else if (stop < adds.length) {
      // RFC 2181 §9: never send part of an RRset; rewrite without the partial one.
      const g = rrsetStart(adds, stop);
      if (g < stop) {
        w = this.start(view, q, limit, flags, tsig);
        fill(w, s, g);
      }
    }
    return this.end(w, view, s.rcode, tsig);
  }

  /** error writes a response with no records: header, the question if given, OPT if the request
   * had EDNS. An extended rcode without EDNS in the request becomes SERVFAIL (as Knot does). */
  error(view: RequestView, rcode: number, q: Question | undefined, tsig?: TsigCheck): Buffer {
    if (rcode > 15 && !view.edns) rcode = Rcode.ServFail;
    // Header, one question (≤ 259 octets) and OPT always fit in 512.
    const w = newWriter(512);
    w.header(view.id, responseFlags(view.flags, rcode, false, false));
    if (q !== undefined) w.question(q.name, q.type, q.class);
    return this.end(w, view, rcode, tsig);
  }

  private start(view: RequestView, q: Question, limit: number, flags: number, tsig: TsigCheck | undefined): MessageWriter {
    const w = newWriter(limit);
    w.header(view.id, flags);
    w.question(q.name, q.type, q.class);
    // Keep room for what goes last: the OPT RR (RFC 6891 §7) and the TSIG RR (RFC 8945 §5.3).
    if (view.edns) w.reserve(OPT_SIZE);
    if (tsig?.ok === true) w.reserve(tsig.reserve);
    return w;
  }

  private end(w: MessageWriter, view: RequestView, rcode: number, tsig: TsigCheck | undefined): Buffer {
    if (view.edns) {
      const ext = rcode >>> 4;
      // RFC 6891 §6.1.3: the upper 8 bits of a 12-bit rcode travel in the OPT TTL.
      const base = (view.ednsFlags & EDNS_DO) !== 0 ? this.optDo : this.optPlain;
      w.opt(ext === 0 ? base : { ...base, extendedRcode: ext });
    }
    const out = w.finish();
    if (tsig?.ok === true) return Buffer.from(tsig.sign(out));
    return out;
  }
}

/** responseFlags builds the response flags word: QR, copied bits, AA, TC and the low rcode bits. */
export function responseFlags(requestFlags: number, rcode: number, aa: boolean, tc: boolean): number {
  return Flag.QR | (requestFlags & COPIED) | (aa ? Flag.AA : 0) | (tc ? Flag.TC : 0) | (rcode & 0xf);
}

/**
 * fill writes answers, authorities and the first `addCount` additionals. Returns -1 when an
 * answer or authority RR did not fit, else the index of the first additional that did not fit
 * (`addCount` when all did).
 */
function fill(w: MessageWriter, s: AnswerSections, addCount: number): number {
  const an = s.answers;
  for (let i = 0; i < an.length; i++) if (!w.record(Section.Answer, an[i]!)) return -1;
  const ns = s.authorities;
  for (let i = 0; i < ns.length; i++) if (!w.record(Section.Authority, ns[i]!)) return -1;
  const ar = s.additionals;
  for (let i = 0; i < addCount; i++) if (!w.record(Section.Additional, ar[i]!)) return i;
  return addCount;
}

/** rrsetStart returns the index of the first RR of the RRset that `rrs[i]` belongs to, RRsets
 * being runs of RRs with the same owner (RFC 4343 case-insensitive) and type. */
function rrsetStart(rrs: readonly ResourceRecord[], i: number): number {
  const rr = rrs[i]!;
  let g = i;
  while (g > 0) {
    const prev = rrs[g - 1]!;
    if (prev.type !== rr.type || !namesEqual(prev.name, rr.name)) break;
    g--;
  }
  return g;
}
