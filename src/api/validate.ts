// Field checks the JSON schemas cannot express: DNS names (RFC 1035 §2.3.4 lengths, RFC 2181 §11
// any octet allowed but we accept letters, digits, hyphen and underscore only), host IPs and CIDR
// ranges. Pure functions returning a reason string (invalid) or undefined (valid) / parsed values.
import { isIPv4, isIPv6 } from 'node:net';

/**
 * dnsNameProblem explains why `name` is not an acceptable DNS name, or returns undefined.
 * Absolute ("a.b.") and relative ("a.b") forms are both accepted; the root alone is not.
 * Labels: 1–63 octets of [A-Za-z0-9_-]; whole name at most 253 characters without the final dot
 * (255 octets on the wire). `allowWildcard` permits a leading "*" label (record names).
 */
export function dnsNameProblem(name: string, opts: { allowWildcard?: boolean } = {}): string | undefined {
  if (name === '' || name === '.') return 'empty name';
  const bare = name.endsWith('.') ? name.slice(0, -1) : name;
  if (bare.length > 253) return 'longer than 253 characters';
  const labels = bare.split('.');
  for (const [i, label] of labels.entries()) {
    if (label === '') return 'empty label';
    if (label.length > 63) return `label ${label.slice(0, 20)}… longer than 63 characters`;
    if (opts.allowWildcard && i === 0 && label === '*') continue;
    if (!/^[A-Za-z0-9_-]+$/.test(label)) return `label ${label} has characters other than letters, digits, - and _`;
  }
  return undefined;
}

/** hostIpProblem: undefined for a plain IPv4/IPv6 address (no prefix, no zone id). */
export function hostIpProblem(ip: string): string | undefined {
  if (ip.includes('%')) return 'scoped addresses are not allowed';
  return isIPv4(ip) || isIPv6(ip) ? undefined : 'not an address';
}

export interface IpRange {
  family: 4 | 6;
  prefix: number;
}

/** parseIpRange reads "addr/len" or a bare address (= /32 or /128); undefined when malformed. */
export function parseIpRange(range: string): IpRange | undefined {
  const slash = range.indexOf('/');
  const addr = slash < 0 ? range : range.slice(0, slash);
  const family = isIPv4(addr) ? 4 : isIPv6(addr) && !addr.includes('%') ? 6 : undefined;
  if (family === undefined) return undefined;
  const max = family === 4 ? 32 : 128;
  if (slash < 0) return { family, prefix: max };
  const len = range.slice(slash + 1);
  if (!/^\d{1,3}$/.test(len)) return undefined;
  const prefix = Number(len);
  return prefix <= max ? { family, prefix } : undefined;
}

/** MIN_ACL_PREFIX is Cloudflare's limit: no broader than /24 (IPv4) or /64 (IPv6). */
export const MIN_ACL_PREFIX = { 4: 24, 6: 64 } as const;

/** sameZoneName compares DNS names case-insensitively, ignoring one trailing dot. */
export function sameZoneName(a: string, b: string): boolean {
  const norm = (s: string): string => (s.endsWith('.') ? s.slice(0, -1) : s).toLowerCase();
  return norm(a) === norm(b);
}
