// ipv6Text formats the native socket's IPv6 sender octets as node:dgram does (RFC 5952 form).
import { isIPv6 } from 'node:net';
import { describe, expect, it } from 'vitest';
import { ipv6Text } from '../../../src/server/udp-batch.js';

const octets = (...words: number[]): Uint8Array => {
  const b = Buffer.alloc(16);
  words.forEach((w, i) => b.writeUInt16BE(w, i * 2));
  return b;
};

describe('ipv6Text', () => {
  it.each([
    [octets(0, 0, 0, 0, 0, 0, 0, 1), '::1'],
    [octets(0, 0, 0, 0, 0, 0, 0, 0), '::'],
    [octets(0x2001, 0xdb8, 0, 0, 0, 0, 0, 1), '2001:db8::1'],
    [octets(0x2001, 0xdb8, 0, 1, 0, 0, 0, 1), '2001:db8:0:1::1'], // the longer zero run wins
    [octets(0x2001, 0xdb8, 0, 0, 1, 0, 0, 1), '2001:db8::1:0:0:1'], // the first of equal runs
    [octets(0x2001, 0xdb8, 1, 2, 3, 4, 0, 5), '2001:db8:1:2:3:4:0:5'], // a single 0 stays
    [octets(0xfe80, 0, 0, 0, 0xabcd, 0xef, 1, 2), 'fe80::abcd:ef:1:2'],
    [octets(0, 0, 0, 0, 0, 0xffff, 0xc000, 0x0201), '::ffff:192.0.2.1'],
  ])('%o → %s', (o, text) => {
    expect(ipv6Text(o)).toBe(text);
    expect(isIPv6(text)).toBe(true);
  });
});
