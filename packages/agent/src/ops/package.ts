import { aptPackages } from '../backends/package/apt.js';
import type { PackageBackend } from '../backends/package/package-backend.js';
import { portagePackages } from '../backends/package/portage.js';
import { gatherCommands, packageManager } from '../facts/commands.js';
import { Args } from '../lib/args.js';
import { runChecked, runCommand } from '../lib/run-command.js';
import { AgentError, type Operation } from '../protocol.js';

const BACKENDS: Record<'apt' | 'portage', PackageBackend> = { apt: aptPackages, portage: portagePackages };

/** Which of the packages are installed: one query for all where the backend can, else one each. */
async function queryInstalled(backend: PackageBackend, names: string[]): Promise<boolean[]> {
  const many = names.length > 1 ? backend.queryMany?.(names) : undefined;
  if (many && backend.installedMany) {
    // dpkg-query exits 1 when a name is unknown, and still lists the others.
    const result = await runCommand(many);
    if (result.rc <= 1) return backend.installedMany(result.stdout, names);
  }
  return Promise.all(names.map(async (pkg) => {
    const result = await runCommand(backend.query(pkg));
    return backend.isInstalled(result.rc, result.stdout);
  }));
}

/** Installs or removes packages; asks the package database first, so nothing runs when all is in place. */
export const packageOp: Operation = {
  mutates: true,
  async run(raw, ctx) {
    const args = new Args('package', raw);
    const names = args.names('name');
    const state = args.optOneOf('state', ['present', 'absent'] as const) ?? 'present';
    const named = args.optOneOf('backend', ['apt', 'portage'] as const);
    const manager = named ?? packageManager(await gatherCommands());
    if (!manager) throw new AgentError('ENOENT', `package: no package manager (apt-get or emerge) on this master to handle ${names.join(', ')}`);
    const backend = BACKENDS[manager];

    const installed = await queryInstalled(backend, names);
    const todo = names.filter((_, i) => (state === 'present' ? !installed[i] : installed[i]));
    const data = { backend: backend.name, installed: state === 'present' ? todo : [], removed: state === 'absent' ? todo : [] };
    if (todo.length === 0) return { changed: false, data };
    if (!ctx.check) {
      await runChecked(state === 'present' ? backend.install(todo) : backend.remove(todo), { env: backend.env, onOutput: ctx.emit });
    }
    return { changed: true, data, msg: `${state === 'present' ? 'installed' : 'removed'} ${todo.join(', ')}` };
  },
};
