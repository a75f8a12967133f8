import { Args } from '../lib/args.js';
import { lstatOrNull } from '../lib/metadata.js';
import { runCommand } from '../lib/run-command.js';
import { AgentError, type Operation } from '../protocol.js';

/** Runs a command (argv or shell), streaming its output; `creates`/`removes` guards make it idempotent. */
export const command: Operation = {
  mutates: true,
  async run(raw, ctx) {
    const args = new Args('command', raw);
    const argvArg = args.optStringList('argv');
    const shell = args.optString('shell');
    if ((argvArg === undefined) === (shell === undefined)) {
      throw new AgentError('EARGS', 'command: give exactly one of "argv" (a list) or "shell" (a string)');
    }
    if (argvArg?.length === 0) throw new AgentError('EARGS', 'command: argument "argv" must not be empty');
    const argv = argvArg ?? ['/bin/sh', '-c', shell!];
    const cwd = args.optAbsPath('cwd');
    const env = args.optStringMap('env');
    const timeout = args.optNumber('timeout', 0);
    const creates = args.optAbsPath('creates');
    const removes = args.optAbsPath('removes');
    const shown = shell ?? argv.join(' ');

    if (creates && lstatOrNull(creates)) return { changed: false, msg: `skipped: ${creates} exists` };
    if (removes && !lstatOrNull(removes)) return { changed: false, msg: `skipped: ${removes} does not exist` };
    if (ctx.check) return { changed: true, msg: `would run: ${shown}` };
    if (cwd && !lstatOrNull(cwd)?.isDirectory()) throw new AgentError('ENOENT', `command: "cwd" ${cwd} is not an existing directory`);

    const result = await runCommand(argv, { cwd, env, timeout, onOutput: ctx.emit });
    const data = { rc: result.rc, stdout: result.stdout, stderr: result.stderr };
    if (result.rc !== 0) {
      const output = (result.stderr.trim() || result.stdout.trim()).slice(-2000);
      throw new AgentError('ECOMMAND', `command "${shown}" exited ${result.rc}${output ? `: ${output}` : ''}`, data);
    }
    return { changed: true, data };
  },
};
