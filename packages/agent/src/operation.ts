// What every operation declares about itself, agent and controller side alike. The
// playbook schema's task part, docs/operations.md and the agent's argument checks are
// all made from these declarations (`npm run build`, scripts/generate-operations.ts).
import type { OpContext, OpResult } from './protocol.js';

/** A JSON schema, as plain data. */
export type JsonSchema = { [keyword: string]: unknown };

/**
 * The schema of an operation's arguments. `$ref`s name the shared argument types
 * ("#/definitions/path", "bool", "mode", ...): in a playbook they also take a
 * {{template}} (schemas/playbook.schema.json), in the agent they mean the rendered
 * value (ops/arg-types.ts).
 */
export interface ArgsSchema extends JsonSchema {
  type: 'object';
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: false;
}

export interface OperationDeclaration {
  /** The key a task names it by, and the `op` of its agent requests. */
  name: string;
  /** Where it runs: in the agent on the master, or in the controller. */
  side: 'agent' | 'controller';
  /** May change the master (agent requests that may run strictly in arrival order). */
  mutates: boolean;
  /** May a playbook task use it? false: the controller's own requests (e.g. lock). */
  playbook: boolean;
  /** One line for the docs and the schema. */
  description: string;
  /** What the answer's `data` holds, for the docs. */
  data?: string;
  /** A controller operation that ends in a request of this agent operation (template: file). */
  via?: string;
  args: ArgsSchema;
}

/** An operation the agent answers; `run` gets arguments already checked against `args`. */
export interface AgentOperation<A extends object = object> extends OperationDeclaration {
  side: 'agent';
  run(args: A, ctx: OpContext): Promise<OpResult>;
}

/** Declares an agent operation (the file's one export besides its helpers). */
export function agentOperation<A extends object>(declaration: Omit<AgentOperation<A>, 'side'>): AgentOperation<A> {
  return { side: 'agent', ...declaration };
}
