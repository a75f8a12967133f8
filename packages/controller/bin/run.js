#!/usr/bin/env node
// Starts the CLI from dist/ (transpiled by `npm run build`) when it is at least as new
// as the sources, else straight from the TypeScript sources through tsx.
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
    return statSync(join(root, 'dist/commands/main.js')).mtimeMs >= newestMtime(join(root, 'src'));
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
