// Builds the optional native UDP module (native/udp-batch: recvmmsg/sendmmsg batches, Linux only)
// with node-gyp. Run by `npm install` / `npm ci` (the `install` script). Never fails the install:
// without the module zonexfer answers UDP through node:dgram, more slowly, and says so in its log.
// ZONEXFER_NATIVE=0 skips the build.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const dir = join(dirname(new URL(import.meta.url).pathname), '..', 'native', 'udp-batch');
const skip = (why) => {
  console.warn(`zonexfer: native UDP module not built (${why}); UDP is answered through node:dgram`);
  process.exit(0);
};
if (process.env.ZONEXFER_NATIVE === '0') skip('ZONEXFER_NATIVE=0');
if (process.platform !== 'linux') skip(`recvmmsg/sendmmsg are Linux-only, this is ${process.platform}`);

// node-gyp: the one npm passes to scripts, else npm's own copy next to this node.
const candidates = [process.env.npm_config_node_gyp, join(dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js')];
try {
  candidates.push(createRequire(import.meta.url).resolve('node-gyp/bin/node-gyp.js'));
} catch {
  // not installed as a package
}
const gyp = candidates.find((c) => c && existsSync(c));
if (!gyp) skip('node-gyp not found');
// Use the headers installed with this node (Debian's /usr, the official images' /usr/local)
// instead of downloading them.
const prefix = join(dirname(process.execPath), '..');
const args = [gyp, 'rebuild'];
if (existsSync(join(prefix, 'include', 'node', 'node_api.h'))) args.push(`--nodedir=${prefix}`);
const r = spawnSync(process.execPath, args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
if (r.status !== 0) skip(`node-gyp failed: ${(r.stderr || r.error?.message || '').split('\n').filter((l) => /error/i.test(l)).slice(0, 3).join(' | ') || `exit ${r.status}`}`);
console.log('zonexfer: built the native UDP module (native/udp-batch)');
