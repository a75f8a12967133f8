import { hostname, machine } from 'node:os';
import { gatherCommands, packageManager } from '../facts/commands.js';
import { freeSpace } from '../facts/disk-space.js';
import { detectInitSystem } from '../facts/init-system.js';
import { gatherInterfaces } from '../facts/interfaces.js';
import { gatherKernel } from '../facts/kernel.js';
import { gatherOs } from '../facts/os-release.js';
import type { Facts } from '../facts/types.js';
import { agentOperation } from '../operation.js';
import { argsSchema } from './arg-types.js';

export const facts = agentOperation<{ kernelOptions?: string[]; disklessPath?: string }>({
  name: 'facts',
  mutates: false,
  playbook: true,
  description: 'Gathers the facts again (e.g. after installing packages): everything the playbooks decide on, in one request.',
  data: 'the facts (see below)',
  args: argsSchema([], {
    kernelOptions: { $ref: '#/definitions/stringList', description: 'More CONFIG_ names to report in `kernel.config`.' },
    disklessPath: { $ref: '#/definitions/path', description: 'Where free space is measured; default "/diskless".' },
  }),
  async run(args) {
    const [os, interfaces, kernel, commands, diskless] = await Promise.all([
      gatherOs(),
      gatherInterfaces(),
      gatherKernel(args.kernelOptions ?? []),
      gatherCommands(),
      freeSpace(args.disklessPath ?? '/diskless'),
    ]);
    const data: Facts = { hostname: hostname(), arch: machine(), os, init: detectInitSystem(), interfaces, kernel, commands, diskless, packageManager: packageManager(commands) };
    return { changed: false, data };
  },
});
