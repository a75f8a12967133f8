import { evaluate, truthy } from '../engine/expression.js';
import { controllerOperation } from './operation.js';
import { argsSchema } from '@diskless/agent/arg-types';

export const assert = controllerOperation({
  name: 'assert',
  mutates: false,
  playbook: true,
  description: 'Fails the task unless every expression is true.',
  args: argsSchema(['that'], {
    that: {
      anyOf: [{ type: 'string', minLength: 1 }, { type: 'array', minItems: 1, items: { type: 'string', minLength: 1 } }],
      expected: 'an expression or a list of expressions',
    },
    msg: { type: 'string', description: 'The message when one is false (rendered); default names the expression.' },
  }),
  async run({ args, context, render }) {
    const that = Array.isArray(args.that) ? args.that : [args.that];
    const broken = that.map(String).find((expr) => !truthy(evaluate(expr, context)));
    if (broken === undefined) return { changed: false, failed: false, msg: 'all assertions passed' };
    const msg = args.msg !== undefined ? String(render(args.msg, 'msg')) : `assertion failed: ${broken}`;
    return { changed: false, failed: true, msg };
  },
});
