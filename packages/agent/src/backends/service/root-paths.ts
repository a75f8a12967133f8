import { lstatSync, readlinkSync } from 'node:fs';
import path from 'node:path';

const MAX_LINKS = 40;

/**
 * Where a path of the slave's own filesystem lives on the master: symlinks are followed as
 * the slave would follow them (absolute targets stay inside `root`), and a path under one of
 * the `shared` directories (mounted from the master at boot, such as /usr) is the master's
 * own. Null when nothing is there.
 */
export function pathInSlaveRoot(root: string, slavePath: string, shared: readonly string[]): string | null {
  let pending = slavePath.split('/').filter(Boolean);
  let resolved = '/';
  let links = 0;
  while (pending.length > 0) {
    const whole = path.posix.join(resolved, ...pending);
    // a mount point hides what the root has there: from there on, the path is the master's
    if (shared.some((dir) => whole === dir || whole.startsWith(`${dir}/`))) return lstatSync(whole, { throwIfNoEntry: false }) ? whole : null;
    const part = pending.shift()!;
    if (part === '.') continue;
    if (part === '..') {
      resolved = path.posix.dirname(resolved);
      continue;
    }
    const next = path.posix.join(resolved, part);
    const onMaster = path.join(root, next);
    const stats = lstatSync(onMaster, { throwIfNoEntry: false });
    if (!stats) return null;
    if (stats.isSymbolicLink()) {
      if (++links > MAX_LINKS) return null;
      const target = readlinkSync(onMaster);
      pending = [...target.split('/').filter(Boolean), ...pending];
      if (target.startsWith('/')) resolved = '/';
      continue;
    }
    resolved = next;
  }
  return path.join(root, resolved);
}
