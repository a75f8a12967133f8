// The controller package's own directory, found from wherever this code runs: the
// TypeScript sources, or the bundle in dist/ (whose chunks sit at other depths).
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

function findPackageRoot(start: string): string {
  for (let dir = start; ; dir = dirname(dir)) {
    try {
      if ((JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string }).name === '@diskless/controller') return dir;
    } catch {
      // no package.json here: look further up
    }
    if (dirname(dir) === dir) throw new Error(`no @diskless/controller package above ${start}`);
  }
}

export const CONTROLLER_ROOT = findPackageRoot(dirname(fileURLToPath(import.meta.url)));
