// The error registry is documented (docs/api-errors.md holds the generated table verbatim), codes
// are unique and >= 1000, statuses are never 409 and only internal_error is 5xx.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ERRORS, renderErrorTable, type ErrorRule } from '../../src/api/errors.js';

const DOC = fileURLToPath(new URL('../../docs/api-errors.md', import.meta.url));
const START = '<!-- errors:start -->';
const END = '<!-- errors:end -->';

function tableInDoc(doc: string): string {
  const start = doc.indexOf(START);
  const end = doc.indexOf(END);
  if (start < 0 || end < start) throw new Error(`${DOC} lacks the ${START} … ${END} markers`);
  return doc.slice(start + START.length, end).trim();
}

describe('error registry', () => {
  it('is documented in docs/api-errors.md (UPDATE_DOCS=1 regenerates)', () => {
    let doc = readFileSync(DOC, 'utf8');
    const table = renderErrorTable();
    if (process.env.UPDATE_DOCS === '1') {
      const start = doc.indexOf(START);
      const end = doc.indexOf(END);
      doc = `${doc.slice(0, start + START.length)}\n${table}\n${doc.slice(end)}`;
      writeFileSync(DOC, doc);
    }
    expect(tableInDoc(doc)).toBe(table);
    for (const [name, rule] of Object.entries(ERRORS) as Array<[string, ErrorRule]>) {
      expect(doc).toContain(`| \`${name}\` | ${rule.code} | ${rule.status} |`);
    }
  });

  it('has unique codes >= 1000, no 409, and 5xx only for internal errors', () => {
    const rules = Object.entries(ERRORS) as Array<[string, ErrorRule]>;
    const codes = rules.map(([, r]) => r.code);
    expect(new Set(codes).size).toBe(codes.length);
    for (const [name, rule] of rules) {
      expect(rule.code, name).toBeGreaterThanOrEqual(1000);
      expect(rule.status, name).not.toBe(409);
      if (rule.status >= 500) expect(name).toBe('internal_error');
      expect([400, 401, 403, 404, 413, 429, 500]).toContain(rule.status);
    }
  });
});
