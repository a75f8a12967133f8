import { mkdir } from 'node:fs/promises';
import { applyMetadata, describeChanges, lstatOrNull, metadataChanges, metadataFromArgs, statOrNull, type MetadataArgs } from '../lib/metadata.js';
import { summaryDiff } from '../lib/unified-diff.js';
import { argsSchema, METADATA_ARGS } from './arg-types.js';
import { agentOperation } from '../operation.js';
import { AgentError } from '../protocol.js';

export const directory = agentOperation<MetadataArgs & { path: string }>({
  name: 'directory',
  mutates: true,
  playbook: true,
  description: 'Ensures a directory (and its parents) exists with the wanted mode/owner/group.',
  args: argsSchema(['path'], { path: { $ref: '#/definitions/path', description: 'Parents are created too.' }, ...METADATA_ARGS }),
  async run(args, ctx) {
    const target = args.path;
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
});
