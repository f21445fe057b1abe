// Unit tests for src/tsig/sign.ts, error-response.ts and request.ts: round trips per algorithm,
// one test per TSIG error with a fixed now, MAC truncation, Original ID, error answers.
import { describe, expect, it } from 'vitest';
import { Rcode, RRType, decodeMessage, nameToWire, rcodeOf, type DomainName } from '../../../src/wire/index.js';
import {
  TSIG_ALGORITHMS, TsigErrorCode, type TsigFailure, type TsigKey, appendRR, appendUnsignedTsigError, describeTsigFailure,
  encodeTsigRR, keyring, macLength, minimumMacLength, readTsigRR, readU48, signMessage, tsigErrorResponse, tsigLength,
  verifyMessage, verifyRequest,
} from '../../../src/tsig/index.js';
import { ALL_KEYS, NOW, answer, hex, keyFor, n, query, strip, tsigOffset } from './helpers.js';

const sha256 = keyFor('hmac-sha256.');
const ring = keyring(ALL_KEYS.filter((k) => k.algorithm === 'hmac-sha256.').concat([keyFor('hmac-sha1.', 'other.key.')]));

function verify(raw: Uint8Array, opts: { now?: number; requestMac?: Uint8Array; minMacLength?: number; keys?: TsigKey[] } = {}) {
  return verifyMessage(raw, tsigOffset(raw), opts.keys === undefined ? ring : keyring(opts.keys), { now: NOW, ...opts });
}

function failure(r: ReturnType<typeof verify>): TsigFailure {
  if (r.ok) throw new Error('expected a failure');
  return r.error;
}

/** withTsig appends a hand-made TSIG RR (for cases our signer refuses to produce). */
function withTsig(msg: Uint8Array, over: Partial<{ name: DomainName; algorithm: DomainName; mac: Uint8Array; timeSigned: number; error: number }>): Uint8Array {
  return appendRR(msg, encodeTsigRR(over.name ?? sha256.name, {
    algorithm: over.algorithm ?? n('hmac-sha256.'),
    timeSigned: over.timeSigned ?? NOW,
    fudge: 300,
    mac: over.mac ?? new Uint8Array(32),
    originalId: (msg[0]! << 8) | msg[1]!,
    error: over.error ?? 0,
    otherData: new Uint8Array(0),
  }));
}

describe('signMessage → verifyMessage round trips', () => {
  it.each(TSIG_ALGORITHMS)('%s', (alg) => {
    const key = keyFor(alg);
    const q = query(0x4242);
    const signed = signMessage(q, key, { now: NOW });
    expect(signed.mac.length).toBe(macLength(alg));
    expect(hex(signed.message.subarray(0, 10))).toBe(hex(q.subarray(0, 10)));
    expect(signed.message[11]).toBe(1); // ARCOUNT + 1
    expect(signed.message.length).toBe(q.length + tsigLength(key));
    expect(hex(strip(signed.message))).toBe(hex(q));
    const r = verify(signed.message, { keys: [key] });
    expect(r).toMatchObject({ ok: true, value: { key, timeSigned: NOW, fudge: 300, originalId: 0x4242, error: 0 } });
    expect(r.ok && hex(r.value.mac)).toBe(hex(signed.mac));

    // The response covers the request MAC (RFC 8945 §4.3.1).
    const resp = signMessage(answer(0x4242), key, { now: NOW + 1, requestMac: signed.mac });
    expect(verify(resp.message, { keys: [key], requestMac: signed.mac }).ok).toBe(true);
    expect(failure(verify(resp.message, { keys: [key] }))).toMatchObject({ rcode: 'BADSIG', reason: 'mac-mismatch' });
    const otherMac = Uint8Array.from(signed.mac, (b) => b ^ 1);
    expect(failure(verify(resp.message, { keys: [key], requestMac: otherMac }))).toMatchObject({ rcode: 'BADSIG' });
  });
  it('is deterministic and writes the owner lower-case', () => {
    const key = { ...sha256, name: n('Transfer.KEY.Example.') };
    const a = signMessage(query(), key, { now: NOW });
    const b = signMessage(query(), sha256, { now: NOW });
    expect(hex(a.message)).toBe(hex(b.message));
    const rr = readTsigRR(a.message, tsigOffset(a.message));
    expect(rr.ok && rr.value.keyName).toBe('transfer.key.example.');
  });
  it('verifies a TSIG whose owner and algorithm are in upper case (canonical digest, RFC 8945 §4.3.3)', () => {
    const signed = signMessage(query(), sha256, { now: NOW }).message;
    const off = tsigOffset(signed);
    const owner = nameToWire(sha256.name).length;
    const alg = off + owner + 10; // owner, TYPE, CLASS, TTL, RDLENGTH, then the algorithm name
    const inNames = (i: number) => (i >= off && i < off + owner) || (i >= alg && i < alg + 13);
    const up = Uint8Array.from(signed, (b, i) => (inNames(i) && b >= 0x61 && b <= 0x7a ? b - 0x20 : b));
    expect(hex(up)).not.toBe(hex(signed));
    expect(verify(up).ok).toBe(true);
  });
});

