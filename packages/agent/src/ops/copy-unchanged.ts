// A copy of one file or symlink that is already in place needs no rsync: starting
// rsync costs tens of milliseconds, a no-op run does many such copies. This check
// only ever says "unchanged" when everything `rsync -a` compares is equal; in any
// other case rsync runs and decides.
import { lstatSync, readlinkSync, type BigIntStats } from 'node:fs';
import { basename, join } from 'node:path';

function lstatBig(path: string): BigIntStats | undefined {
  try {
    return lstatSync(path, { bigint: true });
  } catch {
    return undefined;
  }
}

/** Where rsync puts a single file or link copied from `src` to `dest`. */
export function singleCopyTarget(src: string, dest: string): string {
  const into = dest.endsWith('/') || lstatBig(dest)?.isDirectory();
  return into ? join(dest, basename(src)) : dest;
}

/** True when `src` is a file or symlink that `rsync -a src dest` would leave as it is. */
export function copyIsUnchanged(src: string, dest: string): boolean {
  if (src.endsWith('/')) return false;
  const from = lstatBig(src);
  if (!from || !(from.isFile() || from.isSymbolicLink())) return false;
  const target = singleCopyTarget(src, dest);
  const to = lstatBig(target);
  if (!to) return false;
  const same = to.mode === from.mode && to.uid === from.uid && to.gid === from.gid && to.size === from.size; // mode holds the type
  if (!same) return false;
  // A link is its target; rsync does not always carry a link's own time over, and then ignores it.
  return from.isFile() ? to.mtimeNs === from.mtimeNs : readlinkSync(src) === readlinkSync(target);
}
