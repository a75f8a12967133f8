// One question to each selected master's agent, a few masters at a time, as `facts`
// connects to them: an unreachable master, or one whose agent refuses, is reported and
// the others carry on.
import PQueue from 'p-queue';
import type { RunSummary } from '../engine/events.js';
import { emptyStats } from '../engine/events.js';
import { UnreachableError } from '../errors.js';
import { AgentRequestError } from '../transport/agent-client.js';
import type { Connector } from '../transport/connect.js';
import type { Master } from '../types.js';

export interface MasterAnswer {
  unreachable: boolean;
  /** Why the master could not be reached, or why its agent refused. */
  msg?: string;
  data?: Record<string, unknown>;
}

export interface AskOptions {
  connector: Connector;
  forks: number;
  acceptNewHostKeys?: boolean;
  /** sudo's password for masters with ssh.become. */
  becomePassword?: string;
}

/** Sends `op` with the args `argsFor` gives each master; answers in the masters' order. */
export async function askMasters(
  masters: Master[],
  op: string,
  argsFor: (master: Master) => Record<string, unknown>,
  options: AskOptions,
): Promise<Record<string, MasterAnswer>> {
  const queue = new PQueue({ concurrency: Math.max(1, options.forks) });
  const answers = new Map<string, MasterAnswer>();
  await Promise.all(
    masters.map((master) =>
      queue.add(async () => {
        let connection;
        try {
          connection = await options.connector(master, { acceptNewHostKeys: options.acceptNewHostKeys, becomePassword: options.becomePassword });
          const answer = await connection.agent.request(op, argsFor(master));
          answers.set(master.name, { unreachable: false, data: answer.data ?? {} });
        } catch (error) {
          if (error instanceof UnreachableError) answers.set(master.name, { unreachable: true, msg: error.message });
          else if (error instanceof AgentRequestError) answers.set(master.name, { unreachable: false, msg: error.message });
          else throw error;
        } finally {
          await connection?.close().catch(() => undefined);
        }
      }),
    ),
  );
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
