#!/usr/bin/env node
// Runs the CLI straight from the TypeScript sources (no compile step): tsx loads them.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/commands/main.ts');
await main(process.argv.slice(2));
