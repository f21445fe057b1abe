// Starts and stops real DNS daemons (Knot `knotd`, NLnet Labs `nsd`, BIND `named`) as foreground
// subprocesses on loopback, for the benchmark and the interop tests. Each helper writes a minimal
// config into its own directory (pid file, run dir, journals and log stay inside it), waits until
// every zone answers SOA, and returns a handle whose stop() kills only the PID it started.
import { spawn, execFile } from 'node:child_process';
import { accessSync, constants, mkdirSync, openSync, closeSync, readFileSync, writeFileSync } from 'node:fs';
import { delimiter, join, resolve } from 'node:path';

/**
 * @typedef {{ host: string, port: number }} Remote
 *   A peer address; only IPv4 loopback-style addresses are expected here.
 * @typedef {{ name: string, algorithm?: string, secret: string }} TsigKey
 *   `algorithm` defaults to `hmac-sha256`; `secret` is base64.
 * @typedef {{ origin: string, file: string, notify?: Remote[] }} PrimaryZone
 *   A zone loaded from `file`, sent by AXFR to 127.0.0.1; NOTIFY goes to `notify` on load/change.
 * @typedef {{ origin: string, primaries: Remote[] }} SecondaryZone
 *   A zone pulled from `primaries` (AXFR/IXFR), NOTIFY accepted from 127.0.0.1, stored in `dir`.
 * @typedef {object} PeerOptions
 * @property {string} dir           Working directory (created); config, pid, journals and log go here.
 * @property {number} port          UDP+TCP port on 127.0.0.1.
 * @property {(PrimaryZone|SecondaryZone)[]} zones
 * @property {TsigKey} [tsig]       When set, transfers in and out, and NOTIFY, use this key; AXFR
 *                                  from 127.0.0.1 then needs it too.
 * @property {number} [timeoutMs]   How long to wait for every zone to answer SOA (default 30000).
 * @property {'all'|'primaries'|'none'} [waitFor]  Which zones must answer SOA before resolving
 *                                  (default 'all': secondaries must have transferred).
 * @property {string} [extraConfig] Raw text appended to the generated config (daemon syntax).
 * @property {string[]} [serverConfig] Raw lines added inside the daemon's global section (Knot and
 *                                  NSD `server:`, BIND `options { }`), e.g. `udp-workers: 1`.
 * @property {string} [cpus]        Pin the daemon (all its threads and forks) to these CPUs by
 *                                  running it under `taskset -c <cpus>` (util-linux), e.g. '1', and
 *                                  re-applying the mask to all its threads once it answers (knotd
 *                                  sets its own per-worker affinity at start-up).
 * @typedef {object} PeerHandle
 * @property {number} pid
 * @property {number} port
 * @property {string} dir
 * @property {string} configFile
 * @property {string} logFile       The daemon's stdout, stderr and log output.
 * @property {() => Promise<void>} stop  SIGTERM, then SIGKILL after 5 s; resolves once it exited.
 * @property {() => Promise<void>} reload  Re-reads the primary zone files (after you rewrite one with
 *                                  a higher serial); NOTIFY then goes to each zone's `notify` list.
 *                                  Resolves when the reload was requested, not when it finished.
 */

const SBIN_DIRS = ['/usr/local/sbin', '/usr/sbin', '/sbin'];

/** findBinary returns the absolute path of `name` on PATH or in the sbin dirs, or null. */
export function findBinary(name) {
  const dirs = [...(process.env.PATH ?? '').split(delimiter).filter(Boolean), ...SBIN_DIRS];
  for (const d of dirs) {
    const p = join(d, name);
    try {
      accessSync(p, constants.X_OK);
      return p;
    } catch {
      // not here
    }
  }
  return null;
}

/** haveBinary reports whether `name` is installed (PATH or /usr/sbin and friends). */
export function haveBinary(name) {
  return findBinary(name) !== null;
}

const running = new Set();
process.once('exit', () => {
  // A crashed test or benchmark must not leave daemons behind holding ports.
  for (const child of running) {
    try {
      child.kill('SIGKILL');
    } catch {
      // already gone
    }
  }
});

const indent = (lines) => (lines ?? []).map((l) => `  ${l}`);
const abs = (origin) => (origin.endsWith('.') ? origin : `${origin}.`);
const alg = (tsig) => tsig.algorithm ?? 'hmac-sha256';
const isPrimary = (z) => typeof z.file === 'string';
const zoneFileName = (origin) => `${abs(origin) === '.' ? 'root' : abs(origin).slice(0, -1)}.zone`;

