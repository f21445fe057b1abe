// Real secondaries (BIND `named`, Knot `knotd`) for the zonexfer_* interop tests, started through
// bench/peers/peers.mjs in a temp dir on a free loopback port, plus the bounded waits and log
// greps the tests check them with. Owns no protocol logic: the daemons are driven only through the
// wire (dig, kdig, NOTIFY) and read through their logs and `knotc`.

import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import dgram from 'node:dgram';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { findPeer, peersRequired } from '../peers.js';

/** Remote is a host and port as peers.mjs takes them. */
export interface Remote {
  readonly host: string;
  readonly port: number;
}

/** DaemonTsig is a key in the daemons' spelling (algorithm `hmac-sha256`, secret base64). */
export interface DaemonTsig {
  readonly name: string;
  readonly algorithm: string;
  readonly secret: string;
}

/** PeerHandle is what peers.mjs returns for a started daemon. */
export interface PeerHandle {
  readonly pid: number;
  readonly port: number;
  readonly dir: string;
  readonly configFile: string;
  readonly logFile: string;
  stop(): Promise<void>;
  reload(): Promise<void>;
}

export interface SecondaryOptions {
  readonly dir: string;
  readonly port: number;
  readonly zones: readonly { readonly origin: string; readonly primaries: readonly Remote[] }[];
  readonly tsig?: DaemonTsig;
  readonly waitFor?: 'all' | 'primaries' | 'none';
  readonly timeoutMs?: number;
  readonly extraConfig?: string;
  readonly serverConfig?: readonly string[];
}

interface PeersModule {
  findBinary(name: string): string | null;
  startKnot(opts: SecondaryOptions): Promise<PeerHandle>;
  startNamed(opts: SecondaryOptions): Promise<PeerHandle>;
}

const root = resolve(fileURLToPath(new URL('../../..', import.meta.url)));
const peersModule = (await import(pathToFileURL(join(root, 'bench/peers/peers.mjs')).href)) as PeersModule;

export type SecondaryKind = 'named' | 'knotd';

/**
 * Daemons starts secondaries and remembers each one with its temp dir, so stopAll() (afterAll)
 * stops exactly the PIDs it started and removes the dirs.
 */
export class Daemons {
  private readonly started: PeerHandle[] = [];
  private readonly dirs: string[] = [];

  /** tempDir makes a fresh directory under the OS temp dir, removed by stopAll(). */
  tempDir(prefix: string): string {
    const d = mkdtempSync(join(tmpdir(), `zx-${prefix}-`));
    this.dirs.push(d);
    return d;
  }

  /** start runs `kind` as a secondary of `opts.zones` on 127.0.0.1:`opts.port`. */
  async start(kind: SecondaryKind, opts: SecondaryOptions): Promise<PeerHandle> {
    const h = kind === 'named' ? await peersModule.startNamed(opts) : await peersModule.startKnot(opts);
    this.started.push(h);
    return h;
  }

  /** stopAll stops every daemon started here (SIGTERM to its PID, SIGKILL after 5 s). */
  async stopAll(): Promise<void> {
    await Promise.all(this.started.splice(0).map((h) => h.stop()));
    if (process.env['ZONEXFER_KEEP_INTEROP_DIRS'] === '1') return;
    for (const d of this.dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  }
}

/**
 * requireTools is requirePeers (test/helpers/peers.ts) for tools outside its PeerName list (rndc):
 * when some are missing it prints one line and returns false, or throws under
 * ZONEXFER_REQUIRE_PEERS=1.
 */
export function requireTools(suite: string, names: readonly string[]): boolean {
  const missing = names.filter((n) => findPeer(n) === undefined && peersModule.findBinary(n) === null);
  if (missing.length === 0) return true;
  const msg = `${suite}: missing ${missing.join(', ')}`;
  if (peersRequired()) throw new Error(`${msg} (ZONEXFER_REQUIRE_PEERS=1)`);
  console.log(`skip ${msg}`);
  return false;
}

/** binary returns the absolute path of a peer tool (dig, kdig, knotc). */
export function binary(name: string): string {
  return peersModule.findBinary(name) ?? name;
}

/** freePort returns a port free for both TCP and UDP on `host` at the time of the call. */
export async function freePort(host = '127.0.0.1'): Promise<number> {
  // Below Linux's ephemeral range (32768–60999 by default): a port the kernel handed out for
  // port 0 can be taken by any outgoing connection before the daemon started later binds it.
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = 20000 + Math.floor(Math.random() * 12000);
    const tcpFree = await new Promise<boolean>((res) => {
      const s = net.createServer();
      s.once('error', () => res(false));
      s.listen(port, host, () => s.close(() => res(true)));
    });
    if (!tcpFree) continue;
    const udpFree = await new Promise<boolean>((res) => {
      const u = dgram.createSocket('udp4');
      u.once('error', () => res(false));
      u.bind(port, host, () => u.close(() => res(true)));
    });
    if (udpFree) return port;
  }
  throw new Error(`no free TCP+UDP port on ${host}`);
}

export interface RunResult {
  readonly code: number;
  readonly out: string;
}

