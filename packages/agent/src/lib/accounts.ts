import { readFile } from 'node:fs/promises';
import { AgentError } from '../protocol.js';

/** Reads name -> id from a passwd/group style file (name:x:id:...). */
async function readIds(file: string): Promise<Map<string, number>> {
  const ids = new Map<string, number>();
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    return ids;
  }
  for (const line of text.split('\n')) {
    const fields = line.split(':');
    if (fields.length >= 3 && /^\d+$/.test(fields[2])) ids.set(fields[0], Number(fields[2]));
  }
  return ids;
}

/** Resolves a user or group name (or a numeric id) from /etc/passwd or /etc/group. */
async function resolve(kind: 'owner' | 'group', name: string): Promise<number> {
  if (/^\d+$/.test(name)) return Number(name);
  const file = kind === 'owner' ? '/etc/passwd' : '/etc/group';
  const id = (await readIds(file)).get(name);
  if (id === undefined) throw new AgentError('EARGS', `argument "${kind}": no ${kind === 'owner' ? 'user' : 'group'} "${name}" in ${file}`);
  return id;
}

export const resolveUid = (name: string): Promise<number> => resolve('owner', name);
export const resolveGid = (name: string): Promise<number> => resolve('group', name);
