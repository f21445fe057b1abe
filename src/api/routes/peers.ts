// /accounts/{account_id}/secondary_dns/peers[/{peer_id}]. POST stores every field sent (Terraform
// sends the whole model); PUT merges (absent keeps, null clears); values are echoed exactly. A peer
// still linked to zones may be deleted: it is unlinked from them (choice documented in
// docs/api-errors.md). Updates and deletes call engine.zoneChanged for every linked zone.
import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ID_PATTERN, type PeerInput, type Store } from '../../store/index.js';
import { visibleAccount } from '../auth/authenticate.js';
import { ok } from '../envelope.js';
import { apiError } from '../errors.js';
import { peerJson } from '../present.js';
import { AccountParams, IdResult, PeerParams } from '../schemas/common.js';
import { PeerCreateBody, PeerResult, PeerUpdateBody } from '../schemas/secondary-dns.js';
import { hostIpProblem } from '../validate.js';
import type { RouteContext } from './context.js';

type PeerReq = FastifyRequest<{ Params: { account_id: string; peer_id: string } }>;
const BASE = '/accounts/:account_id/secondary_dns/peers';
const tags = ['Zone Transfers: peers'];

/** checkPeer validates the fields of a merged peer; throws 400 naming the field. */
async function checkPeer(store: Store, accountId: string, p: PeerInput): Promise<PeerInput> {
  if (p.ip !== null && hostIpProblem(p.ip) !== undefined) throw apiError('invalid_peer_ip', { value: p.ip }, '/ip');
  if (p.port !== null && (!Number.isInteger(p.port) || p.port < 1 || p.port > 65535)) {
    throw apiError('invalid_peer_port', { value: p.port }, '/port');
  }
  if (p.tsigId !== null && (!ID_PATTERN.test(p.tsigId) || !(await store.tsigs.get(accountId, p.tsigId)))) {
    throw apiError('unknown_tsig', { value: p.tsigId }, '/tsig_id');
  }
  return p;
}

/** merge applies a body to a base: undefined keeps the base value, null clears it. */
function pick<T>(value: T | null | undefined, base: T | null): T | null {
  return value === undefined ? base : value;
}

export function registerPeers(app: FastifyInstance, ctx: RouteContext): void {
  const { store } = ctx;

  app.get(BASE, {
    schema: { summary: 'List peers', tags, operationId: 'peers.list', params: AccountParams },
    config: { openapi: { result: Type.Array(PeerResult) } },
  }, async (req: FastifyRequest<{ Params: { account_id: string } }>) => {
    const account = await visibleAccount(store, req, req.params.account_id);
    return ok((await store.peers.list(account.id)).map(peerJson));
  });

  app.get(`${BASE}/:peer_id`, {
    schema: { summary: 'Peer details', tags, operationId: 'peers.get', params: PeerParams },
    config: { openapi: { result: PeerResult } },
  }, async (req: PeerReq) => {
    const account = await visibleAccount(store, req, req.params.account_id);
    const peer = await store.peers.get(account.id, req.params.peer_id);
    if (!peer) throw apiError('peer_not_found');
    return ok(peerJson(peer));
  });

  app.post(BASE, {
    schema: { summary: 'Create peer', tags, operationId: 'peers.create', params: AccountParams, body: PeerCreateBody },
    config: { openapi: { result: PeerResult } },
  }, async (req: FastifyRequest<{ Params: { account_id: string }; Body: PeerCreateBody }>) => {
    const account = await visibleAccount(store, req, req.params.account_id);
    const b = req.body;
    const input = await checkPeer(store, account.id, {
      name: b.name,
      ip: b.ip ?? null,
      port: b.port ?? null,
      ixfrEnable: b.ixfr_enable ?? null,
      tsigId: b.tsig_id ?? null,
    });
    return ok(peerJson(await store.peers.create(account.id, input)));
  });

  app.put(`${BASE}/:peer_id`, {
    schema: { summary: 'Update peer', tags, operationId: 'peers.update', params: PeerParams, body: PeerUpdateBody },
    config: { openapi: { result: PeerResult } },
  }, async (req: FastifyRequest<{ Params: { account_id: string; peer_id: string }; Body: PeerUpdateBody }>) => {
    const account = await visibleAccount(store, req, req.params.account_id);
    const current = await store.peers.get(account.id, req.params.peer_id);
    if (!current) throw apiError('peer_not_found');
    const b = req.body;
    const input = await checkPeer(store, account.id, {
      name: b.name ?? current.name,
      ip: pick(b.ip, current.ip),
      port: pick(b.port, current.port),
      ixfrEnable: pick(b.ixfr_enable, current.ixfrEnable),
      tsigId: pick(b.tsig_id, current.tsigId),
    });
    const peer = await store.peers.update(account.id, current.id, input);
    if (!peer) throw apiError('peer_not_found');
    ctx.zonesChanged(await store.peers.zonesUsing(peer.id));
    return ok(peerJson(peer));
  });

  app.delete(`${BASE}/:peer_id`, {
    schema: { summary: 'Delete peer', tags, operationId: 'peers.delete', params: PeerParams },
    config: { openapi: { result: IdResult } },
  }, async (req: PeerReq) => {
    const account = await visibleAccount(store, req, req.params.account_id);
    const zones = await store.peers.delete(account.id, req.params.peer_id);
    if (zones === null) throw apiError('peer_not_found');
    ctx.zonesChanged(zones);
    return ok({ id: req.params.peer_id });
  });
}
