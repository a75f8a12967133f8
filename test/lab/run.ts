// Runs the system commands the lab is built from, turning a failure into a message
// that names the command and what it printed.
import { spawn } from 'node:child_process';

/** A lab problem the user can act on: printed as one line, never as a stack trace. */
export class LabError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LabError';
  }
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  input?: string;
  timeoutMs?: number;
  env?: NodeJS.ProcessEnv;
}

/** Runs argv and resolves with its exit code and output, whatever the code. */
export function runCommand(argv: string[], opts: RunOptions = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0], argv.slice(1), { env: opts.env, stdio: [opts.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    // A command that exits without reading its input is not an error of ours.
    child.stdin?.on('error', () => {});
    child.stdin?.end(opts.input);
    const timer = opts.timeoutMs
      ? setTimeout(() => {
          timedOut = true;
          child.kill('SIGKILL');
        }, opts.timeoutMs)
      : undefined;
    child.on('error', (e: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(e.code === 'ENOENT' ? new LabError(`command not found: ${argv[0]}`) : e);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (timedOut) resolve({ code: 124, stdout, stderr: `${stderr}timed out after ${opts.timeoutMs} ms\n` });
      else resolve({ code: code ?? 128 + (signal ? 9 : 0), stdout, stderr });
    });
  });
}

/** Runs argv and resolves with its stdout; a non-zero exit is a LabError. */
export async function run(argv: string[], opts: RunOptions = {}): Promise<string> {
  const r = await runCommand(argv, opts);
  if (r.code !== 0) {
    const said = (r.stderr.trim() || r.stdout.trim()).split('\n').slice(-3).join(' / ');
    throw new LabError(`\`${argv.join(' ')}\` exited ${r.code}${said ? `: ${said}` : ''}`);
  }
  return r.stdout;
}

/** Starts a long-lived process detached from us, output appended to a log file descriptor. */
export function startDaemon(argv: string[], logFd: number): number {
  const child = spawn(argv[0], argv.slice(1), { detached: true, stdio: ['ignore', logFd, logFd] });
  child.unref();
  if (child.pid === undefined) throw new LabError(`could not start ${argv[0]}`);
  return child.pid;
}
