// What every diskless command shares: its flags parsed by oclif, the engine parts it
// runs with, and the one place that turns how it ended into a message and an exit
// code (the codes are a contract: exit-codes.ts).
import { Command, Errors } from '@oclif/core';
import type { RunSummary } from '../engine/events.js';
import { InputError, InputErrors, UnreachableError } from '../errors.js';
import { ExitCode, exitCodeOf, exitCodeOfError, type RunExitOptions } from '../exit-codes.js';
import { engineParts, type EngineParts } from '../engine/engine-parts.js';

/** How a command ended: with nothing to add (0), or with a run whose summary picks the code. */
export type CommandOutcome = void | ({ run: RunSummary } & RunExitOptions);

export abstract class DisklessCommand extends Command {
  /** Does the work; throws for bad input (or a bug). */
  protected abstract execute(): Promise<CommandOutcome>;

  /** The parts a run is made of; a test puts a broken one in to see how the CLI copes. */
  protected engineParts(): EngineParts {
    return engineParts();
  }

  async run(): Promise<void> {
    try {
      const outcome = await this.execute();
      process.exitCode = outcome ? exitCodeOf(outcome.run, outcome) : ExitCode.ok;
    } catch (error) {
      process.exitCode = reportError(error, { argv: this.argv, command: this.id });
    }
  }
}

/**
 * Prints an error the way a user should see it and returns the exit code. `argv` says
 * whether to answer in JSON and whether --verbose asks for a bug's stack trace (read
 * from the words, since parsing them may be what failed).
 */
export function reportError(error: unknown, context: { argv: string[]; command?: string }): number {
  const code = exitCodeOfError(error);
  if (error instanceof Errors.ExitError) return code; // --help, --version: already printed
  const { argv, command } = context;
  const bug = code === ExitCode.internal;
  const message = bug ? `internal error, a bug in diskless: ${messageOf(error)}` : describeError(error, command);
  if (argv.includes('--json')) process.stdout.write(JSON.stringify({ ok: false, error: message }, null, 2) + '\n');
  process.stderr.write(`error: ${message}\n`);
  const stack = error instanceof Error ? error.stack : undefined;
  const debug = Boolean(process.env.DISKLESS_DEBUG) && process.env.DISKLESS_DEBUG !== '0';
  const verbose = argv.includes('--verbose') || argv.includes('-v');
  if (stack && (debug || (bug && verbose))) process.stderr.write(stack + '\n');
  else if (bug) process.stderr.write('Please report it; DISKLESS_DEBUG=1 (or --verbose with apply) shows where it happened.\n');
  return code;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function describeError(error: unknown, command?: string): string {
  if (error instanceof InputErrors) {
    const count = error.errors.length;
    return `${count} problem${count === 1 ? '' : 's'} found:\n${error.errors.map((e) => `  ${e.toString()}`).join('\n')}`;
  }
  if (error instanceof InputError) return error.toString();
  if (error instanceof UnreachableError) return `${error.host}: ${error.message}`;
  if (error instanceof Errors.CLIError) {
    // oclif's own usage errors (unknown flag, missing argument), made one clean message:
    // "Missing 1 required arg:\nplaybooks  playbook files, ..." reads "Missing 1
    // required arg: playbooks (playbook files, ...)", without oclif's note on flags
    // that take several values (ours stop at the next word).
    const text = error.message
      .replace(/^The following errors? occurred:\s*/, '')
      .replace(/\n+See more help with --help$/, '')
      .replace(/\n+Note: [^\n]* allow multiple values\.[^]*$/, '')
      .replace(/^(\S+)[ \t]{2,}(.+)$/gm, '$1 ($2)')
      .replace(/:?\s*\n\s*/g, ': ')
      .trim();
    return `${text}\nSee: diskless ${command ? `${command} ` : ''}--help`;
  }
  return messageOf(error);
}