function prepare(opts, daemon) {
  if (!opts || typeof opts.dir !== 'string' || !Number.isInteger(opts.port) || !Array.isArray(opts.zones)) {
    throw new TypeError(`start${daemon}: need {dir, port, zones}`);
  }
  const dir = resolve(opts.dir);
  mkdirSync(dir, { recursive: true });
  const zones = opts.zones.map((z) => (isPrimary(z) ? { ...z, file: resolve(z.file) } : { ...z }));
  return { dir, zones };
}

// --- Knot DNS (knotd -c knot.conf, foreground by default) -------------------------------------

function knotConfig({ dir, port, zones, tsig, serverConfig }) {
  const remotes = new Map();
  const remoteId = (r) => {
    const key = `${r.host}@${r.port}`;
    if (!remotes.has(key)) remotes.set(key, { id: `r${remotes.size}`, ...r });
    return remotes.get(key).id;
  };
  const zoneLines = zones.flatMap((z) => {
    const lines = [`  - domain: "${abs(z.origin)}"`];
    if (isPrimary(z)) {
      lines.push(`    file: "${z.file}"`, '    acl: [xfr_out]');
      if (z.notify?.length) lines.push(`    notify: [${z.notify.map(remoteId).join(', ')}]`);
    } else {
      lines.push(`    file: "${join(dir, zoneFileName(z.origin))}"`, `    master: [${z.primaries.map(remoteId).join(', ')}]`, '    acl: [xfr_out, notify_in]');
    }
    return lines;
  });
  const keyRef = tsig ? `\n    key: ${tsig.name}` : '';
  return [
    'server:',
    `  rundir: "${dir}"`,
    `  pidfile: "${join(dir, 'knot.pid')}"`,
    `  listen: 127.0.0.1@${port}`,
    ...indent(serverConfig),
    'database:',
    `  storage: "${dir}"`,
    'control:',
    `  listen: "${join(dir, 'knot.sock')}"`,
    'log:',
    '  - target: stderr',
    '    any: info',
    ...(tsig ? ['key:', `  - id: ${tsig.name}`, `    algorithm: ${alg(tsig)}`, `    secret: ${tsig.secret}`] : []),
    'acl:',
    `  - id: xfr_out\n    address: 127.0.0.1\n    action: transfer${keyRef}`,
    `  - id: notify_in\n    address: 127.0.0.1\n    action: notify${keyRef}`,
    // remotes must be declared before zones reference them; zoneLines filled `remotes` above.
    ...(remotes.size ? ['remote:', ...[...remotes.values()].map((r) => `  - id: ${r.id}\n    address: ${r.host}@${r.port}${keyRef}`)] : []),
    'template:',
    '  - id: default',
    `    storage: "${dir}"`,
    '    zonefile-sync: -1',
    '    zonefile-load: whole',
    '    journal-content: changes',
    '    semantic-checks: off',
    'zone:',
    ...zoneLines,
    '',
  ].join('\n');
}

/** startKnot starts `knotd` serving `zones` on 127.0.0.1:`port`. @param {PeerOptions} opts @returns {Promise<PeerHandle>} */
export async function startKnot(opts) {
  const { dir, zones } = prepare(opts, 'Knot');
  const configFile = join(dir, 'knot.conf');
  writeFileSync(configFile, knotConfig({ ...opts, dir, zones }) + (opts.extraConfig ?? ''));
  const knotc = findBinary('knotc');
  // knotd reloads zone files through its control socket (SIGHUP only reloads the config).
  const reload = () => run(knotc ?? 'knotc', ['-s', join(dir, 'knot.sock'), 'zone-reload']);
  return launch('knotd', ['-c', configFile], { ...opts, dir, zones, configFile, reload });
}

// --- NSD (nsd -d -c nsd.conf) -----------------------------------------------------------------

