import { describe, expect, it } from 'vitest';
import { addSerial, compareSerial, nextSerial, serial } from '../../../src/zone/index.js';

describe('RFC 1982 serial arithmetic', () => {
  it('orders ordinary serials', () => {
    expect(compareSerial(serial(1), serial(2))).toBe('lt');
    expect(compareSerial(serial(2), serial(1))).toBe('gt');
    expect(compareSerial(serial(7), serial(7))).toBe('eq');
  });
  it('wraps around 2^32', () => {
    expect(compareSerial(serial(0xffffffff), serial(0))).toBe('lt');
    expect(compareSerial(serial(0), serial(0xffffffff))).toBe('gt');
    expect(addSerial(serial(0xffffffff), 1)).toBe(0);
    expect(addSerial(serial(0xfffffff0), 0x20)).toBe(0x10);
  });
  it('answers undefined exactly 2^31 apart (RFC 1982 §3.2)', () => {
    expect(compareSerial(serial(0), serial(0x80000000))).toBe('undefined');
    expect(compareSerial(serial(0x80000000), serial(0))).toBe('undefined');
    expect(compareSerial(serial(1), serial(0x80000000))).toBe('lt');
    expect(compareSerial(serial(0), serial(0x7fffffff))).toBe('lt');
    expect(compareSerial(serial(0), serial(0x80000001))).toBe('gt');
  });
  it('refuses addends past 2^31 - 1 (RFC 1982 §3.1)', () => {
    expect(() => addSerial(serial(1), 0x80000000)).toThrow(RangeError);
    expect(addSerial(serial(1), 0x7fffffff)).toBe(0x80000000);
  });
  it('nextSerial bumps by one or jumps to a newer floor', () => {
    expect(nextSerial(serial(5))).toBe(6);
    expect(nextSerial(serial(5), serial(2024010100))).toBe(2024010100);
    expect(nextSerial(serial(2024010100), serial(5))).toBe(2024010101);
    expect(nextSerial(serial(0xffffffff))).toBe(0);
  });
});
