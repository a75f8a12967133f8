// Adds a master to an existing inventory file in place: the new entry is inserted after
// the last master, indented like the file, and every other byte stays as written.
import { readFile } from 'node:fs/promises';
import { findNodeAtLocation, parseTree } from 'jsonc-parser';
import writeFileAtomic from 'write-file-atomic';
import { InputError } from '../errors.js';

export async function inventoryWithMaster(file: string, name: string, entry: Record<string, unknown>): Promise<string> {
  const text = await readFile(file, 'utf8');
  const masters = findNodeAtLocation(parseTree(text) ?? { type: 'null', offset: 0, length: 0 }, ['masters']);
  if (masters?.type !== 'object') throw new InputError('has no "masters" object to add the master to', { file, pointer: '/masters' });
  if (findNodeAtLocation(masters, [name])) {
    throw new InputError(`a master named ${JSON.stringify(name)} is already in the inventory (give another with --name)`, { file, pointer: `/masters/${name}` });
  }
  const unit = /\n([ \t]+)"/.exec(text)?.[1] ?? '  ';
  const level = unit.repeat(2);
  const value = JSON.stringify(entry, null, unit).replace(/\n/g, `\n${level}`);
  const property = `${level}${JSON.stringify(name)}: ${value}`;
  const last = masters.children?.at(-1);
  if (last) {
    const end = last.offset + last.length;
    return `${text.slice(0, end)},\n${property}${text.slice(end)}`;
  }
  const open = masters.offset + 1;
  return `${text.slice(0, open)}\n${property}\n${unit}${text.slice(open).replace(/^\s*/, '')}`;
}

export const writeInventory = (file: string, text: string) => writeFileAtomic(file, text);
