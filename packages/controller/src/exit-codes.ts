// The exit codes of every diskless command, in one table: scripts and CI branch on
// them, so they are a contract. Only the CLI's top level (cli/command-base.ts)
// turns an outcome or an error into one of them.
import { Errors } from '@oclif/core';
import type { RunSummary } from './engine/events.js';
import { InputError, InputErrors, UnreachableError } from './errors.js';

export const ExitCode = {
  ok: 0,
  badInput: 1,
  taskFailed: 2,
  changesPending: 3,
  unreachable: 4, // or locked by another run
  interrupted: 130,
  internal: 250,
} as const;

export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** What each code means, for --help and the README. */
export const EXIT_CODE_MEANINGS: Record<ExitCode, string> = {
  0: 'ok',
  1: 'bad input or usage (nothing was touched)',
  2: 'a task failed on at least one master',
  3: 'changes pending (only with apply --check --detailed-exitcode)',
  4: 'a master unreachable or locked by another run',
  130: 'interrupted',
  250: 'an internal error (a bug in diskless)',
};

export function exitCodesHelp(): string {
  return Object.entries(EXIT_CODE_MEANINGS)
    .map(([code, meaning]) => `${code} ${meaning}`)
    .join(', ');
}

export interface RunExitOptions {
  /** apply --check --detailed-exitcode: changes pending are an outcome of their own (3). */
  detailedExitCode?: boolean;
}

/** A finished run's exit code: interrupted first, then 2 over 4, both over 3. */
export function exitCodeOf(summary: RunSummary, options: RunExitOptions = {}): ExitCode {
  const hosts = Object.values(summary.hosts);
  if (summary.interrupted) return ExitCode.interrupted;
  if (hosts.some((h) => h.failed > 0)) return ExitCode.taskFailed;
  if (hosts.some((h) => h.unreachable || h.locked)) return ExitCode.unreachable;
  if (options.detailedExitCode && hosts.some((h) => h.changed > 0)) return ExitCode.changesPending;
  return ExitCode.ok;
}

/** The exit code for an error that ended a command; anything unforeseen is a bug. */
export function exitCodeOfError(error: unknown): number {
  // --help and --version end through oclif's ExitError, which carries their code.
  if (error instanceof Errors.ExitError) return error.oclif.exit ?? ExitCode.ok;
  // oclif's own usage errors (unknown flag, missing argument) carry codes of their own,
  // such as 2, which means something else here.
  if (error instanceof InputError || error instanceof InputErrors || error instanceof Errors.CLIError) return ExitCode.badInput;
  if (error instanceof UnreachableError) return ExitCode.unreachable;
  return ExitCode.internal;
}
