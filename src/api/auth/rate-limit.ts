// Failed-authentication rate limit per source address: after `maxFailures` bad credentials
// (malformed Authorization header or unknown token) within `windowMs`, every authenticated request
// from that address answers 429 with Retry-After until the window ends. The check runs before the
// token lookup, so a blocked client learns nothing, not even that a guess was right. IPv6 clients
// are keyed by their /64 (one host usually owns a whole /64). Memory is bounded: at most
// `maxTracked` addresses are remembered, expired entries are swept lazily, then the oldest go.
// No timers (nothing to clean up on close); time comes from the injected `now`.
import { isIPv4, isIPv6 } from 'node:net';

/** AuthRateLimitOptions tunes the limiter; `false` in ApiDeps turns it off. */
export interface AuthRateLimitOptions {
  /** maxFailures within one window before the address is blocked (default 20). */
  readonly maxFailures?: number;
  /** windowMs: the window length, counted from the first failure (default 60 s). */
  readonly windowMs?: number;
  /** maxTracked bounds the number of remembered addresses (default 100 000). */
  readonly maxTracked?: number;
  /** now returns the time in ms (default Date.now); tests pass a fake clock. */
  readonly now?: () => number;
}

export const DEFAULT_AUTH_RATE_LIMIT = { maxFailures: 20, windowMs: 60_000, maxTracked: 100_000 } as const;

interface Window {
  start: number;
  failures: number;
}

/** AuthFailureLimiter counts failed authentications per client key. */
export class AuthFailureLimiter {
  private readonly maxFailures: number;
  private readonly windowMs: number;
  private readonly maxTracked: number;
  private readonly now: () => number;
  private readonly windows = new Map<string, Window>();

  constructor(o: AuthRateLimitOptions = {}) {
    this.maxFailures = o.maxFailures ?? DEFAULT_AUTH_RATE_LIMIT.maxFailures;
    this.windowMs = o.windowMs ?? DEFAULT_AUTH_RATE_LIMIT.windowMs;
    this.maxTracked = o.maxTracked ?? DEFAULT_AUTH_RATE_LIMIT.maxTracked;
    this.now = o.now ?? Date.now;
  }

  /** blockedFor returns the whole seconds `key` must wait, or undefined when it may try. */
  blockedFor(key: string): number | undefined {
    const w = this.live(key);
    if (w === undefined || w.failures < this.maxFailures) return undefined;
    return Math.max(1, Math.ceil((w.start + this.windowMs - this.now()) / 1000));
  }

  /** fail records one failed authentication from `key`. */
  fail(key: string): void {
    const w = this.live(key);
    if (w !== undefined) {
      w.failures++;
      return;
    }
    if (this.windows.size >= this.maxTracked) this.sweep();
    this.windows.set(key, { start: this.now(), failures: 1 });
  }

  /** tracked is the number of addresses remembered (tests). */
  get tracked(): number {
    return this.windows.size;
  }

  private live(key: string): Window | undefined {
    const w = this.windows.get(key);
    if (w === undefined) return undefined;
    if (this.now() - w.start < this.windowMs) return w;
    this.windows.delete(key);
    return undefined;
  }

  /** sweep drops expired windows, then the oldest ones until there is room for one more. */
  private sweep(): void {
    const now = this.now();
    for (const [k, w] of this.windows) if (now - w.start >= this.windowMs) this.windows.delete(k);
    // Map iteration is insertion order: the first entries are the oldest windows.
    for (const k of this.windows.keys()) {
      if (this.windows.size < this.maxTracked) break;
      this.windows.delete(k);
    }
  }
}

/** clientKey is the limiter key of an address: IPv4 as is (also when IPv4-mapped), IPv6 by /64. */
export function clientKey(ip: string): string {
  if (ip.startsWith('::ffff:') && isIPv4(ip.slice(7))) return ip.slice(7);
  if (!isIPv6(ip)) return ip;
  const bare = ip.split('%')[0]!.toLowerCase();
  const [head = '', tail] = bare.split('::');
  const left = head === '' ? [] : head.split(':');
  const right = tail === undefined || tail === '' ? [] : tail.split(':');
  // An embedded IPv4 tail (::a.b.c.d) lies in the low 64 bits, so it never changes the /64.
  const groups = tail === undefined ? left : [...left, ...new Array<string>(Math.max(0, 8 - left.length - right.length)).fill('0'), ...right];
  return `${groups.slice(0, 4).map((g) => g.replace(/^0+(?=.)/, '')).join(':')}::/64`;
}
