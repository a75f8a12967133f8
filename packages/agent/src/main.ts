import { constants } from 'node:os';
import { createInterface } from 'node:readline';
import { Dispatcher } from './dispatcher.js';
import { runningCommands } from './lib/command-supervisor.js';
import { removeOwnTemps } from './lib/temp-files.js';
import { recordControllerTimeout, releaseLock } from './ops/lock.js';

const USAGE =
  'usage: node agent.mjs --stdio [--controller-timeout MS]\n' +
  '  JSON-lines requests on stdin, answers on stdout. With --controller-timeout, a controller\n' +
  '  that sends nothing (not even an empty line) for MS milliseconds is taken for gone.\n';
// After stdin has closed, how often an empty line tests whether the controller still reads.
const PROBE_MS = 1000;

/**
 * The controller is gone (its channel closed, or silent too long): nobody will read the
 * answers, so stop now. Exiting is enough: the supervisors end the running commands (and
 * hold the lock until they have), the exit handler removes unfinished temp files.
 */
function stop(reason: string): never {
  const commands = runningCommands.size > 0 ? `; ending ${runningCommands.size} running command(s)` : '';
  process.stderr.write(`agent: stopping: ${reason}${commands}\n`);
  process.exit(1);
}

/** Stops the agent when no line has come in for `timeoutMs` (the controller sends empty ones). */
function watchInput(timeoutMs: number): { heard(): void; cancel(): void } {
  let lastHeard = Date.now();
  const period = Math.max(50, Math.min(1000, timeoutMs / 4));
  let lastTick = Date.now();
  const timer = setInterval(() => {
    const now = Date.now();
    // A late tick means the agent itself was busy: lines may be waiting unread, look again later.
    const late = now - lastTick > 2 * period;
    lastTick = now;
    if (!late && now - lastHeard > timeoutMs) stop(`no word from the controller for ${Math.round((now - lastHeard) / 1000)} s (--controller-timeout ${timeoutMs})`);
  }, period);
  timer.unref();
  return { heard: () => (lastHeard = Date.now()), cancel: () => clearInterval(timer) };
}

function parseArgs(argv: string[]): { controllerTimeoutMs: number } | null {
  if (!argv.includes('--stdio')) return null;
  const at = argv.indexOf('--controller-timeout');
  if (at === -1) return { controllerTimeoutMs: 0 };
  const ms = Number(argv[at + 1]);
  return Number.isInteger(ms) && ms > 0 ? { controllerTimeoutMs: ms } : null;
}

async function main(argv: string[]): Promise<number> {
  const options = parseArgs(argv);
  if (!options) {
    process.stderr.write(USAGE);
    return 2;
  }
  // stdout carries only protocol lines: anything else printed by mistake goes to stderr
  const writeOut = process.stdout.write.bind(process.stdout);
  console.log = console.info = console.warn = console.debug = (...parts: unknown[]) => process.stderr.write(parts.join(' ') + '\n');

  let buffered: string[] = [];
  let flushScheduled = false;
  // many answers produced in one tick leave in one write: pipelined requests stay cheap
  const send = (message: object): void => {
    buffered.push(JSON.stringify(message));
    if (flushScheduled) return;
    flushScheduled = true;
    setImmediate(() => {
      flushScheduled = false;
      const chunk = buffered.join('\n') + '\n';
      buffered = [];
      writeOut(chunk);
    });
  };

  const dispatcher = new Dispatcher(send);
  recordControllerTimeout(options.controllerTimeoutMs);
  const input = options.controllerTimeoutMs > 0 ? watchInput(options.controllerTimeoutMs) : undefined;
  const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
  for await (const line of lines) {
    input?.heard();
    dispatcher.handleLine(line);
  }
  input?.cancel();
  // The controller closed our input. It may still read the answers to requests it sent
  // before, or it may be gone: an empty line (ignored by readers of the protocol) fails
  // to write once nobody reads, and then the work is abandoned.
  const probe = setInterval(() => writeOut('\n'), PROBE_MS);
  await dispatcher.drain();
  clearInterval(probe);
  await new Promise<void>((resolve) => setImmediate(resolve));
  await new Promise<void>((resolve) => process.stdout.write('', () => resolve()));
  return 0;
}

process.on('exit', () => {
  removeOwnTemps();
  releaseLock();
});
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => process.exit(128 + constants.signals[signal]));
process.stdout.on('error', (error: Error) => stop(`the controller's channel is closed (${error.message})`));
process.stderr.on('error', () => undefined); // nowhere left to complain to

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: Error) => {
    process.stderr.write(`agent: ${err.stack ?? err.message}\n`);
    process.exit(1);
  },
);
