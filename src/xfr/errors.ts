// XfrError: the closed set of ways a zone transfer (in or out) can fail, with the data to log and
// to show through the API (STYLE.md principle 6).

/** XfrError is one failed transfer's reason. */
export type XfrError =
  | { kind: 'refused'; rcode: number }
  | { kind: 'notauth'; rcode: number; tsigError?: string }
  | { kind: 'rcode'; rcode: number }
  | { kind: 'tsig'; reason: string }
  | { kind: 'soa-mismatch'; detail: string }
  | { kind: 'out-of-zone'; name: string }
  | { kind: 'too-large'; limit: 'records' | 'bytes'; value: number }
  | { kind: 'timeout'; phase: 'connect' | 'idle' | 'overall' }
  | { kind: 'malformed'; detail: string }
  | { kind: 'invalid-zone'; detail: string }
  | { kind: 'io'; detail: string };

/** describeXfrError renders an XfrError for logs and the API's last_error. */
export function describeXfrError(e: XfrError): string {
  switch (e.kind) {
    case 'refused':
      return 'transfer refused by the primary (REFUSED)';
    case 'notauth':
      return `primary answered NOTAUTH${e.tsigError !== undefined ? ` (TSIG ${e.tsigError})` : ''}`;
    case 'rcode':
      return `primary answered rcode ${e.rcode}`;
    case 'tsig':
      return `TSIG verification failed: ${e.reason}`;
    case 'soa-mismatch':
      return `SOA mismatch: ${e.detail}`;
    case 'out-of-zone':
      return `record outside the zone: ${e.name}`;
    case 'too-large':
      return `transfer exceeds the ${e.limit} limit (${e.value})`;
    case 'timeout':
      return `timed out (${e.phase})`;
    case 'malformed':
      return `malformed transfer: ${e.detail}`;
    case 'invalid-zone':
      return `transferred zone is invalid: ${e.detail}`;
    case 'io':
      return `network error: ${e.detail}`;
  }
}
