// Store rows to Cloudflare's JSON shapes. Unset optional fields are omitted (never null) so
// Terraform sees no drift; incoming/outgoing `id` is the zone id (API.md §3); `peers` is always an
// array; zone names lose their trailing dot as Cloudflare shows them.
import type { Account, Acl, ApiToken, Incoming, Outgoing, Peer, Tsig, Zone } from '../store/index.js';

export function accountJson(a: Account) {
  return {
    id: a.id,
    name: a.name,
    type: 'standard' as const,
    created_on: a.createdOn,
    settings: { enforce_twofactor: false, use_account_custom_ns_by_default: false },
  };
}

export function tokenJson(t: ApiToken, value?: string) {
  return {
    id: t.id,
    name: t.name,
    status: t.status,
    issued_on: t.issuedOn,
    modified_on: t.modifiedOn,
    ...(t.lastUsedOn !== null ? { last_used_on: t.lastUsedOn } : {}),
    policies: [] as unknown[],
    ...(value !== undefined ? { value } : {}),
  };
}

/** displayName drops one trailing dot: Cloudflare shows "example.com". */
export function displayName(name: string): string {
  return name.endsWith('.') && name.length > 1 ? name.slice(0, -1) : name;
}

export function zoneJson(z: Zone) {
  return {
    id: z.id,
    name: displayName(z.name),
    status: z.status,
    paused: false,
    type: z.type,
    development_mode: 0,
    name_servers: [] as string[],
    original_name_servers: null,
    original_registrar: null,
    original_dnshost: null,
    created_on: z.createdOn,
    modified_on: z.modifiedOn,
    activated_on: z.activatedOn,
    account: { id: z.accountId, name: z.accountName },
    owner: { id: null, name: z.accountName, type: 'organization' },
    meta: { step: 4, custom_certificate_quota: 0, page_rule_quota: 0, phishing_detected: false, dns_only: true },
    plan: { id: 'zonexfer', name: 'zonexfer', price: 0, currency: 'USD', frequency: '', is_subscribed: false, can_subscribe: false, externally_managed: true },
    permissions: [] as string[],
  };
}

export function incomingJson(i: Incoming) {
  return {
    id: i.zoneId,
    name: i.name,
    auto_refresh_seconds: i.autoRefreshSeconds,
    peers: [...i.peers],
    ...(i.soaSerial !== null ? { soa_serial: i.soaSerial } : {}),
    ...(i.checkedTime !== null ? { checked_time: i.checkedTime } : {}),
    created_time: i.createdTime,
    modified_time: i.modifiedTime,
  };
}

export function outgoingJson(o: Outgoing) {
  return {
    id: o.zoneId,
    name: o.name,
    peers: [...o.peers],
    ...(o.soaSerial !== null ? { soa_serial: o.soaSerial } : {}),
    ...(o.checkedTime !== null ? { checked_time: o.checkedTime } : {}),
    created_time: o.createdTime,
    ...(o.lastTransferredTime !== null ? { last_transferred_time: o.lastTransferredTime } : {}),
  };
}

export function peerJson(p: Peer) {
  return {
    id: p.id,
    name: p.name,
    ...(p.ip !== null ? { ip: p.ip } : {}),
    ...(p.port !== null ? { port: p.port } : {}),
    ...(p.ixfrEnable !== null ? { ixfr_enable: p.ixfrEnable } : {}),
    ...(p.tsigId !== null ? { tsig_id: p.tsigId } : {}),
  };
}

export function tsigJson(t: Tsig) {
  return { id: t.id, name: t.name, algo: t.algo, secret: t.secret };
}

export function aclJson(a: Acl) {
  return { id: a.id, name: a.name, ip_range: a.ipRange };
}
