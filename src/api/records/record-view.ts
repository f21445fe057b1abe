// Stored DNS records in Cloudflare's record shape: `name` FQDN without the trailing dot, `content`
// in Cloudflare's presentation (record-codec), `priority` for MX/SRV/URI, `data` for SRV/CAA/URI,
// `ttl` (1 = automatic), `proxied` and `proxiable` false, `comment` only when set, `tags` always.
import type { DnsRecord, Zone } from '../../store/index.js';
import { displayName } from '../present.js';
import { displayContent, displayData } from './record-codec.js';

export function recordJson(r: DnsRecord, zone: Zone) {
  const data = displayData(r.type, r.content);
  return {
    id: r.id,
    zone_id: r.zoneId,
    zone_name: displayName(zone.fqdn),
    name: r.name,
    type: r.type,
    content: displayContent(r.type, r.content),
    ...(data !== undefined ? { data } : {}),
    ...(r.priority !== null ? { priority: r.priority } : {}),
    proxiable: false,
    proxied: r.proxied,
    ttl: r.ttl,
    ...(r.comment !== null ? { comment: r.comment } : {}),
    tags: [...r.tags],
    settings: {},
    meta: {},
    created_on: r.createdOn,
    modified_on: r.modifiedOn,
  };
}
