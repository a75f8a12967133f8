import { argsSchema, FILE_PLACEMENT_ARGS } from '@diskless/agent/arg-types';
import { answered, controllerOperation } from './operation.js';

export const template = controllerOperation({
  name: 'template',
  mutates: true,
  playbook: true,
  description: 'Renders a Handlebars file on the controller and places the result as a `file` request does.',
  data: 'as `file`',
  via: 'file',
  args: argsSchema(['src', 'path'], {
    src: { type: 'string', minLength: 1, description: "Handlebars file, relative to the playbook's directory." },
    ...FILE_PLACEMENT_ARGS,
  }),
  async run({ args, render, renderFile, request }) {
    const { src, ...rest } = render(args, '') as Record<string, unknown>;
    const content = renderFile(String(src));
    return answered(await request('file', { ...rest, content }));
  },
});
