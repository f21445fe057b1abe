// Identifiers and token values: 32 lower-case hex ids (Cloudflare's format, API.md §3), API token
// values of 40 characters from [0-9A-Za-z_-] (the Terraform provider's pattern, API.md §2.4), and
// their sha256 digest, which is all the database ever stores.
import { createHash, randomBytes, randomUUID } from 'node:crypto';

/** ID_PATTERN matches every id zonexfer issues. */
export const ID_PATTERN = /^[0-9a-f]{32}$/;

/** TOKEN_PATTERN is the accepted shape of an API token (40–80 chars). */
export const TOKEN_PATTERN = /^[0-9A-Za-z_-]{40,80}$/;

/** newId returns a fresh 32-hex-char id (a v4 UUID without dashes). */
export function newId(): string {
  return randomUUID().replaceAll('-', '');
}

/** newTokenValue returns 40 url-safe base64 characters (240 random bits). */
export function newTokenValue(): string {
  return randomBytes(30).toString('base64url');
}

/** hashToken is the stored form of a token value: lower-case hex sha256. */
export function hashToken(value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('hex');
}
