// Zone transfers with Knot's kdig (AXFR, IXFR=serial, TSIG with `-y alg:name:secret`, a source
// address with `-b`), read through its RFC 8427 JSON output (+json): one object per message, RDATA
// as hex, so records compare octet for octet with what zonexfer serves. kdig verifies the TSIG of
// every message of a transfer (RFC 8945 §5.3.1) and fails the transfer when one does not verify.

import { binary, run } from './daemons.js';

/** KdigRR is one record of kdig's JSON (RFC 8427 names). */
export interface KdigRR {
  readonly NAME: string;
  readonly TYPE: number;
  readonly TYPEname?: string;
  readonly CLASS: number;
  readonly TTL: number;
  readonly RDATAHEX?: string;
  readonly rdataSOA?: string;
  readonly rdataTSIG?: string;
  readonly [field: string]: unknown;
}

/** KdigMessage is one DNS message of kdig's JSON. */
export interface KdigMessage {
  readonly ID: number;
  readonly AA: number;
  readonly RCODE: number;
  readonly answerRRs?: readonly KdigRR[];
  readonly additionalRRs?: readonly KdigRR[];
}

export interface XfrOutcome {
  /** code is kdig's exit code (0: the transfer completed and every TSIG verified). */
  readonly code: number;
  readonly messages: readonly KdigMessage[];
  /** records are the answer records of every message, in order (TSIG RRs excluded). */
  readonly records: readonly KdigRR[];
  /** tsig are the TSIG RRs, one per signed message. */
  readonly tsig: readonly KdigRR[];
  /** error is kdig's "server replied with error 'X'" X (REFUSED, NOTAUTH, BADSIG, BADKEY, …). */
  readonly error: string | undefined;
  readonly out: string;
}

export interface XfrOptions {
  /** key: `alg:name:secret` for -y. */
  readonly key?: string;
  /** source: local address to bind (-b). */
  readonly source?: string;
  readonly host?: string;
  readonly timeoutMs?: number;
}

/** kdigXfr runs `kdig qtype` (AXFR or IXFR=serial) for `origin` against `port` and parses it. */
export async function kdigXfr(port: number, origin: string, qtype: 'AXFR' | `IXFR=${number}`, o: XfrOptions = {}): Promise<XfrOutcome> {
  const args = [`@${o.host ?? '127.0.0.1'}`, '-p', String(port), '+json', '+time=5', '+retry=0'];
  if (o.source !== undefined) args.push('-b', o.source);
  if (o.key !== undefined) args.push('-y', o.key);
  args.push(origin, qtype);
  const r = await run(binary('kdig'), args, o.timeoutMs ?? 60_000);
  const messages = parseJsonMessages(r.out);
  const records = messages.flatMap((m) => m.answerRRs ?? []);
  const tsig = messages.flatMap((m) => (m.additionalRRs ?? []).filter((rr) => rr.TYPE === 250));
  const error = /server replied with error '([A-Z0-9]+)'/.exec(r.out)?.[1];
  return { code: r.code, messages, records, tsig, error, out: r.out };
}

function parseJsonMessages(out: string): KdigMessage[] {
  const start = out.indexOf('[');
  const end = out.lastIndexOf(']');
  if (start < 0 || end < start) return [];
  try {
    return JSON.parse(out.slice(start, end + 1)) as KdigMessage[];
  } catch {
    return [];
  }
}

/** soaSerialOf reads the serial of a SOA record from kdig's presentation (`rdataSOA`). */
export function soaSerialOf(rr: KdigRR): number {
  const f = (rr.rdataSOA ?? '').trim().split(/\s+/);
  return Number(f[2]);
}

/**
 * axfrBody drops the closing SOA of an AXFR answer (RFC 5936 §2.2: the SOA comes first and last),
 * leaving each record once.
 */
export function axfrBody(records: readonly KdigRR[]): KdigRR[] {
  return records.length > 1 && records[records.length - 1]!.TYPE === 6 ? records.slice(0, -1) : [...records];
}

/** asRR gives a kdig record the shape rrKey (primary.ts) compares. */
export function asRR(rr: KdigRR): { name: string; ttl: number; type: number; rdata: string } {
  return { name: rr.NAME, ttl: rr.TTL, type: rr.TYPE, rdata: rr.RDATAHEX ?? '' };
}
