#!/usr/bin/env node
// Runs the CLI straight from its TypeScript sources through tsx (a development
// dependency), for work on the code without `npm run build`.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli/main.ts');
await main(process.argv.slice(2));
