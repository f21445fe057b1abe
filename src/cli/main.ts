#!/usr/bin/env node
// The composition root: parses the command line, builds the Config, opens the store, starts the
// API (GET /health answers at once; GET /ready says 503 until the zones are loaded), loads the
// zones, then starts the engine and the DNS listeners. The only module that wires the parts
// together, metrics included. Logs are JSON lines on stdout, human-readable (pino-pretty) when
// stdout is a terminal.
//
// Shutdown on SIGTERM or SIGINT: stop accepting (API and DNS listeners close; DNS answers in flight
// get DNS_CLOSE_GRACE_MS), let running zone events finish for up to TRANSFER_GRACE_MS and then abort
// them (a transfer in from a stalled primary would otherwise hold the process for its overall
// timeout, 15 min by default), close the store, exit 0. A second signal exits at once (130/143);
// a shutdown stuck past SHUTDOWN_LIMIT_MS exits 1.

import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { pino, type Logger, type LoggerOptions } from 'pino';
import { build, ensureAdminToken } from '../api/index.js';
import { runBench } from '../bench/index.js';
import { type Config, helpText, load, wantsHelp } from '../config/index.js';
import { Engine, ZoneRegistry, applyChange } from '../engine/index.js';
import { Metrics, observeDns, observeEngine } from '../metrics/index.js';
import { type DnsServer, startDnsServer } from '../server/index.js';
import { openStore } from '../store/index.js';
import { TransferWarmUp } from '../xfr/in/warm-up.js';
import { type DomainName, parseName } from '../wire/index.js';
import { ZoneBuilder, describeZoneError } from '../zone/index.js';
import { parseZoneFile } from '../zone/zone-file/index.js';
import { folderIncludeReader } from '../zone/zone-file/include-reader.js';

const USAGE = `Usage: zonexfer <command> [options]

Commands:
  serve     run the DNS engine and the API (default)
  bench     load tools: transfer throughput, NOTIFY latency, queries (zonexfer bench --help)
  help      show this text
  version   print the version
`;

/** TRANSFER_GRACE_MS: how long shutdown lets running transfers in and NOTIFYs out finish. */
const TRANSFER_GRACE_MS = 10_000;
/** DNS_CLOSE_GRACE_MS: how long shutdown lets DNS answers and transfers out in flight finish. */
const DNS_CLOSE_GRACE_MS = 5_000;
/** SHUTDOWN_LIMIT_MS: a shutdown still running after this long is given up (exit 1). */
const SHUTDOWN_LIMIT_MS = 30_000;

/** main runs one CLI command; returns the process exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case undefined:
    case 'serve':
      return serve(rest);
    case 'bench':
      return runBench(rest, { stdout: process.stdout, stderr: process.stderr, isTTY: process.stderr.isTTY === true });
    case 'help':
    case '--help':
    case '-h':
      process.stdout.write(USAGE + '\n' + helpText() + '\n');
      return 0;
    case 'version':
    case '--version':
      process.stdout.write(version() + '\n');
      return 0;
    default:
      if (command.startsWith('-')) return serve(argv);
      process.stderr.write(`zonexfer: unknown command "${command}"\n\n${USAGE}`);
      return 2;
  }
}

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

/** loadZoneFiles reads `--zone-file` zones; each is served as a primary zone kept outside the store. */
function loadZoneFiles(cfg: Config, registry: ZoneRegistry, log: Logger): boolean {
  for (const spec of cfg.zoneFiles) {
    const path = resolve(spec.file);
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (e) {
      log.error({ file: path, err: (e as Error).message }, 'cannot read zone file');
      return false;
    }
    const origin = spec.origin !== undefined ? parseName(spec.origin) : undefined;
    if (origin !== undefined && !origin.ok) {
      log.error({ file: path }, `bad origin ${spec.origin}`);
      return false;
    }
    const folder = dirname(path);
    const parsed = parseZoneFile(text, {
      ...(origin !== undefined ? { origin: origin.value } : {}),
      fileName: path,
      readInclude: folderIncludeReader(folder),
    });
    if (!parsed.ok) {
      const e = parsed.error;
      log.error({ file: e.file, line: e.line, column: e.column }, `zone file error: ${e.message}`);
      return false;
    }
    const builder = new ZoneBuilder(parsed.value.origin);
    const added = builder.addAll(parsed.value.records);
    const built = added.ok ? builder.build() : added;
    if (!built.ok) {
      log.error({ file: path }, `zone ${parsed.value.origin}: ${describeZoneError(built.error)}`);
      return false;
    }
    const v = built.value;
    registry.install({ id: `file:${v.origin}`, origin: v.origin as DomainName, role: 'primary', version: v, expired: false });
    log.info({ zone: v.origin, serial: v.serial, records: v.recordCount, file: path }, 'zone file loaded');
  }
  return true;
}

