// Temp files that become a target by rename: `.<name>.diskless-<pid>-<hex>.tmp` beside
// it. The agent removes its own when it stops (also when its controller goes away);
// one killed with SIGKILL, or a crash of the machine, leaves them behind, so before a
// write the agent removes its target's siblings whose agent is dead. The pid in the
// name is what tells a leftover from a write in progress.
import { randomBytes } from 'node:crypto';
import { readdirSync, statSync, unlinkSync } from 'node:fs';
import path from 'node:path';
import { isAlive } from './process-alive.js';

const MARK = '.diskless-';
const SUFFIX = '.tmp';
/** rsync's exclude pattern for these names: copies never carry a write in progress. */
export const TEMP_FILE_PATTERN = `.*${MARK}*${SUFFIX}`;

const own = new Set<string>();
// Names without a pid came from agents before this one; any still there is older than us.
const agentStarted = Date.now() - process.uptime() * 1000;

/** A new temp path beside `target`, recorded until `forget` so that an exit removes it. */
export function tempPathFor(target: string): string {
  const temp = path.join(path.dirname(target), `.${path.basename(target)}${MARK}${process.pid}-${randomBytes(4).toString('hex')}${SUFFIX}`);
  own.add(temp);
  return temp;
}

/** The temp file is gone (renamed over its target, or removed). */
export function forget(temp: string): void {
  own.delete(temp);
}

/** Whether a sibling temp name (`tag`: what follows the mark) belongs to no write in progress. */
function isLeftover(dir: string, name: string, tag: string): boolean {
  const owner = /^(\d+)-[0-9a-f]+$/.exec(tag);
  if (!owner) {
    // an older agent's name (`-<hex>` only): left over if it is older than this agent
    const stats = statSync(path.join(dir, name), { throwIfNoEntry: false });
    return stats !== undefined && stats.mtimeMs < agentStarted;
  }
  const pid = Number(owner[1]);
  return pid === process.pid ? !own.has(path.join(dir, name)) : !isAlive(pid);
}

/** Removes the temp files of interrupted writes of `target`; returns their paths. */
export function removeLeftoverTemps(target: string): string[] {
  const dir = path.dirname(target);
  const prefix = `.${path.basename(target)}${MARK}`;
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const name of names) {
    if (!name.startsWith(prefix) || !name.endsWith(SUFFIX)) continue;
    if (!isLeftover(dir, name, name.slice(prefix.length, -SUFFIX.length))) continue;
    try {
      unlinkSync(path.join(dir, name));
      removed.push(path.join(dir, name));
    } catch {
      // gone already, or not ours to remove
    }
  }
  return removed;
}

/** Removes this agent's temp files of writes not finished (at exit, so synchronous). */
export function removeOwnTemps(): void {
  for (const temp of own) {
    try {
      unlinkSync(temp);
    } catch {
      // already renamed or removed
    }
  }
  own.clear();
}
