// Real primaries (BIND `named`, Knot `knotd`) for the *_zonexfer interop tests: each runs through
// bench/peers/peers.mjs in its own temp dir on a free loopback port, serves one zone from a file it
// can rewrite with a higher serial, keeps a journal of the differences (named
// `ixfr-from-differences yes`, Knot `zonefile-load: difference` + `journal-content: changes`) so the
// next transfer can be IXFR, and NOTIFYs zonexfer after each reload. Only the PIDs started here are
// stopped. Also dig, free ports and log greps. Asserts nothing.

import { freePort } from '../interop/daemons.js';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export interface Remote {
  readonly host: string;
  readonly port: number;
}

/** DaemonKey is a TSIG key in the daemons' spelling (algorithm `hmac-sha256`, secret base64). */
export interface DaemonKey {
  readonly name: string;
  readonly algorithm: string;
  readonly secret: string;
}

interface PeerHandle {
  readonly pid: number;
  readonly port: number;
  readonly dir: string;
  readonly configFile: string;
  readonly logFile: string;
  stop(): Promise<void>;
  reload(): Promise<void>;
}

interface PeerOptions {
  dir: string;
  port: number;
  zones: { origin: string; file: string; notify?: Remote[] }[];
  tsig?: DaemonKey;
  serverConfig?: string[];
  extraConfig?: string;
  timeoutMs?: number;
}

interface PeersModule {
  findBinary(name: string): string | null;
  startKnot(o: PeerOptions): Promise<PeerHandle>;
  startNamed(o: PeerOptions): Promise<PeerHandle>;
}

const root = resolve(fileURLToPath(new URL('../../..', import.meta.url)));
const peers = (await import(pathToFileURL(join(root, 'bench/peers/peers.mjs')).href)) as PeersModule;

export type PrimaryKind = 'named' | 'knotd';

/** ZoneContent is the zone at one serial: owner-relative master-file lines after SOA and NS. */
export interface ZoneContent {
  readonly serial: number;
  readonly lines: readonly string[];
}

/** zoneText renders `origin` at `c.serial`: SOA (RETRY 3600, EXPIRE 14 days), NS, glue, `c.lines`. */
export function zoneText(origin: string, c: ZoneContent): string {
  return [
    `$ORIGIN ${origin}`,
    '$TTL 300',
    `@ IN SOA ns1 hostmaster ${c.serial} 7200 3600 1209600 300`,
    '@ IN NS ns1',
    'ns1 IN A 192.0.2.1',
    ...c.lines,
    '',
  ].join('\n');
}

/** PrimaryDaemon is a running named or knotd serving one zone from `file`. */
export class PrimaryDaemon {
  private constructor(
    readonly kind: PrimaryKind,
    readonly origin: string,
    readonly file: string,
    private readonly handle: PeerHandle,
  ) {}

  get port(): number {
    return this.handle.port;
  }

  get pid(): number {
    return this.handle.pid;
  }

  get logFile(): string {
    return this.handle.logFile;
  }

  /**
   * start runs `kind` in `dir` on a free port, serving `origin` at `content`, TSIG `key` required
   * for transfers (and used for NOTIFY), NOTIFY sent to `notify` after each load.
   */
  static async start(kind: PrimaryKind, o: { dir: string; origin: string; content: ZoneContent; key: DaemonKey; notify: Remote }): Promise<PrimaryDaemon> {
    const file = join(o.dir, 'primary.zone');
    writeFileSync(file, zoneText(o.origin, o.content));
    const port = await freePort();
    const base: PeerOptions = { dir: join(o.dir, kind), port, zones: [{ origin: o.origin, file, notify: [o.notify] }], tsig: o.key, timeoutMs: 30_000 };
    const handle =
      kind === 'named'
        ? await peers.startNamed({
            ...base,
            // Journal the differences of each reload so IXFR can answer (not AXFR-style), however
            // small the zone; NOTIFY at once instead of after the default 5 s notify-delay.
            serverConfig: ['ixfr-from-differences yes;', 'max-ixfr-ratio unlimited;', 'notify-delay 0;'],
          })
        : await peers.startKnot({
            ...base,
            // peers.mjs ends its config with this zone's item: the lines extend it. The template
            // already keeps `journal-content: changes`; `difference` turns a reload into a journal
            // entry that Knot answers IXFR from.
            extraConfig: '    zonefile-load: difference\n',
          });
    const d = new PrimaryDaemon(kind, o.origin, file, handle);
    if (kind === 'knotd' && !/zonefile-load: difference\n?$/.test(readFileSync(handle.configFile, 'utf8').trimEnd())) {
      await d.stop();
      throw new Error(`knot.conf does not end with the zone override; peers.mjs changed its layout (${handle.configFile})`);
    }
    return d;
  }

