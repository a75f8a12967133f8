// Lines of a log read as a stream, whatever its size: a line longer than the limit
// (a damaged file, or text a client planted) is skipped whole, never held in memory.
import type { Readable } from 'node:stream';

export const MAX_LOG_LINE = 8192;

/** Yields each line (without its newline) of at most `maxLength` bytes; longer ones are dropped. */
export async function* logLines(stream: Readable, maxLength = MAX_LOG_LINE): AsyncGenerator<string> {
  let pending: Buffer[] = [];
  let pendingLength = 0;
  let skipping = false; // inside a line already too long
  for await (const chunk of stream as AsyncIterable<Buffer | string>) {
    let data = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    for (;;) {
      const newline = data.indexOf(0x0a);
      if (newline === -1) {
        if (!skipping) {
          pending.push(data);
          pendingLength += data.length;
          if (pendingLength > maxLength) {
            skipping = true;
            pending = [];
            pendingLength = 0;
          }
        }
        break;
      }
      if (!skipping && pendingLength + newline <= maxLength) {
        pending.push(data.subarray(0, newline));
        yield Buffer.concat(pending).toString('utf8');
      }
      skipping = false;
      pending = [];
      pendingLength = 0;
      data = data.subarray(newline + 1);
    }
  }
  if (!skipping && pendingLength > 0) yield Buffer.concat(pending).toString('utf8');
}
