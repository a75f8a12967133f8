// Test helpers: collect the InputErrors a call throws and find the line of a snippet.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { InputError, InputErrors } from '../../../packages/controller/src/errors.js';

export const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), 'fixtures');

export function fixture(...parts: string[]): string {
  return join(FIXTURES, ...parts);
}

/** The input errors thrown by `run`; fails the test when it succeeds or throws something else. */
export async function inputErrorsOf(run: () => unknown): Promise<InputError[]> {
  try {
    await run();
  } catch (error) {
    if (error instanceof InputErrors) return error.errors;
    if (error instanceof InputError) return [error];
    throw error;
  }
  assert.fail('expected input errors, but it succeeded');
}

/** The single error at `pointer`; fails listing all errors when there is none. */
export function errorAt(errors: InputError[], pointer: string): InputError {
  const found = errors.filter((e) => e.where?.pointer === pointer);
  assert.equal(found.length, 1, `expected one error at ${pointer}, got:\n${errors.map(String).join('\n')}`);
  return found[0]!;
}

/** The 1-based line of the first line of `file` that contains `snippet`. */
export function lineOf(file: string, snippet: string): number {
  const index = readFileSync(file, 'utf8').split('\n').findIndex((line) => line.includes(snippet));
  assert.ok(index >= 0, `${snippet} not in ${file}`);
  return index + 1;
}

/** Asserts file, line (of a snippet), pointer and message of one error. */
export function assertError(errors: InputError[], expected: { file: string; pointer: string; line: string | number; message: string | RegExp }): void {
  const error = errorAt(errors, expected.pointer);
  assert.equal(error.where?.file, expected.file);
  const line = typeof expected.line === 'number' ? expected.line : lineOf(expected.file, expected.line);
  assert.equal(error.where?.line, line, `line of ${error}`);
  if (typeof expected.message === 'string') assert.equal(error.message, expected.message);
  else assert.match(error.message, expected.message);
}