  /**
   * change rewrites the zone file with `content` (a higher serial) and reloads it: named re-reads
   * files whose mtime moved (SIGHUP), Knot on `knotc zone-reload`. Resolves when requested.
   */
  async change(content: ZoneContent): Promise<void> {
    writeFileSync(this.file, zoneText(this.origin, content));
    // named compares the file's mtime with the last load; make sure it moved even within a second.
    const later = new Date(Date.now() + 2000);
    utimesSync(this.file, later, later);
    await this.handle.reload();
  }

  /** log returns the daemon's log so far. */
  log(): string {
    try {
      return readFileSync(this.handle.logFile, 'utf8');
    } catch {
      return '';
    }
  }

  /** tail returns the last lines of the log (for failure messages). */
  tail(n = 20): string {
    return this.log().trimEnd().split('\n').slice(-n).join('\n');
  }

  /** stop ends this daemon (SIGTERM to its PID, SIGKILL after 5 s). */
  stop(): Promise<void> {
    return this.handle.stop();
  }
}

/** TempDirs hands out temp dirs and removes them all (unless ZONEXFER_KEEP_INTEROP_DIRS=1). */
export class TempDirs {
  private readonly dirs: string[] = [];

  make(prefix: string): string {
    const d = mkdtempSync(join(tmpdir(), `zx-${prefix}-`));
    this.dirs.push(d);
    return d;
  }

  removeAll(): void {
    if (process.env['ZONEXFER_KEEP_INTEROP_DIRS'] === '1') return;
    for (const d of this.dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  }
}

/** freePort: one implementation for every interop helper (see ../interop/daemons.ts). */
export { freePort };

/**
 * dig asks 127.0.0.1:`port` for (name, type) over UDP with `+short` and returns the answer lines
 * ([] for none); `status` is dig's header status (NOERROR, SERVFAIL ...).
 */
export function dig(port: number, name: string, type: string): Promise<{ status: string; lines: string[] }> {
  const bin = peers.findBinary('dig') ?? 'dig';
  return new Promise((res) => {
    execFile(bin, ['@127.0.0.1', '-p', String(port), '+norecurse', '+tries=1', '+time=3', '+noall', '+comments', '+answer', name, type], { timeout: 10_000 }, (e, stdout) => {
      const status = /status: ([A-Z]+)/.exec(stdout)?.[1] ?? (e ? `error: ${e.message}` : 'unknown');
      const lines = stdout
        .split('\n')
        .filter((l) => l !== '' && !l.startsWith(';'))
        .map((l) => l.split(/\s+/).slice(4).join(' '));
      res({ status, lines });
    });
  });
}

/** digSerial returns the SOA serial zonexfer (or anyone on `port`) answers for `origin`, else dig's status. */
export async function digSerial(port: number, origin: string): Promise<number | string> {
  const r = await dig(port, origin, 'SOA');
  const f = r.lines[0]?.split(' ');
  return r.status === 'NOERROR' && f !== undefined && /^\d+$/.test(f[2] ?? '') ? Number(f[2]) : r.status;
}
