// The controller package's own directory, found from wherever this code runs: the
// TypeScript sources, or the bundle in dist/ (whose chunks sit at other depths); and
// the files it needs besides its code (share.json names them).
import { existsSync, readFileSync } from 'node:fs';
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

type ShareName = 'agent.mjs' | 'playbooks' | 'schemas';

/**
 * Where a shared file is: in share/ when the CLI was installed from `npm pack`'s
 * tarball, else at its place in this repository.
 */
export function sharedPath(name: ShareName): string {
  const packed = join(CONTROLLER_ROOT, 'share', name);
  if (existsSync(packed)) return packed;
  const inRepository = (JSON.parse(readFileSync(join(CONTROLLER_ROOT, 'share.json'), 'utf8')) as Record<ShareName, string>)[name];
  return join(CONTROLLER_ROOT, inRepository);
}
