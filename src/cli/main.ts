#!/usr/bin/env node
// The composition root: parses the command line, builds the Config, opens the store, loads zones,
// then starts the engine, the DNS listeners and the API. The only module that wires the parts
// together; shutdown is graceful (stop accepting, drain, close the pool).

import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { pino, type Logger } from 'pino';
import { build, ensureAdminToken } from '../api/index.js';
import { runBench } from '../bench/index.js';
import { type Config, helpText, load, wantsHelp } from '../config/index.js';
import { Engine, ZoneRegistry, applyChange } from '../engine/index.js';
import { startDnsServer } from '../server/index.js';
import { openStore } from '../store/index.js';
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
  const log = pino({ level: cfg.logLevel, base: { service: 'zonexfer' } });
  const registry = new ZoneRegistry();
  if (!loadZoneFiles(cfg, registry, log)) return 1;

  if (cfg.databaseUrl === undefined) log.info({ dataDir: cfg.dataDir }, 'embedded database (PGlite): single instance only');
  const store = await openStore({
    ...(cfg.databaseUrl !== undefined ? { databaseUrl: cfg.databaseUrl } : {}),
    dataDir: cfg.dataDir,
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
  for (const z of registry.zones()) {
    if (z.id.startsWith('file:')) engine.setStaticPolicy(z.id, { enabled: cfg.allowTransfer.length > 0, peers: [], aclRanges: cfg.allowTransfer });
  }
  await engine.start();
  const unsubscribe = store.onChange((change) =>
    applyChange(change, engine, store, (e) => log.error({ err: e instanceof Error ? e.message : String(e) }, 'change feed')),
  );

  const dns = await startDnsServer({
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
  });

  const app = build({ store, engine, logger: log });
  await app.listen({ host: cfg.api.host, port: cfg.api.port });
  log.info({ url: `http://${cfg.api.host.includes(':') ? `[${cfg.api.host}]` : cfg.api.host}:${cfg.api.port}/client/v4` }, 'API listening');

  return new Promise<number>((done) => {
    let closing = false;
    const shutdown = (signal: string) => {
      if (closing) return;
      closing = true;
      log.info({ signal }, 'shutting down');
      void (async () => {
        await app.close().catch(() => undefined);
        await dns.close().catch(() => undefined);
        unsubscribe();
        await engine.stop();
        await store.close().catch(() => undefined);
        done(0);
      })();
    };
    process.once('SIGTERM', () => shutdown('SIGTERM'));
    process.once('SIGINT', () => shutdown('SIGINT'));
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
