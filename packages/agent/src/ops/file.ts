import { readFileSync } from 'node:fs';
import path from 'node:path';
import { atomicWrite, keptMetadata } from '../lib/atomic-write.js';
import { applyMetadata, describeChanges, lstatOrNull, metadataChanges, metadataFromArgs, type MetadataArgs } from '../lib/metadata.js';
import { argsSchema, FILE_PLACEMENT_ARGS } from './arg-types.js';
import { summaryDiff, unifiedDiff } from '../lib/unified-diff.js';
import { agentOperation } from '../operation.js';
import { AgentError } from '../protocol.js';

interface FileArgs extends MetadataArgs {
  path: string;
  content?: string;
  contentBase64?: string;
  validate?: string;
  backup?: boolean;
}

const { path: pathArg, ...placement } = FILE_PLACEMENT_ARGS;

export const file = agentOperation<FileArgs>({
  name: 'file',
  mutates: true,
  playbook: true,
  description: 'Places given bytes at a path, atomically, with mode/owner/group; a no-op when all already match.',
  data: '`backup` (path of the saved old file)',
  args: argsSchema(['path'], {
    path: pathArg,
    content: { type: 'string', description: 'The text (UTF-8).' },
    contentBase64: { type: 'string', description: 'Or the bytes, base64.' },
    ...placement,
  }),
  async run(args, ctx) {
    const { path: target, content: text, contentBase64: base64, validate } = args;
    if ((text === undefined) === (base64 === undefined)) {
      throw new AgentError('EARGS', `file: give exactly one of "content" or "contentBase64" (path ${target})`);
    }
    const content = text !== undefined ? Buffer.from(text, 'utf8') : Buffer.from(base64!, 'base64');
    const backup = args.backup ?? false;
    const metadata = await metadataFromArgs(args, 'file', target);

    const stats = lstatOrNull(target);
    if (!stats && !lstatOrNull(path.dirname(target))?.isDirectory()) {
      // In check mode an earlier task may be the one that would create the directory.
      if (ctx.check) {
        const diff = ctx.diff && isText(content) ? unifiedDiff(target, '', content.toString('utf8')) : undefined;
        return { changed: true, diff, msg: 'created (with its directory)' };
      }
      throw new AgentError('ENOENT', `file: the directory of ${target} does not exist (create it first with a directory task)`);
    }
    if (stats && !stats.isFile()) throw new AgentError('EARGS', `file: path ${target} exists and is not a regular file`);
    const before = stats ? readFileSync(target) : null;
    const contentChanged = before === null || !before.equals(content);
    const metaChanges = metadataChanges(stats, metadata);
    if (!contentChanged && metaChanges.length === 0) return { changed: false };

    let diff: string | undefined;
    if (ctx.diff) {
      diff = contentChanged
        ? isText(content) && (before === null || isText(before))
          ? unifiedDiff(target, before?.toString('utf8') ?? '', content.toString('utf8'))
          : summaryDiff(target, before ? `binary, ${before.length} bytes` : 'absent', `binary, ${content.length} bytes`)
        : summaryDiff(target, metaChanges.map((c) => `${c.what} ${c.before}`).join(', '), metaChanges.map((c) => `${c.what} ${c.after}`).join(', '));
    }
    const msg = contentChanged ? (before === null ? 'created' : 'content changed') : describeChanges(metaChanges);
    if (ctx.check) return { changed: true, diff, msg };

    if (contentChanged) {
      const written = await atomicWrite(target, content, { metadata: keptMetadata(metadata, stats), validate, backup, existed: stats !== null });
      return { changed: true, diff, msg, data: written.backup ? { backup: written.backup } : undefined };
    }
    await applyMetadata(target, metadata);
    return { changed: true, diff, msg };
  },
});

/** Text for diff purposes: no NUL byte in the first 8 KiB (as git decides). */
function isText(buffer: Buffer): boolean {
  return !buffer.subarray(0, 8192).includes(0);
}
