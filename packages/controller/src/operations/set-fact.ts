import { controllerOperation } from './operation.js';

export const setFact = controllerOperation({
  name: 'set_fact',
  mutates: false,
  playbook: true,
  description: "Sets variables (rendered) for the master's later tasks and plays.",
  args: {
    type: 'object',
    minProperties: 1,
    propertyNames: { $ref: '#/definitions/varName' },
    expected: 'an object with at least one variable',
  },
  async run({ args, render, vars }) {
    for (const [key, value] of Object.entries(args)) vars[key] = render(value, key);
    return { changed: false, failed: false };
  },
});
