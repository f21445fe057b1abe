// Typed store failures. Driver errors (pg and PGlite share Postgres SQLSTATEs) are translated into
// StoreError with a closed `kind` and the violated constraint's name, so the API can name the field
// and answer 400 instead of 500. Anything unrecognised is rethrown unchanged.

/** StoreErrorKind is the closed set of expected database refusals. */
export type StoreErrorKind = 'unique' | 'foreign_key' | 'check' | 'not_null' | 'invalid_input' | 'out_of_range';

/** StoreError is a database refusal of a write; `constraint` names the rule when Postgres says. */
export class StoreError extends Error {
  override readonly name = 'StoreError';
  constructor(
    readonly kind: StoreErrorKind,
    readonly constraint: string | undefined,
    message: string,
    readonly sqlState: string,
  ) {
    super(message);
  }
}

const KIND_BY_SQLSTATE: Record<string, StoreErrorKind> = {
  '23505': 'unique',
  '23503': 'foreign_key',
  '23514': 'check',
  '23502': 'not_null',
  '22P02': 'invalid_input',
  '22003': 'out_of_range',
  '22001': 'out_of_range',
};

interface DriverError {
  code?: unknown;
  constraint?: unknown;
  message?: unknown;
}

/** translateError maps a driver error to StoreError when it is an expected refusal. */
export function translateError(err: unknown): unknown {
  if (typeof err !== 'object' || err === null) return err;
  const e = err as DriverError;
  if (typeof e.code !== 'string') return err;
  const kind = KIND_BY_SQLSTATE[e.code];
  if (kind === undefined) return err;
  const constraint = typeof e.constraint === 'string' ? e.constraint : undefined;
  const message = typeof e.message === 'string' ? e.message : kind;
  return new StoreError(kind, constraint, message, e.code);
}
