// Where the bundled agent lives, and its hash (the name it is cached under on masters).
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { InputError } from '../errors.js';
import { sharedPath } from '../package-root.js';

export const AGENT_BUNDLE = sharedPath('agent.mjs');

export interface AgentBundle {
  file: string;
  content: Buffer;
  sha256: string;
}

let cached: Promise<AgentBundle> | undefined;

export function loadAgentBundle(): Promise<AgentBundle> {
  cached ??= readFile(AGENT_BUNDLE).then(
    (content) => ({ file: AGENT_BUNDLE, content, sha256: createHash('sha256').update(content).digest('hex') }),
    () => {
      cached = undefined;
      throw new InputError(`the agent is not built (${AGENT_BUNDLE} is missing): run npm run build -w @diskless/agent`);
    },
  );
  return cached;
}
