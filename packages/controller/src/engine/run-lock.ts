// A master's run lock, taken before its first task so two controllers never
// interleave. The agent answers ELOCKED only while the holder lives (the kernel frees
// the lock when it dies, and the supervisors of its commands hold it until they have
// ended), so a refusal means another run is at work there. Three refusals are waited
// for even without --wait-lock, since the lock is about to go or is ours by right:
// - the holding agent has exited and the commands it started are being stopped;
// - the holder is a controller on this machine that has exited: its agent lets go once
//   it notices (at once when the connection closed, after its controller timeout when
//   the link is cut);
// - the holder is a run started after this one. Of two runs started together, each
//   may reach some masters first; the earlier run waits for the later one's masters
//   and gets every master in the end, while the later one reports the earlier one's
//   masters locked (or waits for them with --wait-lock). Each master holds its own
//   lock and a waiting master holds none, so no two runs can wait for each other.
import { hostname } from 'node:os';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { AgentError } from '../errors.js';
import type { AgentRequester } from './master-state.js';

/** How often a waiting controller asks again: the lock has no way to call back. */
export const LOCK_RETRY_MS = 1000;
/** When this run started (ms since the epoch): recorded with the lock, the earlier run goes first. */
export const RUN_STARTED = Math.round(performance.timeOrigin);
/** How long the commands of an agent that has exited may take to end (their grace is 5 s). */
const STOPPING_WAIT_MS = 15_000;
/** A lock just taken has no record yet for a few milliseconds. */
const UNRECORDED_WAIT_MS = 1000;

export interface LockWait {
  holder: string; // who we are, recorded for the next one who finds the lock held
  waitMs: number; // 0: give up at the first refusal
  signal?: AbortSignal; // Ctrl-C ends the wait
  onWait?: (reason: string) => void; // called once, when waiting starts
}

/** What the agent says about the holder of a lock it refused. */
interface HolderRecord {
  holder?: string;
  pid?: number;
  runStarted?: number;
  controllerTimeoutMs?: number;
  agentAlive?: boolean;
}

/** A controller on this machine, named "user@host pid", that is no longer running. */
function deadLocalController(holder: string | undefined): number | undefined {
  const match = /^[^@\s]+@(\S+) (\d+)$/.exec(holder ?? '');
  if (!match || match[1] !== hostname()) return undefined;
  const pid = Number(match[2]);
  try {
    process.kill(pid, 0);
    return undefined;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH' ? pid : undefined;
  }
}

/** Why a refused lock is worth waiting for beyond `waitMs`, and for how long (undefined: as long as it takes). */
export function reasonToWait(
  record: HolderRecord | undefined,
  me: { holder: string; runStarted: number },
): { why: string; limitMs?: number; retryMs?: number } | null {
  if (!record?.holder) return { why: 'the lock was just taken', limitMs: UNRECORDED_WAIT_MS, retryMs: 100 };
  if (record.agentAlive === false) return { why: 'the holding agent has exited and its commands are ending', limitMs: STOPPING_WAIT_MS };
  const deadPid = deadLocalController(record.holder);
  if (deadPid !== undefined) {
    return { why: `its controller (pid ${deadPid}) has exited and its agent lets go once it notices`, limitMs: (record.controllerTimeoutMs ?? 0) + STOPPING_WAIT_MS };
  }
  const theirs = record.runStarted;
  if (theirs !== undefined && (theirs > me.runStarted || (theirs === me.runStarted && record.holder > me.holder))) {
    return { why: 'it was started after this run, which goes first' };
  }
  return null;
}

/** Takes the lock; `lockedBy` is the agent's reason when another run keeps it past the wait. */
export async function takeRunLock(agent: AgentRequester, wait: LockWait): Promise<{ lockedBy?: string }> {
  const deadline = Date.now() + wait.waitMs;
  const graceUntil = new Map<string, number>(); // per reason, when its own wait ends
  for (let attempt = 0; ; attempt++) {
    try {
      await agent.request('lock', { holder: wait.holder, runStarted: RUN_STARTED });
      return {};
    } catch (error) {
      if (!(error instanceof AgentError) || error.code !== 'ELOCKED') throw error;
      const record = (error as AgentError & { data?: HolderRecord }).data;
      const reason = reasonToWait(record, { holder: wait.holder, runStarted: RUN_STARTED });
      let until = deadline;
      if (reason) {
        if (!graceUntil.has(reason.why)) graceUntil.set(reason.why, reason.limitMs === undefined ? Infinity : Date.now() + reason.limitMs);
        until = Math.max(deadline, graceUntil.get(reason.why)!);
      }
      const left = until - Date.now();
      if (left <= 0 || wait.signal?.aborted) return { lockedBy: reason ? `${error.message} (${reason.why}; no longer waited for)` : error.message };
      if (attempt === 0) wait.onWait?.(reason ? `${error.message} (waiting: ${reason.why})` : error.message);
      await sleep(Math.min(reason?.retryMs ?? LOCK_RETRY_MS, left), undefined, { signal: wait.signal }).catch(() => undefined);
    }
  }
}
