import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readlink, stat as statFollow } from 'node:fs/promises';
import { Args } from '../lib/args.js';
import { fileType, lstatOrNull } from '../lib/metadata.js';
import type { Operation } from '../protocol.js';

/** Reports what is at a path without changing it. */
export const stat: Operation = {
  mutates: false,
  async run(raw) {
    const args = new Args('stat', raw);
    const target = args.absPath('path');
    // Hashing a large file (a kernel, an initramfs) costs more than the rest of a run's stats.
    const checksum = args.optBool('checksum') ?? true;
    const stats = lstatOrNull(target);
    if (!stats) return { changed: false, data: { exists: false } };
    const data: Record<string, unknown> = {
      exists: true,
      type: fileType(stats),
      mode: '0' + (stats.mode & 0o7777).toString(8).padStart(3, '0'),
      uid: stats.uid,
      gid: stats.gid,
      size: stats.size,
      mtime: stats.mtimeMs,
    };
    if (stats.isFile() && checksum) data.sha256 = await sha256File(target);
    if (stats.isSymbolicLink()) {
      data.target = await readlink(target);
      data.targetExists = await statFollow(target).then(() => true, () => false);
    }
    return { changed: false, data };
  },
};

function sha256File(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    createReadStream(path)
      .on('data', (chunk) => hash.update(chunk))
      .on('end', () => resolve(hash.digest('hex')))
      .on('error', reject);
  });
}
