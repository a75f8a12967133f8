import { readlink, rename, rm, symlink } from 'node:fs/promises';
import { ensureParent } from '../lib/parent-directory.js';
import { lstatOrNull } from '../lib/metadata.js';
import { summaryDiff } from '../lib/unified-diff.js';
import { agentOperation } from '../operation.js';
import { AgentError, type OpResult } from '../protocol.js';
import { argsSchema } from './arg-types.js';

export const link = agentOperation<{ path: string; target: string; force?: boolean }>({
  name: 'link',
  mutates: true,
  playbook: true,
  description: 'Ensures a symlink with the given target text; `force` replaces a file or link in the way.',
  args: argsSchema(['path', 'target'], {
    path: { $ref: '#/definitions/path' },
    target: { type: 'string', minLength: 1, description: 'The symlink text.' },
    force: { $ref: '#/definitions/bool', description: 'Replace a file in the way.' },
  }),
  async run(args, ctx) {
    return ensureSymlink(args.path, args.target, args.force ?? false, ctx.check, ctx.diff, 'link');
  },
});

/** Shared by `link` and the service op's runlevel links inside a slave root. */
export async function ensureSymlink(target: string, linkText: string, force: boolean, check: boolean, wantDiff: boolean, op: string): Promise<OpResult> {
  const stats = lstatOrNull(target);
  let before = 'absent';
  if (stats?.isSymbolicLink()) {
    const current = await readlink(target);
    if (current === linkText) return { changed: false };
    before = `-> ${current}`;
  } else if (stats) {
    if (stats.isDirectory() || !force) {
      throw new AgentError('EARGS', `${op}: path ${target} exists and is a ${stats.isDirectory() ? 'directory' : 'file'}${stats.isDirectory() ? '' : ' (set "force" to replace it)'}`);
    }
    before = 'file';
  }
  const diff = wantDiff ? summaryDiff(target, before, `-> ${linkText}`) : undefined;
  if (check) return { changed: true, diff };
  try {
    await ensureParent(target);
    // a new link renamed over the old path: never a moment without one
    const temp = `${target}.diskless-${process.pid}.tmp`;
    await rm(temp, { force: true });
    await symlink(linkText, temp);
    await rename(temp, target);
  } catch (err) {
    throw new AgentError('EIO', `${op}: cannot link ${target}: ${(err as Error).message}`);
  }
  return { changed: true, diff };
}
