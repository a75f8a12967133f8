import { spawn } from 'node:child_process';
import { accessSync, constants, statSync } from 'node:fs';
import { AgentError } from '../protocol.js';

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

/** Runs argv without a shell and collects its output; never rejects on a non-zero exit. */
export function runCommand(argv: string[], options: RunOptions = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0], argv.slice(1), {
      cwd: options.cwd,
      env: options.env ? { ...process.env, ...options.env } : process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true, // own process group, so a timeout kills the whole tree
    });
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
      const code = e.code === 'ENOENT' ? 'ENOENT' : 'EIO';
      const where = options.cwd ? ` in ${options.cwd}` : '';
      reject(new AgentError(code, `cannot run "${argv[0]}"${where}: ${e.message}`));
    });
    let settled = false;
    const finish = (rc: number | null, signal: NodeJS.Signals | null): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
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

/**
 * Finds an executable on PATH (or an absolute path); null when absent. The checks are
 * synchronous: a few stat calls cost microseconds, one thread-pool round trip each
 * costs more, and facts look up some twenty commands.
 */
export async function which(command: string): Promise<string | null> {
  const candidates = command.includes('/')
    ? [command]
    : (process.env.PATH ?? '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin')
        .split(':')
        .concat(['/usr/sbin', '/sbin'])
        .filter(Boolean)
        .map((dir) => `${dir}/${command}`);
  for (const candidate of candidates) {
    try {
      // stat first: most candidates do not exist, and a throw per miss costs more than the check.
      if (!statSync(candidate, { throwIfNoEntry: false })?.isFile()) continue;
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // try the next directory
    }
  }
  return null;
}
