// Undoes a lab from its record on disk: processes, mounts, namespaces, interfaces,
// then the lab directory. Whatever was already gone is skipped.
import { existsSync, rmSync } from 'node:fs';
import { mountsUnder, unmountAllUnder } from './mounts.js';
import { isAlive, kill, processesRootedUnder, waitFor } from './processes.js';
import { LabError, run, runCommand } from './run.js';
import type { Lab, Resource } from './state.js';

async function netnsPids(netns: string): Promise<number[]> {
  const r = await runCommand(['ip', 'netns', 'pids', netns]);
  return r.code === 0 ? r.stdout.split(/\s+/).filter(Boolean).map(Number) : [];
}

async function linkExists(name: string, netns?: string): Promise<boolean> {
  const r = await runCommand(['ip', ...(netns ? ['-n', netns] : []), 'link', 'show', 'dev', name]);
  return r.code === 0;
}

/** Removes everything `lab` records and everything mounted or rooted below its directory. */
export async function teardown(lab: Lab, log: (line: string) => void): Promise<void> {
  await removeResources(lab.created, lab.dir, log);
  // Never remove a tree that still has something mounted in it (/dev is bound there).
  const left = mountsUnder(lab.dir);
  if (left.length > 0) throw new LabError(`still mounted, lab directory kept: ${left.join(', ')}`);
  rmSync(lab.dir, { recursive: true, force: true });
  log(`removed ${lab.dir}`);
}

/**
 * Undoes `resources` (a whole lab's, or one master's or slave's): their processes and
 * those in their namespaces or rooted under `under`, mounts under `under`, the
 * namespaces, then the interfaces. Whatever is already gone is skipped.
 */
export async function removeResources(resources: Resource[], under: string | null, log: (line: string) => void): Promise<void> {
  const created = [...resources].reverse();
  const netns = created.flatMap((r) => (r.kind === 'netns' ? [r.name] : []));

  // Processes first: a master's PID 1 takes its whole PID namespace with it.
  const victims = new Set<number>();
  for (const r of created) if (r.kind === 'process' && isAlive(r.pid, r.startTime)) victims.add(r.pid);
  for (const ns of netns) if (existsSync(`/run/netns/${ns}`)) for (const pid of await netnsPids(ns)) victims.add(pid);
  if (under) for (const pid of processesRootedUnder(under)) victims.add(pid);
  for (const pid of victims) kill(pid);
  if (victims.size > 0) log(`killed ${victims.size} processes`);
  if (under) {
    await waitFor(() => processesRootedUnder(under).length === 0, 5000);
    const unmounted = await unmountAllUnder(under);
    if (unmounted.length > 0) log(`unmounted ${unmounted.length} mounts under ${under}`);
  }

  for (const ns of netns) {
    if (!existsSync(`/run/netns/${ns}`)) continue;
    await run(['ip', 'netns', 'del', ns]);
    log(`deleted network namespace ${ns}`);
  }
  for (const r of created) {
    if (r.kind !== 'link' || !(await linkExists(r.name, r.netns))) continue;
    // The kernel removes a veth's peer with its namespace, a moment after `netns del`.
    const gone = await runCommand(['ip', ...(r.netns ? ['-n', r.netns] : []), 'link', 'del', r.name]);
    if (gone.code !== 0 && (await linkExists(r.name, r.netns))) throw new LabError(`ip link del ${r.name}: ${gone.stderr.trim()}`);
    log(`deleted interface ${r.name}`);
  }
}