function nsdConfig({ dir, port, zones, tsig, serverConfig }) {
  const keyName = tsig ? tsig.name : 'NOKEY';
  const out = [
    'server:',
    `  ip-address: 127.0.0.1@${port}`,
    `  port: ${port}`,
    '  do-ip6: no',
    '  username: ""',
    '  chroot: ""',
    `  zonesdir: "${dir}"`,
    '  database: ""',
    `  zonelistfile: "${join(dir, 'zone.list')}"`,
    `  pidfile: "${join(dir, 'nsd.pid')}"`,
    `  xfrdfile: "${join(dir, 'xfrd.state')}"`,
    `  xfrdir: "${dir}"`,
    `  logfile: "${join(dir, 'nsd.log')}"`,
    '  server-count: 1',
    '  verbosity: 1',
    '  zonefiles-write: 0',
    ...indent(serverConfig),
    'remote-control:',
    '  control-enable: no',
  ];
  if (tsig) out.push('key:', `  name: "${tsig.name}"`, `  algorithm: ${alg(tsig)}`, `  secret: "${tsig.secret}"`);
  for (const z of zones) {
    out.push('zone:', `  name: "${abs(z.origin)}"`);
    if (isPrimary(z)) {
      out.push(`  zonefile: "${z.file}"`, `  provide-xfr: 127.0.0.1 ${keyName}`);
      for (const r of z.notify ?? []) out.push(`  notify: ${r.host}@${r.port} ${keyName}`);
    } else {
      out.push(`  zonefile: "${join(dir, zoneFileName(z.origin))}"`, `  provide-xfr: 127.0.0.1 ${keyName}`, `  allow-notify: 127.0.0.1 ${keyName}`);
      for (const r of z.primaries) out.push(`  request-xfr: ${r.host}@${r.port} ${keyName}`);
    }
  }
  return `${out.join('\n')}\n`;
}

/** startNsd starts `nsd` serving `zones` on 127.0.0.1:`port`. @param {PeerOptions} opts @returns {Promise<PeerHandle>} */
export async function startNsd(opts) {
  const { dir, zones } = prepare(opts, 'Nsd');
  const configFile = join(dir, 'nsd.conf');
  writeFileSync(configFile, nsdConfig({ ...opts, dir, zones }) + (opts.extraConfig ?? ''));
  // SIGHUP: NSD re-reads changed zone files (remote-control is off).
  return launch('nsd', ['-d', '-c', configFile], { ...opts, dir, zones, configFile, extraLog: join(dir, 'nsd.log'), reload: 'SIGHUP' });
}

// --- BIND 9 (named -g -c named.conf; as root, no -u: it keeps running as root) ----------------

function namedConfig({ dir, port, zones, tsig, serverConfig }) {
  const keyRef = tsig ? ` key "${tsig.name}"` : '';
  const addr = (r) => `${r.host} port ${r.port}${keyRef};`;
  const xfrAcl = tsig ? `key "${tsig.name}";` : '127.0.0.1;';
  const out = [];
  if (tsig) out.push(`key "${tsig.name}" { algorithm ${alg(tsig)}; secret "${tsig.secret}"; };`);
  out.push(
    'options {',
    `  directory "${dir}";`,
    `  pid-file "${join(dir, 'named.pid')}";`,
    `  session-keyfile "${join(dir, 'session.key')}";`,
    `  managed-keys-directory "${dir}";`,
    `  listen-on port ${port} { 127.0.0.1; };`,
    '  listen-on-v6 { none; };',
    '  recursion no;',
    '  allow-query { any; };',
    `  allow-transfer { ${xfrAcl} };`,
    '  dnssec-validation no;',
    '  check-names primary ignore;',
    '  check-names secondary ignore;',
    '  notify no;',
    ...indent(serverConfig),
    '};',
    // No rndc control channel: it would bind port 953 and want /etc/bind/rndc.key.
    'controls { };',
  );
  for (const z of zones) {
    out.push(`zone "${abs(z.origin)}" {`);
    if (isPrimary(z)) {
      out.push('  type primary;', `  file "${z.file}";`);
      if (z.notify?.length) out.push('  notify explicit;', `  also-notify { ${z.notify.map(addr).join(' ')} };`);
    } else {
      out.push('  type secondary;', `  file "${join(dir, zoneFileName(z.origin))}";`, `  primaries { ${z.primaries.map(addr).join(' ')} };`, '  allow-notify { 127.0.0.1; };');
    }
    out.push('};');
  }
  return `${out.join('\n')}\n`;
}

/** startNamed starts BIND `named` serving `zones` on 127.0.0.1:`port`. @param {PeerOptions} opts @returns {Promise<PeerHandle>} */
export async function startNamed(opts) {
  const { dir, zones } = prepare(opts, 'Named');
  const configFile = join(dir, 'named.conf');
  writeFileSync(configFile, namedConfig({ ...opts, dir, zones }) + (opts.extraConfig ?? ''));
  // -g: foreground, all logging to stderr (captured in logFile). -4: IPv4 only.
  // SIGHUP: named reloads its config and changed zone files (no rndc channel configured).
  return launch('named', ['-g', '-4', '-c', configFile], { ...opts, dir, zones, configFile, reload: 'SIGHUP' });
}

