import { readFile } from 'node:fs/promises';
import { Args } from '../lib/args.js';
import { atomicWrite, keptMetadata } from '../lib/atomic-write.js';
import { lstatOrNull } from '../lib/metadata.js';
import { unifiedDiff } from '../lib/unified-diff.js';
import { AgentError, type Operation } from '../protocol.js';
import { applyKernelOptions, type KernelOptionValue } from '../lib/kernel-config-text.js';

/** Ensures options in a kernel .config and reports exactly which ones changed. */
export const kernelConfig: Operation = {
  mutates: true,
  async run(raw, ctx) {
    const args = new Args('kernel_config', raw);
    const target = args.absPath('path');
    const options = args.value('options');
    if (typeof options !== 'object' || options === null || Array.isArray(options)) {
      throw new AgentError('EARGS', `kernel_config: argument "options" must be an object of CONFIG_X: value (path ${target})`);
    }
    for (const [name, value] of Object.entries(options)) {
      if (!/^CONFIG_[A-Za-z0-9_]+$/.test(name)) throw new AgentError('EARGS', `kernel_config: option "${name}" in "options" must look like CONFIG_NAME (path ${target})`);
      if (value !== null && (typeof value !== 'string' || value === '' || value.includes('\n'))) {
        throw new AgentError('EARGS', `kernel_config: option ${name} in "options" must be "y", "m", "n", a one-line value or null (path ${target})`);
      }
    }
    const stats = lstatOrNull(target);
    if (!stats?.isFile()) throw new AgentError('ENOENT', `kernel_config: "path" ${target} is not an existing kernel .config file`);
    const before = await readFile(target, 'utf8');
    const { text, changedOptions } = applyKernelOptions(before, options as Record<string, KernelOptionValue>);
    if (changedOptions.length === 0) return { changed: false, data: { changedOptions } };
    const diff = ctx.diff ? unifiedDiff(target, before, text) : undefined;
    if (!ctx.check) {
      await atomicWrite(target, Buffer.from(text), { metadata: keptMetadata({}, stats), existed: true });
    }
    return { changed: true, diff, data: { changedOptions }, msg: changedOptions.join(', ') };
  },
};
