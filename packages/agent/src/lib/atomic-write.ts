import { copyFile, open, rename, unlink } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import path from 'node:path';
import { AgentError, errorCodeOf } from '../protocol.js';
import { applyMetadata, type ResolvedMetadata } from './metadata.js';
import { runCommand } from './run-command.js';
import { forget, removeLeftoverTemps, tempPathFor } from './temp-files.js';

export interface AtomicWriteOptions {
  /** The new file's metadata: what was asked for, else what the replaced file had (see keptMetadata). */
  metadata: ResolvedMetadata & { mode: number };
  /** A command run on the temp file before it replaces the target; "%s" is the temp path. */
  validate?: string;
  /** Keep a copy of the replaced file; returns its path. */
  backup?: boolean;
  existed: boolean;
}

/** Wanted metadata completed from the file being replaced, so a rewrite keeps its mode and owner. */
export function keptMetadata(wanted: ResolvedMetadata, old: Stats | null): ResolvedMetadata & { mode: number } {
  return {
    mode: wanted.mode ?? (old ? old.mode & 0o7777 : 0o644),
    uid: wanted.uid ?? old?.uid,
    gid: wanted.gid ?? old?.gid,
  };
}

/**
 * Replaces `target` with `content` atomically: temp file in the same directory, fsync,
 * validate, rename. Temp files that interrupted writes of the same target left behind
 * are removed first.
 */
export async function atomicWrite(target: string, content: Buffer, options: AtomicWriteOptions): Promise<{ backup?: string }> {
  const dir = path.dirname(target);
  removeLeftoverTemps(target);
  const temp = tempPathFor(target);
  try {
    const handle = await open(temp, 'wx', options.metadata.mode);
    try {
      await handle.writeFile(content);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await applyMetadata(temp, options.metadata);
    if (options.validate) await validateFile(options.validate, temp, target);
    let backup: string | undefined;
    if (options.backup && options.existed) {
      backup = `${target}.${new Date().toISOString().replace(/[:]/g, '-')}~`;
      await copyFile(target, backup);
    }
    await rename(temp, target);
    forget(temp);
    await syncDirectory(dir);
    return { backup };
  } catch (err) {
    await unlink(temp).catch(() => undefined);
    forget(temp);
    if (err instanceof AgentError) throw err;
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'ENOSPC' || e.code === 'EDQUOT') {
      const what = e.code === 'ENOSPC' ? 'no space left on the filesystem' : 'disk quota exceeded';
      throw new AgentError('ENOSPC', `cannot write ${target}: ${what} of ${dir} (${e.code}; ${content.length} bytes to write); ${options.existed ? 'the old file is kept' : 'nothing was written'}`);
    }
    throw new AgentError(errorCodeOf(e), `cannot write ${target}: ${e.message}`);
  }
}

async function validateFile(command: string, temp: string, target: string): Promise<void> {
  const shellQuoted = `'${temp.replace(/'/g, `'\\''`)}'`;
  const result = await runCommand(['/bin/sh', '-c', command.replaceAll('%s', shellQuoted)]);
  if (result.rc !== 0) {
    const output = `${result.stdout}${result.stderr}`.trim().replaceAll(temp, target);
    throw new AgentError('EVALIDATE', `validate "${command}" failed for ${target} (exit ${result.rc}), the old file is kept: ${output}`);
  }
}

async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } catch {
    // some filesystems refuse fsync on a directory; the rename is still atomic
  } finally {
    await handle.close();
  }
}
