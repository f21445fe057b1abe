// The primary the transfer scenarios pull from: knotd with its own config (not peers.mjs, whose
// template loads zone files whole): `zonefile-load: difference` + `journal-content: changes`, so a
// reload after a zone-file edit with a higher serial stores the difference in the journal and
// knotd answers IXFR with it (the way a real signer/primary hands out small changes). Any number
// of zones; AXFR/IXFR allowed from 127.0.0.1; no NOTIFY (the scenarios send NOTIFY themselves, at
// a known instant). One worker per role, pinned with taskset like the systems under test.
import { closeSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { findBinary } from '../peers/peers.mjs';
import { DnsClient } from './dnsclient.mjs';
import { enforceAffinity, execText, spawnTracked, sleep } from './procs.mjs';

const abs = (origin) => (origin.endsWith('.') ? origin : `${origin}.`);

function tail(file, lines = 15) {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

/**
 * startKnotPrimary starts knotd serving `zones` ({origin, file}) on 127.0.0.1:`port` and resolves
 * once every zone answers SOA. Handle: {pid, port, logFile, dir, stop(), reload(origin?), soaSerial(origin)}.
 * `tcpWorkers` defaults to 2 (it serves several secondaries at once).
 */
export async function startKnotPrimary({ dir, port, zones, cpus, timeoutMs = 300_000, tcpWorkers = 2, logLevel = 'info' }) {
  const bin = findBinary('knotd');
  if (!bin) throw new Error('knotd is not installed (apt-get install knot)');
  dir = resolve(dir);
  mkdirSync(dir, { recursive: true });
  const sock = join(dir, 'knot.sock');
  const config = [
    'server:',
    `  rundir: "${dir}"`,
    `  pidfile: "${join(dir, 'knot.pid')}"`,
    `  listen: 127.0.0.1@${port}`,
    '  udp-workers: 1',
    `  tcp-workers: ${tcpWorkers}`,
    '  background-workers: 1',
    'database:',
    `  storage: "${dir}"`,
    'control:',
    `  listen: "${sock}"`,
    'log:',
    '  - target: stderr',
    `    any: ${logLevel}`,
    'acl:',
    '  - id: xfr_out',
    '    address: 127.0.0.1',
    '    action: transfer',
    'template:',
    '  - id: default',
    `    storage: "${dir}"`,
    '    zonefile-sync: -1',
    '    zonefile-load: difference',
    '    journal-content: changes',
    '    journal-max-usage: 1G',
    '    semantic-checks: off',
    '    acl: [xfr_out]',
    'zone:',
    ...zones.flatMap((z) => [`  - domain: "${abs(z.origin)}"`, `    file: "${resolve(z.file)}"`]),
    '',
  ].join('\n');
  const configFile = join(dir, 'knot.conf');
  writeFileSync(configFile, config);
  const logFile = join(dir, 'knotd.out');
  const fd = openSync(logFile, 'a');
  let [file, argv] = [bin, ['-c', configFile]];
  if (cpus !== undefined) [file, argv] = [findBinary('taskset') ?? 'taskset', ['-c', String(cpus), bin, ...argv]];
  const proc = spawnTracked('knotd primary', file, argv, { cwd: dir, stdio: ['ignore', fd, fd] });
  closeSync(fd);
  const dns = new DnsClient({ inflight: 200 });
  const soaSerial = async (origin) => (await dns.soa(port, abs(origin), 1000))?.serial ?? null;
  const stop = async () => {
    dns.close();
    await proc.stop();
  };
  try {
    const deadline = Date.now() + timeoutMs;
    let pending = zones.map((z) => abs(z.origin));
    while (pending.length) {
      if (proc.result) throw new Error(`knotd (primary) exited during start-up; config ${configFile}; log:\n${tail(logFile)}`);
      const answers = await Promise.all(pending.map((o) => soaSerial(o)));
      pending = pending.filter((_, i) => answers[i] === null);
      if (!pending.length) break;
      if (Date.now() > deadline) throw new Error(`knotd (primary) did not load ${pending.length} zone(s) (e.g. ${pending[0]}) within ${timeoutMs / 1000} s; log:\n${tail(logFile)}`);
      await sleep(pending.length > 100 ? 500 : 100);
    }
  } catch (err) {
    await stop();
    throw err;
  }
  if (cpus !== undefined) await enforceAffinity(proc.child.pid, cpus);
  const knotc = findBinary('knotc') ?? 'knotc';
  return {
    name: 'knotd',
    pid: proc.child.pid,
    port,
    dir,
    logFile,
    configFile,
    stop,
    soaSerial,
    /** reload makes knotd re-read zone files (one zone, or all), computing the difference. */
    async reload(origin) {
      const out = await execText(knotc, ['-s', sock, '-t', '60', 'zone-reload', ...(origin ? [abs(origin)] : [])], 70_000);
      if (/error|failed/i.test(out)) throw new Error(`knotc zone-reload: ${out.trim()}`);
    },
    version: async () => (await execText(bin, ['-V'])).split('\n')[0].replace(/^knotd \(Knot DNS\), version /, '').trim(),
  };
}
