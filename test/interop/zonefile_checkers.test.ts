// Zone files against the real checkers: every fixture in fixtures/zones is accepted by BIND's
// named-checkzone and by Knot's kzonecheck; named-compilezone's canonical dump of it parses with
// our parser into the same record set as our parse of the original; and the text our printer
// writes is accepted by both checkers and dumps to the same records again.
// Knot: kzonecheck ships in Debian's knot-dnssecutils; when only knotd is installed, `knotc
// zone-check` with `semantic-checks: on` runs the same loader and checks (kzonecheck counts each
// semantic warning as a failure, and so does this file). Skipped with one console line naming
// the missing binary, unless ZONEXFER_REQUIRE_PEERS=1.
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { type ResourceRecord, nameFromTrusted } from '../../src/wire/index.js';
import { parseZoneFile, printZoneFile } from '../../src/zone/zone-file/index.js';
import { findPeer, peersRequired } from '../helpers/peers.js';

const FIXTURES = resolve(fileURLToPath(new URL('../../fixtures/zones', import.meta.url)));
const ZONES = [
  { file: 'example.com.zone', origin: 'example.com.' },
  { file: 'dnssec.example.zone', origin: 'dnssec.example.' },
  { file: 'types.example.zone', origin: 'types.example.' },
  { file: 'big10k.example.zone', origin: 'big.example.' },
] as const;

// ------------------------------------------------------------------ which checkers exist

const checkzone = findPeer('named-checkzone');
const compilezone = findPeer('named-compilezone');
const kzonecheck = findPeer('kzonecheck');
const knotc = kzonecheck === undefined ? findPeer('knotc') : undefined;
const missing = [
  ...(checkzone === undefined ? ['named-checkzone'] : []),
  ...(compilezone === undefined ? ['named-compilezone'] : []),
  ...(kzonecheck === undefined && knotc === undefined ? ['kzonecheck'] : []),
];
const REQUIRE = peersRequired();
if (missing.length > 0 && !REQUIRE) console.log(`skip zone-file checker interop: missing ${missing.join(', ')} (apt-get install bind9-utils knot-dnssecutils)`);
else if (kzonecheck === undefined) console.log('zone-file checker interop: kzonecheck not installed, using `knotc zone-check` (same loader and semantic checks)');
const run = missing.length === 0;

