// Command-line values of `zonexfer bench`: flags (`--flag VALUE`, `--flag=VALUE`, booleans),
// HOST:PORT, durations (`30s`, `500ms`, `2m`), counts and `ALG:NAME:SECRET` TSIG keys. Every
// failure is one message naming the flag. Pure: no I/O.

import { type TsigKey, describeTsigKeyError, makeKey } from '../tsig/index.js';
import { type DomainName, parseName } from '../wire/index.js';
import { type Result, ok, err } from '../wire/result.js';

/** FlagSpec: the flags a mode takes; `true` marks a boolean flag (no value). */
export type FlagSpec = Readonly<Record<string, 'value' | 'bool'>>;

/** Flags are the parsed flags: the last value of each, `'true'` for booleans. */
export type Flags = ReadonlyMap<string, string>;

/** parseFlags reads `args` against `spec`; fails on unknown flags, missing values, positionals. */
export function parseFlags(args: readonly string[], spec: FlagSpec): Result<Flags, string> {
  const out = new Map<string, string>();
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (!a.startsWith('--') || a === '--') return err(`unexpected argument ${JSON.stringify(a)}`);
    const eq = a.indexOf('=');
    const name = eq < 0 ? a.slice(2) : a.slice(2, eq);
    const kind = Object.hasOwn(spec, name) ? spec[name] : undefined;
    if (kind === undefined) return err(`unknown flag --${name}`);
    if (kind === 'bool') {
      if (eq >= 0) return err(`--${name} takes no value`);
      out.set(name, 'true');
      continue;
    }
    let v: string | undefined;
    if (eq >= 0) v = a.slice(eq + 1);
    else {
      v = args[i + 1];
      if (v === undefined || v.startsWith('--')) return err(`--${name} needs a value`);
      i++;
    }
    out.set(name, v);
  }
  return ok(out);
}

/** Endpoint is a server address as given: a host name or IP literal and a port. */
export interface Endpoint {
  readonly host: string;
  readonly port: number;
}

/** parseEndpoint reads `HOST:PORT`, `[IPv6]:PORT`, a bare IPv6 literal, or `HOST` (port 53). */
export function parseEndpoint(text: string, flag: string): Result<Endpoint, string> {
  let host = text;
  let portText: string | undefined;
  const bracket = /^\[([^\]]+)\](?::(\d+))?$/.exec(text);
  if (bracket !== null) {
    host = bracket[1]!;
    portText = bracket[2];
  } else if (text.indexOf(':') === text.lastIndexOf(':') && text.includes(':')) {
    host = text.slice(0, text.indexOf(':'));
    portText = text.slice(text.indexOf(':') + 1);
  }
  if (host === '') return err(`--${flag}: no host in ${JSON.stringify(text)}`);
  if (portText === undefined) return ok({ host, port: 53 });
  const port = Number(portText);
  if (!/^\d+$/.test(portText) || port < 1 || port > 65535) return err(`--${flag}: bad port in ${JSON.stringify(text)}`);
  return ok({ host, port });
}

/** formatEndpoint renders an Endpoint back as HOST:PORT ([v6]:PORT). */
export function formatEndpoint(e: Endpoint): string {
  return e.host.includes(':') ? `[${e.host}]:${e.port}` : `${e.host}:${e.port}`;
}

const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** parseDuration reads `500ms`, `30s`, `2m`, `1h` or a bare number of seconds; returns ms. */
export function parseDuration(text: string, flag: string): Result<number, string> {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim());
  if (m === null) return err(`--${flag}: bad duration ${JSON.stringify(text)} (e.g. 30s, 500ms, 2m)`);
  const ms = Number(m[1]) * UNIT_MS[m[2] ?? 's']!;
  if (!(ms > 0) || ms > 7 * 86_400_000) return err(`--${flag}: duration out of range (0 < d ≤ 7 days)`);
  return ok(ms);
}

/** parseCount reads an integer in [min, max]. */
export function parseCount(text: string, flag: string, min: number, max: number): Result<number, string> {
  const n = Number(text);
  if (!/^\d+$/.test(text) || n < min || n > max) return err(`--${flag}: expected an integer from ${min} to ${max}, got ${JSON.stringify(text)}`);
  return ok(n);
}

/** parseZone reads a zone name, absolute or not (a relative name is taken as absolute). */
export function parseZone(text: string, flag: string): Result<DomainName, string> {
  const t = text.trim();
  const r = parseName(t.endsWith('.') ? t : `${t}.`);
  return r.ok ? ok(r.value) : err(`--${flag}: bad zone name ${JSON.stringify(text)}`);
}

/**
 * parseTsigSpec reads `ALG:NAME:SECRET` as kdig's `-y` does (e.g. `hmac-sha256:xfr-key:c2VjcmV0…`);
 * the secret is base64 or hex (see parseTsigSecret). The error never echoes the secret.
 */
export function parseTsigSpec(text: string, flag: string): Result<TsigKey, string> {
  const a = text.indexOf(':');
  const b = a < 0 ? -1 : text.indexOf(':', a + 1);
  if (a < 0 || b < 0) return err(`--${flag}: expected ALG:NAME:SECRET`);
  const key = makeKey(text.slice(a + 1, b), text.slice(0, a), text.slice(b + 1));
  return key.ok ? key : err(`--${flag}: ${describeTsigKeyError(key.error)}`);
}
