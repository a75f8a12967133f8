// What one master carries from task to task during a run.
import type { HostContext, Inventory, Master, Play } from '../types.js';
import type { AgentClient } from '../transport/agent-client.js';

/** The part of an agent a task uses: a live client, or a recorder for offline rendering. */
export type AgentRequester = Pick<AgentClient, 'request'>;

export interface MasterState {
  master: Master;
  agent: AgentRequester;
  facts: Record<string, unknown>;
  vars: Record<string, unknown>; // set_fact and register results, kept across plays
  context(play: Play, item?: unknown): HostContext;
}

export type HostContextBuilder = (
  inventory: Inventory,
  master: Master,
  facts: Record<string, unknown>,
  vars: Record<string, unknown>,
) => HostContext;

/** A master's state at the start of a run: play vars, then set_fact and register on top. */
export function createMasterState(
  inventory: Inventory,
  master: Master,
  facts: Record<string, unknown>,
  agent: AgentRequester,
  hostContext: HostContextBuilder,
): MasterState {
  const state: MasterState = {
    master,
    agent,
    facts,
    vars: {},
    context: (play, item) => {
      const ctx = hostContext(inventory, master, facts, { ...play.vars, ...state.vars });
      return item === undefined ? ctx : { ...ctx, item };
    },
  };
  return state;
}

