import { rename, rm } from 'node:fs/promises';
import { applyMetadata, fileType, lstatOrNull, describeChanges, metadataChanges, metadataFromArgs, type MetadataArgs } from '../lib/metadata.js';
import { ensureParent } from '../lib/parent-directory.js';
import { runChecked } from '../lib/run-command.js';
import { forget, removeLeftoverTemps, tempPathFor } from '../lib/temp-files.js';
import { summaryDiff } from '../lib/unified-diff.js';
import { argsSchema, METADATA_ARGS } from './arg-types.js';
import { agentOperation } from '../operation.js';
import { AgentError } from '../protocol.js';

/** Linux dev_t split as glibc's major()/minor() do. */
export function splitDevice(rdev: number): { major: number; minor: number } {
  const dev = BigInt(rdev);
  const major = Number(((dev >> 8n) & 0xfffn) | ((dev >> 32n) & ~0xfffn));
  const minor = Number((dev & 0xffn) | ((dev >> 12n) & ~0xffn));
  return { major, minor };
}

interface MknodArgs extends MetadataArgs {
  path: string;
  type: 'char' | 'block';
  major: number;
  minor: number;
}

export const mknod = agentOperation<MknodArgs>({
  name: 'mknod',
  mutates: true,
  playbook: true,
  description: 'Ensures a character or block device node, e.g. dev/console c 5 1 in a slave root.',
  args: argsSchema(['path', 'type', 'major', 'minor'], {
    path: { $ref: '#/definitions/path' },
    type: { enum: ['char', 'block'] },
    major: { $ref: '#/definitions/int' },
    minor: { $ref: '#/definitions/int' },
    ...METADATA_ARGS,
  }),
  async run(args, ctx) {
    const { path: target, type, major, minor } = args;
    const metadata = await metadataFromArgs(args, 'mknod', target);
    const wanted = `${type} ${major},${minor}`;

    const stats = lstatOrNull(target);
    let current = 'absent';
    if (stats) {
      current = fileType(stats);
      if (current === 'char' || current === 'block') {
        const dev = splitDevice(stats.rdev);
        current = `${current} ${dev.major},${dev.minor}`;
      }
      if (current !== wanted && stats.isDirectory()) throw new AgentError('EARGS', `mknod: path ${target} exists and is a directory`);
    }
    const recreate = current !== wanted;
    const changes = recreate ? `${current} -> ${wanted}` : describeChanges(metadataChanges(stats, metadata));
    if (changes === '') return { changed: false };
    const diff = ctx.diff ? summaryDiff(target, current, recreate ? wanted : `${wanted} (${changes})`) : undefined;
    if (ctx.check) return { changed: true, diff, msg: changes };

    if (recreate) {
      await ensureParent(target);
      removeLeftoverTemps(target);
      const temp = tempPathFor(target);
      try {
        const mode = (metadata.mode ?? 0o600).toString(8);
        await runChecked(['mknod', '-m', mode, temp, type === 'char' ? 'c' : 'b', String(major), String(minor)]);
        await applyMetadata(temp, metadata);
        await rename(temp, target);
      } finally {
        await rm(temp, { force: true });
        forget(temp);
      }
    } else {
      await applyMetadata(target, metadata);
    }
    return { changed: true, diff, msg: changes };
  },
});
