// The controller's side of the agent protocol: JSON lines over any pair of streams
// (a child process's stdio or an SSH exec channel). Requests carry ids so several
// can be in flight; answers and output events are routed back by id.
import type { Readable, Writable } from 'node:stream';
import { createInterface } from 'node:readline';
import type { ErrorCode, OpResult, OutputEvent as WireOutputEvent, Request, Response } from '@diskless/agent/protocol';
import { AgentError, UnreachableError } from '../errors.js';

/** What an agent answers to a request that succeeded. */
export type AgentAnswer = OpResult;

/** A piece of a running command's output, as a request's `onOutput` gets it. */
export type OutputEvent = Pick<WireOutputEvent, 'stream' | 'data'>;

export interface RequestOptions {
  check?: boolean;
  diff?: boolean;
  onOutput?: (event: OutputEvent) => void;
}

export interface AgentStreams {
  stdin: Writable;
  stdout: Readable;
  stderr?: Readable;
}

interface Pending {
  resolve: (answer: AgentAnswer) => void;
  reject: (error: Error) => void;
  onOutput?: (event: OutputEvent) => void;
}

/** An agent's refusal of one request, with any partial results it sent (e.g. a command's rc). */
export class AgentRequestError extends AgentError {
  constructor(code: ErrorCode, message: string, readonly data?: Record<string, unknown>) {
    super(code, message);
  }
}

const STDERR_KEPT = 4000;
const STDERR_GRACE_MS = 300;

export class AgentClient {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private closedError?: Error;
  private failing = false;
  private stderrText = '';
  private readonly stderrDone: Promise<void>;

  /** `label` names the far end (the master) in messages and errors, e.g. "master-a". */
  constructor(private readonly streams: AgentStreams, private readonly label: string) {
    createInterface({ input: streams.stdout, crlfDelay: Infinity }).on('line', (line) => this.onLine(line));
    streams.stderr?.on('data', (chunk: Buffer) => {
      this.stderrText = (this.stderrText + chunk.toString('utf8')).slice(-STDERR_KEPT);
    });
    this.stderrDone = new Promise<void>((resolve) => {
      if (!streams.stderr) return resolve();
      streams.stderr.on('end', resolve).on('close', resolve).on('error', () => resolve());
    });
    streams.stdout.on('close', () => this.fail('the agent closed its output'));
    streams.stdout.on('error', (error) => this.fail(error.message));
    streams.stdin.on('error', (error) => this.fail(error.message));
  }

  /** What the agent wrote on stderr so far (the tail of it). */
  get stderr(): string {
    return this.stderrText.trim();
  }

  request(op: string, args: Record<string, unknown>, options: RequestOptions = {}): Promise<AgentAnswer> {
    if (this.closedError) return Promise.reject(this.closedError);
    const id = this.nextId++;
    return new Promise<AgentAnswer>((resolve, reject) => {
      this.pending.set(id, { resolve, reject, onOutput: options.onOutput });
      const request: Request = { id, op, args, check: options.check ?? false, diff: options.diff ?? false };
      this.streams.stdin.write(JSON.stringify(request) + '\n');
    });
  }

  /** Ends the agent's input; the agent exits once its requests are answered. */
  close(): void {
    if (!this.streams.stdin.writableEnded) this.streams.stdin.end();
  }

  /**
   * Rejects everything in flight and every later request. Waits briefly for the rest
   * of stderr first, since a dying agent's last words explain why it died.
   */
  fail(reason: string): void {
    if (this.closedError || this.failing) return;
    this.failing = true;
    const grace = new Promise((resolve) => setTimeout(resolve, STDERR_GRACE_MS).unref());
    void Promise.race([this.stderrDone, grace]).then(() => this.rejectAll(reason));
  }

  private rejectAll(reason: string): void {
    const detail = this.stderr ? `: ${this.stderr.split('\n').slice(-5).join('\n')}` : '';
    // Unreachable, not a task failure: the master is gone for the rest of the run.
    this.closedError = new UnreachableError(this.label, `agent on ${this.label} stopped (${reason})${detail}`);
    for (const pending of this.pending.values()) pending.reject(this.closedError);
    this.pending.clear();
  }

  private onLine(line: string): void {
    if (!line.trim()) return;
    let message: { id?: unknown; event?: unknown };
    try {
      message = JSON.parse(line);
    } catch {
      // Not protocol: keep it with stderr so it shows up in an error message.
      this.stderrText = (this.stderrText + line + '\n').slice(-STDERR_KEPT);
      return;
    }
    const pending = this.pending.get(message.id as number);
    if (!pending) return;
    // Read defensively: a line is only as well-formed as the agent that wrote it.
    if (message.event !== undefined) {
      const event = message as Partial<WireOutputEvent>;
      if (event.event === 'output') pending.onOutput?.({ stream: event.stream === 'stderr' ? 'stderr' : 'stdout', data: String(event.data ?? '') });
      return;
    }
    this.pending.delete(message.id as number);
    const answer = message as Partial<Extract<Response, { ok: true }>> & Partial<Pick<Extract<Response, { ok: false }>, 'error'>>;
    if (answer.ok) {
      pending.resolve({
        changed: Boolean(answer.changed),
        diff: typeof answer.diff === 'string' ? answer.diff : undefined,
        msg: typeof answer.msg === 'string' ? answer.msg : undefined,
        data: answer.data ?? undefined,
      });
    } else {
      const error: Partial<{ code: ErrorCode; message: string }> = answer.error ?? {};
      pending.reject(new AgentRequestError(error.code ?? 'EIO', error.message ?? 'the agent gave no reason', answer.data));
    }
  }
}
