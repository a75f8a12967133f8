import { execFileSync, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { ErrorCode, OutputEvent, Request, Response } from '@diskless/agent/protocol';
import { AgentClient, AgentRequestError } from '../../packages/controller/src/transport/agent-client.js';

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const BUNDLE = path.join(REPO, 'packages/agent/dist/agent.mjs');
const SOURCES = path.join(REPO, 'packages/agent/src');

function newestSource(dir: string): number {
  return Math.max(...readdirSync(dir, { withFileTypes: true }).map((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? newestSource(p) : statSync(p).mtimeMs;
  }));
}

/** Builds the bundle when it is missing or older than its sources: tests always drive the real artefact. */
export function ensureBundle(): void {
  let built = 0;
  try {
    built = statSync(BUNDLE).mtimeMs;
  } catch {
    // not built yet
  }
  if (built < newestSource(SOURCES)) execFileSync('npm', ['run', 'build', '-w', '@diskless/agent'], { cwd: REPO, stdio: 'ignore' });
}

type Success = Extract<Response, { ok: true }>;
type Failure = Extract<Response, { ok: false }>;

/**
 * An answer or an output event as the tests read it: the fields of the protocol's own
 * types, flattened so that any of them can be looked at (data is an object in an
 * answer, text in an event).
 */
export type Answer = Partial<Omit<Success, 'id' | 'ok' | 'data'> & Omit<Failure, 'id' | 'ok' | 'data'> & Omit<OutputEvent, 'id' | 'data'>> & {
  id: Request['id'] | null;
  ok?: boolean;
  data?: any;
};

/**
 * The built agent as a child process on stdio. Requests go through the controller's
 * own client (AgentClient); every line the agent writes is also kept, parsed, for
 * the tests of the protocol itself (`lines`, `raw`, `answerFor`).
 */
export class AgentProcess {
  readonly child: ChildProcessWithoutNullStreams;
  readonly lines: Answer[] = [];
  readonly rawStdout: string[] = [];
  stderr = '';
  private readonly client: AgentClient;
  private waiters = new Map<Answer['id'], (a: Answer) => void>();
  readonly exited: Promise<number | null>;

  /** `options.args`: more agent arguments; `options.wrap`: a command line the agent runs under (e.g. unshare). */
  constructor(env: Record<string, string> = {}, options: { args?: string[]; wrap?: string[] } = {}) {
    ensureBundle();
    const argv = [...(options.wrap ?? []), process.execPath, BUNDLE, '--stdio', ...(options.args ?? [])];
    this.child = spawn(argv[0], argv.slice(1), { env: { ...process.env, ...env } });
    this.child.stderr.setEncoding('utf8').on('data', (d: string) => (this.stderr += d));
    this.client = new AgentClient({ stdin: this.child.stdin, stdout: this.child.stdout }, 'test agent');
    createInterface({ input: this.child.stdout }).on('line', (line) => {
      if (line === '') return; // a probe: the agent checks that its controller still reads
      this.rawStdout.push(line);
      const answer = JSON.parse(line) as Answer;
      this.lines.push(answer);
      if (answer.event) return;
      this.waiters.get(answer.id)?.(answer);
      this.waiters.delete(answer.id);
    });
    this.exited = new Promise((resolve) => this.child.on('exit', (code) => resolve(code)));
  }

  /**
   * Sends one request through the controller's client and gives its answer as a line
   * would read: a refusal is an answer with `ok: false`, not an exception, and so is an
   * agent that stopped before it answered (code EIO).
   */
  async request(op: string, args: Record<string, unknown> = {}, flags: { check?: boolean; diff?: boolean } = {}): Promise<Answer> {
    try {
      return { id: null, ok: true, ...(await this.client.request(op, args, flags)) };
    } catch (error) {
      const refused = error instanceof AgentRequestError;
      const code = (refused ? error.code : 'EIO') as ErrorCode;
      return { id: null, ok: false, error: { code, message: (error as Error).message }, ...(refused && error.data ? { data: error.data } : {}) };
    }
  }

  /** Writes a raw line and waits for the answer carrying `id` (null for an unreadable line). */
  raw(line: string, id: Answer['id']): Promise<Answer> {
    const answer = this.answerFor(id);
    this.child.stdin.write(line + '\n');
    return answer;
  }

  /** Waits for the answer carrying `id`; call before writing the request. */
  answerFor(id: Answer['id']): Promise<Answer> {
    return new Promise<Answer>((resolve) => this.waiters.set(id, resolve));
  }

  async close(): Promise<number | null> {
    this.client.close();
    return this.exited;
  }
}

/** A temporary directory removed after the test, whatever happens. */
export function tempDir(): { dir: string; remove(): void } {
  const dir = mkdtempSync(path.join(tmpdir(), 'diskless-agent-test-'));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export function expectOk(answer: Answer): Answer {
  if (!answer.ok) throw new Error(`expected success, got ${JSON.stringify(answer.error)}`);
  return answer;
}

/** A fresh agent process and temporary directory for each test of the enclosing suite. */
export function freshAgentPerTest(): { agent: AgentProcess; tmp: ReturnType<typeof tempDir> } {
  const fixture = {} as { agent: AgentProcess; tmp: ReturnType<typeof tempDir> };
  beforeEach(() => {
    fixture.agent = new AgentProcess();
    fixture.tmp = tempDir();
  });
  afterEach(async () => {
    await fixture.agent.close();
    fixture.tmp.remove();
  });
  return fixture;
}
