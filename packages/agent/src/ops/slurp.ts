import { readFile } from 'node:fs/promises';
import { Args } from '../lib/args.js';
import { AgentError, type Operation } from '../protocol.js';

/** Reads a file from the master: UTF-8 text in `content`, and always `contentBase64`. */
export const slurp: Operation = {
  mutates: false,
  async run(raw) {
    const args = new Args('slurp', raw);
    const target = args.absPath('path');
    let bytes: Buffer;
    try {
      bytes = await readFile(target);
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      throw new AgentError(e.code === 'ENOENT' ? 'ENOENT' : 'EIO', `slurp: cannot read ${target}: ${e.message}`);
    }
    return { changed: false, data: { content: bytes.toString('utf8'), contentBase64: bytes.toString('base64'), size: bytes.length } };
  },
};
