// ZoneError: why a set of records is not a valid zone version (build, diff apply, validation).

/** ZoneError is the closed set of reasons a zone version cannot be built or changed. */
export type ZoneError =
  | { kind: 'out-of-zone'; name: string }
  | { kind: 'class-mismatch'; name: string; class: number }
  | { kind: 'no-soa' }
  | { kind: 'multiple-soa' }
  | { kind: 'soa-not-at-apex'; name: string }
  | { kind: 'cname-and-other-data'; name: string }
  | { kind: 'remove-missing'; name: string; type: number }
  | { kind: 'serial-mismatch'; expected: number; got: number }
  | { kind: 'too-large'; limit: string };

/** describeZoneError renders a ZoneError for logs and the API. */
export function describeZoneError(e: ZoneError): string {
  switch (e.kind) {
    case 'out-of-zone':
      return `record ${e.name} is outside the zone`;
    case 'class-mismatch':
      return `record ${e.name} has class ${e.class}, not the zone's`;
    case 'no-soa':
      return 'the zone has no SOA at its apex';
    case 'multiple-soa':
      return 'the zone has more than one SOA';
    case 'soa-not-at-apex':
      return `SOA at ${e.name}, not at the apex`;
    case 'cname-and-other-data':
      return `CNAME and other data at ${e.name}`;
    case 'remove-missing':
      return `diff removes a record that does not exist: ${e.name} type ${e.type}`;
    case 'serial-mismatch':
      return `diff starts at serial ${e.got}, the zone is at ${e.expected}`;
    case 'too-large':
      return `zone exceeds the limit on ${e.limit}`;
  }
}
