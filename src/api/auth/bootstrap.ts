// First-start bootstrap of the admin credential. A configured token (--token / ZONEXFER_TOKEN) is
// stored (hashed) as an admin token if it is not already; without one, an admin token is generated
// only when none exists, and its value is returned so the caller can print it once.
import { TOKEN_PATTERN, type Store } from '../../store/index.js';

/** BootstrapError: the configured token is unusable. */
export class BootstrapError extends Error {
  override readonly name = 'BootstrapError';
}

/**
 * ensureAdminToken makes sure an admin token exists. Returns the generated value to print (first
 * start without a configured token), or undefined when nothing was generated. Throws BootstrapError
 * when the configured token is not 40–80 chars of [0-9A-Za-z_-] or already belongs to an account.
 */
export async function ensureAdminToken(store: Store, configuredToken?: string): Promise<string | undefined> {
  if (configuredToken !== undefined && configuredToken !== '') {
    if (!TOKEN_PATTERN.test(configuredToken)) {
      throw new BootstrapError('the configured API token must be 40 to 80 characters of [0-9A-Za-z_-]');
    }
    const existing = await store.tokens.verify(configuredToken);
    if (existing) {
      if (existing.accountId !== null) throw new BootstrapError('the configured API token belongs to an account, not admin');
      return undefined;
    }
    await store.tokens.create({ accountId: null, name: 'configured admin token', value: configuredToken });
    return undefined;
  }
  if ((await store.tokens.countAdmin()) > 0) return undefined;
  const { value } = await store.tokens.create({ accountId: null, name: 'generated admin token' });
  return value;
}
