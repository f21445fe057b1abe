// Record-set rules checked on the state a write would leave at the names it touches (Cloudflare
// refuses the same): no two identical records (name, type, content), and a CNAME alone at its name
// (RFC 1034 §3.6.2, RFC 2181 §10.1). Checked in the route before the write; a concurrent write can
// still slip past (the engine then skips the offending record and logs it).

/** RecordKey is the part of a record the rules look at. */
export interface RecordKey {
  id?: string;
  name: string;
  type: string;
  content: string;
}

/** findConflict returns a message for the first broken rule among `records`, or undefined. */
export function findConflict(records: readonly RecordKey[]): string | undefined {
  const seen = new Set<string>();
  const byName = new Map<string, RecordKey[]>();
  for (const r of records) {
    const key = `${r.name}\u0000${r.type}\u0000${r.content}`;
    if (seen.has(key)) return `An identical record already exists: ${r.name} ${r.type} ${r.content}`;
    seen.add(key);
    const list = byName.get(r.name) ?? [];
    list.push(r);
    byName.set(r.name, list);
  }
  for (const [name, list] of byName) {
    if (list.some((r) => r.type === 'CNAME') && list.length > 1) {
      return `A CNAME record cannot share its name with other records (RFC 1034 §3.6.2): ${name}`;
    }
  }
  return undefined;
}

/** sameRecord compares the identity the duplicate rule uses. */
export function sameRecord(a: RecordKey, b: RecordKey): boolean {
  return a.name === b.name && a.type === b.type && a.content === b.content;
}
