import { Args } from '@oclif/core';
import { loadRun } from '../playbook/load-run.js';
import { type CommandOutcome, DisklessCommand } from '../cli/command-base.js';
import { inventoryFlag } from '../cli/flags.js';

export default class Validate extends DisklessCommand {
  static summary = 'Check an inventory and playbooks without connecting to anything.';
  static description = 'Reports every problem at once, each at its file, line and JSON pointer; exit 1 if there is any.';
  static examples = [
    '<%= config.bin %> validate -i inventory.json',
    '<%= config.bin %> validate playbooks/site.json -i inventory.json',
  ];
  static strict = false;
  static args = { playbooks: Args.string({ description: 'playbook files to check' }) };
  static flags = { inventory: inventoryFlag };

  protected async execute(): Promise<CommandOutcome> {
    const { argv, flags } = await this.parse(Validate);
    const { inventory, plays } = await loadRun({ inventory: flags.inventory, playbooks: argv as string[] });
    const tasks = plays.reduce((n, p) => n + p.tasks.length + p.handlers.length, 0);
    process.stdout.write(`ok: ${inventory.masters.length} master(s), ${plays.length} play(s), ${tasks} task(s)\n`);
  }
}
