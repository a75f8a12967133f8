// The operations a task may name, as the playbook schema lists them (the schema's task
// part is made from the operations' declarations: scripts/generate-operations.ts).
// Every property of a task that is not a task keyword is an operation.
import playbookSchema from '../../../../schemas/playbook.schema.json' with { type: 'json' };

/** Keys that sit beside the operation in a task. */
export const TASK_KEYWORDS = ['name', 'when', 'loop', 'register', 'notify', 'tags', 'ignore_errors'] as const;

export const OPERATIONS: readonly string[] = Object.keys(playbookSchema.definitions.task.properties).filter(
  (key) => !(TASK_KEYWORDS as readonly string[]).includes(key),
);

export function isOperation(key: string): boolean {
  return OPERATIONS.includes(key);
}
