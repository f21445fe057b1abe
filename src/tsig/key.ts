// TSIG keys: the closed set of HMAC algorithms (RFC 8945 §6, RFC 4635), their names in canonical
// form, and the secret parser. Pure: no I/O. Deviation: a secret made only of hex digits (even
// length) is read as hex, as the Cloudflare API examples are; BIND would read it as base64. Pass
// `encoding` to parseTsigSecret to force one reading.

import { type DomainName, type NameError, nameKey, nameToWire, parseName } from '../wire/index.js';
import { type Result, ok, err } from '../wire/index.js';

/** TsigAlgorithm is an HMAC algorithm name in canonical form (RFC 8945 §6 table). */
export type TsigAlgorithm =
  | 'hmac-md5.sig-alg.reg.int.'
  | 'hmac-sha1.'
  | 'hmac-sha224.'
  | 'hmac-sha256.'
  | 'hmac-sha384.'
  | 'hmac-sha512.';

/** TsigKey is a shared secret: key name, algorithm and the raw secret octets. */
export interface TsigKey {
  readonly name: DomainName;
  readonly algorithm: TsigAlgorithm;
  readonly secret: Uint8Array;
}

/** TsigKeyError is the closed set of ways key material can be rejected; it never holds the secret. */
export type TsigKeyError =
  | { readonly kind: 'bad-key-name'; readonly name: string; readonly cause: NameError }
  | { readonly kind: 'unknown-algorithm'; readonly algorithm: string }
  | { readonly kind: 'bad-secret'; readonly reason: 'empty' | 'not-base64' | 'not-hex' };

interface AlgorithmInfo {
  /** node:crypto digest name. */
  readonly hash: 'md5' | 'sha1' | 'sha224' | 'sha256' | 'sha384' | 'sha512';
  /** Keyed-hash output length in octets. */
  readonly size: number;
}

const INFO: Readonly<Record<TsigAlgorithm, AlgorithmInfo>> = {
  'hmac-md5.sig-alg.reg.int.': { hash: 'md5', size: 16 },
  'hmac-sha1.': { hash: 'sha1', size: 20 },
  'hmac-sha224.': { hash: 'sha224', size: 28 },
  'hmac-sha256.': { hash: 'sha256', size: 32 },
  'hmac-sha384.': { hash: 'sha384', size: 48 },
  'hmac-sha512.': { hash: 'sha512', size: 64 },
};

/** TSIG_ALGORITHMS lists every supported algorithm in canonical form. */
export const TSIG_ALGORITHMS: readonly TsigAlgorithm[] = Object.keys(INFO) as TsigAlgorithm[];

/**
 * algorithmFromWire maps an algorithm name read from a TSIG RDATA to a TsigAlgorithm, comparing
 * in canonical (lower-case) form (RFC 8945 §4.2, RFC 4034 §6.2). No aliases: on the wire only the
 * registered names are valid. Undefined for anything else (the caller answers BADKEY, §5.2.1).
 */
export function algorithmFromWire(name: string): TsigAlgorithm | undefined {
  const lower = nameKey(name);
  return Object.hasOwn(INFO, lower) ? (lower as TsigAlgorithm) : undefined;
}

/**
 * parseTsigAlgorithm reads an algorithm from configuration or API text: case-insensitive, with or
 * without the trailing dot, and `hmac-md5` as an alias of `hmac-md5.sig-alg.reg.int.`. Fails with
 * `unknown-algorithm` for anything else.
 */
export function parseTsigAlgorithm(text: string): Result<TsigAlgorithm, TsigKeyError> {
  const t = text.trim();
  const abs = nameKey(t.endsWith('.') ? t : `${t}.`);
  const alg = abs === 'hmac-md5.' ? 'hmac-md5.sig-alg.reg.int.' : algorithmFromWire(abs);
  return alg === undefined ? err({ kind: 'unknown-algorithm', algorithm: text }) : ok(alg);
}

/** macLength is the full keyed-hash output length of `alg` in octets. */
export function macLength(alg: TsigAlgorithm): number {
  return INFO[alg].size;
}

