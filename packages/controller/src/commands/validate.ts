import { Args } from '@oclif/core';
import { checkExpressions } from '../engine/check-expressions.js';
import { InputError, InputErrors } from '../errors.js';
import { loadInventory } from '../inventory/load-inventory.js';
import { loadPlaybooks } from '../playbook/load-playbooks.js';
import { type CommandOutcome, DisklessCommand } from './command-base.js';
import { inventoryFlag } from './flags.js';

/** Runs one loading step and keeps its input errors, so every problem is reported at once. */
async function collect<T>(errors: InputError[], step: () => Promise<T>): Promise<T | undefined> {
  try {
    return await step();
  } catch (error) {
    if (error instanceof InputErrors) errors.push(...error.errors);
    else if (error instanceof InputError) errors.push(error);
    else throw error;
    return undefined;
  }
}

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
    const errors: InputError[] = [];
    const inventory = await collect(errors, () => loadInventory(flags.inventory));
    const plays = argv.length ? await collect(errors, () => loadPlaybooks(argv as string[])) : [];
    if (plays) await collect(errors, () => checkExpressions(plays));
    if (errors.length) throw new InputErrors(errors);
    const tasks = plays!.reduce((n, p) => n + p.tasks.length + p.handlers.length, 0);
    process.stdout.write(`ok: ${inventory!.masters.length} master(s), ${plays!.length} play(s), ${tasks} task(s)\n`);
  }
}
