#!/usr/bin/env node
// Starts the CLI from dist/ (bundled by `npm run build`) when it is at least as new as
// the sources and the schemas bundled into it, else straight from the TypeScript
// sources through tsx.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

function newestMtime(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

function builtIsFresh() {
  try {
    const built = statSync(join(root, 'dist/commands/main.js')).mtimeMs;
    return built >= Math.max(newestMtime(join(root, 'src')), newestMtime(join(root, '../../schemas')));
  } catch {
    return false;
  }
}

let entry = '../dist/commands/main.js';
if (!builtIsFresh()) {
  const { register } = await import('tsx/esm/api');
  register();
  entry = '../src/commands/main.ts';
}
const { main } = await import(entry);
await main(process.argv.slice(2));
