// What a test needs from the machine (root, a tool). Alone (`npm run test:unit` as an
// ordinary user) a test that lacks it is skipped, saying why; in the whole suite
// (`npm test`, which CI runs, sets DISKLESS_FULL_SUITE=1) it fails instead: nothing
// expected to run may be skipped in silence.
import type { Context } from 'mocha';

export function needs(test: Context, missing: string | null): void {
  if (missing === null) return;
  if (process.env.DISKLESS_FULL_SUITE === '1') throw new Error(`cannot run in the full suite: ${missing}`);
  console.log(`      skipped: ${missing}`);
  test.skip();
}

/** null when running as root, else why a test needs it. */
export const rootMissing = (why: string): string | null => (process.getuid?.() === 0 ? null : `needs root (${why})`);
