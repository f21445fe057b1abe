// zonexfer for the transfer scenarios: started through SYSTEMS.zonexfer with a known admin token
// (and optionally --allow-transfer, --database-url), plus a small client for its Cloudflare-style
// API (/client/v4): accounts, TSIG keys, peers, zones, incoming/outgoing configs, ACLs. Plain
// fetch, no SDK; every call is bounded by a timeout and fails with the API's error text.
/* global fetch, AbortSignal */
import { randomBytes } from 'node:crypto';
import { isAlive, sleep } from './procs.mjs';
import { SYSTEMS } from './systems.mjs';

/** benchToken returns a fresh admin token (the API wants 40–80 characters of [0-9A-Za-z_-]). */
export const benchToken = () => `bench_${randomBytes(24).toString('hex')}`;

/** TSIG key used by the TSIG variants (hmac-sha256, 32 random octets per run). */
export function benchTsigKey(name = 'bench-key.') {
  return { name, algorithm: 'hmac-sha256', secret: randomBytes(32).toString('base64') };
}

export class ZxApi {
  constructor(apiPort, token) {
    this.base = `http://127.0.0.1:${apiPort}/client/v4`;
    this.token = token;
    this.calls = 0;
  }

  async request(method, path, body, timeoutMs = 60_000) {
    this.calls++;
    const res = await fetch(`${this.base}${path}`, {
      method,
      headers: { authorization: `Bearer ${this.token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      body: body !== undefined ? JSON.stringify(body) : undefined,
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await res.text();
    let json;
    try {
      json = JSON.parse(text);
    } catch {
      throw new Error(`${method} ${path}: HTTP ${res.status}, not JSON: ${text.slice(0, 200)}`);
    }
    if (!res.ok || json.success === false) {
      const e = json.errors?.map((x) => `${x.code ?? ''} ${x.message ?? ''}`.trim()).join('; ') || text.slice(0, 200);
      throw new Error(`${method} ${path}: HTTP ${res.status}: ${e}`);
    }
    return json.result;
  }

  /** waitReady polls GET /ready until it answers (bounded; fails when `alive()` turns false). */
  async waitReady(timeoutMs = 60_000, alive = () => true) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      try {
        const res = await fetch(`${this.base}/ready`, { signal: AbortSignal.timeout(2000) });
        if (res.ok) return;
      } catch {
        // not listening yet
      }
      if (!alive()) throw new Error('zonexfer exited before its API answered');
      if (Date.now() > deadline) throw new Error(`zonexfer API not ready within ${timeoutMs / 1000} s`);
      await sleep(100);
    }
  }

  createAccount(name = 'bench') {
    return this.request('POST', '/accounts', { name });
  }

  createTsig(accountId, key) {
    return this.request('POST', `/accounts/${accountId}/secondary_dns/tsigs`, { name: key.name, algo: key.algorithm ?? 'hmac-sha256', secret: key.secret });
  }

  createPeer(accountId, { name, ip = '127.0.0.1', port, ixfr = false, tsigId }) {
    return this.request('POST', `/accounts/${accountId}/secondary_dns/peers`, { name, ip, port, ixfr_enable: ixfr, ...(tsigId ? { tsig_id: tsigId } : {}) });
  }

  createAcl(accountId, name, ipRange) {
    return this.request('POST', `/accounts/${accountId}/secondary_dns/acls`, { name, ip_range: ipRange });
  }

  createZone(accountId, name, type = 'secondary') {
    return this.request('POST', '/zones', { name: name.replace(/\.$/, ''), account: { id: accountId }, type });
  }

  createIncoming(zoneId, { name, peers, autoRefreshSeconds = 86400 }) {
    return this.request('POST', `/zones/${zoneId}/secondary_dns/incoming`, { name, peers, auto_refresh_seconds: autoRefreshSeconds });
  }

  createOutgoing(zoneId, { name, peers }) {
    return this.request('POST', `/zones/${zoneId}/secondary_dns/outgoing`, { name, peers });
  }

  /**
   * addSecondary: a secondary zone `origin` pulling from `peerId` (2 calls: zone, incoming).
   * Resolves with the zone id.
   */
  async addSecondary(accountId, origin, peerIds, autoRefreshSeconds = 86400) {
    const zone = await this.createZone(accountId, origin, 'secondary');
    await this.createIncoming(zone.id, { name: origin.endsWith('.') ? origin : `${origin}.`, peers: peerIds, autoRefreshSeconds });
    return zone.id;
  }

  /**
   * addKeyholder makes zonexfer know a TSIG key for requests to its `--zone-file` zones: the engine
   * only loads keys linked to a peer of an API zone, so this creates a full zone
   * `keyholder.bench.invalid` whose outgoing config links a peer (127.0.0.9, nothing listens)
   * with the key. `--zone-file` zones then answer (and sign) requests signed with it from an
   * `--allow-transfer` address.
   */
  async addKeyholder(accountId, key) {
    const tsig = await this.createTsig(accountId, key);
    const peer = await this.createPeer(accountId, { name: 'keyholder', ip: '127.0.0.9', port: 53, tsigId: tsig.id });
    const zone = await this.createZone(accountId, 'keyholder.bench.invalid', 'full');
    await this.createOutgoing(zone.id, { name: 'keyholder.bench.invalid.', peers: [peer.id] });
    return { tsigId: tsig.id, peerId: peer.id, zoneId: zone.id };
  }
}

/**
 * startZonexfer starts zonexfer (SYSTEMS.zonexfer) with an admin token and waits for its API.
 * Options: allowTransfer (CIDR for the --zone-file zones), databaseUrl, token (default: a fresh
 * one; instances sharing a database share it), extraArgs.
 * Resolves {handle, api, token}.
 */
export async function startZonexfer({ dir, port, zones = [], cpus, allowTransfer, databaseUrl, token = benchToken(), extraArgs = [], timeoutMs = 300_000 }) {
  const args = ['--token', token, ...extraArgs];
  if (allowTransfer) args.push('--allow-transfer', allowTransfer);
  if (databaseUrl) args.push('--database-url', databaseUrl);
  const handle = await SYSTEMS.zonexfer.start({ dir, port, zones, cpus, timeoutMs, extraArgs: args });
  const api = new ZxApi(handle.apiPort, token);
  try {
    await api.waitReady(60_000, () => isAlive(handle.pid));
  } catch (err) {
    await handle.stop();
    throw new Error(`${err.message}; log ${handle.logFile}`, { cause: err });
  }
  return { handle, api, token };
}

/** mapLimit runs fn over items with at most `limit` at once; resolves with the results in order. */
export async function mapLimit(items, limit, fn) {
  const out = new Array(items.length);
  let next = 0;
  let failed = null;
  const worker = async () => {
    while (next < items.length && !failed) {
      const i = next++;
      try {
        out[i] = await fn(items[i], i);
      } catch (err) {
        failed ??= err;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (failed) throw failed;
  return out;
}
