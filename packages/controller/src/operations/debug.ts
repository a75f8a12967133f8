import { evaluate } from '../engine/expression.js';
import { controllerOperation } from './operation.js';
import { argsSchema, exactlyOneOf } from '@diskless/agent/arg-types';

export const debug = controllerOperation({
  name: 'debug',
  mutates: false,
  playbook: true,
  description: "Shows a message, or an expression's value as JSON, in the run's output.",
  args: argsSchema([], {
    msg: { description: 'Text, rendered; any other value is shown as JSON.' },
    var: { type: 'string', minLength: 1, description: 'An expression whose value is shown as JSON.' },
  }, exactlyOneOf('msg', 'var', 'a message (msg) or an expression (var), exactly one of them')),
  async run({ args, context, render }) {
    const msg = args.var !== undefined ? JSON.stringify(evaluate(String(args.var), context), null, 2) : render(args.msg ?? '', 'msg');
    return { changed: false, failed: false, msg: typeof msg === 'string' ? msg : JSON.stringify(msg) };
  },
});
