// The CLI's entry point: oclif parses and dispatches; exit codes are ours to set.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Errors, flush, type Interfaces, run, settings } from '@oclif/core';
import { CONTROLLER_ROOT } from '../package-root.js';
import { closestName } from '../playbook/closest-name.js';
import { reportError } from './command-base.js';

export async function main(argv: string[]): Promise<void> {
  // The sources are already loaded through tsx; oclif must not look for compiled files.
  settings.enableAutoTranspile = false;
  try {
    await run(argv, oclifOptions());
    await flush();
  } catch (error) {
    // What no command caught: oclif's own errors (an unknown command) or a crash.
    process.exitCode = reportError(await namedCommand(error, argv), { argv });
  }
}

/**
 * oclif's "command aply:site.json not found" (it joins the words it tried) as the
 * word that is no command, the nearest command and the list of them.
 */
async function namedCommand(error: unknown, argv: string[]): Promise<unknown> {
  if (!(error instanceof Errors.CLIError) || !/^command \S+ not found$/.test(error.message) || argv[0] === undefined) return error;
  const { commands } = await import('../commands/index.js');
  const names = Object.keys(commands);
  const suggestion = closestName(argv[0], names);
  return new Errors.CLIError(`unknown command ${JSON.stringify(argv[0])}${suggestion ? ` (did you mean "${suggestion}"?)` : ''}: the commands are ${names.join(', ')}`);
}

/**
 * oclif reads the commands' module from package.json; point it at this file's own
 * tree, so the transpiled dist/ (fast start) and the sources (under tsx) both work.
 */
function oclifOptions(): { root: string; pjson: Interfaces.PJSON } {
  const root = CONTROLLER_ROOT;
  const pjson = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as Interfaces.PJSON;
  const ownTree = import.meta.url.includes('/dist/') ? 'dist' : 'src';
  (pjson.oclif.commands as { target: string }).target = `./${ownTree}/commands/index.${ownTree === 'dist' ? 'js' : 'ts'}`;
  return { root, pjson };
}
