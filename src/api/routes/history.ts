// GET /zones/{zone_id}/secondary_dns/history?limit=N (zonexfer extension, not Cloudflare's): the
// zone's last N transfers and NOTIFYs, newest first, from the engine's history (zone_transfers).
// Same tenancy as the other zone routes: a zone of another account answers 404. Any zone type:
// a primary has transfers out and NOTIFYs sent, a secondary transfers in and NOTIFYs received.
import { type Static, Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { TransferRecord } from '../../store/index.js';
import { visibleZone } from '../auth/authenticate.js';
import { ok } from '../envelope.js';
import { Nullable, Time, ZoneParams } from '../schemas/common.js';
import type { RouteContext } from './context.js';

/** DEFAULT_HISTORY / MAX_HISTORY bound `limit`. */
export const DEFAULT_HISTORY = 50;
export const MAX_HISTORY = 1000;

const HistoryQuery = Type.Object({
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_HISTORY, description: `How many entries, newest first (default ${DEFAULT_HISTORY})` })),
});
type HistoryQuery = Static<typeof HistoryQuery>;

const HistoryEntry = Type.Object({
  id: Type.Integer({ description: 'Increasing entry number' }),
  time: { ...Time, description: 'When it ended (RFC 3339)' },
  started_at: Time,
  type: Type.Union(['axfr-in', 'ixfr-in', 'refresh', 'axfr-out', 'ixfr-out', 'notify-in', 'notify-out'].map((op) => Type.Literal(op)), {
    description: 'refresh is a refresh in which every peer failed (error says why for each)',
  }),
  peer: Nullable(Type.String({ description: 'IP address of the other side' })),
  serial: Nullable(Type.Integer({ description: 'SOA serial transferred, or announced by a NOTIFY' })),
  duration_ms: Type.Integer(),
  records: Nullable(Type.Integer({ description: 'RRs on the wire (transfers only)' })),
  bytes: Nullable(Type.Integer({ description: 'Octets on the wire (transfers only)' })),
  result: Type.Union([Type.Literal('success'), Type.Literal('failure')]),
  error: Nullable(Type.String()),
  xfr_id: Nullable(Type.String({ description: 'Transfer id, as in the `xfr` field of the log lines' })),
});

/** historyJson renders one history row. */
export function historyJson(r: TransferRecord): Static<typeof HistoryEntry> {
  return {
    id: r.id,
    time: r.finishedAt,
    started_at: r.startedAt,
    type: r.op,
    peer: r.remote,
    serial: r.serial,
    duration_ms: Math.max(0, Date.parse(r.finishedAt) - Date.parse(r.startedAt)),
    records: r.records,
    bytes: r.bytes,
    result: r.ok ? 'success' : 'failure',
    error: r.error,
    xfr_id: r.xfrId,
  };
}

export function registerHistory(app: FastifyInstance, ctx: RouteContext): void {
  app.get('/zones/:zone_id/secondary_dns/history', {
    schema: {
      summary: 'Transfer history (zonexfer extension)',
      description: 'The last transfers in and out and NOTIFYs of the zone, newest first.',
      tags: ['Zone Transfers: history'],
      operationId: 'history.list',
      params: ZoneParams,
      querystring: HistoryQuery,
    },
    config: { openapi: { result: Type.Array(HistoryEntry) } },
  }, async (req: FastifyRequest<{ Params: { zone_id: string }; Querystring: HistoryQuery }>) => {
    const zone = await visibleZone(ctx.store, req, req.params.zone_id);
    const rows = await ctx.store.zoneState.history(zone.id, req.query.limit ?? DEFAULT_HISTORY);
    return ok(rows.reverse().map(historyJson));
  });
}
