import { mkdir } from 'node:fs/promises';
import path from 'node:path';

/** Creates the parent directories of a path, as `mkdir -p` would. */
export async function ensureParent(target: string): Promise<void> {
  await mkdir(path.dirname(target), { recursive: true, mode: 0o755 });
}
