import { readFileSync, unlinkSync } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import path from 'node:path';
import { Args } from '../lib/args.js';
import { AgentError, type Operation } from '../protocol.js';

interface LockRecord {
  pid: number;
  holder: string;
  since: string;
}

const lockDir = (): string => process.env.DISKLESS_LOCK_DIR ?? '/run/diskless';
let held: { file: string; server: Server } | null = null;

/**
 * The lock itself is an abstract unix socket named after the lock file: binding it is
 * exclusive, and the kernel releases it when the process dies, so a crashed holder never
 * leaves a stale lock and two contenders cannot both win. The file only names the holder.
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

/** Takes the master's run lock so two controllers cannot interleave; held until the agent exits. */
export const lock: Operation = {
  mutates: false,
  async run(raw) {
    const args = new Args('lock', raw);
    const holder = args.string('holder');
    const file = path.join(lockDir(), 'run.lock');
    if (held?.file === file) return { changed: false, data: { path: file }, msg: 'already held by this agent' };
    let server: Server | null;
    try {
      await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
      server = await bindLockSocket(file);
    } catch (err) {
      throw new AgentError('EIO', `lock: cannot take ${file}: ${(err as Error).message}`);
    }
    if (!server) {
      const current = await readRecord(file);
      const who = current ? `${current.holder} (pid ${current.pid}, since ${current.since})` : 'another controller';
      throw new AgentError('ELOCKED', `master is locked by ${who}; lock file ${file}`);
    }
    held = { file, server };
    const record: LockRecord = { pid: process.pid, holder, since: new Date().toISOString() };
    const temp = `${file}.${process.pid}.tmp`;
    await writeFile(temp, JSON.stringify(record) + '\n', { mode: 0o600 });
    await rename(temp, file); // replaces a record left by a holder that died
    return { changed: false, data: { path: file } };
  },
};

/** Removes the holder record if this agent holds the lock (run at exit, so synchronous). */
export function releaseLock(): void {
  if (!held) return;
  try {
    const record = JSON.parse(readFileSync(held.file, 'utf8')) as LockRecord;
    if (record.pid === process.pid) unlinkSync(held.file);
  } catch {
    // already gone
  }
  held = null;
}
