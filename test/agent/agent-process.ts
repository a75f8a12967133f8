import { execFileSync, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

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

export interface Answer {
  id: number | string | null;
  ok: boolean;
  changed?: boolean;
  diff?: string;
  data?: Record<string, any>;
  msg?: string;
  error?: { code: string; message: string };
  event?: string;
  stream?: string;
}

/** The built agent as a child process on stdio, with answers matched to requests by id. */
export class AgentProcess {
  readonly child: ChildProcessWithoutNullStreams;
  readonly lines: Answer[] = [];
  readonly rawStdout: string[] = [];
  stderr = '';
  private nextId = 1;
  private waiters = new Map<Answer['id'], (a: Answer) => void>();
  readonly exited: Promise<number | null>;

  /** `options.args`: more agent arguments; `options.wrap`: a command line the agent runs under (e.g. unshare). */
  constructor(env: Record<string, string> = {}, options: { args?: string[]; wrap?: string[] } = {}) {
    ensureBundle();
    const argv = [...(options.wrap ?? []), process.execPath, BUNDLE, '--stdio', ...(options.args ?? [])];
    this.child = spawn(argv[0], argv.slice(1), { env: { ...process.env, ...env } });
    this.child.stderr.setEncoding('utf8').on('data', (d: string) => (this.stderr += d));
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

  /** Sends one request and waits for its answer. */
  request(op: string, args: Record<string, unknown> = {}, flags: { check?: boolean; diff?: boolean } = {}): Promise<Answer> {
    const id = this.nextId++;
    const answer = this.answerFor(id);
    this.child.stdin.write(JSON.stringify({ id, op, args, check: flags.check ?? false, diff: flags.diff ?? false }) + '\n');
    return answer;
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
    this.child.stdin.end();
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
