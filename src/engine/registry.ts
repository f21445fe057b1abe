// ZoneRegistry: the serving copy of every zone, by origin. Each entry points at one immutable
// ZoneVersion; install() swaps that pointer, so a query or an outgoing transfer sees the old or
// the new version whole, never a mix (STYLE.md principle 4). Implements the server's ZoneSource.

import { ZoneTable } from '../query/index.js';
import type { DomainName } from '../wire/index.js';
import type { ZoneVersion } from '../zone/index.js';

/** ZoneRole: 'primary' zones hold records set locally, 'secondary' zones are transferred in. */
export type ZoneRole = 'primary' | 'secondary';

/** ServingZone is what queries and transfers read: the live version and the expiry flag. */
export interface ServingZone {
  readonly id: string;
  readonly origin: DomainName;
  readonly role: ZoneRole;
  readonly version: ZoneVersion;
  /** expired: a secondary whose SOA EXPIRE passed without a refresh answers SERVFAIL. */
  readonly expired: boolean;
}

/** ZoneRegistry maps origins to the serving zone; lookups are longest-suffix (RFC 1034 §4.3.2). */
export class ZoneRegistry {
  private readonly table = new ZoneTable<ServingZone>();
  private readonly byId = new Map<string, ServingZone>();

  /** find returns the serving zone that is the closest enclosing zone of `qname`. */
  find(qname: DomainName): ServingZone | undefined {
    return this.table.find(qname)?.value;
  }

  /** get returns a zone by id. */
  get(id: string): ServingZone | undefined {
    return this.byId.get(id);
  }

  /** install publishes a version (atomically replacing the previous one for that zone). */
  install(zone: ServingZone): void {
    const previous = this.byId.get(zone.id);
    if (previous !== undefined && previous.origin !== zone.origin) this.table.delete(previous.origin);
    this.byId.set(zone.id, zone);
    this.table.set(zone.origin, zone);
  }

  /** setExpired flips the expiry flag of a zone, keeping its version. */
  setExpired(id: string, expired: boolean): void {
    const z = this.byId.get(id);
    if (z !== undefined && z.expired !== expired) this.install({ ...z, expired });
  }

  /** remove stops serving a zone; queries for it get REFUSED afterwards. */
  remove(id: string): void {
    const z = this.byId.get(id);
    if (z === undefined) return;
    this.byId.delete(id);
    if (this.table.get(z.origin) === z) this.table.delete(z.origin);
  }

  /** size is the number of zones served. */
  get size(): number {
    return this.byId.size;
  }

  /** zones iterates over the serving zones. */
  zones(): IterableIterator<ServingZone> {
    return this.byId.values();
  }
}
