// Which masters a play runs on, and which tasks --tags selects.
import { InputError } from '../errors.js';
import type { Inventory, Master, Play, Task } from '../types.js';

/** The masters named by --limit (all when no limit); an unknown name is an input error naming `flag`. */
export function limitMasters(inventory: Inventory, limit?: string[], flag = '--limit'): Master[] {
  if (!limit?.length) return inventory.masters;
  const known = new Set(inventory.masters.map((m) => m.name));
  const unknown = limit.filter((name) => !known.has(name));
  if (unknown.length) {
    throw new InputError(`${flag} names no master called ${unknown.join(', ')} in ${inventory.file} (known: ${[...known].join(', ')})`);
  }
  return inventory.masters.filter((m) => limit.includes(m.name));
}

/** Whether a play's `hosts` ("masters", "all" or a comma list of names) includes a master. */
export function playTargets(play: Play, master: Master): boolean {
  const hosts = play.hosts.trim();
  if (hosts === 'masters' || hosts === 'all') return true;
  return hosts.split(',').map((h) => h.trim()).includes(master.name);
}

/** Whether --tags selects a task; a play's tags apply to its tasks, "always" always runs. */
export function taskSelected(play: Play, task: Task, tags?: string[]): boolean {
  if (!tags?.length) return true;
  const own = [...(play.tags ?? []), ...(task.tags ?? [])];
  return own.includes('always') || own.some((t) => tags.includes(t));
}
