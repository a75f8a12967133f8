// Picks how a run is shown: --json, a live terminal, or plain lines.
import { JsonRenderer } from '../report/json.js';
import { PlainRenderer } from '../report/plain.js';
import type { RunRenderer } from '../report/renderer.js';
import { TtyRenderer } from '../report/tty.js';

export function chooseRenderer(options: { json: boolean; diff: boolean; verbose: boolean }): RunRenderer {
  const write = (text: string) => void process.stdout.write(text);
  if (options.json) return new JsonRenderer(write);
  const settings = { diff: options.diff, verbose: options.verbose, write };
  // A terminal with no rows (some CI pseudo-terminals) cannot show live lines.
  const live = process.stdout.isTTY && (process.stdout.rows ?? 0) > 0;
  return live ? new TtyRenderer(settings) : new PlainRenderer(settings);
}

/**
 * Ctrl-C once: stop starting tasks, let the ones in flight finish, still print the
 * recap. Twice: leave at once.
 */
export function interruptOnSigint(): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  const onSigint = () => {
    if (controller.signal.aborted) process.exit(130);
    process.stderr.write('\ninterrupted: finishing the tasks in flight (Ctrl-C again to quit at once)\n');
    controller.abort();
  };
  process.on('SIGINT', onSigint);
  return { signal: controller.signal, dispose: () => process.off('SIGINT', onSigint) };
}
