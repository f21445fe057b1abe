// Unit tests for src/tsig/stream.ts: signer → verifier round trips with unsigned messages in
// between, the 100-unsigned limit, last-unsigned and the other stream failures.
import { describe, expect, it } from 'vitest';
import { decodeMessage } from '../../../src/wire/index.js';
import {
  MAX_UNSIGNED_RUN, TSIG_ALGORITHMS, type TsigFailure, TsigStreamSigner, TsigStreamVerifier, readTsigRR, signMessage,
} from '../../../src/tsig/index.js';
import { NOW, answer, keyFor, query } from './helpers.js';

const key = keyFor('hmac-sha256.');
const request = signMessage(query(0x5151), key, { now: NOW });

/** A transfer answer split into `count` messages of 50 records each. */
const parts = (count: number, id = 0x5151): Uint8Array[] => Array.from({ length: count }, (_, i) => answer(id, 50, 'xfr.example.', i * 50));

function offsetOf(raw: Uint8Array): number | undefined {
  const m = decodeMessage(raw);
  if (!m.ok) throw new Error('decode failed');
  return m.value.tsig?.offset;
}

/** run feeds `msgs` to a fresh verifier and returns every step plus finish(). */
function run(msgs: Uint8Array[], v = new TsigStreamVerifier(key, request.mac)) {
  const steps = msgs.map((m, i) => v.verify(m, offsetOf(m), NOW + i));
  return { steps, finish: v.finish(), v };
}

function fail(r: { ok: boolean; error?: TsigFailure }): TsigFailure {
  if (r.ok || r.error === undefined) throw new Error('expected a failure');
  return r.error;
}

describe('TsigStreamSigner → TsigStreamVerifier (RFC 8945 §5.3.1)', () => {
  it.each(TSIG_ALGORITHMS)('%s: every message signed', (alg) => {
    const k = keyFor(alg);
    const req = signMessage(query(0x5151), k, { now: NOW });
    const s = new TsigStreamSigner(k, req.mac);
    const out = parts(5).map((m, i) => s.sign(m, NOW + i));
    expect(s.messages).toBe(5);
    const v = new TsigStreamVerifier(k, req.mac);
    const { steps, finish } = run(out, v);
    expect(steps.every((r) => r.ok && r.value.signed)).toBe(true);
    expect(finish).toEqual({ ok: true, value: { messages: 5 } });
    // Each later TSIG RR carries full RDATA; Time Signed follows `now`.
    const rr = readTsigRR(out[3]!, offsetOf(out[3]!)!);
    expect(rr.ok && [rr.value.rdata.timeSigned, rr.value.rdata.algorithm, rr.value.rdata.originalId]).toEqual([NOW + 3, alg, 0x5151]);
  });

  it('unsigned messages in between are covered by the next signature', () => {
    const s = new TsigStreamSigner(key, request.mac);
    const m = parts(7);
    const out = [s.sign(m[0]!, NOW), s.pass(m[1]!), s.pass(m[2]!), s.sign(m[3]!, NOW + 3), s.pass(m[4]!), s.sign(m[5]!, NOW + 5), s.sign(m[6]!, NOW + 6)];
    const v = new TsigStreamVerifier(key, request.mac);
    const states: string[] = [v.state];
    for (const [i, msg] of out.entries()) {
      const r = v.verify(msg, offsetOf(msg), NOW + i);
      expect(r.ok).toBe(true);
      states.push(v.state);
    }
    expect(states).toEqual(['first', 'signed', 'unsigned', 'unsigned', 'signed', 'unsigned', 'signed', 'signed']);
    expect(v.finish()).toEqual({ ok: true, value: { messages: 7 } });
  });

  it('a changed, dropped or reordered unsigned message breaks the next signature', () => {
    const s = new TsigStreamSigner(key, request.mac);
    const m = parts(4);
    const out = [s.sign(m[0]!, NOW), s.pass(m[1]!), s.pass(m[2]!), s.sign(m[3]!, NOW + 3)];
    const changed = out.map((x) => Uint8Array.from(x));
    changed[2]![40]! ^= 1;
    expect(fail(run(changed).steps[3]!)).toMatchObject({ rcode: 'BADSIG', reason: 'mac-mismatch' });
    expect(fail(run([out[0]!, out[2]!, out[3]!]).steps[2]!).rcode).toBe('BADSIG');
    expect(fail(run([out[0]!, out[2]!, out[1]!, out[3]!]).steps[3]!).rcode).toBe('BADSIG');
  });

  it('later messages use the timers-only digest: a fully signed later message fails', () => {
    const s = new TsigStreamSigner(key, request.mac);
    const first = s.sign(parts(1)[0]!, NOW);
    const lone = signMessage(parts(2)[1]!, key, { now: NOW, requestMac: s.mac! }).message;
    expect(fail(run([first, lone]).steps[1]!).rcode).toBe('BADSIG');
  });

  it('a later message whose ID was changed by a forwarder still verifies (Original ID)', () => {
    const s = new TsigStreamSigner(key, request.mac);
    const out = parts(3).map((m, i) => s.sign(m, NOW + i));
    out[2]![0] = 0x99;
    expect(run(out).finish.ok).toBe(true);
  });
});

