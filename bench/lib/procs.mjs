// Process bookkeeping for the benchmark: every process the runner starts is registered here and
// stopped by its own PID on normal exit, on an exception and on SIGINT/SIGTERM. Nothing is killed
// by name. Also reads CPU time and RSS of a process tree from /proc (Linux).
import { spawn, execFile } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { createSocket } from 'node:dgram';
import os from 'node:os';

/** @type {Set<{ name: string, stop: () => Promise<void> }>} */
const live = new Set();

/** track registers something to stop at clean-up; returns a function that unregisters it. */
export function track(name, stop) {
  const entry = { name, stop };
  live.add(entry);
  return () => live.delete(entry);
}

/** stopAll stops every tracked process (in reverse start order), ignoring failures. */
export async function stopAll() {
  const entries = [...live].reverse();
  live.clear();
  await Promise.all(entries.map((e) => e.stop().catch(() => {})));
}

let handlersInstalled = false;
/** installSignalHandlers makes Ctrl-C and SIGTERM stop what we started, then exit 130/143. */
export function installSignalHandlers(log = console.error) {
  if (handlersInstalled) return;
  handlersInstalled = true;
  for (const [sig, code] of [['SIGINT', 130], ['SIGTERM', 143]]) {
    process.once(sig, () => {
      log(`\n${sig}: stopping the processes started by this run…`);
      const force = setTimeout(() => process.exit(code), 8000);
      stopAll().finally(() => {
        clearTimeout(force);
        process.exit(code); // 'exit' also lets peers.mjs SIGKILL any daemon it still tracks
      });
    });
  }
}

/**
 * spawnTracked spawns a process, registers it, and returns {child, exited, stop}. `exited` resolves
 * with {code, signal, error}; stop() sends SIGTERM, then SIGKILL after `killAfterMs`.
 */
export function spawnTracked(name, file, args, options = {}, killAfterMs = 5000) {
  const child = spawn(file, args, options);
  let result = null;
  const exited = new Promise((res) => {
    child.once('exit', (code, signal) => res((result ??= { code, signal, error: null })));
    child.once('error', (error) => res((result ??= { code: null, signal: null, error })));
  });
  let stopping = null;
  const stop = () => {
    stopping ??= (async () => {
      if (result) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => {
        if (!result) child.kill('SIGKILL');
      }, killAfterMs);
      await exited;
      clearTimeout(timer);
    })();
    return stopping;
  };
  const untrack = track(`${name} (pid ${child.pid})`, stop);
  exited.then(untrack);
  const onExit = () => {
    if (!result) child.kill('SIGKILL');
  };
  process.once('exit', onExit);
  exited.then(() => process.removeListener('exit', onExit));
  return { child, exited, stop, get result() { return result; } };
}

/** execText runs a command and resolves with stdout+stderr (never rejects; '' when missing). */
export function execText(file, args, timeout = 10_000) {
  return new Promise((res) => {
    execFile(file, args, { timeout }, (_err, stdout, stderr) => res(`${stdout ?? ''}${stderr ?? ''}`));
  });
}

// --- /proc readers ----------------------------------------------------------------------------

function statFields(pid) {
  try {
    const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return s.slice(s.lastIndexOf(')') + 2).split(' '); // [0] = state, [1] = ppid, [11] utime, [12] stime
  } catch {
    return null;
  }
}

/** isAlive reports whether `pid` exists and is not a zombie. */
export function isAlive(pid) {
  const f = statFields(pid);
  return f !== null && f[0] !== 'Z' && f[0] !== 'X';
}

/** processTree returns `pid` and every process below it (NSD forks its workers). */
export function processTree(pid) {
  const children = new Map();
  let entries;
  try {
    entries = readdirSync('/proc').filter((e) => /^\d+$/.test(e));
  } catch {
    return [pid];
  }
  for (const e of entries) {
    const f = statFields(e);
    if (!f) continue;
    const ppid = Number(f[1]);
    if (!children.has(ppid)) children.set(ppid, []);
    children.get(ppid).push(Number(e));
  }
  const out = [];
  const stack = [pid];
  while (stack.length) {
    const p = stack.pop();
    out.push(p);
    stack.push(...(children.get(p) ?? []));
  }
  return out;
}

