import { readFile } from 'node:fs/promises';
import { agentOperation } from '../operation.js';
import { AgentError } from '../protocol.js';
import { argsSchema } from './arg-types.js';

export const slurp = agentOperation<{ path: string }>({
  name: 'slurp',
  mutates: false,
  playbook: true,
  description: 'Reads a file from the master: UTF-8 text in `content`, and always `contentBase64`.',
  data: '`content` (UTF-8), `contentBase64`, `size`',
  args: argsSchema(['path'], { path: { $ref: '#/definitions/path' } }),
  async run({ path: target }) {
    let bytes: Buffer;
    try {
      bytes = await readFile(target);
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      throw new AgentError(e.code === 'ENOENT' ? 'ENOENT' : 'EIO', `slurp: cannot read ${target}: ${e.message}`);
    }
    return { changed: false, data: { content: bytes.toString('utf8'), contentBase64: bytes.toString('base64'), size: bytes.length } };
  },
});
