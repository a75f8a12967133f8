// Facts cached per master, so `render` can work without connecting.
import type { Facts } from '@diskless/agent/facts';
import { mkdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import { InputError, InputErrors } from '../errors.js';
import { readJsonDocument } from '../json/json-document.js';

const file = (stateDir: string, master: string) => join(stateDir, 'facts', `${master}.json`);

export async function saveFacts(stateDir: string, master: string, facts: Facts): Promise<void> {
  const target = file(stateDir, master);
  await mkdir(join(stateDir, 'facts'), { recursive: true });
  await writeFileAtomic(target, JSON.stringify(facts, null, 2) + '\n', { mode: 0o600 });
}

/**
 * The cached facts of a master, or undefined if there are none. A damaged cache file
 * (cut short, edited by hand) is an input error naming the file and how to replace it.
 */
export async function loadFacts(stateDir: string, master: string): Promise<Record<string, unknown> | undefined> {
  const path = file(stateDir, master);
  const exists = await stat(path).then(() => true, (error: NodeJS.ErrnoException) => (error.code === 'ENOENT' ? false : true));
  if (!exists) return undefined;
  const fix = `the facts cached for ${master} are damaged: delete the file, or run \`diskless facts -i <inventory> --limit ${master}\` to gather them again`;
  try {
    const doc = await readJsonDocument(path, 'facts cache file');
    if (doc.value === null || typeof doc.value !== 'object' || Array.isArray(doc.value)) {
      throw new InputError(`must hold a JSON object; ${fix}`, { file: path, line: 1, column: 1 });
    }
    return doc.value as Record<string, unknown>;
  } catch (error) {
    if (error instanceof InputErrors) throw new InputErrors(error.errors.map((e) => new InputError(`${e.message}; ${fix}`, e.where)));
    if (error instanceof InputError && !error.message.includes(fix)) throw new InputError(`${error.message}; ${fix}`, error.where);
    throw error;
  }
}
