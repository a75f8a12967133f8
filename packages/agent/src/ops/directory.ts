import { mkdir } from 'node:fs/promises';
import { Args } from '../lib/args.js';
import { applyMetadata, lstatOrNull, statOrNull, describeChanges, metadataChanges, metadataFromArgs } from '../lib/metadata.js';
import { summaryDiff } from '../lib/unified-diff.js';
import { AgentError, type Operation } from '../protocol.js';

/** Ensures a directory (and its parents) exists with the wanted mode/owner/group. */
export const directory: Operation = {
  mutates: true,
  async run(raw, ctx) {
    const args = new Args('directory', raw);
    const target = args.absPath('path');
    const metadata = await metadataFromArgs(args, 'directory', target);
    // a link to a directory counts as the directory, as with `mkdir -p` (/var/run -> /run)
    const stats = statOrNull(target) ?? lstatOrNull(target);
    if (stats && !stats.isDirectory()) throw new AgentError('EARGS', `directory: path ${target} exists and is not a directory`);
    const changes = stats ? describeChanges(metadataChanges(stats, metadata)) : 'created';
    if (changes === '') return { changed: false };
    const diff = ctx.diff ? summaryDiff(target, stats ? 'directory' : 'absent', `directory (${changes})`) : undefined;
    if (ctx.check) return { changed: true, diff, msg: changes };
    try {
      if (!stats) await mkdir(target, { recursive: true, mode: metadata.mode ?? 0o755 });
      await applyMetadata(target, metadata);
    } catch (err) {
      throw new AgentError('EIO', `directory: cannot create ${target}: ${(err as Error).message}`);
    }
    return { changed: true, diff, msg: changes };
  },
};
