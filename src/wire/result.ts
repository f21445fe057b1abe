// Result: the typed success-or-failure value the pure core returns at its boundaries (STYLE.md
// principle 6). Expected failures (decode, TSIG, validation) are values; `throw` is for bugs.

/** Result is either `{ ok: true, value }` or `{ ok: false, error }`. */
export type Result<T, E> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: E };

/** ok wraps a success value. */
export function ok<T>(value: T): { readonly ok: true; readonly value: T } {
  return { ok: true, value };
}

/** okVoid is the one success without a value, for hot paths that would otherwise allocate one per call. */
export const okVoid: { readonly ok: true; readonly value: undefined } = Object.freeze({ ok: true, value: undefined });

/** err wraps a failure value. */
export function err<E>(error: E): { readonly ok: false; readonly error: E } {
  return { ok: false, error };
}
