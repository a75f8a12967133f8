import type { AgentClient } from './agent-client.js';

/** A running agent on one master, for the length of one run. */
export interface AgentConnection {
  agent: AgentClient;
  /** Ends the agent and the channel to it. */
  close(): Promise<void>;
}

export interface ConnectOptions {
  acceptNewHostKeys?: boolean;
  /** sudo's password for masters with ssh.become, sent only when sudo asks for it. */
  becomePassword?: string;
}
