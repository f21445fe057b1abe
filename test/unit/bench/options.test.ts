// Command-line values of `zonexfer bench` (src/bench/options.ts) and each mode's flag parsing.
import { describe, expect, it } from 'vitest';
import { parseAxfrArgs } from '../../../src/bench/axfr.js';
import { parseNotifyArgs } from '../../../src/bench/notify.js';
import { formatEndpoint, parseDuration, parseEndpoint, parseFlags, parseTsigSpec } from '../../../src/bench/options.js';
import { parseQueryArgs } from '../../../src/bench/query.js';

describe('bench options', () => {
  it('reads endpoints', () => {
    expect(parseEndpoint('127.0.0.1:5300', 'server')).toEqual({ ok: true, value: { host: '127.0.0.1', port: 5300 } });
    expect(parseEndpoint('ns1.example', 'server')).toEqual({ ok: true, value: { host: 'ns1.example', port: 53 } });
    expect(parseEndpoint('[::1]:5300', 'server')).toEqual({ ok: true, value: { host: '::1', port: 5300 } });
    expect(parseEndpoint('::1', 'server')).toEqual({ ok: true, value: { host: '::1', port: 53 } });
    expect(parseEndpoint('127.0.0.1:0', 'server').ok).toBe(false);
    expect(parseEndpoint('127.0.0.1:x', 'server').ok).toBe(false);
    expect(parseEndpoint(':53', 'server').ok).toBe(false);
    expect(formatEndpoint({ host: '::1', port: 53 })).toBe('[::1]:53');
  });

  it('reads durations in ms', () => {
    expect(parseDuration('30s', 'd')).toEqual({ ok: true, value: 30_000 });
    expect(parseDuration('500ms', 'd')).toEqual({ ok: true, value: 500 });
    expect(parseDuration('2m', 'd')).toEqual({ ok: true, value: 120_000 });
    expect(parseDuration('1.5', 'd')).toEqual({ ok: true, value: 1500 });
    expect(parseDuration('0s', 'd').ok).toBe(false);
    expect(parseDuration('soon', 'd').ok).toBe(false);
  });

  it('reads ALG:NAME:SECRET keys without echoing the secret', () => {
    const k = parseTsigSpec('hmac-sha256:xfr-key:c2VjcmV0c2VjcmV0', 'tsig');
    expect(k).toMatchObject({ ok: true, value: { name: 'xfr-key.', algorithm: 'hmac-sha256.' } });
    const bad = parseTsigSpec('hmac-sha256:xfr-key:not*base64', 'tsig');
    expect(bad.ok).toBe(false);
    expect(!bad.ok && bad.error).not.toContain('not*base64');
    expect(parseTsigSpec('hmac-sha256:only-two', 'tsig').ok).toBe(false);
    expect(parseTsigSpec('hmac-nope:k:c2VjcmV0', 'tsig').ok).toBe(false);
  });

  it('parses flags, =values and booleans; rejects unknown flags and positionals', () => {
    expect(parseFlags(['--a', '1', '--b=2', '--c'], { a: 'value', b: 'value', c: 'bool' })).toMatchObject({ ok: true });
    expect(parseFlags(['--nope'], { a: 'value' }).ok).toBe(false);
    expect(parseFlags(['--a'], { a: 'value' }).ok).toBe(false);
    expect(parseFlags(['--a', '--c'], { a: 'value', c: 'bool' }).ok).toBe(false);
    expect(parseFlags(['stray'], { a: 'value' }).ok).toBe(false);
    expect(parseFlags(['--toString'], { a: 'value' }).ok).toBe(false);
  });

  it('parses each mode with defaults and one error line', () => {
    expect(parseAxfrArgs(['--server', '127.0.0.1:53', '--zone', 'example.com'])).toMatchObject({
      ok: true, value: { zone: 'example.com.', concurrency: 1, transfers: 10, durationMs: undefined, timeoutMs: 60_000, maxFailures: 10, json: false },
    });
    expect(parseAxfrArgs(['--server', 'h', '--zone', 'z', '--duration', '5s', '--ixfr', '7', '--json'])).toMatchObject({
      ok: true, value: { transfers: undefined, durationMs: 5000, ixfrSerial: 7, json: true },
    });
    expect(parseAxfrArgs(['--server', 'h', '--zone', 'z', '--duration', '5s', '--transfers', '3'])).toMatchObject({ ok: false });
    expect(parseAxfrArgs(['--zone', 'z'])).toEqual({ ok: false, error: '--server HOST:PORT is required' });
    expect(parseAxfrArgs(['--server', 'h', '--zone', 'z', '--concurrency', '0']).ok).toBe(false);
    expect(parseNotifyArgs(['--target', 'h:1', '--zone', 'z'])).toMatchObject({ ok: true, value: { count: 10, concurrency: 1, timeoutMs: 2000 } });
    expect(parseQueryArgs(['--server', 'h:1', '--zone', 'z', '--random'])).toMatchObject({ ok: true, value: { durationMs: 10_000, concurrency: 10, random: true } });
  });
});
