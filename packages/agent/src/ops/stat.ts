import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readlink, stat as statFollow } from 'node:fs/promises';
import { fileType, lstatOrNull } from '../lib/metadata.js';
import { agentOperation } from '../operation.js';
import { argsSchema } from './arg-types.js';

export const stat = agentOperation<{ path: string; checksum?: boolean }>({
  name: 'stat',
  mutates: false,
  playbook: true,
  description: 'Reports what is at a path without changing it.',
  data: '`exists`, `type` (file, directory, link, char, block, fifo, socket), `mode`, `uid`, `gid`, `size`, `mtime`, `sha256` (files), `target` and `targetExists` (links)',
  args: argsSchema(['path'], {
    path: { $ref: '#/definitions/path' },
    checksum: { $ref: '#/definitions/bool', description: 'Default true; false skips reading the file for `sha256`.' },
  }),
  async run(args) {
    const target = args.path;
    // Hashing a large file (a kernel, an initramfs) costs more than the rest of a run's stats.
    const checksum = args.checksum ?? true;
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
});

function sha256File(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    createReadStream(path)
      .on('data', (chunk) => hash.update(chunk))
      .on('end', () => resolve(hash.digest('hex')))
      .on('error', reject);
  });
}
