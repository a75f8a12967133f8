// Reads what a child process prints (a virtual machine's serial console) line by
// line, keeps a copy in a log file, and waits for a line that matches.
import type { ChildProcess } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';

export class SerialConsole {
  private log: WriteStream;
  private seen = '';
  private exit: string | null = null;
  private waiters: (() => void)[] = [];

  constructor(child: ChildProcess, logFile: string) {
    this.log = createWriteStream(logFile);
    // One decoder per stream: a UTF-8 character may be split between two chunks.
    const take = (decoder: StringDecoder) => (chunk: Buffer) => {
      this.log.write(chunk);
      this.seen += decoder.write(chunk);
      this.wake();
    };
    child.stdout?.on('data', take(new StringDecoder('utf8')));
    child.stderr?.on('data', take(new StringDecoder('utf8')));
    child.on('error', (e) => this.ended(`${child.spawnfile} could not start: ${e.message}`));
    child.on('exit', (code, signal) => this.ended(`${child.spawnfile} exited (${signal ?? `code ${code}`})`));
  }

  /** Everything printed so far, terminal escapes and carriage returns removed. */
  text(): string {
    return this.seen.replace(/\x1b\[[0-9;?]*[A-Za-z]|\x1bc|\r/g, '');
  }

  tail(lines: number): string {
    return this.text().trimEnd().split('\n').slice(-lines).join('\n');
  }

  /**
   * Resolves with the first complete line that matches, or rejects when the process ends,
   * a line matching `failOn` comes first (a boot that went wrong), or the time is up; the
   * error shows the last lines printed.
   */
  waitForLine(pattern: RegExp, timeoutMs: number, failOn?: RegExp): Promise<string> {
    return new Promise((resolve, reject) => {
      const check = () => {
        // Only whole lines: the last one may still be arriving.
        const line = this.text().split('\n').slice(0, -1).find((l) => pattern.test(l) || failOn?.test(l));
        if (line !== undefined && pattern.test(line)) return settle(null, line);
        if (line !== undefined) return settle(`"${line.trim()}" came before a line matched ${pattern}`);
        if (this.exit) return settle(`${this.exit} before a line matched ${pattern}`);
        this.waiters.push(check);
      };
      const settle = (error: string | null, line?: string) => {
        clearTimeout(timer);
        this.waiters = this.waiters.filter((w) => w !== check);
        if (error) reject(new Error(`${error}; last lines:\n${this.tail(15)}`));
        else resolve(line!);
      };
      const timer = setTimeout(() => settle(`no line matched ${pattern} within ${timeoutMs / 1000} s`), timeoutMs);
      check();
    });
  }

  /** Resolves once the log file holds everything read. */
  close(): Promise<void> {
    return new Promise((done) => (this.log.closed ? done() : this.log.end(done)));
  }

  private ended(why: string): void {
    this.exit ??= why;
    this.wake();
  }

  private wake(): void {
    const waiting = this.waiters;
    this.waiters = [];
    for (const w of waiting) w();
  }
}
