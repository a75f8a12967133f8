// The "local" connection: the same agent bundle as a child process of the controller.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { AgentClient } from './agent-client.js';
import { loadAgentBundle } from './agent-bundle.js';
import type { AgentConnection } from './connection.js';

const EXIT_GRACE_MS = 5000;

/** `env` is the agent's environment (the controller's own by default). */
export async function connectLocal(label: string, env: NodeJS.ProcessEnv = process.env): Promise<AgentConnection> {
  const bundle = await loadAgentBundle();
  // A process group of its own: Ctrl-C in the terminal reaches the controller, which
  // lets the task in flight finish, and not the agent in the middle of it.
  const child = spawn(process.execPath, [bundle.file, '--stdio'], { stdio: ['pipe', 'pipe', 'pipe'], env, detached: true });
  const agent = new AgentClient({ stdin: child.stdin, stdout: child.stdout, stderr: child.stderr }, label);
  const exited = once(child, 'exit');
  child.on('exit', (code, signal) => agent.fail(`exit ${code ?? signal}`));
  child.on('error', (error) => agent.fail(error.message));
  return {
    agent,
    async close() {
      agent.close();
      if (child.exitCode !== null || child.signalCode !== null) return;
      const timer = setTimeout(() => child.kill('SIGTERM'), EXIT_GRACE_MS);
      await exited;
      clearTimeout(timer);
    },
  };
}
