// Unit tests for src/tsig/key.ts: algorithm names in every accepted spelling, base64 and hex
// secrets, makeKey, canonical wire names.
import { describe, expect, it } from 'vitest';
import {
  TSIG_ALGORITHMS, algorithmFromWire, canonicalWire, describeTsigKeyError, macLength, makeKey, minimumMacLength,
  parseTsigAlgorithm, parseTsigSecret,
} from '../../../src/tsig/index.js';
import { hex, n } from './helpers.js';

describe('parseTsigAlgorithm', () => {
  it.each([
    ['hmac-sha256', 'hmac-sha256.'],
    ['hmac-sha256.', 'hmac-sha256.'],
    ['HMAC-SHA256', 'hmac-sha256.'],
    ['Hmac-Sha512.', 'hmac-sha512.'],
    ['hmac-sha1', 'hmac-sha1.'],
    ['hmac-sha224.', 'hmac-sha224.'],
    ['hmac-sha384', 'hmac-sha384.'],
    ['hmac-md5', 'hmac-md5.sig-alg.reg.int.'],
    ['HMAC-MD5.', 'hmac-md5.sig-alg.reg.int.'],
    ['hmac-md5.sig-alg.reg.int', 'hmac-md5.sig-alg.reg.int.'],
    ['HMAC-MD5.SIG-ALG.REG.INT.', 'hmac-md5.sig-alg.reg.int.'],
  ])('%s → %s', (text, want) => {
    expect(parseTsigAlgorithm(text)).toEqual({ ok: true, value: want });
  });
  it.each(['hmac-sha3', 'sha256', '', 'hmac-md5.sig-alg', 'gss-tsig'])('rejects %j', (text) => {
    expect(parseTsigAlgorithm(text)).toEqual({ ok: false, error: { kind: 'unknown-algorithm', algorithm: text } });
  });
  it('algorithmFromWire takes registered names in any case but no alias', () => {
    expect(algorithmFromWire('HMAC-SHA256.')).toBe('hmac-sha256.');
    expect(algorithmFromWire('hmac-md5.sig-alg.reg.int.')).toBe('hmac-md5.sig-alg.reg.int.');
    expect(algorithmFromWire('hmac-md5.')).toBeUndefined();
    expect(algorithmFromWire('hmac-sha256')).toBeUndefined();
    expect(algorithmFromWire('constructor')).toBeUndefined();
  });
  it('knows hash sizes and the RFC 8945 §5.2.2.1 minimum truncation', () => {
    expect(TSIG_ALGORITHMS.map((a) => [macLength(a), minimumMacLength(a)])).toEqual([
      [16, 10], [20, 10], [28, 14], [32, 16], [48, 24], [64, 32],
    ]);
  });
});

describe('parseTsigSecret', () => {
  it('reads BIND-style base64', () => {
    const r = parseTsigSecret('c2VjcmV0');
    expect(r.ok && Buffer.from(r.value).toString()).toBe('secret');
  });
  it('reads the 128-hex-digit Cloudflare example as 64 octets', () => {
    const text = 'caf79a7804b04337c9c66ccd7bef9190a1e1679b5dd03d8aa10f7ad45e1a9dab92b417896c15d4d007c7c14194538d2a5d0feffdecc5a7f0e1c570cfa700837c';
    const r = parseTsigSecret(text);
    expect(r.ok && r.value.length).toBe(64);
    expect(r.ok && hex(r.value)).toBe(text);
    // The same text read as base64 (what BIND would do) is 96 octets: forced reading is available.
    const b = parseTsigSecret(text, 'base64');
    expect(b.ok && b.value.length).toBe(96);
  });
  it('ignores whitespace and accepts upper-case hex', () => {
    const r = parseTsigSecret(' DEAD beef\n');
    expect(r.ok && hex(r.value)).toBe('deadbeef');
  });
  it('rejects empty, malformed and non-canonical input without echoing it', () => {
    expect(parseTsigSecret('')).toEqual({ ok: false, error: { kind: 'bad-secret', reason: 'empty' } });
    expect(parseTsigSecret('not base64!')).toEqual({ ok: false, error: { kind: 'bad-secret', reason: 'not-base64' } });
    expect(parseTsigSecret('abc')).toEqual({ ok: false, error: { kind: 'bad-secret', reason: 'not-base64' } });
    expect(parseTsigSecret('c2VjcmV1=')).toMatchObject({ ok: false });
    expect(parseTsigSecret('YQ=')).toMatchObject({ ok: false, error: { reason: 'not-base64' } });
    expect(parseTsigSecret('YR==')).toMatchObject({ ok: false, error: { reason: 'not-base64' } }); // stray bits
    expect(parseTsigSecret('abc', 'hex')).toEqual({ ok: false, error: { kind: 'bad-secret', reason: 'not-hex' } });
  });
});

describe('makeKey', () => {
  it('builds a key from text', () => {
    const r = makeKey('Transfer.Key.Example', 'HMAC-SHA256.', 'c2VjcmV0');
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.name).toBe('Transfer.Key.Example.');
    expect(r.value.algorithm).toBe('hmac-sha256.');
    expect(Buffer.from(r.value.secret).toString()).toBe('secret');
  });
  it('fails on the first bad part', () => {
    expect(makeKey('a..b', 'hmac-sha256', 'c2VjcmV0')).toMatchObject({ ok: false, error: { kind: 'bad-key-name' } });
    expect(makeKey('k.', 'hmac-sha3', 'c2VjcmV0')).toMatchObject({ ok: false, error: { kind: 'unknown-algorithm' } });
    expect(makeKey('k.', 'hmac-sha1', '***')).toMatchObject({ ok: false, error: { kind: 'bad-secret' } });
  });
  it('describes errors without the secret', () => {
    const r = makeKey('k.', 'hmac-sha1', 'zz top!');
    expect(!r.ok && describeTsigKeyError(r.error)).toBe('TSIG secret is not valid base64');
    const a = makeKey('k.', 'rot13', 'c2VjcmV0');
    expect(!a.ok && describeTsigKeyError(a.error)).toMatch(/unknown TSIG algorithm "rot13"/);
  });
});

describe('canonicalWire', () => {
  it('lower-cases letters only (RFC 4034 §6.2)', () => {
    expect(hex(canonicalWire(n('Ab-Z.EXAMPLE.')))).toBe('046162' + '2d7a' + '076578616d706c6500');
    expect(hex(canonicalWire(n('\\065\\[.x.')))).toBe('02615b017800');
  });
});
