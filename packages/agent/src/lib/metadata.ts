import { chmod, chown, stat } from 'node:fs/promises';
import { lstatSync, statSync, type Stats } from 'node:fs';
import { AgentError } from '../protocol.js';
import { resolveGid, resolveUid } from './accounts.js';

export interface WantedMetadata {
  mode?: number;
  owner?: string;
  group?: string;
}

export interface ResolvedMetadata {
  mode?: number;
  uid?: number;
  gid?: number;
}

export async function resolveMetadata(wanted: WantedMetadata): Promise<ResolvedMetadata> {
  return {
    mode: wanted.mode,
    uid: wanted.owner !== undefined ? await resolveUid(wanted.owner) : undefined,
    gid: wanted.group !== undefined ? await resolveGid(wanted.group) : undefined,
  };
}

/** The `mode`, `owner` and `group` arguments of the operations that make a file, link or node. */
export interface MetadataArgs {
  mode?: string;
  owner?: string;
  group?: string;
}

/** Resolves the `mode`, `owner` and `group` arguments; errors name the op and path. */
export async function metadataFromArgs(args: MetadataArgs, op: string, target: string): Promise<ResolvedMetadata> {
  const wanted = { mode: args.mode === undefined ? undefined : parseInt(args.mode, 8), owner: args.owner, group: args.group };
  try {
    return await resolveMetadata(wanted);
  } catch (err) {
    if (err instanceof AgentError) throw new AgentError(err.code, `${op}: ${err.message} (path ${target})`);
    throw err;
  }
}

const octal = (mode: number): string => '0' + (mode & 0o7777).toString(8).padStart(3, '0');

export interface MetadataChange {
  what: 'mode' | 'owner' | 'group';
  before: string;
  after: string;
}

/** What differs between a file's stats and the wanted metadata. */
export function metadataChanges(stats: Stats | null, wanted: ResolvedMetadata): MetadataChange[] {
  const changes: MetadataChange[] = [];
  const mode = stats ? stats.mode & 0o7777 : undefined;
  if (wanted.mode !== undefined && mode !== wanted.mode) changes.push({ what: 'mode', before: mode === undefined ? 'none' : octal(mode), after: octal(wanted.mode) });
  if (wanted.uid !== undefined && stats?.uid !== wanted.uid) changes.push({ what: 'owner', before: String(stats?.uid ?? 'none'), after: String(wanted.uid) });
  if (wanted.gid !== undefined && stats?.gid !== wanted.gid) changes.push({ what: 'group', before: String(stats?.gid ?? 'none'), after: String(wanted.gid) });
  return changes;
}

/** "mode 0600 -> 0644, owner 0 -> 101" */
export function describeChanges(changes: MetadataChange[]): string {
  return changes.map((c) => `${c.what} ${c.before} -> ${c.after}`).join(', ');
}

/** Applies the wanted metadata to an existing path (owner first: chown may clear setuid bits). */
export async function applyMetadata(path: string, wanted: ResolvedMetadata): Promise<void> {
  if (wanted.uid !== undefined || wanted.gid !== undefined) {
    const stats = await stat(path); // chown follows links, so read the same file it changes
    await chown(path, wanted.uid ?? stats.uid, wanted.gid ?? stats.gid);
  }
  if (wanted.mode !== undefined) await chmod(path, wanted.mode);
}

/**
 * lstat that answers null for a missing path. Synchronous on purpose: disk requests run one at a
 * time anyway, and a thread-pool round trip costs ten times the syscall on the no-op path.
 */
export function lstatOrNull(path: string): Stats | null {
  try {
    return lstatSync(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT' || (err as NodeJS.ErrnoException).code === 'ENOTDIR') return null;
    throw err;
  }
}

/** stat (following links) that answers null for a missing path or a dangling link. */
export function statOrNull(path: string): Stats | null {
  try {
    return statSync(path);
  } catch {
    return null;
  }
}

export function fileType(stats: Stats): 'file' | 'directory' | 'link' | 'char' | 'block' | 'fifo' | 'socket' {
  if (stats.isFile()) return 'file';
  if (stats.isDirectory()) return 'directory';
  if (stats.isSymbolicLink()) return 'link';
  if (stats.isCharacterDevice()) return 'char';
  if (stats.isBlockDevice()) return 'block';
  if (stats.isFIFO()) return 'fifo';
  return 'socket';
}
