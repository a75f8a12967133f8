// Where a master's daemons log: a syslog file (Debian's rsyslog: /var/log/syslog;
// sysklogd, busybox and Gentoo: /var/log/messages), else the systemd journal. Read as
// a stream of lines, never whole.
import { spawn } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { access } from 'node:fs/promises';
import { logLines } from './log-lines.js';

export const SYSLOG_FILES = ['/var/log/syslog', '/var/log/messages', '/var/log/daemon.log'];

export interface DaemonLog {
  /** Where the lines come from, for the report: a file, or "journal". */
  source: string;
  lines(): AsyncGenerator<string>;
}

const exists = (path: string) => access(path).then(() => true, () => false);

async function* fileLines(files: string[]): AsyncGenerator<string> {
  for (const file of files) yield* logLines(createReadStream(file));
}

async function* journalLines(identifiers: string[], since: Date | null): AsyncGenerator<string> {
  const argv = ['-o', 'short-iso', '--no-pager', '-q', ...identifiers.flatMap((id) => ['-t', id])];
  if (since) argv.push('--since', `@${Math.floor(since.getTime() / 1000)}`);
  const child = spawn('journalctl', argv, { stdio: ['ignore', 'pipe', 'ignore'] });
  const ended = new Promise<void>((resolve) => child.once('close', () => resolve()));
  try {
    yield* logLines(child.stdout);
  } finally {
    child.kill();
    await ended;
  }
}

async function onPath(command: string): Promise<boolean> {
  for (const dir of (process.env.PATH ?? '/usr/bin:/bin').split(':')) if (dir && (await exists(`${dir}/${command}`))) return true;
  return false;
}

/**
 * The first syslog file that exists (after its rotated ".1", when there is one), else
 * the journal for `identifiers`; null when the master has neither.
 */
export async function openDaemonLog(identifiers: string[], since: Date | null, files: string[] = SYSLOG_FILES): Promise<DaemonLog | null> {
  for (const file of files) {
    if (!(await exists(file))) continue;
    const rotated = `${file}.1`;
    const all = (await exists(rotated)) ? [rotated, file] : [file];
    return { source: file, lines: () => fileLines(all) };
  }
  if (await onPath('journalctl')) return { source: 'journal', lines: () => journalLines(identifiers, since) };
  return null;
}