async function serve(args: readonly string[]): Promise<number> {
  if (wantsHelp(args)) {
    process.stdout.write(helpText() + '\n');
    return 0;
  }
  const loaded = load(args, process.env);
  if (!loaded.ok) {
    process.stderr.write(`zonexfer: ${loaded.error}\n`);
    return 2;
  }
  const cfg = loaded.value;
  const log = createLogger(cfg.logLevel, process.stdout.isTTY === true);
  const registry = new ZoneRegistry();
  if (!loadZoneFiles(cfg, registry, log)) return 1;

  if (cfg.databaseUrl === undefined) log.info({ dataDir: cfg.dataDir }, 'embedded database (PGlite): single instance only');
  const store = await openStore({
    ...(cfg.databaseUrl !== undefined ? { databaseUrl: cfg.databaseUrl } : {}),
    dataDir: cfg.dataDir,
    ...(cfg.secretKey !== undefined ? { secretKey: cfg.secretKey } : {}),
    onError: (err) => log.error({ err: err instanceof Error ? err.message : String(err) }, 'store error'),
  });
  const generated = await ensureAdminToken(store, cfg.token);
  if (generated !== undefined) {
    process.stdout.write(`\nAdmin API token (shown once, store it now):\n  ${generated}\n\n`);
  }

  const engine = new Engine({
    store,
    registry,
    logger: log,
    tuning: {
      journalLimit: cfg.journalSize,
      xfrLimits: { maxRecords: cfg.xfrMaxRecords, maxBytes: cfg.xfrMaxBytes },
      xfrTimeouts: { connectMs: Math.min(5000, cfg.xfrIdleTimeoutMs), idleMs: cfg.xfrIdleTimeoutMs, overallMs: cfg.xfrTimeoutMs },
    },
  });
  const metrics = new Metrics();
  observeEngine(metrics, engine);
  for (const z of registry.zones()) {
    if (z.id.startsWith('file:')) engine.setStaticPolicy(z.id, { enabled: cfg.allowTransfer.length > 0, peers: [], aclRanges: cfg.allowTransfer });
  }

  // The API first, so liveness answers while a large store loads; readiness waits for the zones.
  let zonesLoaded = false;
  const app = build({ store, engine, logger: log, ops: { metrics, ready: () => zonesLoaded } });
  await app.listen({ host: cfg.api.host, port: cfg.api.port });
  log.info({ url: `http://${cfg.api.host.includes(':') ? `[${cfg.api.host}]` : cfg.api.host}:${cfg.api.port}/client/v4` }, 'API listening');

  let dns: DnsServer | undefined;
  let unsubscribe = (): void => undefined;
  let stopping: Promise<number> | undefined;
  const shutdown = (signal: NodeJS.Signals): Promise<number> => {
    if (stopping !== undefined) {
      log.warn({ signal }, 'second signal: exiting at once');
      process.exit(signal === 'SIGINT' ? 130 : 143);
    }
    log.info({ signal, transferGraceMs: TRANSFER_GRACE_MS }, 'shutting down');
    const started = Date.now();
    setTimeout(() => {
      log.error({ afterMs: SHUTDOWN_LIMIT_MS }, 'shutdown did not finish: exiting');
      process.exit(1);
    }, SHUTDOWN_LIMIT_MS).unref();
    stopping = (async () => {
      zonesLoaded = false;
      unsubscribe();
      // Stop accepting on both listeners while the engine drains (or aborts) its events.
      await Promise.all([
        app.close().catch((e: unknown) => log.warn({ err: String(e) }, 'API close failed')),
        dns?.close().catch((e: unknown) => log.warn({ err: String(e) }, 'DNS close failed')),
        engine.stop({ abortAfterMs: TRANSFER_GRACE_MS }),
      ]);
      await store.close().catch((e: unknown) => log.warn({ err: String(e) }, 'store close failed'));
      log.info({ ms: Date.now() - started }, 'shutdown complete');
      // An aborted transfer's socket lives on until its own timeout: it must not hold the exit.
      setTimeout(() => process.exit(0), 1000).unref();
      return 0;
    })();
    return stopping;
  };
  const finished = new Promise<number>((done) => {
    const on = (signal: NodeJS.Signals) => void shutdown(signal).then(done);
    process.on('SIGTERM', on);
    process.on('SIGINT', on);
  });

  try {
    await engine.start();
    if (stopping !== undefined) return await finished;
    unsubscribe = store.onChange((change) =>
      applyChange(change, engine, store, (e) => log.error({ err: e instanceof Error ? e.message : String(e) }, 'change feed')),
    );
    dns = await startDnsServer({
      listen: cfg.dns,
      zones: registry,
      limits: {
        tcpIdleTimeoutMs: cfg.tcpIdleTimeoutMs,
        tcpMaxConnections: cfg.tcpMaxConnections,
        tcpMaxConnectionsPerClient: cfg.tcpMaxConnectionsPerClient,
        udpMaxPayload: cfg.udpMaxPayload,
      },
      logger: log,
      hooks: engine.hooks(),
      closeGraceMs: DNS_CLOSE_GRACE_MS,
    });
  } catch (e) {
    // A listener that cannot bind (or a store that fails while loading): close what is open.
    log.error({ err: e instanceof Error ? e.message : String(e) }, 'start failed');
    unsubscribe();
    await app.close().catch(() => undefined);
    await engine.stop({ abortAfterMs: 0 });
    await store.close().catch(() => undefined);
    return 1;
  }
  if (stopping !== undefined) return finished;
  observeDns(metrics, dns);
  zonesLoaded = true;
  log.info({ zones: registry.size }, 'ready');
  keepWarm(engine, log);
  return finished;
}

