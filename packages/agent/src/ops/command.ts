import { lstatOrNull } from '../lib/metadata.js';
import { runCommand } from '../lib/run-command.js';
import { agentOperation } from '../operation.js';
import { AgentError } from '../protocol.js';
import { argsSchema, exactlyOneOf } from './arg-types.js';

interface CommandArgs {
  argv?: string[];
  shell?: string;
  cwd?: string;
  env?: Record<string, string>;
  timeout?: number;
  creates?: string;
  removes?: string;
}

export const command = agentOperation<CommandArgs>({
  name: 'command',
  mutates: true,
  playbook: true,
  description: 'Runs a command (argv or shell), streaming its output; `creates`/`removes` guards make it idempotent.',
  data: '`rc`, `stdout`, `stderr` (also on a failed command)',
  args: argsSchema([], {
    argv: {
      anyOf: [{ type: 'array', minItems: 1, items: { type: 'string', minLength: 1 } }, { $ref: '#/definitions/template' }],
      expected: 'a non-empty list of strings or a {{template}}',
      description: 'The program and its arguments.',
    },
    shell: { type: 'string', minLength: 1, description: 'A command line for /bin/sh -c.' },
    cwd: { $ref: '#/definitions/path', description: 'Directory to run in.' },
    env: { type: 'object', additionalProperties: { type: 'string' }, description: 'Environment variables added.' },
    timeout: { $ref: '#/definitions/number', description: 'Seconds before the command is stopped (ETIMEOUT).' },
    creates: { $ref: '#/definitions/path', description: 'Guard: skipped when this path exists.' },
    removes: { $ref: '#/definitions/path', description: 'Guard: skipped when this path does not exist.' },
  }, exactlyOneOf('argv', 'shell', 'a command given as argv (a list) or shell (a string), exactly one of them')),
  async run(args, ctx) {
    const { shell, cwd, env, timeout, creates, removes } = args;
    const argv = args.argv ?? ['/bin/sh', '-c', shell!];
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
});
