// A copy that is already in place needs no rsync: starting rsync costs tens of
// milliseconds of CPU, and a no-op run makes one or more copies per slave. This
// check walks the tree the way `rsync -a` compares it (type and permissions, owner,
// size and modification second of files, link targets, device numbers, directory
// times unless omitted) and only ever says "unchanged" when all of it is equal; in
// any other case rsync runs and decides.
import { lstatSync, readdirSync, readlinkSync, type Stats } from 'node:fs';
import { basename, join } from 'node:path';
import { diskGeneration } from '../lib/disk-generation.js';
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

/** The source tree as the comparison needs it, read once (see sourceTree). */
interface SourceNode {
  stats: Stats;
  /** A link's target. */
  link?: string;
  /** A directory's entries that the copy covers (not excluded), and the names of all of them. */
  children?: Map<string, SourceNode>;
  allNames?: Set<string>;
}

function readSource(path: string, stats: Stats, relative: string, excluded: ExcludeMatcher): SourceNode {
  if (stats.isSymbolicLink()) return { stats, link: readlinkSync(path) };
  if (!stats.isDirectory()) return { stats };
  const names = readdirSync(path);
  const children = new Map<string, SourceNode>();
  for (const name of names) {
    const childRelative = relative ? `${relative}/${name}` : name;
    const childPath = join(path, name);
    const child = lstatSync(childPath);
    if (excluded(childRelative, child.isDirectory())) continue;
    children.set(name, readSource(childPath, child, childRelative, excluded));
  }
  return { stats, children, allNames: new Set(names) };
}

/**
 * The last source tree read, kept while nothing but copies from it to elsewhere ran:
 * filling hundreds of slave roots from one skeleton reads the skeleton once, not once
 * per root. Any other request that may change the disk (see disk-generation) ends it.
 */
let lastSource: { key: string; generation: number; takenMs: number; tree: SourceNode } | undefined;
const SOURCE_KEPT_MS = 60_000;

/** Whether neither path lies inside the other (a copy into one does not touch the other). */
const disjoint = (a: string, b: string) => !`${a}/`.startsWith(`${b}/`) && !`${b}/`.startsWith(`${a}/`);

function sourceTree(fromPath: string, from: Stats, toPath: string, relative: string, excluded: ExcludeMatcher, options: CopyOptions): SourceNode {
  const key = JSON.stringify([fromPath, relative, options.exclude]);
  const generation = diskGeneration();
  const now = Date.now();
  const kept = lastSource && lastSource.key === key && lastSource.generation === generation - 1 && now - lastSource.takenMs < SOURCE_KEPT_MS && lastSource.tree.stats.ino === from.ino;
  const tree = kept ? lastSource!.tree : readSource(fromPath, from, relative, excluded);
  lastSource = generation > 0 && disjoint(fromPath, toPath) ? { key, generation, takenMs: kept ? lastSource!.takenMs : now, tree } : undefined;
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
      if (!to || !sameNode(child, to, toPath, this.options.dirTimes)) return false;
      if (child.children && !this.children(child, toPath, relativeDir ? `${relativeDir}/${name}` : name)) return false;
    }
    return !this.options.delete || this.nothingToDelete(toDir, relativeDir, from.allNames!);
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

/** sameEntry, with the link target already read from the source. */
function sameNode(from: SourceNode, to: Stats, toPath: string, dirTimes: boolean): boolean {
  if (from.link === undefined) return sameEntry(from.stats, to, '', toPath, dirTimes);
  return from.stats.mode === to.mode && from.stats.uid === to.uid && from.stats.gid === to.gid && from.link === readlinkSync(toPath);
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
    const relative = contentsOnly ? '' : name;
    return new TreeComparison(excluded, options).children(sourceTree(fromPath, from, toPath, relative, excluded, options), toPath, relative);
  } catch {
    // A file that vanished or cannot be read mid-walk: rsync will say what it makes of it.
    return false;
  }
}
