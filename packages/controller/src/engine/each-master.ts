// Works on masters a few at a time, each through its own agent connection: the one
// fan-out behind runs of plays (run-plays.ts) and one-question commands (ask-masters.ts).
// An unreachable master is that master's result and the others carry on; a bug on one
// master (any other error) stops the rest before it goes up.
import PQueue from 'p-queue';
import { UnreachableError } from '../errors.js';
import type { Connector } from '../transport/connect.js';
import type { AgentConnection, ConnectOptions } from '../transport/connection.js';
import type { Master } from '../types.js';

export const DEFAULT_FORKS = 20;

/** How many masters at once: `forks`, DEFAULT_FORKS when not given, at least 1. */
export const forksOf = (forks: number | undefined): number => Math.max(1, forks ?? DEFAULT_FORKS);

export interface FanOutOptions extends ConnectOptions {
  connector: Connector;
  /** How many masters at once (see forksOf). */
  forks?: number;
  /** Aborting starts no more masters; the masters started see it through their signal. */
  signal?: AbortSignal;
}

/** What is done on one master. */
export interface MasterWork<T> {
  /** Works through the master's open connection; an UnreachableError thrown here makes the master unreachable. */
  run(connection: AgentConnection): Promise<T>;
  /** The master's result when it cannot be reached, or its agent is lost during `run`. */
  unreachable(error: UnreachableError): T;
  /** Called with the result once the connection is closed. */
  done?(result: T): void;
}

/**
 * Calls `start` as each master's turn comes, before connecting to it, with the signal
 * that tells it to stop (the caller's, or a bug on another master); then opens the
 * master's connection, runs the work and closes the connection whatever happens.
 * Resolves with each started master's result; a master not started (interrupted
 * before its turn) has none. Rejects with the first error that is no UnreachableError,
 * after every master started has finished and closed its connection.
 */
export async function eachMaster<T>(
  masters: Master[],
  options: FanOutOptions,
  start: (master: Master, signal: AbortSignal) => MasterWork<T>,
): Promise<Map<string, T>> {
  const queue = new PQueue({ concurrency: forksOf(options.forks) });
  const crash = new AbortController();
  const signal = options.signal ? AbortSignal.any([options.signal, crash.signal]) : crash.signal;
  const results = new Map<string, T>();
  let crashed: { error: unknown } | undefined;
  const visit = async (master: Master): Promise<void> => {
    const work = start(master, signal);
    let connection: AgentConnection | undefined;
    let result: T;
    try {
      connection = await options.connector(master, { acceptNewHostKeys: options.acceptNewHostKeys, becomePassword: options.becomePassword });
      result = await work.run(connection);
    } catch (error) {
      if (!(error instanceof UnreachableError)) throw error;
      result = work.unreachable(error);
    } finally {
      await connection?.close().catch(() => undefined);
    }
    work.done?.(result);
    results.set(master.name, result);
  };
  await Promise.all(
    masters.map((master) =>
      queue.add(async () => {
        // Once interrupted, masters still waiting for their turn are not started.
        if (signal.aborted) return;
        try {
          await visit(master);
        } catch (error) {
          crashed ??= { error };
          crash.abort();
        }
      }),
    ),
  );
  if (crashed) throw crashed.error;
  return results;
}
