// A copy that is already in place needs no rsync: starting rsync costs tens of
// milliseconds of CPU, and a no-op run makes one or more copies per slave. This
// check walks the tree the way `rsync -a` compares it (type and permissions, owner,
// size and modification second of files, link targets, device numbers, directory
// times unless omitted) and only ever says "unchanged" when all of it is equal; in
// any other case rsync runs and decides.
import { lstatSync, readdirSync, readlinkSync, type Stats } from 'node:fs';
import { basename, join } from 'node:path';
import { lstatOrNull } from '../lib/metadata.js';
import { type ExcludeMatcher, excludeMatcher } from '../lib/rsync-exclude.js';

export interface CopyOptions {
  exclude: string[];
  delete: boolean;
  dirTimes: boolean;
}

/** Where rsync puts a single file or link copied from `src` to `dest`. */
export function singleCopyTarget(src: string, dest: string): string {
  const into = dest.endsWith('/') || lstatOrNull(dest)?.isDirectory();
  return into ? join(dest, basename(src)) : dest;
}

// rsync's quick check compares modification times in whole seconds.
const sameSecond = (a: Stats, b: Stats) => Math.floor(a.mtimeMs / 1000) === Math.floor(b.mtimeMs / 1000);

/** True when `rsync -a` would leave `to` as it is, given `from` (children aside). */
function sameEntry(from: Stats, to: Stats, fromPath: string, toPath: string, dirTimes: boolean): boolean {
  // mode holds the file type as well as the permissions.
  if (from.mode !== to.mode || from.uid !== to.uid || from.gid !== to.gid) return false;
  if (from.isFile()) return from.size === to.size && sameSecond(from, to);
  if (from.isDirectory()) return !dirTimes || sameSecond(from, to);
  // A link is its target; rsync does not always carry a link's own time over, and then ignores it.
  if (from.isSymbolicLink()) return readlinkSync(fromPath) === readlinkSync(toPath);
  if (from.isCharacterDevice() || from.isBlockDevice()) return from.rdev === to.rdev;
  return from.isFIFO() || from.isSocket();
}

class TreeComparison {
  constructor(
    private readonly excluded: ExcludeMatcher,
    private readonly options: CopyOptions,
  ) {}

  /** Compares the entries under two directories that are already known to be equal themselves. */
  children(fromDir: string, toDir: string, relativeDir: string): boolean {
    const names = readdirSync(fromDir);
    for (const name of names) {
      const relative = relativeDir ? `${relativeDir}/${name}` : name;
      const fromPath = join(fromDir, name);
      const from = lstatSync(fromPath);
      if (this.excluded(relative, from.isDirectory())) continue;
      const toPath = join(toDir, name);
      const to = lstatOrNull(toPath);
      if (!to || !sameEntry(from, to, fromPath, toPath, this.options.dirTimes)) return false;
      if (from.isDirectory() && !this.children(fromPath, toPath, relative)) return false;
    }
    return !this.options.delete || this.nothingToDelete(toDir, relativeDir, new Set(names));
  }

  /** With delete, rsync removes what the source lacks, except what the excludes protect. */
  private nothingToDelete(toDir: string, relativeDir: string, sourceNames: Set<string>): boolean {
    for (const name of readdirSync(toDir)) {
      if (sourceNames.has(name)) continue;
      const relative = relativeDir ? `${relativeDir}/${name}` : name;
      if (!this.excluded(relative, lstatSync(join(toDir, name)).isDirectory())) return false;
    }
    return true;
  }
}

/** True when `rsync -a [--omit-dir-times] [--delete] [--exclude ...] src dest` would change nothing. */
export function copyIsUnchanged(src: string, dest: string, options: CopyOptions): boolean {
  const excluded = excludeMatcher(options.exclude);
  if (!excluded) return false;
  const contentsOnly = src.endsWith('/');
  const fromPath = src.replace(/\/+$/, '') || '/';
  const from = lstatOrNull(fromPath);
  if (!from) return false;
  // "src/" is the contents of src, put into dest; "src" is src itself, put into dest/.
  const name = basename(fromPath);
  if (!from.isDirectory()) {
    if (contentsOnly || !(from.isFile() || from.isSymbolicLink()) || excluded(name, false)) return false;
    const target = singleCopyTarget(src, dest);
    const to = lstatOrNull(target);
    return !!to && sameEntry(from, to, fromPath, target, options.dirTimes);
  }
  const toPath = contentsOnly ? dest.replace(/\/+$/, '') || '/' : join(dest, name);
  const to = lstatOrNull(toPath);
  if (!to || (!contentsOnly && excluded(name, true))) return false;
  if (!sameEntry(from, to, fromPath, toPath, options.dirTimes)) return false;
  try {
    return new TreeComparison(excluded, options).children(fromPath, toPath, contentsOnly ? '' : name);
  } catch {
    // A file that vanished or cannot be read mid-walk: rsync will say what it makes of it.
    return false;
  }
}
