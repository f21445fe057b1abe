// The native UDP listener's pure helpers: ipv6Text formats IPv6 senders as node:dgram does (RFC
// 5952 form), and mayAnswerLater picks the requests that must be copied out of the shared batch
// buffer because the Dispatcher may answer them asynchronously.
import { isIPv6 } from 'node:net';
import { describe, expect, it } from 'vitest';
import { ipv6Text, mayAnswerLater } from '../../../src/server/udp-batch.js';
import { Opcode } from '../../../src/wire/index.js';
import { query } from '../../helpers/server.js';

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

describe('mayAnswerLater', () => {
  const at = (q: Buffer, pad = 7): [Buffer, number, number] => [Buffer.concat([Buffer.alloc(pad, 0xee), q, Buffer.alloc(3, 0xee)]), pad, q.length];
  it.each([
    ['an A query', query('www.example.test', 'A'), false],
    ['an SOA query with EDNS', query('example.test', 'SOA', { edns: { udpSize: 1232 } }), false],
    ['a NOTIFY', query('example.test', 'SOA', { opcode: Opcode.Notify }), true],
    ['an IXFR', query('example.test', 'IXFR'), true],
    ['an AXFR', query('example.test', 'AXFR'), true],
  ])('%s → %s (inside a larger buffer)', (_what, q, later) => {
    expect(mayAnswerLater(...at(q))).toBe(later);
  });
  it('leaves odd questions (a pointer, no question, a short datagram) to the safe side or the codec', () => {
    const pointer = Buffer.from(query('www.example.test', 'A'));
    pointer[12] = 0xc0; // a compression pointer where the question name starts
    expect(mayAnswerLater(...at(pointer))).toBe(true);
    const header = query('www.example.test', 'A').subarray(0, 12);
    expect(mayAnswerLater(...at(header))).toBe(false);
    expect(mayAnswerLater(...at(Buffer.alloc(5)))).toBe(false);
  });
});
