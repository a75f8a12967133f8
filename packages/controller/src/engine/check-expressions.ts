// Parses every `when`, expression `loop` and `assert` condition before anything runs,
// so a typo is reported at its file and line instead of failing on each master.
import { InputError, InputErrors } from '../errors.js';
import { documentReader, errorAt, type JsonDocument } from '../json/json-document.js';
import type { Play, Task } from '../types.js';
import { checkExpression, ExpressionError } from './expression.js';

function expressionsOf(task: Task): { key: string; text: string }[] {
  const found: { key: string; text: string }[] = [];
  if (typeof task.when === 'string') found.push({ key: 'when', text: task.when });
  if (typeof task.loop === 'string' && !task.loop.includes('{{')) found.push({ key: 'loop', text: task.loop });
  if (task.op === 'assert') {
    const that = task.args.that;
    (Array.isArray(that) ? that : [that]).forEach((text, i) =>
      found.push({ key: Array.isArray(that) ? `assert/that/${i}` : 'assert/that', text: String(text) }),
    );
  }
  return found;
}

/** The expressions of the plays that do not parse, each at its file, line and pointer. */
export async function expressionErrors(plays: Play[], documents?: Map<string, JsonDocument>): Promise<InputError[]> {
  const documentOf = documentReader(documents, 'playbook file');
  const errors: InputError[] = [];
  for (const play of plays) {
    for (const task of [...play.tasks, ...play.handlers]) {
      for (const { key, text } of expressionsOf(task)) {
        try {
          checkExpression(text);
        } catch (error) {
          if (!(error instanceof ExpressionError)) throw error;
          errors.push(errorAt(await documentOf(play.file), `${task.pointer}/${key}`, error.message));
        }
      }
    }
  }
  return errors;
}

/** Throws InputErrors for the expressions that do not parse. */
export async function checkExpressions(plays: Play[], documents?: Map<string, JsonDocument>): Promise<void> {
  const errors = await expressionErrors(plays, documents);
  if (errors.length > 0) throw new InputErrors(errors);
}
