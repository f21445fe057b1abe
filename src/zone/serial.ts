// SOA serial numbers and their RFC 1982 arithmetic (SERIAL_BITS = 32). Comparison can answer
// 'undefined' when two serials are exactly 2^31 apart (RFC 1982 §3.2); callers must decide what
// that means for them rather than guess.

/** Serial is an unsigned 32-bit SOA serial. */
export type Serial = number & { readonly __brand: 'Serial' };

/** SerialOrder is the RFC 1982 §3.2 comparison result. */
export type SerialOrder = 'lt' | 'eq' | 'gt' | 'undefined';

const HALF = 0x80000000;

/** serial brands a number as a Serial; throws (a programmer error) outside 0..2^32-1. */
export function serial(n: number): Serial {
  if (!Number.isInteger(n) || n < 0 || n > 0xffffffff) throw new RangeError(`not a serial: ${n}`);
  return n as Serial;
}

/** compareSerial orders a against b per RFC 1982 §3.2. */
export function compareSerial(a: Serial, b: Serial): SerialOrder {
  if (a === b) return 'eq';
  const d = (b - a + 0x100000000) % 0x100000000;
  if (d === HALF) return 'undefined';
  return d < HALF ? 'lt' : 'gt';
}

/** serialIsNewer is true when `candidate` is greater than `current` in RFC 1982 terms. */
export function serialIsNewer(candidate: Serial, current: Serial): boolean {
  return compareSerial(candidate, current) === 'gt';
}

/**
 * addSerial adds n (0 ≤ n ≤ 2^31 − 1, RFC 1982 §3.1) with wrap-around. Throws on a larger n,
 * which would make the result incomparable with the original.
 */
export function addSerial(s: Serial, n: number): Serial {
  if (!Number.isInteger(n) || n < 0 || n > 0x7fffffff) throw new RangeError(`serial addend out of range: ${n}`);
  return ((s + n) % 0x100000000) as Serial;
}

/**
 * nextSerial picks the serial for a new version of a zone we are primary for: one more than the
 * current one, or `floor` (e.g. a date-based or unixtime value) when that is newer still.
 */
export function nextSerial(current: Serial, floor?: Serial): Serial {
  const bumped = addSerial(current, 1);
  if (floor !== undefined && compareSerial(floor, bumped) === 'gt') return floor;
  return bumped;
}
