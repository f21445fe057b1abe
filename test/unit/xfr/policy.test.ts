import { describe, expect, it } from 'vitest';
import { decideTransfer, inRange, normalizeIp, type OutgoingPolicy } from '../../../src/xfr/out/policy.js';

const policy = (o: Partial<OutgoingPolicy> = {}): OutgoingPolicy => ({ enabled: true, peers: [], aclRanges: [], ...o });

describe('outgoing transfer policy', () => {
  it('refuses everyone when outgoing transfers are disabled', () => {
    expect(decideTransfer(policy({ enabled: false, peers: [{ ip: '192.0.2.1', keyName: null }] }), '192.0.2.1', undefined)).toMatchObject({ allow: false, rcode: 'REFUSED' });
  });
  it('allows a peer address, with its key when it has one', () => {
    const p = policy({ peers: [{ ip: '192.0.2.1', keyName: null }, { ip: '192.0.2.2', keyName: 'k1.' }] });
    expect(decideTransfer(p, '192.0.2.1', undefined).allow).toBe(true);
    expect(decideTransfer(p, '::ffff:192.0.2.1', undefined).allow).toBe(true);
    expect(decideTransfer(p, '192.0.2.2', undefined)).toMatchObject({ allow: false, rcode: 'REFUSED' });
    expect(decideTransfer(p, '192.0.2.2', 'K1.').allow).toBe(true);
    expect(decideTransfer(p, '192.0.2.2', 'other.')).toMatchObject({ allow: false, rcode: 'NOTAUTH' });
  });
  it('lets any key of several peers at one address do', () => {
    const p = policy({ peers: [{ ip: '192.0.2.9', keyName: 'a.' }, { ip: '192.0.2.9', keyName: 'b.' }] });
    expect(decideTransfer(p, '192.0.2.9', 'b.').allow).toBe(true);
    expect(decideTransfer(p, '192.0.2.9', undefined).allow).toBe(false);
  });
  it('allows ACL ranges, requiring the peers\' key when any peer has one', () => {
    expect(decideTransfer(policy({ aclRanges: ['198.51.100.0/24'] }), '198.51.100.7', undefined).allow).toBe(true);
    const keyed = policy({ aclRanges: ['198.51.100.0/24'], peers: [{ ip: null, keyName: 'k.' }] });
    expect(decideTransfer(keyed, '198.51.100.7', undefined).allow).toBe(false);
    expect(decideTransfer(keyed, '198.51.100.7', 'k.').allow).toBe(true);
    expect(decideTransfer(policy({ aclRanges: ['2001:db8::/64'] }), '2001:db8::5', undefined).allow).toBe(true);
    expect(decideTransfer(policy({ aclRanges: ['2001:db8::/64'] }), '2001:db9::5', undefined)).toMatchObject({ allow: false, rcode: 'REFUSED' });
  });
  it('matches ranges given as bare addresses and with host bits set', () => {
    expect(inRange('192.0.2.53', '192.0.2.53')).toBe(true);
    expect(inRange('192.0.2.50', '192.0.2.53/28')).toBe(true);
    expect(inRange('192.0.2.70', '192.0.2.53/28')).toBe(false);
    expect(normalizeIp('::FFFF:10.0.0.1')).toBe('10.0.0.1');
    expect(normalizeIp('::ffff:10.0.0.1')).toBe('10.0.0.1');
  });
});
