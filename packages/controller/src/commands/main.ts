// The CLI's entry point: oclif parses and dispatches; exit codes are ours to set.
import { Errors, flush, run, settings } from '@oclif/core';
import { reportError } from './command-base.js';

export async function main(argv: string[]): Promise<void> {
  // The sources are already loaded through tsx; oclif must not look for compiled files.
  settings.enableAutoTranspile = false;
  try {
    await run(argv, import.meta.url);
    await flush();
  } catch (error) {
    // `this.exit(n)` and --help/--version end with an ExitError carrying the code.
    if (error instanceof Errors.ExitError) {
      process.exitCode = error.oclif.exit ?? 0;
      return;
    }
    process.exitCode = reportError(error, argv.includes('--json'));
  }
}