describe('one test per error code (fixed now)', () => {
  const signed = signMessage(query(), sha256, { now: NOW }).message;

  it('BADKEY: unknown key name (RFC 8945 §5.2.1)', () => {
    expect(failure(verify(signed, { keys: [keyFor('hmac-sha256.', 'someone.else.')] }))).toMatchObject({
      rcode: 'BADKEY', reason: 'unknown-key', keyName: 'transfer.key.example.', algorithm: 'hmac-sha256.', timeSigned: NOW,
    });
  });
  it('BADKEY: unknown algorithm', () => {
    const raw = withTsig(query(), { algorithm: n('hmac-sha3-256.') });
    expect(failure(verify(raw))).toMatchObject({ rcode: 'BADKEY', reason: 'unknown-algorithm', algorithm: 'hmac-sha3-256.' });
  });
  it('BADKEY: the key exists with another algorithm', () => {
    expect(failure(verify(signed, { keys: [keyFor('hmac-sha512.')] }))).toMatchObject({ rcode: 'BADKEY', reason: 'algorithm-mismatch' });
  });
  it('BADSIG: wrong secret, or any octet changed', () => {
    const wrong = { ...sha256, secret: new Uint8Array(32).fill(9) };
    expect(failure(verify(signed, { keys: [wrong] }))).toMatchObject({ rcode: 'BADSIG', reason: 'mac-mismatch', macSize: 32 });
    for (const at of [2, 5, 13, 20, signed.length - 1]) {
      const bad = Uint8Array.from(signed);
      bad[at]! ^= 0x01;
      const off = decodeMessage(bad);
      if (!off.ok || off.value.tsig === undefined) continue; // the change broke the framing itself
      const f = failure(verifyMessage(bad, off.value.tsig.offset, ring, { now: NOW }));
      expect(['BADSIG', 'FORMERR']).toContain(f.rcode);
    }
  });
  it('BADTIME: outside timeSigned ± fudge; the edges are inside (RFC 8945 §5.2.3)', () => {
    expect(verify(signed, { now: NOW + 300 }).ok).toBe(true);
    expect(verify(signed, { now: NOW - 300 }).ok).toBe(true);
    expect(failure(verify(signed, { now: NOW + 301 }))).toMatchObject({ rcode: 'BADTIME', reason: 'outside-fudge', now: NOW + 301, key: sha256 });
    const early = failure(verify(signed, { now: NOW - 301 }));
    expect(early).toMatchObject({ rcode: 'BADTIME', timeSigned: NOW, fudge: 300 });
    expect(early.rcode === 'BADTIME' && early.mac.length).toBe(32);
  });
  it('BADTRUNC: a permitted truncation shorter than local policy (RFC 8945 §5.2.4)', () => {
    const t = signMessage(query(), sha256, { now: NOW, macLength: 16 }).message;
    expect(verify(t).ok).toBe(true);
    expect(failure(verify(t, { minMacLength: 20 }))).toMatchObject({ rcode: 'BADTRUNC', reason: 'below-local-minimum', minimum: 20, macSize: 16 });
    // Policy applies to truncated MACs only; a full MAC always passes it.
    expect(verify(signed, { minMacLength: 64 }).ok).toBe(true);
  });
  it('FORMERR: MAC longer than the hash, shorter than the minimum, empty, or a malformed RR', () => {
    expect(failure(verify(withTsig(query(), { mac: new Uint8Array(33) })))).toMatchObject({ rcode: 'FORMERR', reason: 'mac-too-long' });
    expect(failure(verify(withTsig(query(), { mac: new Uint8Array(15) })))).toMatchObject({ rcode: 'FORMERR', reason: 'mac-too-short' });
    expect(failure(verify(withTsig(query(), { mac: new Uint8Array(0) })))).toMatchObject({ rcode: 'FORMERR', reason: 'mac-too-short' });
    expect(failure(verifyMessage(signed, 12, ring, { now: NOW }))).toMatchObject({ rcode: 'FORMERR', reason: 'malformed-tsig' });
    expect(failure(verifyMessage(signed, signed.length, ring, { now: NOW }))).toMatchObject({ rcode: 'FORMERR' });
    expect(failure(verifyMessage(signed.subarray(0, signed.length - 3), tsigOffset(signed), ring, { now: NOW }))).toMatchObject({ rcode: 'FORMERR' });
  });
  it('checks the MAC before the time: a forged, stale request gets BADSIG, not BADTIME', () => {
    const wrong = { ...sha256, secret: new Uint8Array(32).fill(9) };
    expect(failure(verify(signed, { keys: [wrong], now: NOW + 10_000 })).rcode).toBe('BADSIG');
    expect(failure(verify(withTsig(query(), { mac: new Uint8Array(32), timeSigned: 1 }))).rcode).toBe('BADSIG');
  });
  it('describes failures for logs', () => {
    expect(describeTsigFailure(failure(verify(signed, { now: NOW + 301 })))).toBe(`TSIG BADTIME: outside-fudge (signed ${NOW}, fudge 300, now ${NOW + 301})`);
    expect(describeTsigFailure({ rcode: 'BADSIG', reason: 'last-unsigned', unsignedCount: 3 })).toMatch(/3 unsigned/);
  });
});

