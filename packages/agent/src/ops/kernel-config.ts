import { readFile } from 'node:fs/promises';
import { atomicWrite, keptMetadata } from '../lib/atomic-write.js';
import { lstatOrNull } from '../lib/metadata.js';
import { unifiedDiff } from '../lib/unified-diff.js';
import { agentOperation } from '../operation.js';
import { AgentError } from '../protocol.js';
import { applyKernelOptions, type KernelOptionValue } from '../lib/kernel-config-text.js';
import { argsSchema } from './arg-types.js';

export const kernelConfig = agentOperation<{ path: string; options: Record<string, KernelOptionValue> }>({
  name: 'kernel_config',
  mutates: true,
  playbook: true,
  description: 'Ensures options in a kernel .config and reports exactly which ones changed.',
  data: '`changedOptions` (list)',
  args: argsSchema(['path', 'options'], {
    path: { $ref: '#/definitions/path', description: 'A kernel .config.' },
    options: {
      anyOf: [
        {
          type: 'object',
          propertyNames: { pattern: '^CONFIG_[A-Z0-9_]+$', expected: 'a name like CONFIG_NAME' },
          additionalProperties: { type: ['string', 'null'], minLength: 1, pattern: '^[^\\n]*$', expected: '"y", "m", "n", a one-line value or null' },
        },
        { $ref: '#/definitions/template' },
      ],
      expected: 'an object of CONFIG_NAME: "y" | "m" | "n" | value | null, or a {{template}}',
      description: '{"CONFIG_NFSD": "y", "CONFIG_X": "n", "CONFIG_Y": null (unset)}',
    },
  }),
  async run({ path: target, options }, ctx) {
    const stats = lstatOrNull(target);
    if (!stats?.isFile()) throw new AgentError('ENOENT', `kernel_config: "path" ${target} is not an existing kernel .config file`);
    const before = await readFile(target, 'utf8');
    const { text, changedOptions } = applyKernelOptions(before, options);
    if (changedOptions.length === 0) return { changed: false, data: { changedOptions } };
    const diff = ctx.diff ? unifiedDiff(target, before, text) : undefined;
    if (!ctx.check) {
      await atomicWrite(target, Buffer.from(text), { metadata: keptMetadata({}, stats), existed: true });
    }
    return { changed: true, diff, data: { changedOptions }, msg: changedOptions.join(', ') };
  },
});
