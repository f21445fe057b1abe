// The real zonexfer process for tests: `node dist/cli/main.js serve ...` as a subprocess with the
// given flags and environment, DNS and API on free loopback ports (port 0; the bound ports are read
// from its JSON log), resolved once the API and the DNS listener answer. Its stdout/stderr JSON log
// lines are collected; it is stopped by its own PID (SIGTERM, or SIGKILL for crash tests), and
// every process started here is SIGKILLed when the test process exits. Needs `npm run build`.

import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import Cloudflare from 'cloudflare';
import { MessageWriter, RRClass, RRType, decodeMessage, nameFromTrusted } from '../../src/wire/index.js';
import { udpExchange } from './server.js';

export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const CLI = join(REPO, 'dist', 'cli', 'main.js');

/** ZxOptions: what to start. Exactly one store: `databaseUrl` (Postgres) or `dataDir` (PGlite). */
export interface ZxOptions {
  /** dataDir: --data (PGlite lives in <dataDir>/pglite when no databaseUrl). */
  readonly dataDir: string;
  /** databaseUrl: --database-url; see pgUrl() to pin a schema. */
  readonly databaseUrl?: string;
  /** token: --token (40–80 chars of [0-9A-Za-z_-]); default: a new random one (see newToken). */
  readonly token?: string;
  /** args: more flags, e.g. ['--journal-size', '10']. */
  readonly args?: readonly string[];
  /** env: added to the test process's environment (DATABASE_URL is removed unless set here). */
  readonly env?: Readonly<Record<string, string>>;
  /** dnsPort / apiPort: fixed ports (default 0: the OS picks). */
  readonly dnsPort?: number;
  readonly apiPort?: number;
  /** logLevel: --log-level (default 'info'). */
  readonly logLevel?: string;
  /** timeoutMs: how long to wait for it to answer (default 60 s). */
  readonly timeoutMs?: number;
}

/** ZxExit is how the process ended. */
export interface ZxExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

/** ZxProcess is one running zonexfer. */
export interface ZxProcess {
  readonly pid: number;
  readonly dnsPort: number;
  readonly apiPort: number;
  /** apiUrl: http://127.0.0.1:PORT/client/v4 */
  readonly apiUrl: string;
  readonly token: string;
  /** cf: the official SDK bound to this process with the admin token. */
  readonly cf: Cloudflare;
  /** logs: every JSON log line so far (objects, in order). */
  readonly logs: Record<string, unknown>[];
  /** output: every non-JSON line (stderr, the token banner). */
  readonly output: string[];
  /** startedAt / readyAt: spawn time and the time it first answered (ms, Date.now()). */
  readonly startedAt: number;
  readonly readyAt: number;
  /** exited resolves once the process is gone. */
  readonly exited: Promise<ZxExit>;
  /** alive is false once it exited. */
  readonly alive: boolean;
  /** kill sends `signal` (default SIGKILL) to the PID and resolves when it exited. */
  kill(signal?: NodeJS.Signals): Promise<ZxExit>;
  /** stop: SIGTERM, SIGKILL after `graceMs` (default 10 s); resolves with the exit. */
  stop(graceMs?: number): Promise<ZxExit>;
  /** waitLog resolves with the first log line (from index `from`) matching `pred`. */
  waitLog(pred: (l: Record<string, unknown>) => boolean, o?: { timeoutMs?: number; from?: number }): Promise<Record<string, unknown>>;
}