describe('MAC truncation (RFC 8945 §5.2.2.1)', () => {
  it.each(TSIG_ALGORITHMS)('%s: the shortest permitted MAC verifies, one octet less is refused', (alg) => {
    const key = keyFor(alg);
    const min = minimumMacLength(alg);
    const t = signMessage(query(), key, { now: NOW, macLength: min });
    expect(t.mac.length).toBe(min);
    expect(verify(t.message, { keys: [key] }).ok).toBe(true);
    expect(() => signMessage(query(), key, { now: NOW, macLength: min - 1 })).toThrow(RangeError);
    expect(() => signMessage(query(), key, { now: NOW, macLength: macLength(alg) + 1 })).toThrow(RangeError);
    // A received MAC one octet short of the minimum is FORMERR.
    const raw = appendRR(query(), encodeTsigRR(key.name, {
      algorithm: key.algorithm as string as DomainName, timeSigned: NOW, fudge: 300, mac: t.mac.subarray(0, min - 1), originalId: 0x1234, error: 0, otherData: new Uint8Array(0),
    }));
    expect(failure(verify(raw, { keys: [key] }))).toMatchObject({ rcode: 'FORMERR', reason: 'mac-too-short' });
  });
  it('compares the truncated prefix only, and a wrong prefix fails', () => {
    const t = signMessage(query(), sha256, { now: NOW, macLength: 20 }).message;
    const full = signMessage(query(), sha256, { now: NOW });
    // The digest does not cover MAC Size, so the truncated MAC is the prefix of the full one.
    expect(hex(full.mac).startsWith(hex(readMac(t)))).toBe(true);
    const bad = Uint8Array.from(t);
    bad[bad.length - 7]! ^= 0x80; // last MAC octet
    expect(failure(verify(bad)).rcode).toBe('BADSIG');
  });
  it('signs a response over the truncated request MAC as received', () => {
    const req = signMessage(query(), sha256, { now: NOW, macLength: 16 });
    const resp = signMessage(answer(), sha256, { now: NOW, requestMac: req.mac });
    expect(verify(resp.message, { requestMac: req.mac }).ok).toBe(true);
  });
});

