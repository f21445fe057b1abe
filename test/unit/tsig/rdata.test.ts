// Unit tests for src/tsig/rdata.ts: the TSIG RDATA and RR codec (RFC 8945 §4.2), u48 edges and
// malformed input.
import { describe, expect, it } from 'vitest';
import {
  MAX_U48, type TsigRdata, decodeTsigRdata, encodeTsigRR, encodeTsigRdata, readTsigRR, readU48, u48,
} from '../../../src/tsig/index.js';
import { hex, n, unhex } from './helpers.js';

const sample: TsigRdata = {
  algorithm: n('hmac-sha256.'),
  timeSigned: 0x0102_0304_0506,
  fudge: 300,
  mac: Uint8Array.from({ length: 32 }, (_, i) => i),
  originalId: 0xbeef,
  error: 18,
  otherData: u48(0x0000_6590_0000),
};

describe('TSIG RDATA (RFC 8945 §4.2)', () => {
  it('encodes the fields in order and decodes them back', () => {
    const wire = encodeTsigRdata(sample);
    expect(hex(wire)).toBe(
      '0b686d61632d73686132353600' + '010203040506' + '012c' + '0020' + hex(sample.mac) + 'beef' + '0012' + '0006' + '000065900000',
    );
    const back = decodeTsigRdata(wire);
    expect(back.ok).toBe(true);
    if (!back.ok) return;
    expect(back.value).toEqual({ ...sample });
    expect(readU48(back.value.otherData, 0)).toBe(0x6590_0000);
  });
  it('handles Time Signed at the u48 edges', () => {
    for (const t of [0, 1, 0xffff_ffff, 0x1_0000_0000, MAX_U48]) {
      const r = decodeTsigRdata(encodeTsigRdata({ ...sample, timeSigned: t }));
      expect(r.ok && r.value.timeSigned).toBe(t);
    }
    expect(() => encodeTsigRdata({ ...sample, timeSigned: MAX_U48 + 1 })).toThrow(RangeError);
    expect(() => encodeTsigRdata({ ...sample, timeSigned: 1.5 })).toThrow(RangeError);
  });
  it('rejects a compressed algorithm name, truncation and trailing octets', () => {
    const wire = encodeTsigRdata(sample);
    expect(decodeTsigRdata(unhex('c00c' + hex(wire).slice(26)))).toMatchObject({ ok: false, error: { reason: 'bad-algorithm-name' } });
    for (const cut of [5, 13, 20, 40, wire.length - 7, wire.length - 1]) {
      expect(decodeTsigRdata(wire.subarray(0, cut))).toMatchObject({ ok: false, error: { kind: 'bad-tsig' } });
    }
    expect(decodeTsigRdata(Uint8Array.of(...wire, 0))).toMatchObject({ ok: false, error: { reason: 'trailing-bytes' } });
  });
  it('builds the whole RR: owner, TYPE 250, CLASS ANY, TTL 0, RDLENGTH', () => {
    const rr = encodeTsigRR(n('k.example.'), { ...sample, mac: new Uint8Array(0), otherData: new Uint8Array(0), error: 0 });
    expect(hex(rr.subarray(0, 21))).toBe('016b076578616d706c6500' + '00fa' + '00ff' + '00000000' + '001d');
    expect(rr.length).toBe(21 + 0x1d);
    const msg = Uint8Array.of(...new Uint8Array(12), ...rr);
    const back = readTsigRR(msg, 12);
    expect(back.ok && back.value.keyName).toBe('k.example.');
    expect(back.ok && back.value.rdata.originalId).toBe(0xbeef);
  });
  it('readTsigRR insists on TYPE TSIG, CLASS ANY and being last', () => {
    const rr = encodeTsigRR(n('k.'), sample);
    const head = new Uint8Array(12);
    const bad = Uint8Array.from(rr);
    bad[5] = 1; // CLASS IN
    expect(readTsigRR(Uint8Array.of(...head, ...bad), 12)).toMatchObject({ ok: false, error: { reason: 'bad-class' } });
    bad[5] = 0xff;
    bad[4] = 0xfb; // TYPE 251 (IXFR)
    expect(readTsigRR(Uint8Array.of(...head, ...bad), 12)).toMatchObject({ ok: false, error: { reason: 'not-tsig' } });
    expect(readTsigRR(Uint8Array.of(...head, ...rr, 0), 12)).toMatchObject({ ok: false, error: { reason: 'trailing-bytes' } });
    expect(readTsigRR(Uint8Array.of(...head, ...rr.subarray(0, 10)), 12)).toMatchObject({ ok: false, error: { reason: 'truncated' } });
  });
});
