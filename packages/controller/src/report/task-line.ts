// How one task result reads on a line, shared by the plain and the terminal renderers.
import type { TaskResult } from '../engine/events.js';

export function statusWord(result: TaskResult): string {
  if (result.status === 'failed' && result.ignored) return 'failed (ignored)';
  return result.status;
}

export function formatTaskLine(host: string, result: TaskResult, verbose: boolean): string {
  const ms = result.durationMs >= 1000 ? `${(result.durationMs / 1000).toFixed(1)}s` : `${Math.round(result.durationMs)}ms`;
  const head = `${host} | ${result.playbook} | ${result.name}${result.handler ? ' (handler)' : ''} | ${statusWord(result)} (${ms})`;
  const showMsg = result.msg && (result.status === 'failed' || verbose || result.op === 'debug');
  return showMsg ? `${head}\n${indent(result.msg!)}` : head;
}

export function indent(text: string, prefix = '    '): string {
  return text.replace(/\n$/, '').split('\n').map((l) => prefix + l).join('\n');
}

/** The last non-blank line of some command output, to show what a long task is doing. */
export function lastLine(text: string): string | undefined {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .pop();
}

/** The line that says a master is out of the run, and why. */
export function formatUnreachableLine(host: string, message: string, locked?: boolean): string {
  return `${host} | ${locked ? 'LOCKED' : 'UNREACHABLE'} | ${message}`;
}
