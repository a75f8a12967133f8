import { lstatSync } from 'node:fs';
import { utimes } from 'node:fs/promises';
import path from 'node:path';

/**
 * Runs `work` (which adds or removes an entry under `file`'s directory), then gives the nearest
 * directory that already existed its times back. A slave root is kept in step with its skeleton
 * by `rsync -a`, which would otherwise see a changed directory time on every run.
 */
export async function keepingDirectoryTimes<T>(file: string, work: () => Promise<T>): Promise<T> {
  let dir = path.dirname(file);
  while (!lstatSync(dir, { throwIfNoEntry: false })?.isDirectory() && path.dirname(dir) !== dir) dir = path.dirname(dir);
  const before = lstatSync(dir);
  const result = await work();
  await utimes(dir, before.atime, before.mtime);
  return result;
}
