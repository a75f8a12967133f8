// A copy that is already in place needs no rsync: starting rsync costs tens of
// milliseconds of CPU, and a no-op run makes one or more copies per slave. This
// check walks the tree the way `rsync -a` compares it (type and permissions, owner,
// size and modification second of files, link targets, device numbers, directory
// times unless omitted) and only ever says "unchanged" when all of it is equal; in
// any other case rsync runs and decides.
import { constants, lstatSync, readdirSync, readlinkSync, type Stats } from 'node:fs';
import { basename, join } from 'node:path';
import { diskGeneration, forgetWhenOthersRun } from '../lib/disk-generation.js';
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
const seconds = (mtimeMs: number) => Math.floor(mtimeMs / 1000);

/**
 * What the comparison reads of a source entry: the numbers of its stats that rsync
 * compares and a link's target. Not the Stats object itself: with its four Dates it
 * takes about four times the memory, and a skeleton tree has thousands of entries.
 */
interface Entry {
  mode: number;
  uid: number;
  gid: number;
  size: number;
  rdev: number;
  /** Modification time, in whole seconds. */
  mtime: number;
  link: string | undefined;
}

function entryOf(path: string, stats: Stats): SourceNode {
  const link = stats.isSymbolicLink() ? readlinkSync(path) : undefined;
  return { mode: stats.mode, uid: stats.uid, gid: stats.gid, size: stats.size, rdev: stats.rdev, mtime: seconds(stats.mtimeMs), link, children: undefined, excluded: undefined };
}

const typeOf = (mode: number) => mode & constants.S_IFMT;

/** True when `rsync -a` would leave `to` as it is, given `from` (children aside). */
function sameEntry(from: Entry, to: Stats, toPath: string, dirTimes: boolean): boolean {
  // mode holds the file type as well as the permissions.
  if (from.mode !== to.mode || from.uid !== to.uid || from.gid !== to.gid) return false;
  switch (typeOf(from.mode)) {
    case constants.S_IFREG:
      return from.size === to.size && from.mtime === seconds(to.mtimeMs);
    case constants.S_IFDIR:
      return !dirTimes || from.mtime === seconds(to.mtimeMs);
    // A link is its target; rsync does not always carry a link's own time over, and then ignores it.
    case constants.S_IFLNK:
      return from.link === readlinkSync(toPath);
    case constants.S_IFCHR:
    case constants.S_IFBLK:
      return from.rdev === to.rdev;
    default:
      return typeOf(from.mode) === constants.S_IFIFO || typeOf(from.mode) === constants.S_IFSOCK;
  }
}

/** The source tree as the comparison needs it, read once (see sourceTree). */
interface SourceNode extends Entry {
  /** A directory's entries that the copy covers (not excluded). */
  children: Map<string, SourceNode> | undefined;
  /** A directory's entries that the copy leaves out: with delete, rsync keeps them in the destination. */
  excluded: Set<string> | undefined;
}

function readSource(path: string, stats: Stats, relative: string, excluded: ExcludeMatcher): SourceNode {
  const node = entryOf(path, stats);
  if (!stats.isDirectory()) return node;
  node.children = new Map();
  for (const name of readdirSync(path)) {
    const childRelative = relative ? `${relative}/${name}` : name;
    const childPath = join(path, name);
    const child = lstatSync(childPath);
    if (excluded(childRelative, child.isDirectory())) (node.excluded ??= new Set()).add(name);
    else node.children.set(name, readSource(childPath, child, childRelative, excluded));
  }
  return node;
}

/**
 * The last source tree read, kept while nothing but copies from it to elsewhere ran:
 * filling hundreds of slave roots from one skeleton reads the skeleton once, not once
 * per root. Any other request that may change the disk (see disk-generation) ends it.
 */
let lastSource: { key: string; generation: number; takenMs: number; ino: number; tree: SourceNode } | undefined;
const SOURCE_KEPT_MS = 60_000;
forgetWhenOthersRun('copy', () => (lastSource = undefined));

/** Whether neither path lies inside the other (a copy into one does not touch the other). */
const disjoint = (a: string, b: string) => !`${a}/`.startsWith(`${b}/`) && !`${b}/`.startsWith(`${a}/`);

function sourceTree(fromPath: string, from: Stats, toPath: string, relative: string, excluded: ExcludeMatcher, options: CopyOptions): SourceNode {
  const key = JSON.stringify([fromPath, relative, options.exclude]);
  const generation = diskGeneration();
  const now = Date.now();
  const kept = lastSource && lastSource.key === key && lastSource.generation === generation - 1 && now - lastSource.takenMs < SOURCE_KEPT_MS && lastSource.ino === from.ino;
  const tree = kept ? lastSource!.tree : readSource(fromPath, from, relative, excluded);
  lastSource = generation > 0 && disjoint(fromPath, toPath) ? { key, generation, takenMs: kept ? lastSource!.takenMs : now, ino: from.ino, tree } : undefined;
  return tree;
}

class TreeComparison {
  constructor(
    private readonly excluded: ExcludeMatcher,
    private readonly options: CopyOptions,
  ) {}

  /** Compares the entries under two directories that are already known to be equal themselves. */
  children(from: SourceNode, toDir: string, relativeDir: string): boolean {
    for (const [name, child] of from.children!) {
      const toPath = join(toDir, name);
      const to = lstatOrNull(toPath);
      if (!to || !sameEntry(child, to, toPath, this.options.dirTimes)) return false;
      if (child.children && !this.children(child, toPath, relativeDir ? `${relativeDir}/${name}` : name)) return false;
    }
    return !this.options.delete || this.nothingToDelete(toDir, relativeDir, from);
  }

  /** With delete, rsync removes what the source lacks, except what the excludes protect. */
  private nothingToDelete(toDir: string, relativeDir: string, from: SourceNode): boolean {
    for (const name of readdirSync(toDir)) {
      if (from.children!.has(name) || from.excluded?.has(name)) continue;
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
    return !!to && sameEntry(entryOf(fromPath, from), to, target, options.dirTimes);
  }
  const toPath = contentsOnly ? dest.replace(/\/+$/, '') || '/' : join(dest, name);
  const to = lstatOrNull(toPath);
  if (!to || (!contentsOnly && excluded(name, true))) return false;
  if (!sameEntry(entryOf(fromPath, from), to, toPath, options.dirTimes)) return false;
  try {
    const relative = contentsOnly ? '' : name;
    return new TreeComparison(excluded, options).children(sourceTree(fromPath, from, toPath, relative, excluded, options), toPath, relative);
  } catch {
    // A file that vanished or cannot be read mid-walk: rsync will say what it makes of it.
    return false;
  }
}
