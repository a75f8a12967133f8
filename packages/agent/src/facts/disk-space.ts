import { statfs } from 'node:fs/promises';
import path from 'node:path';

/** Free bytes of the filesystem holding `target`, measured at its nearest existing ancestor. */
export async function freeSpace(target = '/diskless'): Promise<{ path: string; freeBytes: number | null }> {
  for (let dir = target; ; dir = path.dirname(dir)) {
    try {
      const stats = await statfs(dir);
      return { path: dir, freeBytes: stats.bavail * stats.bsize };
    } catch {
      if (dir === '/') return { path: dir, freeBytes: null };
    }
  }
}
