// TSIG secrets at rest. With a key-encryption key configured (ZONEXFER_SECRET_KEY), secrets are
// stored as "enc:v1:" + base64(iv ‖ ciphertext ‖ tag), AES-256-GCM, with the row's account and id
// as associated data (a ciphertext copied into another row does not decrypt). Rows written before
// the key was set keep working (no prefix = plaintext) and are encrypted on their next write.
// Plain secrets are base64 or hex (src/tsig parseTsigSecret), never ':', so the prefix cannot
// collide with one. The key is 32 octets (base64, base64url or hex), stretched with HKDF-SHA256, or
// a passphrase of at least 16 characters, stretched with scrypt (N=2^15, r=8, p=1) under a fixed,
// application-wide salt: there is one key per deployment and nowhere to keep a salt before it.
// Key rotation is not offered: a changed key makes stored secrets unreadable (SecretKeyError).
import { createCipheriv, createDecipheriv, hkdf, randomBytes, scrypt } from 'node:crypto';

/** SECRET_PREFIX marks an encrypted stored secret (version 1: AES-256-GCM, 12-octet IV). */
export const SECRET_PREFIX = 'enc:v1:';
const IV_LENGTH = 12;
const TAG_LENGTH = 16;
const SALT = 'zonexfer/tsig-secrets/v1';
/** MIN_PASSPHRASE is the shortest passphrase accepted as a key. */
export const MIN_PASSPHRASE = 16;

/** SecretKeyError: a stored secret cannot be read (no key, wrong key, or corrupted), or the key is unusable. */
export class SecretKeyError extends Error {
  override readonly name = 'SecretKeyError';
}

/** SecretBox seals secrets for storage and opens stored ones; `context` binds a value to its row. */
export interface SecretBox {
  /** encrypting is true when a key is configured (new writes are sealed). */
  readonly encrypting: boolean;
  seal(plain: string, context: string): string;
  /** open returns the plain secret; throws SecretKeyError when it cannot. */
  open(stored: string, context: string): string;
}

/** isSealed tells whether a stored value is encrypted. */
export function isSealed(stored: string): boolean {
  return stored.startsWith(SECRET_PREFIX);
}

/** PLAINTEXT stores secrets as they are; an encrypted row then cannot be read. */
export const PLAINTEXT: SecretBox = {
  encrypting: false,
  seal: (plain) => plain,
  open(stored) {
    if (isSealed(stored)) throw new SecretKeyError('a TSIG secret is stored encrypted but no secret key (ZONEXFER_SECRET_KEY) is configured');
    return stored;
  },
};

/** rawKey reads 32 octets written as base64 (standard or url-safe, padding optional) or hex. */
function rawKey(text: string): Buffer | undefined {
  if (/^[0-9a-fA-F]{64}$/.test(text)) return Buffer.from(text, 'hex');
  if (/^[A-Za-z0-9+/]{43}=?$/.test(text) || /^[A-Za-z0-9_-]{43}$/.test(text)) {
    const b = Buffer.from(text, text.includes('-') || text.includes('_') ? 'base64url' : 'base64');
    return b.length === 32 ? b : undefined;
  }
  return undefined;
}

/** deriveKey turns the configured key text into the 32-octet AES key. */
async function deriveKey(text: string): Promise<Buffer> {
  const raw = rawKey(text);
  if (raw !== undefined) {
    return new Promise((resolve, reject) =>
      hkdf('sha256', raw, SALT, 'aes-256-gcm', 32, (e, key) => (e ? reject(e) : resolve(Buffer.from(key)))),
    );
  }
  if (text.length < MIN_PASSPHRASE) {
    throw new SecretKeyError(`the secret key must be 32 octets (base64 or hex) or a passphrase of at least ${MIN_PASSPHRASE} characters`);
  }
  return new Promise((resolve, reject) =>
    scrypt(text, SALT, 32, { N: 1 << 15, r: 8, p: 1, maxmem: 64 * 1024 * 1024 }, (e, key) => (e ? reject(e) : resolve(key))),
  );
}

/**
 * secretBox returns the box for a configured key: PLAINTEXT when the key is absent or empty, else
 * an AES-256-GCM box. Rejects with SecretKeyError when the key is too weak to use.
 */
export async function secretBox(secretKey: string | undefined): Promise<SecretBox> {
  if (secretKey === undefined || secretKey === '') return PLAINTEXT;
  const key = await deriveKey(secretKey);
  return {
    encrypting: true,
    seal(plain, context) {
      const iv = randomBytes(IV_LENGTH);
      const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_LENGTH });
      cipher.setAAD(Buffer.from(context, 'utf8'));
      const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
      return SECRET_PREFIX + Buffer.concat([iv, body, cipher.getAuthTag()]).toString('base64');
    },
    open(stored, context) {
      if (!isSealed(stored)) return stored;
      const blob = Buffer.from(stored.slice(SECRET_PREFIX.length), 'base64');
      if (blob.length < IV_LENGTH + TAG_LENGTH) throw new SecretKeyError('a stored TSIG secret is corrupted');
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, blob.subarray(0, IV_LENGTH), { authTagLength: TAG_LENGTH });
        decipher.setAAD(Buffer.from(context, 'utf8'));
        decipher.setAuthTag(blob.subarray(blob.length - TAG_LENGTH));
        return Buffer.concat([decipher.update(blob.subarray(IV_LENGTH, blob.length - TAG_LENGTH)), decipher.final()]).toString('utf8');
      } catch {
        throw new SecretKeyError('a stored TSIG secret cannot be decrypted: wrong secret key (ZONEXFER_SECRET_KEY), or the row was altered');
      }
    },
  };
}
