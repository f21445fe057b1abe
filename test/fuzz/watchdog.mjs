// Watchdog thread of the fuzz harness: the main thread publishes each input it is about to run in
// shared memory (ctrl[0] counter, ctrl[1] length, ctrl[2] target, ctrl[3] armed). If a synchronous
// target stays armed on one input for hangMs, that input is written as a finding and the process
// is killed: the main thread is stuck, so nothing else could report it.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { workerData } from 'node:worker_threads';

const TARGETS = ['decoder', 'zone-file', 'dispatcher'];
const { ctrl, data, hangMs, dir } = workerData;
const sleeper = new Int32Array(new SharedArrayBuffer(4));
let last = -1;
let since = Date.now();

for (;;) {
  Atomics.wait(sleeper, 0, 0, 250);
  const counter = Atomics.load(ctrl, 0);
  const armed = Atomics.load(ctrl, 3) === 1;
  if (counter !== last || !armed) {
    last = counter;
    since = Date.now();
    continue;
  }
  if (Date.now() - since < hangMs) continue;
  const input = Buffer.from(data.subarray(0, Atomics.load(ctrl, 1)));
  const target = TARGETS[Atomics.load(ctrl, 2)] ?? 'unknown';
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${target}-hang-${Date.now()}.hex`);
  const hex = input.toString('hex').replace(/(.{64})/g, '$1\n');
  writeFileSync(file, `; fuzz finding: ${target} did not return within ${hangMs} ms (hang)\n; target: ${target}\n${hex}\n`);
  process.stderr.write(`[fuzz] HANG in ${target}: input written to ${file}; killing the process\n`);
  process.kill(process.pid, 'SIGKILL');
}
