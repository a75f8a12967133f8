// Counts the requests that may change the disk, in the order the agent runs them, so
// that what one request read can be reused by the next when nothing ran in between.
let generation = 0;

/** What an operation keeps for the next request of its own kind, and how to drop it. */
const kept = new Map<string, () => void>();

/**
 * Called by the dispatcher as each request that may change the disk starts: what other
 * operations kept for their next request is dropped now (it would not be used again),
 * not held until they next run.
 */
export function nextDiskGeneration(op: string): number {
  for (const [keeper, forget] of kept) if (keeper !== op) forget();
  return ++generation;
}

/** The number of the changing request that runs now (or ran last). */
export function diskGeneration(): number {
  return generation;
}

/** Has `forget` called when a changing request of another operation than `op` starts. */
export function forgetWhenOthersRun(op: string, forget: () => void): void {
  kept.set(op, forget);
}
