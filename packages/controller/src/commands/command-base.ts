// What every diskless command shares: its flags parsed by oclif, and one place that
// turns errors into a message and an exit code (the exit codes are a contract).
import { Command, Errors } from '@oclif/core';
import { ExitCode, InputError, InputErrors } from '../errors.js';

export abstract class DisklessCommand extends Command {
  /** Does the work; resolves with the exit code. */
  protected abstract execute(): Promise<number>;

  async run(): Promise<void> {
    try {
      process.exitCode = await this.execute();
    } catch (error) {
      process.exitCode = reportError(error, this.argv.includes('--json'), this.id);
    }
  }
}

/** Prints an error the way a user should see it and returns the exit code. */
export function reportError(error: unknown, json: boolean, command?: string): number {
  const message = describeError(error, command);
  if (json) process.stdout.write(JSON.stringify({ ok: false, error: message }, null, 2) + '\n');
  process.stderr.write(`error: ${message}\n`);
  if (process.env.DISKLESS_DEBUG && error instanceof Error && error.stack) process.stderr.write(error.stack + '\n');
  return ExitCode.badInput;
}

function describeError(error: unknown, command?: string): string {
  if (error instanceof InputErrors) {
    const count = error.errors.length;
    return `${count} problem${count === 1 ? '' : 's'} found:\n${error.errors.map((e) => `  ${e.toString()}`).join('\n')}`;
  }
  if (error instanceof InputError) return error.toString();
  if (error instanceof Errors.CLIError) {
    // oclif's own usage errors (unknown flag, missing argument), made one clean message.
    const text = error.message
      .replace(/^The following errors? occurred:\s*/, '')
      .replace(/\n+See more help with --help$/, '')
      .replace(/\s*\n\s*/g, ': ')
      .trim();
    return `${text}\nSee: diskless ${command ? `${command} ` : ''}--help`;
  }
  return error instanceof Error ? error.message : String(error);
}
