import { type ChildProcessByStdio, spawn } from 'node:child_process';
import { accessSync, constants, statSync } from 'node:fs';
import type { Readable } from 'node:stream';
import { AgentError } from '../protocol.js';
import { runningCommands, supervised } from './command-supervisor.js';

export interface RunOptions {
  cwd?: string;
  env?: Record<string, string>;
  /** Seconds; the process group is killed when it runs longer. */
  timeout?: number;
  /** Called with each chunk of output while the command runs. */
  onOutput?: (stream: 'stdout' | 'stderr', data: string) => void;
}

export interface RunResult {
  rc: number;
  stdout: string;
  stderr: string;
}

const DAEMON_PIPE_GRACE_MS = 300;

/** Keeps the last MiB of a stream: all of it was streamed already, the answer needs only the end. */
class OutputTail {
  private static readonly LIMIT = 1 << 20;
  private chunks: string[] = [];
  private length = 0;
  private dropped = 0;

  push(chunk: string): void {
    this.chunks.push(chunk);
    this.length += chunk.length;
    if (this.length > 2 * OutputTail.LIMIT) {
      const joined = this.chunks.join('');
      this.dropped += joined.length - OutputTail.LIMIT;
      this.chunks = [joined.slice(-OutputTail.LIMIT)];
      this.length = OutputTail.LIMIT;
    }
  }

  text(): string {
    const joined = this.chunks.join('');
    const tail = this.dropped + joined.length > OutputTail.LIMIT ? joined.slice(-OutputTail.LIMIT) : joined;
    const dropped = this.dropped + joined.length - tail.length;
    return dropped > 0 ? `[${dropped} characters of earlier output left out]\n${tail}` : tail;
  }
}

/**
 * Runs argv without a shell and collects its output; never rejects on a non-zero exit.
 * The command runs under a supervisor (see command-supervisor.ts) that ends it if the
 * agent goes away first.
 */
export function runCommand(argv: string[], options: RunOptions = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const env = options.env ? { ...process.env, ...options.env } : process.env;
    const where = options.cwd ? ` in ${options.cwd}` : '';
    // sh would only say "not found" with exit 127: name a missing program as spawn did
    const missing = programProblem(argv[0], env.PATH);
    if (missing) {
      reject(new AgentError(missing.code, `cannot run "${argv[0]}"${where}: ${missing.message}`));
      return;
    }
    const spawned = supervised(argv);
    const child = spawn(spawned.file, spawned.args, {
      cwd: options.cwd,
      env,
      stdio: spawned.stdio,
      detached: true, // own process group, so a timeout kills the whole tree
    }) as ChildProcessByStdio<null, Readable, Readable>;
    const agentLink = (child.stdio as unknown[])[3] as Readable | null;
    agentLink?.on('error', () => undefined);
    if (child.pid !== undefined) runningCommands.add(child.pid);
    const out = new OutputTail();
    const err = new OutputTail();
    let timedOut = false;
    const timer =
      options.timeout !== undefined
        ? setTimeout(() => {
            timedOut = true;
            try {
              process.kill(-child.pid!, 'SIGKILL');
            } catch {
              // already gone
            }
          }, options.timeout * 1000)
        : undefined;
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      out.push(chunk);
      options.onOutput?.('stdout', chunk);
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      err.push(chunk);
      options.onOutput?.('stderr', chunk);
    });
    child.on('error', (e: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      agentLink?.destroy();
      if (child.pid !== undefined) runningCommands.delete(child.pid);
      const code = e.code === 'ENOENT' ? 'ENOENT' : 'EIO';
      reject(new AgentError(code, `cannot run "${argv[0]}"${where}: ${e.code ?? e.message}`));
    });
    let settled = false;
    const finish = (rc: number | null, signal: NodeJS.Signals | null): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      agentLink?.destroy();
      runningCommands.delete(child.pid!);
      if (timedOut) {
        reject(new AgentError('ETIMEOUT', `"${argv.join(' ')}" ran longer than ${options.timeout} s and was killed`));
        return;
      }
      resolve({ rc: rc ?? (signal ? 128 : 1), stdout: out.text(), stderr: err.text() });
    };
    child.on('close', finish);
    // a daemon started by the command may keep our pipes open forever: once the command
    // itself has exited, read what is left briefly, then stop waiting for the pipes
    child.on('exit', (rc, signal) => {
      setTimeout(() => {
        if (settled) return;
        child.stdout.destroy();
        child.stderr.destroy();
        finish(rc, signal);
      }, DAEMON_PIPE_GRACE_MS).unref();
    });
  });
}

/** Runs argv and fails with ECOMMAND, quoting its output, when it exits non-zero. */
export async function runChecked(argv: string[], options: RunOptions = {}): Promise<RunResult> {
  const result = await runCommand(argv, options);
  if (result.rc !== 0) {
    const output = (result.stderr.trim() || result.stdout.trim()).slice(-2000);
    throw new AgentError('ECOMMAND', `"${argv.join(' ')}" exited ${result.rc}${output ? `: ${output}` : ''}`);
  }
  return result;
}

const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

function isExecutableFile(candidate: string): boolean {
  try {
    // stat first: most candidates do not exist, and a throw per miss costs more than the check.
    if (!statSync(candidate, { throwIfNoEntry: false })?.isFile()) return false;
    accessSync(candidate, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The executable a command name runs, looked up on `searchPath` as execvp does; null when none. */
function findExecutable(command: string, searchPath = process.env.PATH ?? DEFAULT_PATH): string | null {
  if (command.includes('/')) return isExecutableFile(command) ? command : null;
  const dirs = searchPath.split(':').filter(Boolean);
  return dirs.map((dir) => `${dir}/${command}`).find(isExecutableFile) ?? null;
}

/** Why argv[0] cannot be run, or null: missing (ENOENT), or there but not executable (EIO). */
function programProblem(command: string, searchPath: string | undefined): { code: 'ENOENT' | 'EIO'; message: string } | null {
  if (findExecutable(command, searchPath)) return null;
  if (command.includes('/') && statSync(command, { throwIfNoEntry: false })) return { code: 'EIO', message: 'not an executable file' };
  return { code: 'ENOENT', message: command.includes('/') ? 'no such file' : 'not found on PATH' };
}

/**
 * Finds an executable on PATH (or an absolute path); null when absent. The checks are
 * synchronous: a few stat calls cost microseconds, one thread-pool round trip each
 * costs more, and facts look up some twenty commands.
 */
export async function which(command: string): Promise<string | null> {
  if (command.includes('/')) return findExecutable(command);
  return findExecutable(command, `${process.env.PATH ?? DEFAULT_PATH}:/usr/sbin:/sbin`);
}
