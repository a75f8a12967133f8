import { rm } from 'node:fs/promises';
import { fileType, lstatOrNull } from '../lib/metadata.js';
import { summaryDiff } from '../lib/unified-diff.js';
import { agentOperation } from '../operation.js';
import { AgentError } from '../protocol.js';
import { argsSchema } from './arg-types.js';

export const absent = agentOperation<{ path: string }>({
  name: 'absent',
  mutates: true,
  playbook: true,
  description: 'Removes a file, link or whole tree; a no-op when nothing is there.',
  args: argsSchema(['path'], { path: { $ref: '#/definitions/path', description: 'File, link or whole tree to remove.' } }),
  async run({ path: target }, ctx) {
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
});
