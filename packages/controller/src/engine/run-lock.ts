// A master's run lock, taken before its first task so two controllers never
// interleave. The agent answers ELOCKED only while the holder lives (the kernel frees
// the lock when it dies), so a refusal means another run is at work there.
import { setTimeout as sleep } from 'node:timers/promises';
import { AgentError } from '../errors.js';
import type { AgentRequester } from './master-state.js';

/** How often a waiting controller asks again: the lock has no way to call back. */
export const LOCK_RETRY_MS = 1000;

export interface LockWait {
  holder: string; // who we are, recorded for the next one who finds the lock held
  waitMs: number; // 0: give up at the first refusal
  signal?: AbortSignal; // Ctrl-C ends the wait
  onWait?: (reason: string) => void; // called once, when waiting starts
}

/** Takes the lock; `lockedBy` is the agent's reason when another run keeps it past the wait. */
export async function takeRunLock(agent: AgentRequester, wait: LockWait): Promise<{ lockedBy?: string }> {
  const deadline = Date.now() + wait.waitMs;
  for (let attempt = 0; ; attempt++) {
    try {
      await agent.request('lock', { holder: wait.holder });
      return {};
    } catch (error) {
      if (!(error instanceof AgentError) || error.code !== 'ELOCKED') throw error;
      const left = deadline - Date.now();
      if (left <= 0 || wait.signal?.aborted) return { lockedBy: error.message };
      if (attempt === 0) wait.onWait?.(error.message);
      await sleep(Math.min(LOCK_RETRY_MS, left), undefined, { signal: wait.signal }).catch(() => undefined);
    }
  }
}
