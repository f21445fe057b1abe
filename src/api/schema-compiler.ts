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

/** validatorCompiler is installed with app.setValidatorCompiler. */
export const validatorCompiler: FastifySchemaCompiler<TSchema> = ({ schema, httpPart }) => {
  const compiled = TypeCompiler.Compile(schema);
  return (data: unknown) => {
    if (data instanceof MalformedBody) return { error: apiError('malformed_json', { reason: data.reason }) };
    const value = httpPart === 'querystring' ? Value.Convert(schema, data ?? {}) : data;
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
