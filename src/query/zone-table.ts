// ZoneTable: which zone a query name belongs to — the longest zone origin that is a suffix of the
// name (RFC 1034 §4.3.2 step 2), case-insensitively (RFC 4343). One Map lookup per candidate
// suffix, and only for label depths at which some zone exists; no allocation besides the suffix
// keys. Sized for 100,000 zones; holds values only, knows nothing of their contents.

import { type DomainName, nameKey } from '../wire/index.js';

/** ZoneTableEntry is one zone origin with its value; `find` returns the stored entry itself. */
export interface ZoneTableEntry<T> {
  readonly origin: DomainName;
  readonly value: T;
}

/** MAX_DEPTH: 127 labels is the most a 255-octet name can have (RFC 1035 §2.3.4). */
const MAX_DEPTH = 127;

/** ZoneTable maps zone origins to values and finds the closest enclosing zone of a name. */
export class ZoneTable<T> implements Iterable<ZoneTableEntry<T>> {
  private readonly byKey = new Map<string, ZoneTableEntry<T>>();
  /** depths[d] counts the origins with d labels, so find skips depths where no zone exists. */
  private readonly depths = new Uint32Array(MAX_DEPTH + 1);

  /** size is the number of zones. */
  get size(): number {
    return this.byKey.size;
  }

  /** set adds or replaces the value for `origin` (keeping the origin's new spelling). */
  set(origin: DomainName, value: T): this {
    const key = nameKey(origin);
    const depth = labelDepth(key);
    if (depth < 0) throw new RangeError(`zone origin has more than ${MAX_DEPTH} labels: ${origin}`);
    if (!this.byKey.has(key)) this.depths[depth]!++;
    this.byKey.set(key, { origin, value });
    return this;
  }

  /** delete removes `origin`; false when it was not present. */
  delete(origin: DomainName): boolean {
    const key = nameKey(origin);
    if (!this.byKey.delete(key)) return false;
    this.depths[labelDepth(key)]!--;
    return true;
  }

  /** get returns the value stored for exactly `origin`, or undefined. */
  get(origin: DomainName): T | undefined {
    return this.byKey.get(nameKey(origin))?.value;
  }

  /** has reports whether `origin` is a zone of the table. */
  has(origin: DomainName): boolean {
    return this.byKey.has(nameKey(origin));
  }

  /**
   * find returns the zone whose origin is the longest suffix of `qname` (the name itself
   * included), or undefined when no zone encloses it (then the server answers REFUSED).
   */
  find(qname: DomainName): ZoneTableEntry<T> | undefined {
    if (this.byKey.size === 0) return undefined;
    const key = nameKey(qname);
    const map = this.byKey;
    const depths = this.depths;
    let depth = labelDepth(key);
    if (depth < 0) return undefined;
    let start = 0;
    for (;;) {
      if (depths[depth]! > 0) {
        const hit = map.get(depth === 0 ? '.' : start === 0 ? key : key.slice(start));
        if (hit !== undefined) return hit;
      }
      if (depth === 0) return undefined;
      // Advance past the first label; `\X` escapes (an escaped dot among them) are skipped.
      for (;;) {
        const c = key.charCodeAt(start++);
        if (c === 0x5c) start++;
        else if (c === 0x2e) break;
      }
      depth--;
    }
  }

  /** entries yields every zone once, in insertion order. */
  entries(): IterableIterator<ZoneTableEntry<T>> {
    return this.byKey.values();
  }

  [Symbol.iterator](): IterableIterator<ZoneTableEntry<T>> {
    return this.byKey.values();
  }

  /** clear removes every zone. */
  clear(): void {
    this.byKey.clear();
    this.depths.fill(0);
  }
}

/** labelDepth counts the labels of a presentation name (root 0), or -1 past MAX_DEPTH. */
function labelDepth(key: string): number {
  if (key.length <= 1) return 0;
  let n = 0;
  for (let i = 0; i < key.length; i++) {
    const c = key.charCodeAt(i);
    if (c === 0x5c) i++;
    else if (c === 0x2e && ++n > MAX_DEPTH) return -1;
  }
  return n;
}
