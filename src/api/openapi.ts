// OpenAPI 3.1 document assembled from the routes as they are registered (onRoute): path and query
// parameters, request bodies and results come from the same TypeBox schemas that validate requests,
// so the document cannot drift from the code. Served at GET /client/v4/openapi.json.
import { Type, type TSchema } from '@sinclair/typebox';
import type { RouteOptions } from 'fastify';
import { EnvelopeOf, FailureEnvelopeSchema } from './schemas/common.js';

interface Operation {
  method: string;
  path: string;
  options: RouteOptions;
}

/** plain drops TypeBox's symbol keys (JSON round trip). */
const plain = (schema: unknown): Record<string, unknown> => JSON.parse(JSON.stringify(schema)) as Record<string, unknown>;

function parameters(schema: unknown, where: 'path' | 'query'): unknown[] {
  if (!schema) return [];
  const s = plain(schema) as { properties?: Record<string, Record<string, unknown>>; required?: string[] };
  return Object.entries(s.properties ?? {}).map(([name, prop]) => ({
    name,
    in: where,
    required: where === 'path' || (s.required ?? []).includes(name),
    ...(typeof prop.description === 'string' ? { description: prop.description } : {}),
    schema: prop,
  }));
}

/** OpenApiCollector records the routes registered under `prefix`. */
export class OpenApiCollector {
  private readonly ops: Operation[] = [];

  constructor(readonly prefix: string) {}

  /** onRoute is the Fastify hook; routes outside the prefix and HEAD routes are ignored. */
  onRoute = (route: RouteOptions): void => {
    if (!route.url.startsWith(`${this.prefix}/`) || route.config?.public === true) return;
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    const path = route.url.slice(this.prefix.length).replace(/:(\w+)/g, '{$1}');
    for (const method of methods) {
      if (method === 'HEAD') continue;
      this.ops.push({ method: method.toLowerCase(), path, options: route });
    }
  };

  document(version: string): Record<string, unknown> {
    const paths: Record<string, Record<string, unknown>> = {};
    for (const { method, path, options } of this.ops) {
      const schema = options.schema ?? {};
      const meta = options.config?.openapi;
      const result: TSchema | undefined = meta?.result;
      const op: Record<string, unknown> = {
        ...(schema.operationId ? { operationId: schema.operationId } : {}),
        ...(schema.summary ? { summary: schema.summary } : {}),
        ...(schema.description ? { description: schema.description } : {}),
        ...(schema.tags ? { tags: schema.tags } : {}),
        parameters: [...parameters(schema.params, 'path'), ...parameters(schema.querystring, 'query')],
        responses: {
          '200': {
            description: 'Success',
            content: meta?.contentType
              ? { [meta.contentType]: { schema: { type: 'string' } } }
              : { 'application/json': { schema: plain(EnvelopeOf(result ?? Type.Unknown(), meta?.paginated === true)) } },
          },
          '4XX': { description: 'Failure', content: { 'application/json': { schema: plain(FailureEnvelopeSchema) } } },
        },
      };
      const body = schema.body ?? meta?.requestBody;
      if (body) {
        op.requestBody = {
          required: true,
          content: { [meta?.requestContentType ?? 'application/json']: { schema: plain(body) } },
        };
      }
      (paths[path] ??= {})[method] = op;
    }
    return {
      openapi: '3.1.0',
      info: {
        title: 'zonexfer API',
        version,
        description: "Cloudflare-compatible Zone Transfers API (secondary_dns), zones, accounts, tokens and DNS records",
      },
      servers: [{ url: this.prefix }],
      components: {
        securitySchemes: {
          api_token: { type: 'http', scheme: 'bearer' },
          api_email: { type: 'apiKey', in: 'header', name: 'X-Auth-Email' },
          api_key: { type: 'apiKey', in: 'header', name: 'X-Auth-Key' },
        },
      },
      security: [{ api_token: [] }, { api_email: [], api_key: [] }],
      paths,
    };
  }
}
