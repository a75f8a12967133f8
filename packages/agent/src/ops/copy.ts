import { lstatOrNull } from '../lib/metadata.js';
import { ensureParent } from '../lib/parent-directory.js';
import { runCommand, which } from '../lib/run-command.js';
import { TEMP_FILE_PATTERN } from '../lib/temp-files.js';
import { agentOperation } from '../operation.js';
import { AgentError } from '../protocol.js';
import { copyIsUnchanged } from './copy-unchanged.js';
import { argsSchema } from './arg-types.js';

/** The rsync command line for a copy; pure, so it can be checked from fixture data. */
export function rsyncArgv(src: string, dest: string, options: { delete: boolean; exclude: string[]; check: boolean; dirTimes?: boolean }): string[] {
  return [
    'rsync',
    '-a',
    '--itemize-changes',
    ...(options.dirTimes === false ? ['--omit-dir-times'] : []),
    ...(options.check ? ['--dry-run'] : []),
    ...(options.delete ? ['--delete'] : []),
    ...options.exclude.map((pattern) => `--exclude=${pattern}`),
    '--',
    src,
    dest,
  ];
}

/** Paths rsync reports as changed: every itemized line names one ("*deleting x", ">f+++ x", "cd+++ x/"). */
export function parseItemized(stdout: string): string[] {
  const items: string[] = [];
  for (const line of stdout.split('\n')) {
    const match = /^(\*deleting|[<>ch.*][fdLDS][^ ]*) +(.+)$/.exec(line);
    if (match) items.push(match[1] === '*deleting' ? `-${match[2]}` : match[2]);
  }
  return items;
}

interface CopyArgs {
  src: string;
  dest: string;
  delete?: boolean;
  exclude?: string[];
  dirTimes?: boolean;
}

export const copy = agentOperation<CopyArgs>({
  name: 'copy',
  mutates: true,
  playbook: true,
  description: 'Copies a tree on the master with `rsync -a` (a trailing slash on `src` copies its contents); its itemized output decides `changed`.',
  data: '`items` (changed paths; `-path` for a deleted one)',
  args: argsSchema(['src', 'dest'], {
    src: { $ref: '#/definitions/path', description: 'What to copy; with a trailing slash, its contents.' },
    dest: { $ref: '#/definitions/path', description: 'Where to.' },
    delete: { $ref: '#/definitions/bool', description: 'Remove what dest has and src has not.' },
    exclude: { $ref: '#/definitions/stringList', description: 'rsync exclude patterns.' },
    dirTimes: { $ref: '#/definitions/bool', description: 'Default true; false: --omit-dir-times, for trees later tasks add files to.' },
  }),
  async run(args, ctx) {
    const { src, dest } = args;
    // Temp files of writes in progress (or interrupted) are never copied, e.g. into a slave's /etc.
    const exclude = [...(args.exclude ?? []), TEMP_FILE_PATTERN];
    const del = args.delete ?? false;
    // Off when later tasks add files into the copied tree: each addition moves a
    // directory's time, which the next copy would otherwise report as a change.
    const dirTimes = args.dirTimes ?? true;
    if (!lstatOrNull(src.replace(/\/+$/, '') || '/')) throw new AgentError('ENOENT', `copy: source "src" ${src} does not exist`);
    if (copyIsUnchanged(src, dest, { exclude, delete: del, dirTimes })) return { changed: false, data: { items: [] } };
    if (!(await which('rsync'))) throw new AgentError('ENOENT', `copy: rsync is not installed on this master (needed to copy ${src} to ${dest})`);
    if (!ctx.check) await ensureParent(dest.replace(/\/+$/, '') || '/');
    const argv = rsyncArgv(src, dest, { delete: del, exclude, check: ctx.check, dirTimes });
    const result = await runCommand(argv);
    if (result.rc !== 0) {
      throw new AgentError('ECOMMAND', `copy: rsync from ${src} to ${dest} exited ${result.rc}: ${result.stderr.trim().slice(-2000)}`);
    }
    const items = parseItemized(result.stdout);
    const diff = ctx.diff && items.length > 0 ? items.map((item) => `${item}\n`).join('') : undefined;
    return { changed: items.length > 0, diff, data: { items }, msg: items.length > 0 ? `${items.length} paths changed` : undefined };
  },
});
