// Parses every `when`, expression `loop` and `assert` condition before anything runs,
// so a typo is reported at its file and line instead of failing on each master.
import { InputError, InputErrors } from '../errors.js';
import { errorAt, readJsonDocument, type JsonDocument } from '../json/json-document.js';
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

export async function checkExpressions(plays: Play[]): Promise<void> {
  const docs = new Map<string, JsonDocument>();
  const errors: InputError[] = [];
  for (const play of plays) {
    for (const task of [...play.tasks, ...play.handlers]) {
      for (const { key, text } of expressionsOf(task)) {
        try {
          checkExpression(text);
        } catch (error) {
          if (!(error instanceof ExpressionError)) throw error;
          if (!docs.has(play.file)) docs.set(play.file, await readJsonDocument(play.file, 'playbook file'));
          errors.push(errorAt(docs.get(play.file)!, `${task.pointer}/${key}`, error.message));
        }
      }
    }
  }
  if (errors.length > 0) throw new InputErrors(errors);
}
