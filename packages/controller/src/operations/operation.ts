// An operation the controller runs itself (declared as agent operations are, see
// packages/agent/src/operation.ts). It gets the task's arguments unrendered, with the
// means to render, evaluate and ask the master's agent.
import type { OperationDeclaration } from '@diskless/agent/operation';
import type { HostContext } from '../types.js';
import type { AgentAnswer } from '../transport/agent-client.js';

export interface OperationOutcome {
  changed: boolean;
  failed: boolean;
  msg?: string;
  diff?: string;
  data?: Record<string, unknown>;
}

export interface ControllerCall {
  /** The task's arguments as written. */
  args: Record<string, unknown>;
  /** Variables, facts, `item`: what expressions see. */
  context: HostContext;
  /** Renders one argument's value (its name is where an error points). */
  render(value: unknown, argument: string): unknown;
  /** Renders a template file named relative to the playbook. */
  renderFile(src: string): string;
  /** The master's variables that last across plays (set_fact writes them). */
  vars: Record<string, unknown>;
  /** One request to the master's agent (its output streams into the run's events). */
  request(op: string, args: Record<string, unknown>): Promise<AgentAnswer>;
}

export interface ControllerOperation extends OperationDeclaration {
  side: 'controller';
  run(call: ControllerCall): Promise<OperationOutcome>;
}

export function controllerOperation(declaration: Omit<ControllerOperation, 'side'>): ControllerOperation {
  return { side: 'controller', ...declaration };
}

/** An agent's answer as a task's outcome. */
export function answered(answer: AgentAnswer): OperationOutcome {
  return { changed: answer.changed, failed: false, msg: answer.msg, diff: answer.diff, data: answer.data };
}
