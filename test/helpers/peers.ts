// Which peer binaries (dig, kdig, named, knotd) exist here, for the interop tier. A missing binary
// skips its suite with one console line, unless ZONEXFER_REQUIRE_PEERS=1 makes it a failure
// (CI images that are meant to have the peers must not pass by skipping; STYLE.md tests).

import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

/** PeerName is a binary the interop tests know how to drive. */
export type PeerName = 'dig' | 'kdig' | 'named' | 'knotd' | 'knotc' | 'nsupdate';

const SEARCH = ['/usr/bin', '/usr/sbin', '/usr/local/bin', '/usr/local/sbin'];

/** findPeer returns the absolute path of an executable `name` on PATH or the usual dirs. */
export function findPeer(name: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const dirs = [...(env['PATH'] ?? '').split(delimiter).filter((d) => d !== ''), ...SEARCH];
  for (const d of dirs) {
    const p = join(d, name);
    try {
      accessSync(p, constants.X_OK);
      return p;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** peersRequired is true when ZONEXFER_REQUIRE_PEERS=1. */
export function peersRequired(env: NodeJS.ProcessEnv = process.env): boolean {
  return env['ZONEXFER_REQUIRE_PEERS'] === '1';
}

export interface PeerCheck<N extends string> {
  /** run is true when every binary was found. */
  readonly run: boolean;
  readonly paths: Readonly<Record<N, string>>;
  readonly missing: readonly N[];
}

/**
 * requirePeers looks up `names`. When some are missing it prints one line naming the suite and
 * the binaries and returns run=false, or throws when ZONEXFER_REQUIRE_PEERS=1 (so the test file
 * fails at collection instead of skipping).
 */
export function requirePeers<N extends PeerName>(suite: string, names: readonly N[], env: NodeJS.ProcessEnv = process.env): PeerCheck<N> {
  const paths = {} as Record<N, string>;
  const missing: N[] = [];
  for (const n of names) {
    const p = findPeer(n, env);
    if (p === undefined) missing.push(n);
    else paths[n] = p;
  }
  if (missing.length > 0) {
    const msg = `${suite}: missing ${missing.join(', ')}`;
    if (peersRequired(env)) throw new Error(`${msg} (ZONEXFER_REQUIRE_PEERS=1)`);
    console.log(`skip ${msg}`);
  }
  return { run: missing.length === 0, paths, missing };
}
