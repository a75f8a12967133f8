// A play's `hosts` must name masters the inventory has: a typo would otherwise make the
// play silently run nowhere.
import { InputError, InputErrors } from '../errors.js';
import { documentReader, errorAt, type JsonDocument } from '../json/json-document.js';
import { joinPointer } from '../json/pointer.js';
import { show } from '../json/schema-validator.js';
import type { Inventory, Master, Play } from '../types.js';
import { closestName } from './closest-name.js';

const EVERY_MASTER = ['masters', 'all'];

/** What these checks read of an inventory: its file and its masters' names. */
export type MasterNames = Pick<Inventory, 'file'> & { masters: Array<Pick<Master, 'name'>> };

/** The names in a play's `hosts` that are no master of the inventory. */
export function unknownHosts(play: Play, inventory: MasterNames): string[] {
  const hosts = play.hosts.trim();
  if (EVERY_MASTER.includes(hosts)) return [];
  const known = new Set(inventory.masters.map((m) => m.name));
  return hosts
    .split(',')
    .map((h) => h.trim())
    .filter((name) => !known.has(name));
}

/** Errors at each play's `hosts`, for names the inventory does not have. */
export async function playHostErrors(plays: Play[], inventory: MasterNames, documents?: Map<string, JsonDocument>): Promise<InputError[]> {
  const documentOf = documentReader(documents, 'playbook file');
  const errors: InputError[] = [];
  const names = inventory.masters.map((m) => m.name);
  for (const play of plays) {
    for (const name of unknownHosts(play, inventory)) {
      const suggestion = closestName(name, names);
      const hint = suggestion ? `did you mean ${show(suggestion)}?` : `known: ${[...EVERY_MASTER, ...names].join(', ')}`;
      const message = name === '' ? 'hosts has an empty name' : `hosts names ${show(name)}, which is no master in ${inventory.file} (${hint})`;
      errors.push(errorAt(await documentOf(play.file), joinPointer(play.pointer ?? '', 'hosts'), message));
    }
  }
  return errors;
}

/** Throws InputErrors, at each play's `hosts`, for names the inventory does not have. */
export async function checkPlayHosts(plays: Play[], inventory: MasterNames, documents?: Map<string, JsonDocument>): Promise<void> {
  const errors = await playHostErrors(plays, inventory, documents);
  if (errors.length > 0) throw new InputErrors(errors);
}
