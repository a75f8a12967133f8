#!/usr/bin/env node
// Starts the CLI from dist/, made by `npm run build` (bin/dev.js runs the sources).
import { existsSync } from 'node:fs';

const entry = new URL('../dist/cli/main.js', import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write('diskless: the CLI is not built (dist/ is missing): run npm run build\n');
  process.exit(250);
}
const { main } = await import(entry.href);
await main(process.argv.slice(2));
