// The operations a task may name. The playbook schema is the one list: every property
// of a task that is not a task keyword is an operation, with its argument schema.
import playbookSchema from '../../../../schemas/playbook.schema.json' with { type: 'json' };

/** Keys that sit beside the operation in a task. */
export const TASK_KEYWORDS = ['name', 'when', 'loop', 'register', 'notify', 'tags', 'ignore_errors'] as const;

/** Operations the controller handles itself; all others are requests to the agent. */
export const CONTROLLER_OPERATIONS = ['template', 'debug', 'assert', 'set_fact'] as const;

export const OPERATIONS: readonly string[] = Object.keys(playbookSchema.definitions.task.properties).filter(
  (key) => !(TASK_KEYWORDS as readonly string[]).includes(key),
);

export function isOperation(key: string): boolean {
  return OPERATIONS.includes(key);
}
