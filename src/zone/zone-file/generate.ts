// $GENERATE (a BIND extension, BIND 9 ARM "The $GENERATE Directive"): the range syntax and the
// template substitution of `$`, `$$` / `\$` (a literal dollar) and `${offset[,width[,base]]}`
// with base d, o, x, X, n, N (n/N: reversed nibbles separated by dots, width counting the dots,
// ported from BIND's lib/dns/master.c nibbles()).

import { type Result, err, ok } from '../../wire/index.js';

/** GenerateRange is `start-stop[/step]`. */
export interface GenerateRange {
  readonly start: number;
  readonly stop: number;
  readonly step: number;
}

/** MAX_GENERATE bounds the records one $GENERATE may produce (a guard against huge ranges). */
export const MAX_GENERATE = 1 << 20;

/** parseRange parses `start-stop[/step]`; stop ≥ start, step ≥ 1, at most MAX_GENERATE values. */
export function parseRange(text: string): Result<GenerateRange, string> {
  const m = /^(\d{1,10})-(\d{1,10})(?:\/(\d{1,10}))?$/.exec(text);
  if (m === null) return err(`bad $GENERATE range "${text}" (expected start-stop[/step])`);
  const start = Number(m[1]);
  const stop = Number(m[2]);
  const step = m[3] === undefined ? 1 : Number(m[3]);
  if (start > 0x7fffffff || stop > 0x7fffffff || stop < start || step < 1) return err(`bad $GENERATE range "${text}"`);
  if (Math.floor((stop - start) / step) + 1 > MAX_GENERATE) return err(`$GENERATE range "${text}" yields more than ${MAX_GENERATE} records`);
  return ok({ start, stop, step });
}

function nibbles(value: number, width: number, upper: boolean): string {
  let s = '';
  let w = width;
  let v = value;
  do {
    const d = (v & 15).toString(16);
    s += upper ? d.toUpperCase() : d;
    v = Math.floor(v / 16);
    if (w > 0) w--;
    if (v !== 0 || w !== 0) {
      s += '.';
      if (w > 0) w--;
    }
  } while (v !== 0 || w !== 0);
  return s;
}

/** hasTemplate is true when `text` contains a `$` to substitute (a fast path for plain tokens). */
export function hasTemplate(text: string): boolean {
  return text.includes('$');
}

/** substitute expands one template for iterator value `v`. */
export function substitute(template: string, v: number): Result<string, string> {
  let out = '';
  for (let i = 0; i < template.length; ) {
    const ch = template[i]!;
    if (ch === '\\') {
      out += template.slice(i, i + 2);
      i += 2;
      continue;
    }
    if (ch !== '$') {
      out += ch;
      i++;
      continue;
    }
    if (template[i + 1] === '$') {
      out += '\\$';
      i += 2;
      continue;
    }
    if (template[i + 1] !== '{') {
      out += String(v);
      i++;
      continue;
    }
    const close = template.indexOf('}', i);
    const m = close < 0 ? null : /^(-?\d{1,10})(?:,(\d{1,3})(?:,([doxXnN]))?)?$/.exec(template.slice(i + 2, close));
    if (m === null) return err(`bad $GENERATE modifier in "${template}"`);
    const value = v + Number(m[1]);
    if (value < 0 || value > 0xffffffff) return err(`$GENERATE value ${value} out of range in "${template}"`);
    const width = m[2] === undefined ? 0 : Number(m[2]);
    const base = m[3] ?? 'd';
    let text: string;
    if (base === 'n' || base === 'N') text = nibbles(value, width, base === 'N');
    else {
      text = value.toString(base === 'd' ? 10 : base === 'o' ? 8 : 16);
      if (base === 'X') text = text.toUpperCase();
      text = text.padStart(width, '0');
    }
    out += text;
    i = close + 1;
  }
  return ok(out);
}
