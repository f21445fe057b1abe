// Time rendering for the API: Postgres timestamptz text (session TimeZone UTC) to RFC 3339 with
// microseconds, e.g. "2019-10-24T17:09:42.883908Z" (API.md §3 shows "+01:00"; "Z" is the same
// form). Pure; both adapters hand timestamptz columns over as the server's text.

const PG_TIMESTAMP = /^(\d{4,})-(\d\d)-(\d\d)[ T](\d\d):(\d\d):(\d\d)(?:\.(\d{1,6}))?(?:([+-])(\d\d)(?::?(\d\d))?(?::?(\d\d))?|Z)?$/;

/**
 * toRfc3339 converts Postgres' ISO timestamptz output ("2026-01-02 03:04:05.6+00") to RFC 3339 with
 * six fraction digits. A Date (a driver that parsed the value anyway) is rendered in UTC. Throws on
 * text it does not recognise: that is a bug in an adapter, not bad input.
 */
export function toRfc3339(value: string | Date): string {
  if (value instanceof Date) return value.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
  const m = PG_TIMESTAMP.exec(value);
  if (!m) throw new Error(`toRfc3339: unrecognised timestamp ${JSON.stringify(value)}`);
  const [, y, mo, d, h, mi, s, frac, sign, oh, om] = m;
  const fraction = (frac ?? '').padEnd(6, '0');
  let offset = 'Z';
  if (sign !== undefined && !(oh === '00' && (om === undefined || om === '00'))) {
    offset = `${sign}${oh}:${om ?? '00'}`;
  }
  return `${y}-${mo}-${d}T${h}:${mi}:${s}.${fraction}${offset}`;
}

/** optionalTime is toRfc3339 for nullable columns. */
export function optionalTime(value: string | Date | null | undefined): string | null {
  return value === null || value === undefined ? null : toRfc3339(value);
}
