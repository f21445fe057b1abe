// The one registry of API errors: each rule has a stable code (>= 1000), an HTTP status and a
// message template ({param} placeholders); ApiError adds the JSON pointer of the offending field.
// docs/api-errors.md holds the generated table and a test keeps them equal (UPDATE_DOCS=1 rewrites
// it). Never 409 (the SDK would retry), never 5xx for bad input.

export interface ErrorRule {
  code: number;
  status: number;
  message: string;
  /** chain: Cloudflare's nested error_chain entry (only the malformed Authorization header). */
  chain?: { code: number; message: string };
}

export const ERRORS = {
  // Authentication (codes and wording from Cloudflare, API.md §2.3).
  missing_auth: { code: 9106, status: 400, message: 'Missing X-Auth-Key, X-Auth-Email or Authorization headers' },
  bad_auth_header: {
    code: 6003,
    status: 400,
    message: 'Invalid request headers',
    chain: { code: 6111, message: 'Invalid format for Authorization header' },
  },
  invalid_token: { code: 9109, status: 403, message: 'Invalid access token' },
  // Not a Cloudflare code (theirs, 971, is below the registry's 1000 floor): failed credentials per
  // source address are rate-limited (auth/rate-limit.ts); the answer carries Retry-After.
  auth_rate_limited: {
    code: 9110,
    status: 429,
    message: 'Too many failed authentication attempts from this address; retry after {seconds} seconds',
  },
  forbidden: { code: 10000, status: 403, message: 'Authentication error: {detail}' },
  // Routing.
  no_route: { code: 7000, status: 404, message: 'No route for that URI' },
  invalid_id: { code: 7003, status: 400, message: 'Could not route to {path}, perhaps your object identifier is invalid?' },
  // Request shape.
  invalid_request: { code: 1000, status: 400, message: '{field}: {reason}' },
  malformed_json: { code: 1001, status: 400, message: 'Malformed JSON in request body: {reason}' },
  body_too_large: { code: 1002, status: 413, message: 'Request body is larger than {limit} bytes' },
  // Zones.
  invalid_zone_name: { code: 1010, status: 400, message: 'Invalid zone name {value}: {reason}' },
  zone_exists: { code: 1011, status: 400, message: 'A zone named {value} already exists in this account' },
  zone_type_unsupported: { code: 1012, status: 400, message: 'Zone type {value} is not supported; use full or secondary' },
  zone_not_secondary: {
    code: 1013,
    status: 400,
    message: 'Zone {zone} has type full; incoming transfers and force_axfr need a secondary zone (PATCH the zone type)',
  },
  account_required: { code: 1014, status: 400, message: 'account.id is required: an admin token has no default account' },
  unknown_account: { code: 1015, status: 400, message: 'account.id {value} is not an account this token can use' },
  // Zone-transfer configurations.
  auto_refresh_too_low: { code: 1020, status: 400, message: 'auto_refresh_seconds must be an integer of at least 300, got {value}' },
  name_mismatch: { code: 1021, status: 400, message: 'name {value} does not match the zone name {zone}' },
  incoming_exists: { code: 1022, status: 400, message: 'The zone already has an incoming (secondary) configuration; use PUT to change it' },
  outgoing_exists: { code: 1023, status: 400, message: 'The zone already has an outgoing (primary) configuration; use PUT to change it' },
  unknown_peers: { code: 1024, status: 400, message: 'peers: not peers of this account: {value}' },
  too_many_peers: { code: 1025, status: 400, message: 'peers: a zone can have at most 30 linked peers, got {value}' },
  outgoing_disabled: { code: 1026, status: 400, message: 'Outgoing transfers are disabled for this zone; enable them first' },
  // ACLs.
  invalid_ip_range: { code: 1030, status: 400, message: 'ip_range {value} is not an IPv4 or IPv6 address or CIDR range' },
  ip_range_too_broad: { code: 1031, status: 400, message: 'ip_range {value} is broader than /24 (IPv4) or /64 (IPv6)' },
  // TSIG keys.
  invalid_tsig_algo: {
    code: 1040,
    status: 400,
    message:
      'algo {value} is not supported; use hmac-md5.sig-alg.reg.int., hmac-sha1., hmac-sha224., hmac-sha256., hmac-sha384. or hmac-sha512.',
  },
  invalid_tsig_secret: { code: 1041, status: 400, message: 'secret must be base64 (RFC 4648) or hexadecimal' },
  invalid_tsig_name: { code: 1042, status: 400, message: 'name {value} is not a valid DNS name: {reason}' },
  // Peers.
  invalid_peer_ip: { code: 1050, status: 400, message: 'ip {value} is not an IPv4 or IPv6 address' },
  invalid_peer_port: { code: 1051, status: 400, message: 'port must be an integer from 1 to 65535, got {value}' },
  unknown_tsig: { code: 1052, status: 400, message: 'tsig_id {value} is not a TSIG key of this account' },
  // DNS records (phase 2).
  invalid_record: { code: 1200, status: 400, message: 'Invalid {type} record: {reason}' },
  record_name_outside_zone: { code: 1201, status: 400, message: 'Record name {value} is not inside the zone {zone}' },
  zone_read_only: {
    code: 1202,
    status: 400,
    message: 'Records of secondary zones come from zone transfers and cannot be changed through the API',
  },
  record_conflict: { code: 1203, status: 400, message: '{reason}' },
  import_parse_error: { code: 1204, status: 400, message: 'Zone file could not be parsed: {reason}' },
  import_include: { code: 1205, status: 400, message: '$INCLUDE directive not allowed' },
  import_too_large: { code: 1206, status: 413, message: 'Zone file is larger than {limit} bytes' },
  import_missing_file: { code: 1207, status: 400, message: 'file: a multipart field or file part named file is required' },
  batch_unknown_record: { code: 1208, status: 400, message: 'The batch refers to a record the zone does not have: {value}' },
  // Other stored-data conflicts caught by the database.
  constraint_violation: { code: 1090, status: 400, message: 'The request conflicts with stored data: {detail}' },
  // Not found (404 also for objects of another account: their existence is not revealed).
  account_not_found: { code: 1100, status: 404, message: 'Account not found' },
  zone_not_found: { code: 1101, status: 404, message: 'Zone not found' },
  incoming_not_found: { code: 1102, status: 404, message: 'Incoming (secondary) zone transfer configuration not found' },
  outgoing_not_found: { code: 1103, status: 404, message: 'Outgoing (primary) zone transfer configuration not found' },
  peer_not_found: { code: 1104, status: 404, message: 'Peer not found' },
  tsig_not_found: { code: 1105, status: 404, message: 'TSIG not found' },
  acl_not_found: { code: 1106, status: 404, message: 'ACL not found' },
  token_not_found: { code: 1107, status: 404, message: 'Token not found' },
  record_not_found: { code: 1108, status: 404, message: 'DNS record not found' },
  // Server side.
  internal_error: { code: 1900, status: 500, message: 'Internal server error' },
} as const satisfies Record<string, ErrorRule>;

