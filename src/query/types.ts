// The contract between the pure answer logic and the server: a question and a zone version in,
// response sections and an rcode out. No I/O, no encoding: the server writes the sections.

import type { ResourceRecord } from '../wire/index.js';

/** AnswerSections is everything the server needs to write an authoritative response. */
export interface AnswerSections {
  readonly rcode: number;
  /** authoritative is the AA bit: false for referrals (RFC 1034 §4.3.2 step 3b). */
  readonly authoritative: boolean;
  readonly answers: readonly ResourceRecord[];
  readonly authorities: readonly ResourceRecord[];
  readonly additionals: readonly ResourceRecord[];
}
