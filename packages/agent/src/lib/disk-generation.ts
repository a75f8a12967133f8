// Counts the requests that may change the disk, in the order the agent runs them, so
// that what one request read can be reused by the next when nothing ran in between.
let generation = 0;

/** Called by the dispatcher as each request that may change the disk starts. */
export function nextDiskGeneration(): number {
  return ++generation;
}

/** The number of the changing request that runs now (or ran last). */
export function diskGeneration(): number {
  return generation;
}