const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const c of live) {
    try {
      if (c.pid !== undefined) process.kill(c.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
});

/** newToken returns a fresh admin token the CLI accepts. */
export function newToken(): string {
  return `zxtest_${randomBytes(24).toString('hex')}`;
}

/**
 * pgUrl adds `options=-c search_path=<schema>` to a Postgres URL, so a process started with it
 * keeps all its tables in that schema (the pg adapter merges URL options with its own).
 */
export function pgUrl(url: string, schema: string): string {
  const u = new URL(url);
  u.searchParams.set('options', `-c search_path=${schema}`);
  return u.toString();
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** answersDns is true when the server answers a UDP query (any rcode) within `timeoutMs`. */
export async function answersDns(port: number, name = '.', timeoutMs = 500): Promise<boolean> {
  const w = new MessageWriter(512);
  w.header(Math.floor(Math.random() * 0x10000), 0);
  w.question(nameFromTrusted(name), RRType.SOA, RRClass.IN);
  const raw = await udpExchange('127.0.0.1', port, w.finish(), timeoutMs).catch(() => undefined);
  return raw !== undefined && decodeMessage(raw).ok;
}

/** startZonexfer spawns the CLI and resolves once its API and DNS answer. Build dist/ first. */
export async function startZonexfer(o: ZxOptions): Promise<ZxProcess> {
  if (!existsSync(CLI)) throw new Error(`${CLI} missing: run npm run build first`);
  const token = o.token ?? newToken();
  const args = [
    CLI, 'serve',
    '--dns', `127.0.0.1:${o.dnsPort ?? 0}`,
    '--api', `127.0.0.1:${o.apiPort ?? 0}`,
    '--data', o.dataDir,
    '--token', token,
    '--log-level', o.logLevel ?? 'info',
    ...(o.databaseUrl !== undefined ? ['--database-url', o.databaseUrl] : []),
    ...(o.args ?? []),
  ];
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const k of Object.keys(env)) if (k === 'DATABASE_URL' || k.startsWith('ZONEXFER_')) delete env[k];
  Object.assign(env, o.env ?? {});
  const startedAt = Date.now();
  const child = spawn(process.execPath, args, { cwd: o.dataDir, env, stdio: ['ignore', 'pipe', 'pipe'] });
  live.add(child);
  const logs: Record<string, unknown>[] = [];
  const output: string[] = [];
  let result: ZxExit | undefined;
  const exited = new Promise<ZxExit>((res) => {
    child.once('exit', (code, signal) => {
      live.delete(child);
      res((result ??= { code, signal }));
    });
    child.once('error', () => {
      live.delete(child);
      res((result ??= { code: null, signal: null }));
    });
  });
  const onLines = (stream: NodeJS.ReadableStream) => {
    let rest = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      rest += chunk;
      let nl: number;
      while ((nl = rest.indexOf('\n')) >= 0) {
        const line = rest.slice(0, nl);
        rest = rest.slice(nl + 1);
        if (line.startsWith('{')) {
          try {
            logs.push(JSON.parse(line) as Record<string, unknown>);
            continue;
          } catch {
            // not JSON after all
          }
        }
        if (line.trim() !== '') output.push(line);
      }
    });
  };
  onLines(child.stdout!);
  onLines(child.stderr!);

  const waitLog = async (pred: (l: Record<string, unknown>) => boolean, w: { timeoutMs?: number; from?: number } = {}) => {
    const deadline = Date.now() + (w.timeoutMs ?? 20_000);
    for (;;) {
      const hit = logs.slice(w.from ?? 0).find(pred);
      if (hit !== undefined) return hit;
      if (Date.now() > deadline) throw new Error(`zonexfer pid ${child.pid}: no matching log line within ${w.timeoutMs ?? 20_000} ms\n${tailOf(logs, output)}`);
      await sleep(25);
    }
  };
  const kill = async (signal: NodeJS.Signals = 'SIGKILL'): Promise<ZxExit> => {
    if (result === undefined && child.pid !== undefined) {
      try {
        process.kill(child.pid, signal);
      } catch {
        // already gone
      }
    }
    return exited;
  };
  const stop = async (graceMs = 10_000): Promise<ZxExit> => {
    if (result !== undefined) return result;
    const t = setTimeout(() => void kill('SIGKILL'), graceMs);
    const r = await kill('SIGTERM');
    clearTimeout(t);
    return r;
  };

  // Ready: the API's and the DNS listener's ports are in the log, and both answer.
  const deadline = startedAt + (o.timeoutMs ?? 60_000);
  let dnsPort: number | undefined;
  let apiPort: number | undefined;
  try {
    for (;;) {
      if (result !== undefined) throw new Error(`zonexfer exited before answering (code ${result.code}, signal ${result.signal})\n${tailOf(logs, output)}`);
      if (Date.now() > deadline) throw new Error(`zonexfer did not answer within ${o.timeoutMs ?? 60_000} ms\n${tailOf(logs, output)}`);
      dnsPort ??= logs.map((l) => (l['msg'] === 'dns listening (udp+tcp)' ? Number(l['port']) : undefined)).find((p) => p !== undefined);
      apiPort ??= logs
        .map((l) => /^Server listening at http:\/\/127\.0\.0\.1:(\d+)$/.exec(String(l['msg'] ?? ''))?.[1])
        .filter((p) => p !== undefined)
        .map(Number)[0];
      if (dnsPort !== undefined && apiPort !== undefined && logs.some((l) => l['msg'] === 'API listening')) {
        const health = await fetch(`http://127.0.0.1:${apiPort}/client/v4/health`).then((r) => r.ok, () => false);
        if (health && (await answersDns(dnsPort))) break;
      }
      await sleep(20);
    }
  } catch (e) {
    await kill('SIGKILL');
    throw e;
  }
  const apiUrl = `http://127.0.0.1:${apiPort}/client/v4`;
  return {
    pid: child.pid!,
    dnsPort,
    apiPort,
    apiUrl,
    token,
    cf: new Cloudflare({ apiToken: token, baseURL: apiUrl, maxRetries: 0 }),
    logs,
    output,
    startedAt,
    readyAt: Date.now(),
    exited,
    get alive() {
      return result === undefined;
    },
    kill,
    stop,
    waitLog,
  };
}

/** killAll SIGKILLs every zonexfer this module started that is still running (afterAll). */
export async function killAll(): Promise<void> {
  const waits: Promise<unknown>[] = [];
  for (const c of live) {
    waits.push(new Promise((r) => c.once('exit', r)));
    try {
      if (c.pid !== undefined) process.kill(c.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  await Promise.race([Promise.all(waits), sleep(5000)]);
}

function tailOf(logs: Record<string, unknown>[], output: string[], n = 15): string {
  const l = logs.slice(-n).map((x) => JSON.stringify({ level: x['level'], zone: x['zone'], op: x['op'], msg: x['msg'], err: x['err'] }));
  return [...l, ...output.slice(-n)].join('\n');
}
