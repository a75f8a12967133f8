// sudo's password for masters with ssh.become: asked once on the terminal with
// --ask-become-pass, or taken from DISKLESS_BECOME_PASS for runs without one. It goes
// to sudo's stdin on the master only when sudo asks; it is never an argument of a
// process, and the variable is removed from this process's environment once read so
// that no child (a local agent, its commands) inherits it.
import { Flags } from '@oclif/core';
import { openSync } from 'node:fs';
import { ReadStream, WriteStream } from 'node:tty';
import { InputError } from '../errors.js';

export const BECOME_PASS_ENV = 'DISKLESS_BECOME_PASS';

export const askBecomePassFlag = Flags.boolean({
  description: `ask once on the terminal for the sudo password of masters with ssh.become (without a terminal: set ${BECOME_PASS_ENV})`,
});

/** Reads a line from the terminal without echoing it. */
function askOnTerminal(prompt: string): Promise<string> {
  let fd: number;
  try {
    fd = openSync('/dev/tty', 'r+');
  } catch {
    return Promise.reject(new InputError(`--ask-become-pass needs a terminal; without one, set ${BECOME_PASS_ENV}`));
  }
  const input = new ReadStream(fd);
  const output = new WriteStream(fd);
  output.write(prompt);
  input.setRawMode(true);
  return new Promise((resolve, reject) => {
    let answer = '';
    const done = (error?: Error) => {
      input.setRawMode(false);
      input.off('data', onData);
      output.write('\n');
      input.destroy();
      if (error) reject(error);
      else resolve(answer);
    };
    const onData = (chunk: Buffer) => {
      for (const char of chunk.toString('utf8')) {
        if (char === '\r' || char === '\n') return done();
        if (char === '\u0003' || char === '\u0004') return done(new InputError('no become password given'));
        if (char === '\u007f' || char === '\b') answer = answer.slice(0, -1);
        else answer += char;
      }
    };
    input.on('data', onData);
  });
}

/** The password, or undefined when none is given (sudo is then run with -n). */
export async function becomePassword(ask: boolean): Promise<string | undefined> {
  const fromEnv = process.env[BECOME_PASS_ENV];
  delete process.env[BECOME_PASS_ENV];
  if (ask) return askOnTerminal('BECOME password: ');
  return fromEnv;
}
