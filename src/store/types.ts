// Typed rows the store returns (camelCase, times already RFC 3339 strings, null = unset) and the
// inputs its writes take. The API maps these to Cloudflare's JSON shapes; the engine reads them.

export type ZoneType = 'full' | 'secondary';

export interface Account {
  id: string;
  name: string;
  createdOn: string;
  modifiedOn: string;
}

/** ApiToken never carries the value; accountId null = admin. */
export interface ApiToken {
  id: string;
  accountId: string | null;
  name: string;
  status: 'active' | 'disabled';
  issuedOn: string;
  modifiedOn: string;
  lastUsedOn: string | null;
}

export interface Zone {
  id: string;
  accountId: string;
  accountName: string;
  /** name as given at creation. */
  name: string;
  /** fqdn: lower-case, absolute (trailing dot). */
  fqdn: string;
  type: ZoneType;
  status: string;
  createdOn: string;
  modifiedOn: string;
  activatedOn: string | null;
}

export interface ZoneListQuery {
  /** accountId restricts to one account (an account token always sets it). */
  accountId?: string;
  /** name matches the zone name case-insensitively, with or without a trailing dot. */
  name?: string;
  accountName?: string;
  status?: string;
  types?: ZoneType[];
  order?: 'name' | 'status' | 'account.id' | 'account.name';
  direction?: 'asc' | 'desc';
  page: number;
  perPage: number;
}

export interface Page<T> {
  items: T[];
  totalCount: number;
}

export interface Incoming {
  zoneId: string;
  accountId: string;
  name: string;
  autoRefreshSeconds: number;
  peers: string[];
  soaSerial: number | null;
  checkedTime: string | null;
  lastError: string | null;
  createdTime: string;
  modifiedTime: string;
}

export interface IncomingInput {
  name: string;
  autoRefreshSeconds: number;
  peers: string[];
}

export interface Outgoing {
  zoneId: string;
  accountId: string;
  name: string;
  enabled: boolean;
  peers: string[];
  soaSerial: number | null;
  checkedTime: string | null;
  lastTransferredTime: string | null;
  createdTime: string;
  modifiedTime: string;
}

export interface OutgoingInput {
  name: string;
  peers: string[];
}

export interface Peer {
  id: string;
  accountId: string;
  name: string;
  ip: string | null;
  port: number | null;
  ixfrEnable: boolean | null;
  tsigId: string | null;
}

export interface PeerInput {
  name: string;
  ip: string | null;
  port: number | null;
  ixfrEnable: boolean | null;
  tsigId: string | null;
}

export interface Tsig {
  id: string;
  accountId: string;
  name: string;
  algo: string;
  secret: string;
}

export interface TsigInput {
  name: string;
  algo: string;
  secret: string;
}

export interface Acl {
  id: string;
  accountId: string;
  name: string;
  ipRange: string;
}

export interface AclInput {
  name: string;
  ipRange: string;
}

/** ZoneRef names a zone touched by a write, for engine notifications. */
export interface ZoneRef {
  zoneId: string;
  accountId: string;
}

export interface DnsRecord {
  id: string;
  zoneId: string;
  /** name: lower-case FQDN without the trailing dot. */
  name: string;
  type: string;
  content: string;
  ttl: number;
  priority: number | null;
  proxied: boolean;
  comment: string | null;
  tags: string[];
  createdOn: string;
  modifiedOn: string;
}

export interface DnsRecordInput {
  name: string;
  type: string;
  content: string;
  ttl: number;
  priority: number | null;
  proxied: boolean;
  comment: string | null;
  tags: string[];
}

export interface RecordListQuery {
  type?: string;
  /** name: exact lower-case FQDN without the trailing dot. */
  name?: string;
  /** nameLike matches part of the name (case-insensitive). */
  nameLike?: { op: 'contains' | 'startswith' | 'endswith'; value: string };
  /** content: exact stored content. */
  content?: string;
  order?: 'type' | 'name' | 'content' | 'ttl' | 'proxied';
  direction?: 'asc' | 'desc';
  page: number;
  perPage: number;
}

/** RecordBatch is applied atomically in the order deletes, patches, puts, posts (Cloudflare's). */
export interface RecordBatch {
  deletes: string[];
  patches: Array<{ id: string; record: DnsRecordInput }>;
  puts: Array<{ id: string; record: DnsRecordInput }>;
  posts: DnsRecordInput[];
}

export interface RecordBatchResult {
  deletes: DnsRecord[];
  patches: DnsRecord[];
  puts: DnsRecord[];
  posts: DnsRecord[];
}

/** ZoneState is the engine's persisted timers and outcome for one zone. */
export interface ZoneState {
  zoneId: string;
  serial: number | null;
  checkedTime: string | null;
  lastRefreshOk: string | null;
  nextRefresh: string | null;
  nextExpire: string | null;
  lastNotifiedSerial: number | null;
  lastError: string | null;
  leaseOwner: string | null;
  leaseExpires: string | null;
  updatedAt: string;
}

/** ZoneStatePatch: undefined leaves a column unchanged, null clears it. Times are RFC 3339 / Date. */
export interface ZoneStatePatch {
  serial?: number | null;
  checkedTime?: string | Date | null;
  lastRefreshOk?: string | Date | null;
  nextRefresh?: string | Date | null;
  nextExpire?: string | Date | null;
  lastNotifiedSerial?: number | null;
  lastError?: string | null;
}

export type TransferOp = 'refresh' | 'axfr-in' | 'ixfr-in' | 'axfr-out' | 'ixfr-out' | 'notify-in' | 'notify-out';

export interface TransferEvent {
  zoneId: string;
  op: TransferOp;
  remote: string | null;
  serial: number | null;
  ok: boolean;
  error: string | null;
  startedAt: string | Date;
  finishedAt: string | Date;
  /** records / bytes: RRs and octets on the wire (transfers only; migration 0003). */
  records?: number | null;
  bytes?: number | null;
  /** xfrId: the transfer id that tags the transfer's log lines (`xfr`). */
  xfrId?: string | null;
}

export interface TransferRecord extends Omit<TransferEvent, 'startedAt' | 'finishedAt' | 'records' | 'bytes' | 'xfrId'> {
  id: number;
  startedAt: string;
  finishedAt: string;
  records: number | null;
  bytes: number | null;
  xfrId: string | null;
}
