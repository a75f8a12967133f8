import { rm } from 'node:fs/promises';
import { Args } from '../lib/args.js';
import { fileType, lstatOrNull } from '../lib/metadata.js';
import { summaryDiff } from '../lib/unified-diff.js';
import { AgentError, type Operation } from '../protocol.js';

/** Removes a file, link or whole tree; a no-op when nothing is there. */
export const absent: Operation = {
  mutates: true,
  async run(raw, ctx) {
    const args = new Args('absent', raw);
    const target = args.absPath('path');
    if (target === '/') throw new AgentError('EARGS', 'absent: refusing to remove "/"');
    const stats = lstatOrNull(target);
    if (!stats) return { changed: false };
    const diff = ctx.diff ? summaryDiff(target, fileType(stats), 'absent') : undefined;
    if (ctx.check) return { changed: true, diff };
    try {
      await rm(target, { recursive: true, force: true });
    } catch (err) {
      throw new AgentError('EIO', `absent: cannot remove ${target}: ${(err as Error).message}`);
    }
    return { changed: true, diff };
  },
};