const work = mkdtempSync(join(tmpdir(), 'zonexfer-checkers-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

interface Ran {
  readonly code: number;
  readonly out: string;
  readonly err: string;
}

function exec(bin: string, args: string[]): Promise<Ran> {
  return new Promise((done) => {
    execFile(bin, args, { timeout: 60_000, maxBuffer: 256 << 20 }, (e, stdout, stderr) => {
      const code = e === null ? 0 : typeof e.code === 'number' ? e.code : 1;
      done({ code, out: stdout, err: stderr });
    });
  });
}

const bare = (origin: string): string => origin.replace(/\.$/, '');

/** bind checks with named-checkzone; accepted means exit 0. */
async function bind(origin: string, file: string): Promise<Ran> {
  return exec(checkzone!, ['-i', 'none', bare(origin), file]);
}

let knotConfigs = 0;

/** knot checks with kzonecheck, or knotc zone-check with a throw-away configuration. */
async function knot(origin: string, file: string): Promise<Ran> {
  if (kzonecheck !== undefined) return exec(kzonecheck, ['-o', origin, file]);
  const dir = join(work, `knot-${++knotConfigs}`);
  const conf = join(work, `knot-${knotConfigs}.conf`);
  mkdirSync(dir);
  writeFileSync(
    conf,
    [
      'server:',
      `    rundir: "${dir}"`,
      'database:',
      `    storage: "${dir}"`,
      'template:',
      '  - id: default',
      '    semantic-checks: on',
      'zone:',
      `  - domain: "${origin}"`,
      `    file: "${file}"`,
      '',
    ].join('\n'),
  );
  const r = await exec(knotc!, ['-c', conf, 'zone-check', origin]);
  // knotc reports semantic problems as warnings and still exits 0; kzonecheck fails on them.
  const problems = `${r.out}\n${r.err}`.split('\n').filter((l) => /^(warning|error): \[/.test(l));
  return { ...r, code: r.code !== 0 || problems.length > 0 ? r.code || 1 : 0 };
}

/** recordSet is the comparison key of a zone: sorted lower-cased name, type, class, TTL, RDATA hex. */
function recordSet(records: readonly ResourceRecord[]): string[] {
  return records.map((r) => `${r.name.toLowerCase()} ${r.type} ${r.class} ${r.ttl} ${Buffer.from(r.rdata).toString('hex')}`).sort();
}

function parse(text: string, origin: string, fileName: string): ResourceRecord[] {
  const r = parseZoneFile(text, { origin: nameFromTrusted(origin), fileName });
  if (!r.ok) throw new Error(`${r.error.file}:${r.error.line}:${r.error.column}: ${r.error.message}`);
  return r.value.records;
}

/** compiled is named-compilezone's full-style dump of `file`, parsed by us. */
async function compiled(origin: string, file: string): Promise<ResourceRecord[]> {
  const r = await exec(compilezone!, ['-s', 'full', '-i', 'none', '-o', '-', bare(origin), file]);
  expect(r.code, r.err + r.out.slice(0, 2000)).toBe(0);
  return parse(r.out, origin, `named-compilezone ${file}`);
}

const explain = (r: Ran): string => `exit ${r.code}\n${r.out.slice(-3000)}\n${r.err.slice(-3000)}`;

describe.runIf(run)('the checkers as run here', () => {
  // Guards against a vacuous pass (a checker that accepts anything, a wrong exit-code reading).
  it.each([
    ['a syntax error', '@ 60 IN SOA ns1 hm 1 2 3 4 5\n@ 60 IN NS ns1\nns1 60 IN A 192.0.2.300\n'],
    ['CNAME and other data', '@ 60 IN SOA ns1 hm 1 2 3 4 5\n@ 60 IN NS ns1\nns1 60 IN A 192.0.2.1\nx 60 IN CNAME ns1\nx 60 IN A 192.0.2.2\n'],
  ])('reject %s', async (_, body) => {
    const path = join(work, `broken-${body.length}.zone`);
    writeFileSync(path, `$ORIGIN broken.example.\n${body}`);
    expect((await bind('broken.example.', path)).code).not.toBe(0);
    expect((await knot('broken.example.', path)).code).not.toBe(0);
  });
});

describe.runIf(run)('zone-file fixtures against named-checkzone, named-compilezone and Knot', () => {
  describe.each(ZONES)('$file', ({ file, origin }) => {
    const path = join(FIXTURES, file);
    const ours = parse(readFileSync(path, 'utf8'), origin, file);

    it('is accepted by named-checkzone', async () => {
      const r = await bind(origin, path);
      expect(r.code, explain(r)).toBe(0);
    });

    it(`is accepted by ${kzonecheck !== undefined ? 'kzonecheck' : 'knotc zone-check'}`, async () => {
      const r = await knot(origin, path);
      expect(r.code, explain(r)).toBe(0);
    });

    it("parses from named-compilezone's dump into the same record set as ours", async () => {
      expect(recordSet(await compiled(origin, path))).toEqual(recordSet(ours));
    });

    it('prints text that both checkers accept and that BIND reads back to the same records', async () => {
      const printed = join(work, `printed-${file}`);
      writeFileSync(printed, printZoneFile(nameFromTrusted(origin), ours));
      const b = await bind(origin, printed);
      expect(b.code, explain(b)).toBe(0);
      const k = await knot(origin, printed);
      expect(k.code, explain(k)).toBe(0);
      expect(recordSet(await compiled(origin, printed))).toEqual(recordSet(ours));
    });
  });
});

it.runIf(REQUIRE && !run)('ZONEXFER_REQUIRE_PEERS=1: the zone-file checkers are installed', () => {
  expect(missing).toEqual([]);
});
