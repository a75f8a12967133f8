import { hostname, machine } from 'node:os';
import { Args } from '../lib/args.js';
import { gatherCommands, packageManager } from '../facts/commands.js';
import { freeSpace } from '../facts/disk-space.js';
import { detectInitSystem } from '../facts/init-system.js';
import { gatherInterfaces } from '../facts/interfaces.js';
import { gatherKernel } from '../facts/kernel.js';
import { gatherOs } from '../facts/os-release.js';
import type { Operation } from '../protocol.js';

/** Everything the playbooks decide on, gathered in one request. */
export const facts: Operation = {
  mutates: false,
  async run(raw) {
    const args = new Args('facts', raw);
    const extraOptions = args.optStringList('kernelOptions') ?? [];
    const [os, interfaces, kernel, commands, diskless] = await Promise.all([
      gatherOs(),
      gatherInterfaces(),
      gatherKernel(extraOptions),
      gatherCommands(),
      freeSpace(args.optAbsPath('disklessPath') ?? '/diskless'),
    ]);
    return {
      changed: false,
      // arch: the machine name as uname -m gives it (x86_64, aarch64, i686).
      data: { hostname: hostname(), arch: machine(), os, init: detectInitSystem(), interfaces, kernel, commands, diskless, packageManager: packageManager(commands) },
    };
  },
};
