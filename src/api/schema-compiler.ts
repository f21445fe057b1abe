// Fastify validator compiler over TypeBox: params, querystring and body are checked by compiled
// TypeBox schemas and every failure becomes an ApiError from the registry (never Fastify's own
// error shape). Query strings are converted to the schema's types; bodies are not coerced, so
// values are stored exactly as sent. A body the JSON parser could not read arrives as MalformedBody.
import type { TSchema } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { ValueErrorType, type ValueError } from '@sinclair/typebox/errors';
import { Value } from '@sinclair/typebox/value';
import type { FastifySchemaCompiler } from 'fastify';
import { apiError } from './errors.js';

/** MalformedBody stands in for a request body that is not valid JSON. */
export class MalformedBody {
  constructor(readonly reason: string) {}
}

/** fieldName turns a JSON pointer into the dotted field name used in messages. */
export function fieldName(pointer: string): string {
  return pointer === '' || pointer === '/' ? 'body' : pointer.slice(1).replaceAll('/', '.');
}

function literalChoices(schema: TSchema): string[] | undefined {
  const anyOf = (schema as { anyOf?: Array<{ const?: unknown }> }).anyOf;
  if (!Array.isArray(anyOf) || anyOf.length === 0) return undefined;
  const values = anyOf.map((s) => s.const);
  return values.every((v) => typeof v === 'string') ? (values as string[]) : undefined;
}

function reason(err: ValueError): string {
  const choices = literalChoices(err.schema);
  if (choices) return `must be one of ${choices.join(', ')}`;
  if (err.type === ValueErrorType.ObjectRequiredProperty) return 'is required';
  if (err.type === ValueErrorType.StringPattern && (err.schema as { pattern?: string }).pattern === '^[0-9a-f]{32}$') {
    return 'must be an identifier of 32 lower-case hex characters';
  }
  return err.message.charAt(0).toLowerCase() + err.message.slice(1);
}

/** looseNumber names the first integer query parameter not written as /^-?\d+$/. */
function looseNumber(schema: TSchema, query: unknown): string | undefined {
  const props = (schema as { properties?: Record<string, { type?: unknown }> }).properties;
  if (props === undefined || typeof query !== 'object' || query === null) return undefined;
  for (const [key, v] of Object.entries(query)) {
    if (props[key]?.type !== 'integer') continue;
    const values: unknown[] = Array.isArray(v) ? v : [v];
    if (values.some((x) => typeof x === 'string' && !/^-?\d{1,16}$/.test(x))) return key;
  }
  return undefined;
}

/** nulField names the first query parameter whose value (or one of its values) contains U+0000. */
function nulField(query: unknown): string | undefined {
  if (typeof query !== 'object' || query === null) return undefined;
  for (const [key, v] of Object.entries(query)) {
    const values: unknown[] = Array.isArray(v) ? v : [v];
    if (key.includes('\u0000') || values.some((x) => typeof x === 'string' && x.includes('\u0000'))) return key.replaceAll('\u0000', '');
  }
  return undefined;
}

/** validatorCompiler is installed with app.setValidatorCompiler. */
export const validatorCompiler: FastifySchemaCompiler<TSchema> = ({ schema, httpPart }) => {
  const compiled = TypeCompiler.Compile(schema);
  return (data: unknown) => {
    if (data instanceof MalformedBody) return { error: apiError('malformed_json', { reason: data.reason }) };
    if (httpPart === 'querystring') {
      // Value.Convert is lenient ("1.5" → 1, "0x10" → 16, "1e99"); numbers in a query must be written plainly.
      const loose = looseNumber(schema, data);
      if (loose !== undefined) {
        return { error: apiError('invalid_request', { field: loose, reason: 'must be written as a plain decimal integer' }, `/${loose}`) };
      }
    }
    const value = httpPart === 'querystring' ? Value.Convert(schema, data ?? {}) : data;
    if (httpPart === 'querystring') {
      // Postgres text cannot hold U+0000; a filter carrying one would fail in the database (500).
      const nul = nulField(value);
      if (nul !== undefined) return { error: apiError('invalid_request', { field: nul, reason: 'must not contain the NUL character' }, `/${nul}`) };
    }
    if (compiled.Check(value)) return { value };
    const first = compiled.Errors(value).First();
    if (httpPart === 'params') return { error: apiError('invalid_id', { path: '(path)' }) };
    if (httpPart === 'body' && (value === null || value === undefined || typeof value !== 'object' || Array.isArray(value))) {
      return { error: apiError('invalid_request', { field: 'body', reason: 'must be a JSON object' }, '') };
    }
    const pointer = first?.path ?? '';
    return {
      error: apiError('invalid_request', { field: fieldName(pointer), reason: first ? reason(first) : 'is invalid' }, pointer || ''),
    };
  };
};
