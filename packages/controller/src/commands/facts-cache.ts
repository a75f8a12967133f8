// Facts cached per master, so `render` can work without connecting.
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

const file = (stateDir: string, master: string) => join(stateDir, 'facts', `${master}.json`);

export async function saveFacts(stateDir: string, master: string, facts: Record<string, unknown>): Promise<void> {
  const target = file(stateDir, master);
  await mkdir(join(stateDir, 'facts'), { recursive: true });
  const tmp = `${target}.${process.pid}.tmp`;
  await writeFile(tmp, JSON.stringify(facts, null, 2) + '\n', { mode: 0o600 });
  await rename(tmp, target);
}

/** The cached facts of a master, or undefined if there are none. */
export async function loadFacts(stateDir: string, master: string): Promise<Record<string, unknown> | undefined> {
  try {
    return JSON.parse(await readFile(file(stateDir, master), 'utf8'));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}
