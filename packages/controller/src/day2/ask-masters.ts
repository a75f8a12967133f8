// One question to each selected master's agent, a few masters at a time
// (engine/each-master.ts): an unreachable master, or one whose agent refuses, is
// reported and the others carry on.
import { eachMaster, type FanOutOptions } from '../engine/each-master.js';
import type { RunSummary } from '../engine/events.js';
import { emptyStats } from '../engine/events.js';
import { AgentRequestError } from '../transport/agent-client.js';
import type { Master } from '../types.js';

export interface MasterAnswer {
  unreachable: boolean;
  /** Why the master could not be reached, or why its agent refused. */
  msg?: string;
  data?: Record<string, unknown>;
}

/** Every master is asked: no signal to stop before some are. */
export type AskOptions = Omit<FanOutOptions, 'signal'>;

/** Sends `op` with the args `argsFor` gives each master; answers in the masters' order. */
export async function askMasters(
  masters: Master[],
  op: string,
  argsFor: (master: Master) => Record<string, unknown>,
  options: AskOptions,
): Promise<Record<string, MasterAnswer>> {
  const answers = await eachMaster<MasterAnswer>(masters, options, (master) => ({
    async run({ agent }) {
      try {
        const answer = await agent.request(op, argsFor(master));
        return { unreachable: false, data: answer.data ?? {} };
      } catch (error) {
        if (error instanceof AgentRequestError) return { unreachable: false, msg: error.message };
        throw error;
      }
    },
    unreachable: (error) => ({ unreachable: true, msg: error.message }),
  }));
  return Object.fromEntries(masters.map((m) => [m.name, answers.get(m.name)!]));
}

/**
 * The answers as a run summary, for the exit code (exit-codes.ts): 4 when a master was
 * unreachable, 2 when an agent refused, else 0.
 */
export function summaryOf(answers: Record<string, MasterAnswer>): RunSummary {
  const hosts = Object.fromEntries(
    Object.entries(answers).map(([name, a]) => [
      name,
      { ...emptyStats(), unreachable: a.unreachable, failed: !a.unreachable && a.msg ? 1 : 0, message: a.msg, tasks: [] },
    ]),
  );
  return { ok: Object.values(answers).every((a) => !a.msg), durationMs: 0, interrupted: false, hosts };
}