let clkTck = 100;
/** setClockTicks sets the USER_HZ used to convert /proc ticks (from `getconf CLK_TCK`). */
export function setClockTicks(n) {
  if (Number.isFinite(n) && n > 0) clkTck = n;
}

/** cpuSeconds returns user+system CPU seconds used so far by `pid` and its descendants (all threads). */
export function cpuSeconds(pid) {
  let ticks = 0;
  for (const p of processTree(pid)) {
    const f = statFields(p);
    if (f) ticks += Number(f[11]) + Number(f[12]);
  }
  return ticks / clkTck;
}

/** rssMiB returns the resident set size of `pid` and its descendants, in MiB (shared pages counted per process). */
export function rssMiB(pid) {
  let kib = 0;
  for (const p of processTree(pid)) {
    try {
      const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${p}/status`, 'utf8'));
      if (m) kib += Number(m[1]);
    } catch {
      // gone
    }
  }
  return kib / 1024;
}

// --- ports ------------------------------------------------------------------------------------

/** freePort finds a port free for both TCP and UDP on 127.0.0.1 (best effort; racy by nature). */
export async function freePort() {
  // Below Linux's ephemeral range (32768–60999 by default): a port the kernel handed out for
  // port 0 can be taken by any outgoing connection before the server started later binds it.
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = 20000 + Math.floor(Math.random() * 12000);
    const tcpFree = await new Promise((res) => {
      const srv = createServer();
      srv.once('error', () => res(false));
      srv.listen(port, '127.0.0.1', () => srv.close(() => res(true)));
    });
    if (!tcpFree) continue;
    const udpFree = await new Promise((res) => {
      const sock = createSocket('udp4');
      sock.once('error', () => res(false));
      sock.bind(port, '127.0.0.1', () => sock.close(() => res(true)));
    });
    if (udpFree && port >= 1024) return port;
  }
  throw new Error('no free TCP+UDP port on 127.0.0.1');
}

export const sleep = (ms) => new Promise((res) => setTimeout(res, ms));

/** threadAffinities returns the distinct Cpus_allowed_list values of every thread of `pid`'s tree. */
export function threadAffinities(pid) {
  const seen = new Set();
  for (const p of processTree(pid)) {
    let tasks;
    try {
      tasks = readdirSync(`/proc/${p}/task`);
    } catch {
      continue;
    }
    for (const t of tasks) {
      try {
        const m = /Cpus_allowed_list:\s*(\S+)/.exec(readFileSync(`/proc/${p}/task/${t}/status`, 'utf8'));
        if (m) seen.add(m[1]);
      } catch {
        // thread gone
      }
    }
  }
  return [...seen];
}

/**
 * enforceAffinity makes every thread of `pid` and its descendants run on `cpus` (taskset -a -p),
 * for daemons that change their own threads' affinity. Returns true when a thread had to be moved.
 */
export async function enforceAffinity(pid, cpus) {
  if (cpus === undefined) return false;
  const current = threadAffinities(pid);
  if (current.length === 1 && current[0] === String(cpus)) return false;
  for (const p of processTree(pid)) await execText('taskset', ['-a', '-p', '-c', String(cpus), String(p)]);
  return true;
}

/** parseCpuList('0-2,5') → [0, 1, 2, 5]. */
export function parseCpuList(list) {
  const out = [];
  for (const part of String(list).split(',').filter(Boolean)) {
    const [lo, hi] = part.split('-').map(Number);
    for (let c = lo; c <= (hi ?? lo); c++) out.push(c);
  }
  return out;
}

/**
 * cpuJiffies returns {busy, softirq} seconds summed over `cpus` (all when omitted) from /proc/stat:
 * busy = everything but idle and iowait. Take two samples and subtract.
 */
export function cpuJiffies(cpus) {
  const want = cpus ? new Set(cpus.map((c) => `cpu${c}`)) : null;
  let busy = 0;
  let softirq = 0;
  try {
    for (const line of readFileSync('/proc/stat', 'utf8').split('\n')) {
      if (!/^cpu\d/.test(line)) continue;
      const [name, ...f] = line.split(/\s+/);
      if (want && !want.has(name)) continue;
      const [user, nice, system, , , irq, soft, steal] = f.map(Number);
      busy += user + nice + system + irq + soft + (steal || 0);
      softirq += soft;
    }
  } catch {
    // not Linux
  }
  return { busy: busy / clkTck, softirq: softirq / clkTck };
}

/** reniceTree sets the nice value of every thread of `pid` and its descendants (Linux nice is per thread). */
export function reniceTree(pid, nice) {
  if (nice === undefined) return;
  for (const p of processTree(pid)) {
    let tasks;
    try {
      tasks = readdirSync(`/proc/${p}/task`);
    } catch {
      continue;
    }
    for (const t of tasks) {
      try {
        os.setPriority(Number(t), nice);
      } catch {
        // thread gone, or not permitted
      }
    }
  }
}

/**
 * waitQuiet waits (up to `maxSeconds`) until `cpus` spend less than `threshold` % of their time
 * busy over a window (1 s by default), so a repetition does not start in the middle of someone
 * else's build, or of the previous system's own after-work. Resolves with the last window's
 * busy % (the caller reports it when the wait ran out).
 */
export async function waitQuiet(cpus, maxSeconds, threshold = 10, windowMs = 1000) {
  const n = cpus?.length ?? os.cpus().length;
  const deadline = Date.now() + maxSeconds * 1000;
  let busyPct;
  do {
    const a = cpuJiffies(cpus);
    await sleep(windowMs);
    busyPct = Math.min(100, (100 * (cpuJiffies(cpus).busy - a.busy)) / n);
    if (busyPct < threshold) break;
  } while (Date.now() < deadline);
  return busyPct;
}

/**
 * foreignCpuSeconds returns the CPU seconds used so far by every process that is not this runner
 * or one of its descendants (the servers and dnsperf are our children), keyed by PID. Subtract two
 * samples with foreignDelta: what other work on the machine took while we measured.
 */
export function foreignCpuSeconds() {
  const ours = new Set(processTree(process.pid));
  const out = new Map();
  let entries;
  try {
    entries = readdirSync('/proc').filter((e) => /^\d+$/.test(e));
  } catch {
    return out;
  }
  for (const e of entries) {
    const pid = Number(e);
    if (ours.has(pid)) continue;
    const f = statFields(pid);
    // utime + stime + cutime + cstime: a short-lived child (a compiler run) that exits inside the
    // window shows up in its parent's c-times once reaped.
    if (f) out.set(pid, (Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14])) / clkTck);
  }
  return out;
}

/**
 * foreignDelta sums what the processes in `after` used since `before` (all of it for processes
 * that started in between). Children that exited unreaped, or whose parent exited, are missed.
 */
export function foreignDelta(before, after) {
  let sum = 0;
  for (const [pid, t] of after) sum += Math.max(0, t - (before.get(pid) ?? 0));
  return sum;
}

/**
 * niceAutogroup sets the nice value of this process's scheduler autogroup (Linux with
 * CONFIG_SCHED_AUTOGROUP; one group per session): with autogroups, per-thread nice only ranks
 * threads inside their group, and the groups share the CPU fairly, so this is what gives the
 * benchmark (the runner and every child it starts) priority over other sessions' work. The old
 * value is restored at exit. Returns a description, or null when not possible.
 */
export function niceAutogroup(nice) {
  const file = '/proc/self/autogroup';
  let before;
  try {
    if (readFileSync('/proc/sys/kernel/sched_autogroup_enabled', 'utf8').trim() !== '1') return null;
    before = /nice\s+(-?\d+)/.exec(readFileSync(file, 'utf8'))?.[1];
    writeFileSync(file, String(nice));
  } catch {
    return null;
  }
  if (before !== undefined) {
    process.once('exit', () => {
      try {
        writeFileSync(file, before);
      } catch {
        // the session may be gone
      }
    });
  }
  return `autogroup nice ${before ?? '?'} → ${nice}`;
}