// --- process handling --------------------------------------------------------------------------

async function launch(binaryName, args, { dir, port, zones, configFile, timeoutMs = 30_000, waitFor = 'all', extraLog, reload, cpus }) {
  const bin = findBinary(binaryName);
  if (!bin) throw new Error(`${binaryName} is not installed (apt-get install bind9 knot nsd)`);
  let [file, argv] = [bin, args];
  if (cpus !== undefined) {
    // taskset execs the daemon, so child.pid stays the daemon's PID; threads and forks inherit the mask.
    const taskset = findBinary('taskset');
    if (!taskset) throw new Error('cpus given but taskset is not installed (apt-get install util-linux)');
    [file, argv] = [taskset, ['-c', String(cpus), bin, ...args]];
  }
  const logFile = join(dir, `${binaryName}.out`);
  const fd = openSync(logFile, 'a');
  const child = spawn(file, argv, { cwd: dir, stdio: ['ignore', fd, fd] });
  closeSync(fd);
  running.add(child);
  let exited = null;
  const exit = new Promise((res) => {
    child.once('exit', (code, signal) => {
      running.delete(child);
      exited = { code, signal };
      res();
    });
    child.once('error', (err) => {
      running.delete(child);
      exited = { code: null, signal: null, err };
      res();
    });
  });

  let stopping = null;
  const stop = () => {
    stopping ??= (async () => {
      if (exited) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => {
        if (!exited) child.kill('SIGKILL');
      }, 5000);
      await exit;
      clearTimeout(timer);
    })();
    return stopping;
  };

  const logs = () => [logFile, extraLog].filter(Boolean).map((f) => tail(f)).join('\n');
  const wanted = zones.filter((z) => waitFor === 'all' || (waitFor === 'primaries' && isPrimary(z)));
  const deadline = Date.now() + timeoutMs;
  for (const z of wanted) {
    for (;;) {
      if (exited) {
        const why = exited.err ? exited.err.message : `exit code ${exited.code}, signal ${exited.signal}`;
        throw new Error(`${binaryName} exited during start-up (${why}); config ${configFile}; log:\n${logs()}`);
      }
      if (await answersSoa(port, abs(z.origin))) break;
      if (Date.now() > deadline) {
        await stop();
        throw new Error(`${binaryName} did not answer SOA for ${abs(z.origin)} on 127.0.0.1:${port} within ${timeoutMs} ms; log:\n${logs()}`);
      }
      await sleep(100);
    }
  }
  if (cpus !== undefined) {
    // knotd pins its UDP workers itself (worker i → CPU i mod nCPU), overriding the inherited
    // mask; put every thread of the daemon back on `cpus` once it is up.
    await run(findBinary('taskset') ?? 'taskset', ['-a', '-p', '-c', String(cpus), String(child.pid)]).catch(() => {});
  }
  const reloadFn = async () => {
    if (exited) throw new Error(`${binaryName} (pid ${child.pid}) is not running`);
    if (typeof reload === 'function') await reload();
    else child.kill(reload);
  };
  return { pid: child.pid, port, dir, configFile, logFile: extraLog ?? logFile, stop, reload: reloadFn };
}

/** answersSoa asks 127.0.0.1:`port` for `origin` SOA over UDP with dig (or kdig) and reports a non-empty answer. */
export function answersSoa(port, origin) {
  const dig = findBinary('dig');
  const [bin, args] = dig
    ? [dig, ['+short', '+norecurse', '+time=1', '+tries=1', '@127.0.0.1', '-p', String(port), origin, 'SOA']]
    : [findBinary('kdig'), ['+short', '+norecurse', '+time=1', '+retry=0', '@127.0.0.1', '-p', String(port), origin, 'SOA']];
  if (!bin) return Promise.reject(new Error('neither dig nor kdig is installed (apt-get install bind9-dnsutils)'));
  return new Promise((res) => {
    execFile(bin, args, { timeout: 3000 }, (err, stdout) => res(!err && /\S/.test(stdout)));
  });
}

function run(bin, args) {
  return new Promise((res, rej) => {
    execFile(bin, args, { timeout: 10_000 }, (err, stdout, stderr) => (err ? rej(new Error(`${bin} ${args.join(' ')}: ${stderr || err.message}`)) : res()));
  });
}

function tail(file, lines = 20) {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return `(no ${file})`;
  }
}

const sleep = (ms) => new Promise((res) => setTimeout(res, ms));
