import { readFileSync, unlinkSync } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import path from 'node:path';
import { holdInSupervisors, runningCommands } from '../lib/command-supervisor.js';
import { isAlive } from '../lib/process-alive.js';
import { agentOperation } from '../operation.js';
import { AgentError } from '../protocol.js';
import { argsSchema } from './arg-types.js';

interface LockRecord {
  pid: number; // the holding agent
  holder: string; // its controller, "user@host pid"
  since: string;
  /** When the holder's run started (ms since the epoch): of two runs, the earlier goes first. */
  runStarted?: number;
  /** How long the holding agent waits for a silent controller before it stops (0: no limit). */
  controllerTimeoutMs?: number;
}

let controllerTimeoutMs = 0;

/** Recorded with the lock, so a waiting controller knows how long a dead holder can last. */
export function recordControllerTimeout(ms: number): void {
  controllerTimeoutMs = ms;
}

const lockDir = (): string => process.env.DISKLESS_LOCK_DIR ?? '/run/diskless';
let held: { file: string; server: Server } | null = null;

/**
 * The lock itself is an abstract unix socket named after the lock file: binding it is
 * exclusive, and the kernel releases it when the process dies, so a crashed holder never
 * leaves a stale lock and two contenders cannot both win. The file only names the holder.
 * The supervisors of the commands it starts hold the socket too (see
 * command-supervisor.ts): a master stays locked until the last of them has ended.
 */
function bindLockSocket(file: string): Promise<Server | null> {
  return new Promise((resolve, reject) => {
    const server = createServer((socket) => socket.destroy());
    server.once('error', (err: NodeJS.ErrnoException) => (err.code === 'EADDRINUSE' ? resolve(null) : reject(err)));
    server.listen(`\0diskless-run-lock:${file}`, () => {
      server.unref(); // the lock must not keep the agent alive
      resolve(server);
    });
  });
}

async function readRecord(file: string): Promise<LockRecord | null> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as LockRecord;
  } catch {
    return null; // not written yet by a holder that just took the lock
  }
}

export const lock = agentOperation<{ holder: string; runStarted?: number }>({
  name: 'lock',
  mutates: false,
  playbook: false,
  description: "Takes the master's run lock so two controllers cannot interleave; held until the agent exits.",
  data: '`path` (the lock file); ELOCKED carries the holder\'s record',
  args: argsSchema(['holder'], {
    holder: { type: 'string', minLength: 1, description: 'Who runs: "user@host pid".' },
    runStarted: { type: 'number', minimum: 0, description: 'When that run started, ms since the epoch.' },
  }),
  async run({ holder, runStarted }) {
    const file = path.join(lockDir(), 'run.lock');
    if (held?.file === file) return { changed: false, data: { path: file }, msg: 'already held by this agent' };
    let server: Server | null;
    try {
      await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
      server = await bindLockSocket(file);
    } catch (err) {
      throw new AgentError('EIO', `lock: cannot take ${file}: ${(err as Error).message}`);
    }
    if (!server) throw lockedError(file, await readRecord(file));
    held = { file, server };
    holdInSupervisors(socketDescriptor(server));
    const record: LockRecord = { pid: process.pid, holder, since: new Date().toISOString(), runStarted, controllerTimeoutMs };
    const temp = `${file}.${process.pid}.tmp`;
    await writeFile(temp, JSON.stringify(record) + '\n', { mode: 0o600 });
    await rename(temp, file); // replaces a record left by a holder that died
    return { changed: false, data: { path: file } };
  },
});

/** ELOCKED naming the holder; its data is the record, and whether the holding agent still lives. */
function lockedError(file: string, current: LockRecord | null): AgentError {
  if (!current) return new AgentError('ELOCKED', `master is locked by another controller; lock file ${file}`, { path: file });
  const agentAlive = isAlive(current.pid);
  const who = `${current.holder} (pid ${current.pid}, since ${current.since})`;
  const state = agentAlive ? '' : `; that agent has exited and the commands it started are being stopped`;
  return new AgentError('ELOCKED', `master is locked by ${who}${state}; lock file ${file}`, { ...current, path: file, agentAlive });
}

/** The file descriptor under a listening server (Linux), for child processes to inherit. */
function socketDescriptor(server: Server): number | undefined {
  const fd = (server as unknown as { _handle?: { fd?: number } })._handle?.fd;
  return typeof fd === 'number' && fd >= 0 ? fd : undefined;
}

/**
 * Removes the holder record if this agent holds the lock (run at exit, so synchronous).
 * While commands it started still run, their supervisors keep the lock and the record
 * stays, naming who holds it.
 */
export function releaseLock(): void {
  if (!held) return;
  if (runningCommands.size > 0) {
    held = null;
    return;
  }
  try {
    const record = JSON.parse(readFileSync(held.file, 'utf8')) as LockRecord;
    if (record.pid === process.pid) unlinkSync(held.file);
  } catch {
    // already gone
  }
  held = null;
}
