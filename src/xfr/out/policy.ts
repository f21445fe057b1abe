// Who may transfer a zone out (Cloudflare "outgoing" semantics, API.md §4): outgoing transfers
// enabled; source address equal to a linked peer's IP or inside one of the account's ACL ranges;
// and, when that peer has a TSIG key (or, for ACL sources, when any linked peer has one — all
// peers of a zone are expected to share it), a request signed with that key (RFC 8945). Peers
// sharing an address accept any of their keys.
// Everyone else: REFUSED, or NOTAUTH/BADKEY for a request signed with the wrong key.

import IPCIDR from 'ip-cidr';
import { isIP } from 'node:net';
import { nameKey } from '../../wire/index.js';

/** OutgoingPeer is one linked peer as the policy needs it. */
export interface OutgoingPeer {
  readonly ip: string | null;
  /** keyName: the peer's TSIG key name, or null. */
  readonly keyName: string | null;
}

/** OutgoingPolicy is a snapshot of a zone's outgoing configuration. */
export interface OutgoingPolicy {
  readonly enabled: boolean;
  readonly peers: readonly OutgoingPeer[];
  /** aclRanges: the account's ACL `ip_range`s (CIDR or bare address). */
  readonly aclRanges: readonly string[];
}

/** AccessDecision is the outcome with its reason, for the log line. */
export type AccessDecision =
  | { readonly allow: true; readonly reason: string }
  | { readonly allow: false; readonly rcode: 'REFUSED' | 'NOTAUTH'; readonly reason: string };

/** normalizeIp strips the IPv4-mapped IPv6 prefix (dual-stack sockets report ::ffff:a.b.c.d). */
export function normalizeIp(ip: string): string {
  const l = ip.toLowerCase();
  return l.startsWith('::ffff:') && isIP(l.slice(7)) === 4 ? l.slice(7) : l;
}

const cidrCache = new Map<string, IPCIDR | null>();

/** inRange tells whether `ip` is inside `range` (CIDR, or a bare address meaning /32 or /128). */
export function inRange(ip: string, range: string): boolean {
  if (!range.includes('/')) return normalizeIp(range) === ip;
  let c = cidrCache.get(range);
  if (c === undefined) {
    c = IPCIDR.isValidCIDR(range) ? new IPCIDR(range) : null;
    if (cidrCache.size > 10_000) cidrCache.clear();
    cidrCache.set(range, c);
  }
  if (c === null) return false;
  try {
    return c.contains(ip);
  } catch {
    return false;
  }
}

/**
 * decideTransfer applies the policy to a request from `remoteIp`, signed with `signedBy` (the key
 * name, already verified by the server) or unsigned.
 */
export function decideTransfer(policy: OutgoingPolicy, remoteIp: string, signedBy: string | undefined): AccessDecision {
  if (!policy.enabled) return { allow: false, rcode: 'REFUSED', reason: 'outgoing transfers are disabled' };
  const ip = normalizeIp(remoteIp);
  const signed = signedBy === undefined ? undefined : nameKey(signedBy);
  // Several peers may share an address (secondaries on one host, or BIND views told apart by key):
  // any of their keys will do, and none is needed when one of them has no key.
  const peers = policy.peers.filter((p) => p.ip !== null && normalizeIp(p.ip) === ip);
  if (peers.length > 0) {
    const keys = peers.some((p) => p.keyName === null) ? [] : peers.map((p) => p.keyName!);
    return requireKey(keys, signed, `peer ${ip}`);
  }
  const acl = policy.aclRanges.find((r) => inRange(ip, r));
  if (acl !== undefined) {
    const keys = policy.peers.flatMap((p) => (p.keyName === null ? [] : [p.keyName]));
    return requireKey(keys, signed, `ACL ${acl}`);
  }
  return { allow: false, rcode: 'REFUSED', reason: `${ip} is neither a peer nor in an ACL` };
}

function requireKey(keys: readonly string[], signed: string | undefined, who: string): AccessDecision {
  if (keys.length === 0) return { allow: true, reason: who };
  if (signed === undefined) return { allow: false, rcode: 'REFUSED', reason: `${who} must sign with TSIG ${keys.join(', ')}` };
  if (keys.some((k) => nameKey(k) === signed)) return { allow: true, reason: `${who}, TSIG ${signed}` };
  return { allow: false, rcode: 'NOTAUTH', reason: `${who} signed with ${signed}, expected ${keys.join(', ')}` };
}
