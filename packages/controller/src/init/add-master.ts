// `init --master` on a directory that has its inventory: the proposed master is added
// to inventory.json in place, as `discover --write` adds slaves.
import { findNodeAtLocation, parseTree } from 'jsonc-parser';
import { InputError } from '../errors.js';
import { type InventoryChange, insertEntry, planInventoryChange } from '../inventory/edit-inventory.js';

export async function addMasterChange(file: string, name: string, entry: Record<string, unknown>): Promise<InventoryChange> {
  return planInventoryChange(file, (text) => {
    const masters = findNodeAtLocation(parseTree(text) ?? { type: 'null', offset: 0, length: 0 }, ['masters']);
    if (masters?.type !== 'object') throw new InputError('has no "masters" object to add the master to', { file, pointer: '/masters' });
    if (findNodeAtLocation(masters, [name])) {
      throw new InputError(`a master named ${JSON.stringify(name)} is already in the inventory (give another with --name)`, { file, pointer: `/masters/${name}` });
    }
    return insertEntry(text, ['masters'], name, entry);
  });
}