function readMac(raw: Uint8Array): Uint8Array {
  const rr = readTsigRR(raw, tsigOffset(raw));
  if (!rr.ok) throw new Error('no TSIG');
  return rr.value.rdata.mac;
}

describe('Original ID (RFC 8945 §4.3.2, §5.4)', () => {
  it('a forwarded message whose ID changed still verifies', () => {
    const signed = signMessage(query(0x1111), sha256, { now: NOW }).message;
    const forwarded = Uint8Array.from(signed);
    forwarded[0] = 0x22;
    forwarded[1] = 0x22;
    const r = verify(forwarded);
    expect(r).toMatchObject({ ok: true, value: { originalId: 0x1111 } });
  });
  it('changing the Original ID field breaks the MAC', () => {
    const signed = signMessage(query(0x1111), sha256, { now: NOW }).message;
    const bad = Uint8Array.from(signed);
    bad[bad.length - 6] = 0x33; // Original ID high octet (then Error, Other Len)
    expect(failure(verify(bad)).rcode).toBe('BADSIG');
  });
});

describe('error answers (RFC 8945 §5.2, §5.3.2)', () => {
  const decode = (raw: Uint8Array) => {
    const m = decodeMessage(raw);
    if (!m.ok) throw new Error('bad message');
    return m.value;
  };

  it('BADKEY and BADSIG: NOTAUTH with an unsigned TSIG echoing the request', () => {
    const req = signMessage(query(0x7777), sha256, { now: NOW });
    for (const [keys, code, error] of [[[], 'BADKEY', TsigErrorCode.BadKey], [[{ ...sha256, secret: new Uint8Array(32) }], 'BADSIG', TsigErrorCode.BadSig]] as const) {
      const f = failure(verify(req.message, { keys: [...keys] }));
      expect(f.rcode).toBe(code);
      const resp = tsigErrorResponse(decode(req.message), f, { now: NOW });
      const m = decode(resp);
      expect(m.header.id).toBe(0x7777);
      expect(rcodeOf(m.header.flags)).toBe(Rcode.NotAuth);
      expect(m.questions).toEqual(decode(req.message).questions);
      const rr = readTsigRR(resp, m.tsig!.offset);
      expect(rr.ok && rr.value.rdata).toMatchObject({ error, timeSigned: NOW, originalId: 0x7777, algorithm: 'hmac-sha256.' });
      expect(rr.ok && rr.value.rdata.mac.length).toBe(0);
      // The client cannot check an unsigned answer and reports what the peer said (RFC 8945 §5.4).
      expect(failure(verify(resp, { requestMac: req.mac }))).toMatchObject({ rcode: code, reason: 'peer-error', error });
    }
  });
  it('BADTIME: signed with the request key over the request MAC, server time in Other Data', () => {
    const clientNow = NOW - 1000;
    const req = signMessage(query(0x0101), sha256, { now: clientNow });
    const f = failure(verify(req.message));
    expect(f.rcode).toBe('BADTIME');
    const resp = tsigErrorResponse(decode(req.message), f, { now: NOW });
    const m = decode(resp);
    expect(rcodeOf(m.header.flags)).toBe(Rcode.NotAuth);
    const rr = readTsigRR(resp, m.tsig!.offset);
    expect(rr.ok && rr.value.rdata.timeSigned).toBe(clientNow);
    expect(rr.ok && readU48(rr.value.rdata.otherData, 0)).toBe(NOW);
    // At the client (its own clock) the MAC verifies and the answer reports the server's time.
    expect(failure(verify(resp, { now: clientNow, requestMac: req.mac }))).toMatchObject({ rcode: 'BADTIME', reason: 'peer-error', serverTime: NOW });
    // A forged BADTIME answer is BADSIG, not BADTIME.
    const forged = Uint8Array.from(resp);
    forged[forged.length - 1]! ^= 1;
    expect(failure(verify(forged, { now: clientNow, requestMac: req.mac })).rcode).toBe('BADSIG');
  });
  it('BADTRUNC: signed answer with error 22', () => {
    const req = signMessage(query(), sha256, { now: NOW, macLength: 16 });
    const f = failure(verify(req.message, { minMacLength: 32 }));
    const resp = tsigErrorResponse(decode(req.message), f, { now: NOW });
    expect(failure(verify(resp, { requestMac: req.mac }))).toMatchObject({ rcode: 'BADTRUNC', reason: 'peer-error' });
  });
  it('FORMERR: plain FORMERR without TSIG', () => {
    const raw = withTsig(query(0x0202), { mac: new Uint8Array(40) });
    const f = failure(verify(raw));
    const m = decode(tsigErrorResponse(decode(raw), f, { now: NOW }));
    expect(rcodeOf(m.header.flags)).toBe(Rcode.FormErr);
    expect(m.tsig).toBeUndefined();
    expect(m.header.arcount).toBe(0);
  });
  it('appendUnsignedTsigError keeps the names as the request spelled them', () => {
    const out = appendUnsignedTsigError(answer(9, 0), { keyName: n('Odd.Key.'), algorithm: n('HMAC-SHA1.'), timeSigned: 5 }, TsigErrorCode.BadKey);
    const rr = readTsigRR(out, tsigOffset(out));
    expect(rr.ok && [rr.value.keyName, rr.value.rdata.algorithm, rr.value.rdata.fudge]).toEqual(['Odd.Key.', 'HMAC-SHA1.', 300]);
  });
});

