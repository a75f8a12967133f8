// The one way every command reads its input: the inventory and the playbooks parsed
// (duplicate keys, bad UTF-8 and runaway nesting refused), checked against their
// schemas, then every check that needs no master: expressions, templates and templated
// strings compiled, import cycles, play hosts against the inventory, the masters named
// by --limit or --host. Every problem found is reported at once, and nothing may run
// or connect until there is none. A new command loads through here, so it cannot skip
// a check.
import { expressionErrors } from '../engine/check-expressions.js';
import { limitMasters } from '../engine/host-selection.js';
import { InputError, InputErrors } from '../errors.js';
import { loadInventory } from '../inventory/load-inventory.js';
import type { Inventory, Master, Play } from '../types.js';
import { playHostErrors } from './check-play-hosts.js';
import { templateErrors } from './check-templates.js';
import { readPlaybooks, uniqueErrors } from './load-playbooks.js';

export interface RunInputOptions {
  /** The inventory file. */
  inventory: string;
  /** Playbook files, run in this order; none for commands that run no playbook. */
  playbooks?: string[];
  /** Master names the command is limited to (--limit, or --host): each must exist. */
  limit?: string[];
  /** The flag `limit` came from, for messages. */
  limitFlag?: string;
}

export interface RunInput {
  inventory: Inventory;
  plays: Play[];
  /** The masters selected by `limit` (every master without one), in inventory order. */
  masters: Master[];
}

/** Loads and checks everything a command needs; throws InputErrors listing every problem. */
export async function loadRun(options: RunInputOptions): Promise<RunInput> {
  const inventoryErrors: InputError[] = [];
  const inventory = await collect(inventoryErrors, () => loadInventory(options.inventory));

  const { plays, errors: playbookErrors, documents } = await readPlaybooks(options.playbooks ?? []);
  // The checks below look at the plays that loaded, so their problems come with the others.
  playbookErrors.push(...(await expressionErrors(plays, documents)), ...(await templateErrors(plays, documents)));
  if (inventory) playbookErrors.push(...(await playHostErrors(plays, inventory, documents)));

  const usageErrors: InputError[] = [];
  const flag = options.limitFlag ?? '--limit';
  if (options.limit?.some((name) => !name.trim())) usageErrors.push(new InputError(`${flag}: an empty master name is not allowed`));
  const masters = inventory && usageErrors.length === 0 ? await collect(usageErrors, async () => limitMasters(inventory, options.limit, flag)) : undefined;

  const errors = [...inventoryErrors, ...uniqueErrors(playbookErrors, documents.keys()), ...usageErrors];
  if (errors.length > 0 || !inventory || !masters) throw new InputErrors(errors);
  return { inventory, plays, masters };
}

/** Runs one loading step and keeps its input errors; anything else (a bug) goes on up. */
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
