// The one way every command reads its input: the inventory and the playbooks parsed
// (duplicate keys, bad UTF-8 and runaway nesting refused), checked against their
// schemas, then every check that needs no master: expressions, templates and templated
// strings compiled, import cycles, play hosts against the inventory, the masters named
// by --limit. Every problem found is reported at once, and nothing may run
// or connect until there is none. A new command loads through here, so it cannot skip
// a check.
import { resolve } from 'node:path';
import { expressionErrors } from '../engine/check-expressions.js';
import { limitMasters } from '../engine/host-selection.js';
import { InputError, InputErrors } from '../errors.js';
import { readJsonDocument } from '../json/json-document.js';
import { loadInventory } from '../inventory/load-inventory.js';
import type { Inventory, Master, Play } from '../types.js';
import { type MasterNames, playHostErrors } from './check-play-hosts.js';
import { templateErrors } from './check-templates.js';
import { readPlaybooks, uniqueErrors } from './load-playbooks.js';

export interface RunInputOptions {
  /** The inventory file. */
  inventory: string;
  /** Playbook files, run in this order; none for commands that run no playbook. */
  playbooks?: string[];
  /** Master names the command is limited to (--limit): each must exist. */
  limit?: string[];
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

  // An empty name (an unset shell variable) would name the current directory.
  const playbookFiles = options.playbooks ?? [];
  const { plays, errors: playbookErrors, documents, partial, complete } = await readPlaybooks(playbookFiles.filter((file) => file.trim()));
  if (playbookFiles.some((file) => !file.trim())) playbookErrors.push(new InputError('a playbook file name is empty: give the path of a playbook file'));
  // The checks below look at the plays that loaded, and at the parts of the others
  // that passed the schema, so their problems come with the others. Undefined
  // variables are looked for only when the inventory and every playbook were read:
  // a variable may come from any of them.
  const checked = [...plays, ...partial];
  const variablesFrom = complete ? inventory : undefined;
  playbookErrors.push(...(await expressionErrors(checked, documents)), ...(await templateErrors(checked, documents, variablesFrom)));
  // An inventory with problems of its own still names its masters, when `masters` is
  // an object: enough to check play hosts and --limit against.
  const names = inventory ?? (await masterNames(options.inventory));
  if (names) playbookErrors.push(...(await playHostErrors(checked, names, documents)));

  const usageErrors: InputError[] = [];
  const flag = '--limit';
  if (options.limit?.some((name) => !name.trim())) usageErrors.push(new InputError(`${flag}: an empty master name is not allowed`));
  else if (!inventory && names && options.limit?.length) usageErrors.push(...unknownLimit(names, options.limit, flag));
  const masters = inventory && usageErrors.length === 0 ? await collect(usageErrors, async () => limitMasters(inventory, options.limit, flag)) : undefined;

  const errors = [...inventoryErrors, ...uniqueErrors(playbookErrors, documents.keys()), ...usageErrors];
  if (errors.length > 0 || !inventory || !masters) throw new InputErrors(errors);
  return { inventory, plays, masters };
}

/** The master names of an inventory file that did not load, if it parses and its `masters` is an object. */
async function masterNames(file: string): Promise<MasterNames | undefined> {
  const path = resolve(file);
  const doc = await readJsonDocument(path, 'inventory file').catch(() => undefined);
  const masters = (doc?.value as { masters?: unknown } | null | undefined)?.masters;
  if (masters === null || typeof masters !== 'object' || Array.isArray(masters)) return undefined;
  return { file: path, masters: Object.keys(masters).map((name) => ({ name })) };
}

/** --limit names that are no master, as limitMasters reports them, for an inventory known only by its names. */
function unknownLimit(inventory: MasterNames, limit: string[], flag: string): InputError[] {
  const known = inventory.masters.map((m) => m.name);
  const unknown = limit.filter((name) => !known.includes(name));
  return unknown.length ? [new InputError(`${flag} names no master called ${unknown.join(', ')} in ${inventory.file} (known: ${known.join(', ')})`)] : [];
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