describe('TsigStreamVerifier failures', () => {
  const signedFirst = () => {
    const s = new TsigStreamSigner(key, request.mac);
    return { s, first: s.sign(parts(1)[0]!, NOW) };
  };

  it(`accepts ${MAX_UNSIGNED_RUN} unsigned messages in a row`, () => {
    const { s, first } = signedFirst();
    const out = [first];
    for (let i = 0; i < 99; i++) out.push(s.pass(answer(0x5151, 1, 'xfr.example.', i)));
    out.push(s.sign(answer(0x5151, 1, 'xfr.example.', 999), NOW + 1));
    const { steps, finish } = run(out);
    expect(steps[99]).toEqual({ ok: true, value: { signed: false, unsignedRun: 99 } });
    expect(finish).toEqual({ ok: true, value: { messages: 101 } });
  });

  it('fails at the 100th unsigned message in a row (as Knot does)', () => {
    const { first } = signedFirst();
    const v = new TsigStreamVerifier(key, request.mac);
    expect(v.verify(first, offsetOf(first), NOW).ok).toBe(true);
    const unsigned = answer(0x5151, 1);
    for (let i = 1; i <= 99; i++) expect(v.verify(unsigned, undefined, NOW).ok).toBe(true);
    expect(fail(v.verify(unsigned, undefined, NOW))).toEqual({ rcode: 'BADSIG', reason: 'too-many-unsigned', unsignedCount: 100 });
    expect(v.state).toBe('failed');
    // Every later call returns the same failure.
    expect(fail(v.verify(first, offsetOf(first), NOW)).reason).toBe('too-many-unsigned');
    expect(fail(v.finish()).reason).toBe('too-many-unsigned');
  });

  it('the signer refuses to pass the first message or a 100th unsigned one', () => {
    const fresh = new TsigStreamSigner(key, request.mac);
    expect(() => fresh.pass(answer())).toThrow(/first message/);
    const { s } = signedFirst();
    for (let i = 0; i < 99; i++) s.pass(answer());
    expect(() => s.pass(answer())).toThrow(/every 100/);
  });

  it('fails when the last message is unsigned', () => {
    const { s, first } = signedFirst();
    const { steps, finish } = run([first, s.pass(parts(2)[1]!)]);
    expect(steps.every((r) => r.ok)).toBe(true);
    expect(fail(finish)).toEqual({ rcode: 'BADSIG', reason: 'last-unsigned', unsignedCount: 1 });
  });

  it('fails when the first message is unsigned, or nothing arrived', () => {
    expect(fail(run([answer(0x5151)]).steps[0]!)).toMatchObject({ rcode: 'FORMERR', reason: 'missing-tsig' });
    expect(fail(new TsigStreamVerifier(key, request.mac).finish())).toMatchObject({ rcode: 'FORMERR', reason: 'missing-tsig' });
  });

  it('the first message must cover our request MAC', () => {
    const other = signMessage(query(0x5151), key, { now: NOW + 1 });
    const s = new TsigStreamSigner(key, other.mac);
    const first = s.sign(parts(1)[0]!, NOW);
    expect(fail(run([first]).steps[0]!)).toMatchObject({ rcode: 'BADSIG', reason: 'mac-mismatch' });
  });

  it('BADTIME outside the fudge, or signed earlier than the previous message', () => {
    const s = new TsigStreamSigner(key, request.mac);
    const m = parts(3);
    const out = [s.sign(m[0]!, NOW), s.sign(m[1]!, NOW + 1000)];
    expect(fail(run(out).steps[1]!)).toMatchObject({ rcode: 'BADTIME', reason: 'outside-fudge', timeSigned: NOW + 1000 });
    const s2 = new TsigStreamSigner(key, request.mac);
    const back = [s2.sign(m[0]!, NOW + 10), s2.sign(m[1]!, NOW + 5)];
    const v = new TsigStreamVerifier(key, request.mac);
    expect(v.verify(back[0]!, offsetOf(back[0]!), NOW).ok).toBe(true);
    expect(fail(v.verify(back[1]!, offsetOf(back[1]!), NOW))).toMatchObject({ rcode: 'BADTIME', reason: 'earlier-than-previous' });
  });

  it('BADKEY when a later message names another key', () => {
    const s = new TsigStreamSigner(key, request.mac);
    const first = s.sign(parts(1)[0]!, NOW);
    const other = new TsigStreamSigner(keyFor('hmac-sha256.', 'other.key.'), request.mac);
    other.sign(parts(1)[0]!, NOW);
    const second = other.sign(parts(2)[1]!, NOW);
    expect(fail(run([first, second]).steps[1]!)).toMatchObject({ rcode: 'BADKEY', reason: 'unknown-key', keyName: 'other.key.' });
  });

  it('a truncated MAC chain verifies; local policy can refuse it', () => {
    const s = new TsigStreamSigner(key, request.mac, { macLength: 16 });
    const out = parts(3).map((m, i) => s.sign(m, NOW + i));
    expect(run(out).finish.ok).toBe(true);
    const strict = new TsigStreamVerifier(key, request.mac, { minMacLength: 32 });
    expect(fail(run(out, strict).steps[0]!)).toMatchObject({ rcode: 'BADTRUNC' });
  });
});
