// The embedded database on disk: a new directory is initialised in a child process (the server
// process never holds initdb's memory), keeps the shared_buffers setting zonexfer starts it with,
// and opens again with its data.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openPglite } from '../../../src/store/adapters/pglite.js';

describe('PGlite on disk', () => {
  const dir = mkdtempSync(join(tmpdir(), 'zx-pglite-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('initialises a new directory, then reopens it with its rows and small shared buffers', { timeout: 120_000 }, async () => {
    const data = join(dir, 'pglite');
    const first = await openPglite({ dataDir: data });
    expect(existsSync(join(data, 'PG_VERSION'))).toBe(true);
    await first.exec('CREATE TABLE kept (v int); INSERT INTO kept VALUES (42);');
    expect(await first.query('SHOW shared_buffers')).toEqual([{ shared_buffers: '16MB' }]);
    await first.close();
    // postgresql.conf is initdb's, untouched (the setting is a start parameter).
    expect(readFileSync(join(data, 'postgresql.conf'), 'utf8')).toContain('max_connections');
    const again = await openPglite({ dataDir: data });
    expect(await again.query('SELECT v FROM kept')).toEqual([{ v: 42 }]);
    expect(await again.query('SHOW shared_buffers')).toEqual([{ shared_buffers: '16MB' }]);
    await again.close();
  });
});
