// How a stored TSIG row is read: the API stores `algo` and `secret` exactly as sent (Terraform echoes
// them back), so readers use these to get the canonical RFC 8945 algorithm name and the key bytes.
// The secret may be hex (Cloudflare's examples) or base64 (BIND's form); see decodeTsigSecret.

/** TSIG_ALGORITHMS are the accepted algorithm names, canonical (RFC 8945 §6, lower-case, absolute). */
export const TSIG_ALGORITHMS = [
  'hmac-md5.sig-alg.reg.int.',
  'hmac-sha1.',
  'hmac-sha224.',
  'hmac-sha256.',
  'hmac-sha384.',
  'hmac-sha512.',
] as const;

export type TsigAlgorithm = (typeof TSIG_ALGORITHMS)[number];

/**
 * canonicalTsigAlgorithm maps an accepted spelling (any case, with or without the trailing dot, and
 * the short "hmac-md5") to its canonical name; undefined when not accepted.
 */
export function canonicalTsigAlgorithm(algo: string): TsigAlgorithm | undefined {
  let name = algo.toLowerCase();
  if (!name.endsWith('.')) name += '.';
  if (name === 'hmac-md5.') name = 'hmac-md5.sig-alg.reg.int.';
  return TSIG_ALGORITHMS.find((a) => a === name);
}

const HEX = /^(?:[0-9a-fA-F]{2})+$/;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** isHexSecret: an even number of hex digits. */
export function isHexSecret(secret: string): boolean {
  return HEX.test(secret);
}

/** isBase64Secret: canonical padded base64 (RFC 4648 §4), not empty. */
export function isBase64Secret(secret: string): boolean {
  return secret.length > 0 && BASE64.test(secret);
}

/**
 * decodeTsigSecret returns the key bytes. Rule (documented in docs/api-errors.md's notes): a secret
 * made only of hex digits, of even length, is hex; anything else is base64. A base64 secret that
 * happens to be all hex digits is therefore read as hex — improbable for random keys of 16+ bytes.
 * Returns undefined for a secret that is neither (the API refuses those on write).
 */
export function decodeTsigSecret(secret: string): Buffer | undefined {
  if (isHexSecret(secret)) return Buffer.from(secret, 'hex');
  if (isBase64Secret(secret)) return Buffer.from(secret, 'base64');
  return undefined;
}
