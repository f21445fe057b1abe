// The decoded DNS message shape shared by the reader, the writer and everything above them.
// Records carry RDATA as uncompressed wire octets (RFC 3597 §4): one representation for every
// type, known or not, so a zone transferred in and out comes out octet-identical.

import type { DomainName } from './name.js';

/** Header is the fixed 12-octet header (RFC 1035 §4.1.1); `flags` holds QR..RCODE as sent. */
export interface Header {
  readonly id: number;
  readonly flags: number;
  readonly qdcount: number;
  readonly ancount: number;
  readonly nscount: number;
  readonly arcount: number;
}

/** Question is one entry of the question section (RFC 1035 §4.1.2). */
export interface Question {
  readonly name: DomainName;
  readonly type: number;
  readonly class: number;
}

/** ResourceRecord is one RR with uncompressed RDATA (RFC 1035 §4.1.3). */
export interface ResourceRecord {
  readonly name: DomainName;
  readonly type: number;
  readonly class: number;
  readonly ttl: number;
  readonly rdata: Uint8Array;
}

/** EdnsOptionData is one EDNS option (RFC 6891 §6.1.2). */
export interface EdnsOptionData {
  readonly code: number;
  readonly data: Uint8Array;
}

/** Edns is the decoded OPT pseudo-RR (RFC 6891 §6.1.3). */
export interface Edns {
  readonly udpSize: number;
  readonly extendedRcode: number;
  readonly version: number;
  readonly flags: number;
  readonly options: readonly EdnsOptionData[];
}

/** EDNS_DO is the DNSSEC OK bit in the OPT flags (RFC 3225). */
export const EDNS_DO = 0x8000;

/**
 * Message is a decoded message. The OPT RR is lifted out of `additionals` into `edns`; a TSIG RR
 * stays out of `additionals` and is kept in `tsig` with the offset at which it starts in `raw`,
 * because signing covers the octets before it (RFC 8945 §4.3).
 */
export interface Message {
  readonly header: Header;
  readonly questions: readonly Question[];
  readonly answers: readonly ResourceRecord[];
  readonly authorities: readonly ResourceRecord[];
  readonly additionals: readonly ResourceRecord[];
  readonly edns: Edns | undefined;
  readonly tsig: { readonly rr: ResourceRecord; readonly offset: number } | undefined;
  readonly raw: Uint8Array;
}