/** hashName is the node:crypto digest name behind `alg`. */
export function hashName(alg: TsigAlgorithm): AlgorithmInfo['hash'] {
  return INFO[alg].hash;
}

/**
 * minimumMacLength is the shortest truncated MAC RFC 8945 §5.2.2.1 allows for `alg`: the larger
 * of 10 octets and half the hash output.
 */
export function minimumMacLength(alg: TsigAlgorithm): number {
  return Math.max(10, Math.ceil(INFO[alg].size / 2));
}

/**
 * canonicalWire returns the uncompressed wire form of `name` with ASCII letters lower-cased
 * (RFC 4034 §6.2), as the TSIG digest needs for the key and algorithm names (RFC 8945 §4.3.3).
 * Length octets are at most 63, below 'A', so folding every octet in 0x41–0x5a is safe.
 */
export function canonicalWire(name: DomainName): Uint8Array {
  const wire = nameToWire(name);
  const out = new Uint8Array(wire.length);
  for (let i = 0; i < wire.length; i++) {
    const b = wire[i]!;
    out[i] = b >= 0x41 && b <= 0x5a ? b | 0x20 : b;
  }
  return out;
}

const HEX = /^(?:[0-9a-fA-F]{2})+$/;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/**
 * parseTsigSecret decodes a secret given as base64 (BIND `secret "…"`, tsig-keygen) or hex (the
 * Cloudflare API examples: 128 hex digits). Whitespace is ignored. With `encoding: 'auto'` (the
 * default) text made only of hex digits with an even length is hex, anything else must be padded
 * base64. Fails with `bad-secret` (`empty`, `not-base64` or `not-hex`); the error never echoes
 * the text.
 */
export function parseTsigSecret(text: string, encoding: 'auto' | 'base64' | 'hex' = 'auto'): Result<Uint8Array, TsigKeyError> {
  const t = text.replace(/\s+/g, '');
  if (t.length === 0) return err({ kind: 'bad-secret', reason: 'empty' });
  if (encoding === 'hex' || (encoding === 'auto' && HEX.test(t))) {
    if (!HEX.test(t)) return err({ kind: 'bad-secret', reason: 'not-hex' });
    return ok(new Uint8Array(Buffer.from(t, 'hex')));
  }
  if (t.length % 4 !== 0 || !BASE64.test(t)) return err({ kind: 'bad-secret', reason: 'not-base64' });
  const bytes = Buffer.from(t, 'base64');
  // Reject non-canonical encodings (stray bits in the last character) by re-encoding.
  if (bytes.length === 0 || bytes.toString('base64') !== t) return err({ kind: 'bad-secret', reason: 'not-base64' });
  return ok(new Uint8Array(bytes));
}

/**
 * makeKey builds a TsigKey from text: a key name (absolute or not; a relative name is taken as
 * absolute), an algorithm (see parseTsigAlgorithm) and a secret (see parseTsigSecret). Fails with
 * the first TsigKeyError found.
 */
export function makeKey(name: string, algorithm: string, secretText: string): Result<TsigKey, TsigKeyError> {
  const n = name.trim();
  const parsed = parseName(n.endsWith('.') ? n : `${n}.`);
  if (!parsed.ok) return err({ kind: 'bad-key-name', name, cause: parsed.error });
  const alg = parseTsigAlgorithm(algorithm);
  if (!alg.ok) return alg;
  const secret = parseTsigSecret(secretText);
  if (!secret.ok) return secret;
  return ok({ name: parsed.value, algorithm: alg.value, secret: secret.value });
}

/** describeTsigKeyError renders a TsigKeyError for logs and API messages. */
export function describeTsigKeyError(e: TsigKeyError): string {
  switch (e.kind) {
    case 'bad-key-name':
      return `invalid TSIG key name "${e.name}"`;
    case 'unknown-algorithm':
      return `unknown TSIG algorithm "${e.algorithm}" (expected one of ${TSIG_ALGORITHMS.join(', ')})`;
    case 'bad-secret':
      return e.reason === 'empty' ? 'empty TSIG secret' : `TSIG secret is not valid ${e.reason === 'not-hex' ? 'hex' : 'base64'}`;
  }
}
