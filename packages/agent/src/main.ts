import { constants } from 'node:os';
import { createInterface } from 'node:readline';
import { Dispatcher } from './dispatcher.js';
import { releaseLock } from './ops/lock.js';

const USAGE = 'usage: node agent.mjs --stdio   (JSON-lines requests on stdin, answers on stdout)\n';

async function main(argv: string[]): Promise<number> {
  if (!argv.includes('--stdio')) {
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
  const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
  for await (const line of lines) dispatcher.handleLine(line);
  await dispatcher.drain();
  await new Promise<void>((resolve) => setImmediate(resolve));
  await new Promise<void>((resolve) => process.stdout.write('', () => resolve()));
  return 0;
}

process.on('exit', releaseLock);
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => process.exit(128 + constants.signals[signal]));
process.stdout.on('error', () => process.exit(0)); // the controller went away

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: Error) => {
    process.stderr.write(`agent: ${err.stack ?? err.message}\n`);
    process.exit(1);
  },
);
