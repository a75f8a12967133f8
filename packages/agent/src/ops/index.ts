import type { AgentOperation } from '../operation.js';
import { absent } from './absent.js';
import { bootStatus } from './boot-status.js';
import { command } from './command.js';
import { copy } from './copy.js';
import { directory } from './directory.js';
import { facts } from './facts.js';
import { file } from './file.js';
import { kernelConfig } from './kernel-config.js';
import { link } from './link.js';
import { lock } from './lock.js';
import { mknod } from './mknod.js';
import { packageOp } from './package.js';
import { service } from './service.js';
import { slurp } from './slurp.js';
import { stat } from './stat.js';
import { unknownClients } from './unknown-clients.js';

/** Every operation the agent answers, in the order the docs and the schema list them. */
export const AGENT_OPERATIONS: readonly AgentOperation[] = [
  file,
  directory,
  link,
  absent,
  mknod,
  copy,
  service,
  packageOp,
  kernelConfig,
  command,
  stat,
  slurp,
  lock,
  facts,
  unknownClients,
  bootStatus,
];

/** The same, by the name used in requests. */
export const OPERATIONS: Readonly<Record<string, AgentOperation>> = Object.fromEntries(AGENT_OPERATIONS.map((op) => [op.name, op]));
