// $INCLUDE (RFC 1035 §5.1) through the ReadInclude port: an in-memory reader for the parser
// rules (origin argument and restore, nesting, errors naming the included file, confinement,
// `allowInclude: false`), and the fs adapter confined to the zone's folder (symlinks too).
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MAX_INCLUDE_DEPTH, confineIncludePath, parseZoneFile } from '../../../../src/zone/zone-file/index.js';
import { folderIncludeReader } from '../../../../src/zone/zone-file/include-reader.js';
import { lines, memoryReader, parseErr } from './helpers.js';

const HEAD = '$ORIGIN example.com.\n$TTL 60\n';

describe('$INCLUDE through an in-memory reader', () => {
  it('reads the file at that point, relative names under the current origin', () => {
    const read = memoryReader({ 'hosts.inc': 'www A 192.0.2.1\nmail A 192.0.2.2\n' });
    expect(lines(HEAD + 'a A 192.0.2.9\n$INCLUDE hosts.inc\nz A 192.0.2.10\n', { readInclude: read })).toEqual([
      'a.example.com. 60 IN A 192.0.2.9',
      'www.example.com. 60 IN A 192.0.2.1',
      'mail.example.com. 60 IN A 192.0.2.2',
      'z.example.com. 60 IN A 192.0.2.10',
    ]);
    expect(read.asked).toEqual(['hosts.inc']);
  });

  it('takes an origin argument and restores the including origin afterwards (RFC 1035 §5.1)', () => {
    const read = memoryReader({ 'sub.inc': '@ A 192.0.2.1\nwww A 192.0.2.2\n$ORIGIN elsewhere.\nx A 192.0.2.3\n' });
    expect(lines(HEAD + '$INCLUDE sub.inc sub\nafter A 192.0.2.4\n', { readInclude: read })).toEqual([
      'sub.example.com. 60 IN A 192.0.2.1',
      'www.sub.example.com. 60 IN A 192.0.2.2',
      'x.elsewhere. 60 IN A 192.0.2.3',
      'after.example.com. 60 IN A 192.0.2.4',
    ]);
  });

  it('keeps a $TTL set inside the included file (as BIND does)', () => {
    const read = memoryReader({ 't.inc': '$TTL 5\n' });
    expect(lines(HEAD + '$INCLUDE t.inc\nx A 192.0.2.1\n', { readInclude: read })).toEqual(['x.example.com. 5 IN A 192.0.2.1']);
  });

  it('nests includes, paths relative to the zone folder, quoted and with escapes', () => {
    const read = memoryReader({ 'a/one.inc': '$INCLUDE "b/two words.inc"\n', 'b/two words.inc': 'deep A 192.0.2.1\n' });
    expect(lines(HEAD + '$INCLUDE a/one.inc ; comment\n', { readInclude: read })).toEqual(['deep.example.com. 60 IN A 192.0.2.1']);
    const read2 = memoryReader({ 'sp ace.inc': 'y A 192.0.2.1\n' });
    expect(lines(HEAD + '$INCLUDE sp\\032ace.inc\n', { readInclude: read2 })).toEqual(['y.example.com. 60 IN A 192.0.2.1']);
  });

  it('normalises `.` and inner `..` that stay inside the folder', () => {
    const read = memoryReader({ 'b.inc': 'q A 192.0.2.1\n' });
    expect(lines(HEAD + '$INCLUDE ./a/../b.inc\n', { readInclude: read })).toEqual(['q.example.com. 60 IN A 192.0.2.1']);
    expect(read.asked).toEqual(['b.inc']);
  });

  it('names the included file, its line and column in errors inside it', () => {
    const read = memoryReader({ 'bad.inc': 'ok A 192.0.2.1\n\nbroken A 300.1.1.1\n' });
    expect(parseErr(HEAD + '$INCLUDE bad.inc\n', { readInclude: read, fileName: 'example.com.zone' })).toEqual({
      file: 'bad.inc',
      line: 3,
      column: 10,
      message: 'bad IPv4 address "300.1.1.1"',
    });
  });

  it('reports a file the reader cannot supply at the $INCLUDE line', () => {
    const e = parseErr(HEAD + '\n$INCLUDE missing.inc\n', { readInclude: memoryReader({}), fileName: 'z' });
    expect(e).toMatchObject({ file: 'z', line: 4, column: 10 });
    expect(e.message).toMatch(/cannot read \$INCLUDE "missing.inc": no such file/);
  });

  it('refuses paths that leave the zone folder, before asking the reader', () => {
    for (const path of ['../x.inc', 'a/../../x.inc', '/etc/passwd', '\\\\server\\share', 'C:\\zones\\x', 'c:x', '..']) {
      const read = memoryReader({});
      const e = parseErr(`${HEAD}$INCLUDE "${path.replace(/\\/g, '\\\\')}"\n`, { readInclude: read });
      expect(e.message, path).toMatch(/leaves the zone's folder/);
      expect(e).toMatchObject({ line: 3, column: 10 });
      expect(read.asked).toEqual([]);
    }
  });

  it('refuses $INCLUDE when allowInclude is false, even with a reader', () => {
    const read = memoryReader({ 'x.inc': 'x A 192.0.2.1\n' });
    const e = parseErr(HEAD + '$INCLUDE x.inc\n', { readInclude: read, allowInclude: false });
    expect(e).toMatchObject({ line: 3, column: 1, message: '$INCLUDE directive not allowed' });
    expect(read.asked).toEqual([]);
  });

  it('refuses $INCLUDE without a reader', () => {
    expect(parseErr(HEAD + '$INCLUDE x.inc\n').message).toMatch(/not allowed/);
    expect(parseErr(HEAD + '$INCLUDE x.inc\n', { allowInclude: true }).message).toMatch(/needs a file reader/);
  });

  it('refuses a file that includes itself and nesting deeper than MAX_INCLUDE_DEPTH', () => {
    expect(parseErr(HEAD + '$INCLUDE self.inc\n', { readInclude: memoryReader({ 'self.inc': '$INCLUDE self.inc\n' }) }).message).toMatch(/includes itself/);
    const files: Record<string, string> = {};
    for (let i = 0; i < MAX_INCLUDE_DEPTH + 3; i++) files[`f${i}.inc`] = `$INCLUDE f${i + 1}.inc\n`;
    const e = parseErr(HEAD + '$INCLUDE f0.inc\n', { readInclude: memoryReader(files) });
    expect(e.message).toMatch(/nests too deep/);
  });

  it('needs one or two arguments', () => {
    const read = memoryReader({});
    expect(parseErr(HEAD + '$INCLUDE\n', { readInclude: read }).message).toMatch(/needs 1 to 2 argument/);
    expect(parseErr(HEAD + '$INCLUDE a b c\n', { readInclude: read })).toMatchObject({ column: 14, message: 'unexpected "c" after $INCLUDE' });
  });
});

describe('confineIncludePath', () => {
  it.each([
    ['a.inc', 'a.inc'],
    ['./a.inc', 'a.inc'],
    ['sub//x/./y.inc', 'sub/x/y.inc'],
    ['sub/../y.inc', 'y.inc'],
    ['sub\\y.inc', 'sub/y.inc'],
  ])('%s → %s', (p, want) => expect(confineIncludePath(p)).toBe(want));
  it.each(['', '.', '..', '../a', 'a/../..', '/abs', '\\abs', 'C:/x', 'd:x', 'a\0b'])('refuses %j', (p) => expect(confineIncludePath(p)).toBeUndefined());
});

describe('folderIncludeReader (the fs adapter)', () => {
  const root = mkdtempSync(join(tmpdir(), 'zonexfer-include-'));
  const zones = join(root, 'zones');
  mkdirSync(join(zones, 'sub'), { recursive: true });
  writeFileSync(join(zones, 'hosts.inc'), 'www A 192.0.2.1\n');
  writeFileSync(join(zones, 'sub', 'more.inc'), 'more A 192.0.2.2\n');
  writeFileSync(join(root, 'secret.inc'), 'secret A 192.0.2.66\n');
  symlinkSync(join(root, 'secret.inc'), join(zones, 'link.inc'));
  symlinkSync(join(zones, 'hosts.inc'), join(zones, 'inside-link.inc'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('reads files at or below the folder', () => {
    const read = folderIncludeReader(zones);
    expect(lines(HEAD + '$INCLUDE hosts.inc\n$INCLUDE sub/more.inc\n$INCLUDE inside-link.inc\n', { readInclude: read })).toEqual([
      'www.example.com. 60 IN A 192.0.2.1',
      'more.example.com. 60 IN A 192.0.2.2',
      'www.example.com. 60 IN A 192.0.2.1',
    ]);
  });

  it('refuses `..`, absolute paths and symlinks that lead out of the folder', () => {
    const read = folderIncludeReader(zones);
    expect(read('../secret.inc')).toMatchObject({ ok: false });
    expect(read(join(root, 'secret.inc'))).toMatchObject({ ok: false });
    const viaLink = read('link.inc');
    expect(viaLink.ok).toBe(false);
    if (!viaLink.ok) expect(viaLink.error).toMatch(/resolves outside the zone folder/);
    const r = parseZoneFile(HEAD + '$INCLUDE link.inc\n', { readInclude: read });
    expect(r.ok).toBe(false);
    expect(read('nope.inc')).toMatchObject({ ok: false });
  });
});