export type ErrorName = keyof typeof ERRORS;

export type ErrorParams = Record<string, string | number | boolean | null | undefined>;

/** renderMessage fills a template; absent params render as "(unknown)". */
export function renderMessage(template: string, params: ErrorParams = {}): string {
  return template.replace(/\{(\w+)\}/g, (_, key: string) => {
    const v = params[key];
    return v === undefined || v === null ? '(unknown)' : String(v);
  });
}

/** ApiError is a registry rule instantiated for one request; `pointer` names the body field. */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  readonly rule: ErrorRule;
  /** statusCode and code are plain fields: Fastify writes them back on validation errors. */
  readonly statusCode: number;
  readonly code: number;
  /** headers are sent with the error answer (Retry-After on 429). */
  headers: Record<string, string> | undefined;

  constructor(
    readonly id: ErrorName,
    readonly params: ErrorParams = {},
    readonly pointer?: string,
  ) {
    const rule: ErrorRule = ERRORS[id];
    super(renderMessage(rule.message, params));
    this.rule = rule;
    this.statusCode = rule.status;
    this.code = rule.code;
    this.headers = undefined;
  }
}

/** apiError is shorthand for `new ApiError(...)` in throw expressions. */
export function apiError(id: ErrorName, params: ErrorParams = {}, pointer?: string): ApiError {
  return new ApiError(id, params, pointer);
}

const escapeCell = (s: string): string => s.replaceAll('|', '\\|');

/** renderErrorTable is the markdown table docs/api-errors.md must contain verbatim. */
export function renderErrorTable(): string {
  const lines = ['| name | code | HTTP | message |', '| --- | --- | --- | --- |'];
  const entries = Object.entries(ERRORS) as Array<[ErrorName, ErrorRule]>;
  for (const [name, rule] of entries.sort((a, b) => a[1].code - b[1].code)) {
    const chain = rule.chain ? ` (error_chain ${rule.chain.code}: ${rule.chain.message})` : '';
    lines.push(`| \`${name}\` | ${rule.code} | ${rule.status} | ${escapeCell(rule.message + chain)} |`);
  }
  return lines.join('\n');
}