/**
 * keepWarm runs the transfer-in path's JIT warm-up (src/xfr/in/warm-up.ts): 300 steps once
 * serving, and 40 more a second after a transfer in, unless a burst ran in the last 10 s. Two
 * steps every 80 ms (each well under a millisecond once compiled), so no query waits long.
 *
 * Why again after a transfer: a real transfer brings what the made-up ones did not (names,
 * types, sizes), V8 drops the code it had optimized for those, and the next IXFR, minutes later,
 * would run unoptimized code and pay for its compilation. A burst re-optimizes with both. The
 * same holds after the embedded PGlite first stores a big version: its WebAssembly memory grows,
 * which detaches the old ArrayBuffer, and V8 then drops, once, all code compiled on the
 * assumption that no buffer is ever detached (most of the wire and zone code).
 */
function keepWarm(engine: Engine, log: Logger): void {
  const warm = new TransferWarmUp();
  let left = 0;
  let timer: NodeJS.Timeout | undefined;
  let lastBurst = 0;
  const tick = () => {
    timer = undefined;
    try {
      warm.step();
      warm.step();
    } catch (e) {
      // Made-up transfers that do not go through are a bug here, not a reason to stop serving.
      log.error({ err: e instanceof Error ? e.message : String(e) }, 'JIT warm-up failed: not run again');
      engine.off('transfer', afterTransfer);
      return;
    }
    if (--left > 0) timer = setTimeout(tick, 80).unref();
  };
  const burst = (steps: number) => {
    lastBurst = Date.now();
    left = Math.max(left, steps / 2);
    timer ??= setTimeout(tick, 1000).unref();
  };
  const afterTransfer = (e: { dir: string }) => {
    if (e.dir === 'in' && Date.now() - lastBurst > 10_000) burst(40);
  };
  burst(300);
  engine.on('transfer', afterTransfer);
}

/**
 * createLogger: JSON lines on stdout; on a terminal, pino-pretty's human format instead (a worker
 * thread, flushed by pino at exit). Transfer lines carry zone, op, dir, remote, key, serial and xfr.
 */
function createLogger(level: string, tty: boolean): Logger {
  const options: LoggerOptions = { level, base: { service: 'zonexfer' } };
  if (!tty) return pino(options);
  return pino({
    ...options,
    transport: { target: 'pino-pretty', options: { colorize: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname,service', singleLine: true } },
  });
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
    if (code !== 0) process.exit(code);
  },
  (e: unknown) => {
    process.stderr.write(`zonexfer: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(1);
  },
);