/** run executes a tool, bounded by `timeoutMs`; never rejects (the exit code and output tell). */
export function run(bin: string, args: readonly string[], timeoutMs = 20_000): Promise<RunResult> {
  return new Promise((res) => {
    execFile(bin, [...args], { timeout: timeoutMs, maxBuffer: 256 << 20 }, (e, stdout, stderr) => {
      const code = e === null ? 0 : typeof e.code === 'number' ? e.code : 1;
      res({ code, out: `${stdout}${stderr === '' ? '' : `\n${stderr}`}` });
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * waitFor polls `probe` every `intervalMs` until it returns something other than undefined, and
 * fails after `timeoutMs` naming `what` and the last probe's note (a bounded wait: no test hangs).
 */
export async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, o: { timeoutMs?: number; intervalMs?: number; detail?: () => string } = {}): Promise<T> {
  const deadline = Date.now() + (o.timeoutMs ?? 20_000);
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${o.timeoutMs ?? 20_000} ms waiting for ${what}${o.detail ? `\n${o.detail()}` : ''}`);
    await sleep(o.intervalMs ?? 200);
  }
}

/** soaSerialAt asks `host:port` for `origin` SOA with dig and returns the serial, or undefined. */
export async function soaSerialAt(port: number, origin: string, host = '127.0.0.1'): Promise<number | undefined> {
  const r = await run(binary('dig'), [`@${host}`, '-p', String(port), '+short', '+norecurse', '+tries=1', '+time=2', origin, 'SOA'], 5_000);
  const f = r.out.trim().split(/\s+/);
  return r.code === 0 && f.length >= 7 && /^\d+$/.test(f[2]!) ? Number(f[2]) : undefined;
}

/** waitForSerial waits (bounded) until the daemon on `port` answers `origin` SOA with `serial`. */
export function waitForSerial(port: number, origin: string, serial: number, o: { timeoutMs?: number; logFile?: string } = {}): Promise<number> {
  let last: number | undefined;
  return waitFor(
    `${origin} SOA serial ${serial} on 127.0.0.1:${port}`,
    async () => {
      last = await soaSerialAt(port, origin);
      return last === serial ? last : undefined;
    },
    { timeoutMs: o.timeoutMs ?? 20_000, detail: () => `last serial: ${String(last)}${o.logFile !== undefined ? `\nlog tail:\n${tail(o.logFile)}` : ''}` },
  );
}

/** readLog returns a daemon's log so far ('' when it does not exist yet). */
export function readLog(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

/** tail returns the last `n` lines of a log. */
export function tail(file: string, n = 30): string {
  return readLog(file).trimEnd().split('\n').slice(-n).join('\n');
}

/** logLines returns the lines of a log matching every pattern. */
export function logLines(file: string, ...patterns: RegExp[]): string[] {
  return readLog(file)
    .split('\n')
    .filter((l) => patterns.every((p) => p.test(l)));
}

/**
 * TSIG_LOG_ERRORS matches what named and knotd log when a TSIG check fails: BIND's "tsig verify
 * failure", "expected a TSIG or SIG(0)", "BADSIG/BADKEY/BADTIME", Knot's "TSIG ... failed" / "bad
 * signature" / "bad key".
 */
export const TSIG_LOG_ERRORS = /tsig verify fail|expected a TSIG|BADSIG|BADKEY|BADTIME|bad signature|bad key|TSIG.*(fail|error|invalid)|tsig.*(fail|error)/i;

/** NamedControl is an rndc channel to one named (peers.mjs configures none). */
export interface NamedControl {
  /** extraConfig declares the channel; pass it to start('named', {extraConfig}). */
  readonly extraConfig: string;
  rndc(...args: string[]): Promise<RunResult>;
}

/**
 * namedControl prepares an rndc control channel on a free loopback port with its own key, so a
 * test can raise named's debug level (`rndc trace 3`): under `named -g` (how peers.mjs runs it)
 * the config's logging statement is ignored and xfer-in logs only at info, which does not name
 * the transfer type; at debug 1-3 named logs "requesting IXFR" and "got incremental response".
 */
export async function namedControl(dir: string): Promise<NamedControl> {
  const port = await freePort();
  const secret = randomBytes(32).toString('base64');
  const key = `key "zx-rndc" { algorithm hmac-sha256; secret "${secret}"; };`;
  const conf = join(dir, 'rndc.conf');
  writeFileSync(conf, `${key}\noptions { default-server 127.0.0.1; default-port ${port}; default-key "zx-rndc"; };\n`);
  return {
    extraConfig: `${key}\ncontrols { inet 127.0.0.1 port ${port} allow { 127.0.0.1; } keys { "zx-rndc"; }; };\n`,
    rndc: (...args) => run(binary('rndc'), ['-c', conf, ...args], 10_000),
  };
}

/** knotZoneStatus runs `knotc zone-status` for `origin` against a knotd started in `dir`. */
export async function knotZoneStatus(dir: string, origin: string): Promise<string> {
  const r = await run(binary('knotc'), ['-s', join(dir, 'knot.sock'), 'zone-status', origin], 5_000);
  return r.out;
}
