// Renders a master's templates without connecting: the tasks that run on the
// controller (template, set_fact) go through the same task runner as in a real run,
// with an agent stand-in that keeps the files it is asked to write.
import type { Inventory, Master, Play } from '../types.js';
import type { AgentAnswer } from '../transport/agent-client.js';
import { playTargets } from './host-selection.js';
import { createMasterState, type HostContextBuilder } from './master-state.js';
import { runTask, type Renderer } from './run-task.js';

export interface RenderedFile {
  playbook: string;
  task: string;
  path: string;
  content: string;
}

export interface OfflineOutcome {
  files: RenderedFile[];
  failures: { playbook: string; task: string; msg: string }[];
}

const OFFLINE_OPS = new Set(['template', 'set_fact']);

export async function renderPlaysOffline(
  inventory: Inventory,
  plays: Play[],
  master: Master,
  facts: Record<string, unknown>,
  parts: { renderer: Renderer; hostContext: HostContextBuilder },
): Promise<OfflineOutcome> {
  const outcome: OfflineOutcome = { files: [], failures: [] };
  let current = { playbook: '', task: '' };
  const recorder = {
    async request(op: string, args: Record<string, unknown>): Promise<AgentAnswer> {
      if (op === 'file') outcome.files.push({ ...current, path: String(args.path), content: String(args.content ?? '') });
      return { changed: false, data: {} };
    },
  };
  const state = createMasterState(inventory, master, facts, recorder, parts.hostContext);
  const emit = () => undefined;
  for (const play of plays) {
    if (!playTargets(play, master)) continue;
    for (const task of [...play.tasks, ...play.handlers]) {
      if (!OFFLINE_OPS.has(task.op)) continue;
      current = { playbook: play.name, task: task.name };
      const result = await runTask(play, task, state, { check: true, diff: false, renderer: parts.renderer, emit });
      if (result.status === 'failed') outcome.failures.push({ ...current, msg: result.msg ?? 'failed' });
    }
  }
  return outcome;
}
