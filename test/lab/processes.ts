// Processes the lab starts, identified by PID plus start time so a reused PID is
// never mistaken for one of ours.
import { existsSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { isUnder } from './mounts.js';

/** The start time field of /proc/PID/stat, or null when no such live process. */
export function processStartTime(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name may hold spaces and parentheses: fields count from the last ")".
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (fields[0] === 'Z') return null;
    return fields[19];
  } catch {
    return null;
  }
}

export function isAlive(pid: number, startTime: string): boolean {
  return processStartTime(pid) === startTime;
}

export function childPids(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

export function rootOf(pid: number): string | null {
  try {
    return readlinkSync(`/proc/${pid}/root`);
  } catch {
    return null;
  }
}

/** Live processes whose root directory lies inside `dir` (a master's chroot). */
export function processesRootedUnder(dir: string): number[] {
  if (!existsSync('/proc')) return [];
  return readdirSync('/proc')
    .filter((e) => /^\d+$/.test(e))
    .map(Number)
    .filter((pid) => {
      const root = rootOf(pid);
      return root !== null && isUnder(root, dir) && processStartTime(pid) !== null;
    });
}

export function kill(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Waits until `test` holds, checking every 50 ms; false on timeout. */
export async function waitFor(test: () => boolean | Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await test()) return true;
    if (Date.now() > deadline) return false;
    await sleep(50);
  }
}