describe('verifyRequest (server glue)', () => {
  it('verified: signs answers over the request MAC, reserving exactly the TSIG size', () => {
    const req = signMessage(query(0x0a0a, 'example.com.', RRType.AXFR), sha256, { now: NOW });
    const m = decodeMessage(req.message);
    const v = m.ok ? verifyRequest(m.value, ring, { now: NOW }) : undefined;
    expect(v?.ok).toBe(true);
    if (v?.ok !== true) return;
    const body = answer(0x0a0a);
    const out = v.sign(body);
    expect(out.length - body.length).toBe(v.reserve);
    expect(verify(out, { requestMac: req.mac }).ok).toBe(true);
    expect(v.stream()).toBeDefined();
  });
  it('failed: carries the answer to send; no TSIG → undefined', () => {
    const req = signMessage(query(), sha256, { now: NOW + 5000 });
    const m = decodeMessage(req.message);
    const v = m.ok ? verifyRequest(m.value, ring, { now: NOW }) : undefined;
    expect(v).toMatchObject({ ok: false, error: 'BADTIME' });
    expect(v?.ok === false && rcodeOf((v.response[2]! << 8) | v.response[3]!)).toBe(Rcode.NotAuth);
    const plain = decodeMessage(query());
    expect(plain.ok && verifyRequest(plain.value, ring, { now: NOW })).toBeUndefined();
  });
});
