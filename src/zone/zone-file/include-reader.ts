// The file-system adapter for the $INCLUDE port: reads files below one folder. This is the only
// file in src/zone that touches the disk (eslint.config.js exempts it); only the composition
// root (src/cli) should import it. Confinement is checked twice: the parser refuses absolute and
// escaping paths, and this adapter refuses paths whose real path (after symlinks) leaves the folder.

import { readFileSync, realpathSync } from 'node:fs';
import { resolve, sep } from 'node:path';
import { type Result, err, ok } from '../../wire/index.js';
import { type ReadInclude, confineIncludePath } from './parser.js';

/** folderIncludeReader returns a ReadInclude serving files at or below `folder` (UTF-8 text). */
export function folderIncludeReader(folder: string): ReadInclude {
  let root: string | undefined;
  return (path: string): Result<string, string> => {
    const confined = confineIncludePath(path);
    if (confined === undefined) return err(`"${path}" is outside the zone folder`);
    try {
      root ??= realpathSync(folder);
      const full = realpathSync(resolve(root, confined));
      const prefix = root.endsWith(sep) ? root : root + sep;
      if (!full.startsWith(prefix)) return err(`"${path}" resolves outside the zone folder`);
      return ok(readFileSync(full, 'utf8'));
    } catch (e) {
      return err((e as Error).message);
    }
  };
}
