import { aptPackages } from '../backends/package/apt.js';
import type { PackageBackend } from '../backends/package/package-backend.js';
import { portagePackages } from '../backends/package/portage.js';
import { gatherCommands, packageManager } from '../facts/commands.js';
import { runChecked, runCommand } from '../lib/run-command.js';
import { agentOperation } from '../operation.js';
import { AgentError } from '../protocol.js';
import { argsSchema } from './arg-types.js';

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

interface PackageArgs {
  name: string | string[];
  state?: 'present' | 'absent';
  backend?: 'apt' | 'portage';
}

const PACKAGE_NAME = { type: 'string', pattern: '^[^-]', expected: 'a package name not starting with "-"' };

export const packageOp = agentOperation<PackageArgs>({
  name: 'package',
  mutates: true,
  playbook: true,
  description: 'Installs or removes packages; asks the package database first, so nothing runs when all is in place.',
  data: '`backend`, `installed`, `removed`',
  args: argsSchema(['name'], {
    name: {
      anyOf: [PACKAGE_NAME, { type: 'array', minItems: 1, items: PACKAGE_NAME }],
      expected: 'a non-empty string or list of strings, none starting with "-"',
      description: 'A package name or a list of them.',
    },
    state: { enum: ['present', 'absent'], description: 'Default present.' },
    backend: { enum: ['apt', 'portage'], description: 'Default: from the commands present.' },
  }),
  async run(args, ctx) {
    const names = typeof args.name === 'string' ? [args.name] : args.name;
    const state = args.state ?? 'present';
    const named = args.backend;
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
});
