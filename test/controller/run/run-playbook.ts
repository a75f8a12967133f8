// Runs a playbook through the engine on a workspace's local masters, keeping every event.
import { join } from 'node:path';
import { hostContext } from '../../../packages/controller/src/context/host-context.js';
import type { RunEvent, RunSummary, TaskResult } from '../../../packages/controller/src/engine/events.js';
import { runPlays, type RunOptions } from '../../../packages/controller/src/engine/run-plays.js';
import { loadInventory } from '../../../packages/controller/src/inventory/load-inventory.js';
import { loadPlaybooks } from '../../../packages/controller/src/playbook/load-playbooks.js';
import { createRenderer } from '../../../packages/controller/src/template/render.js';
import type { Workspace } from './workspace.js';

export async function runPlaybook(ws: Workspace, playbook: object, options: Partial<RunOptions> = {}) {
  const playbookFile = ws.write('site.json', playbook);
  const inventory = await loadInventory(join(ws.dir, 'inventory.json'));
  const plays = await loadPlaybooks([playbookFile]);
  const events: RunEvent[] = [];
  const summary: RunSummary = await runPlays(inventory, plays, {
    connector: ws.connector,
    renderer: createRenderer(),
    hostContext,
    emit: (e) => events.push(e),
    ...options,
  });
  return { summary, events };
}

/** A master's result for the task of that name, if it ran. */
export const task = (summary: RunSummary, host: string, name: string): TaskResult | undefined =>
  summary.hosts[host].tasks.find((t) => t.name === name);

/** A play of one task that writes one file per master, at `<root>/<master name>`. */
export const oneFilePlay = {
  name: 'writes',
  hosts: 'masters',
  gather_facts: false,
  tasks: [{ name: 'Write the file', file: { path: '{{root}}/{{master.name}}', content: 'x\n' } }],
};
