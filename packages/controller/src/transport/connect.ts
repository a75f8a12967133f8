import type { Master } from '../types.js';
import type { AgentConnection, ConnectOptions } from './connection.js';
import { connectLocal } from './local.js';
import { connectSsh } from './ssh.js';

export type Connector = (master: Master, options: ConnectOptions) => Promise<AgentConnection>;

/** Opens the agent for a master over its configured connection. */
export const connect: Connector = (master, options) =>
  master.ssh.connection === 'local' ? connectLocal(master.name) : connectSsh(master, options);
