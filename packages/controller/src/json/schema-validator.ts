// JSON Schema validation (ajv) with errors a user can act on: each names the file,
// line, column and JSON pointer, and says what was expected and what was found.
import type { ErrorObject, ValidateFunction } from 'ajv';
import { InputError } from '../errors.js';
import { errorAt, type JsonDocument } from './json-document.js';
import { joinPointer } from './pointer.js';

export interface SchemaMessages {
  /** Replaces the message for a property the schema does not allow (e.g. to suggest a name). */
  unknownProperty?(parentPointer: string, name: string): string | undefined;
}

/** Validates a parsed document and returns its problems (empty when it is valid). */
export function validateDocument(
  validate: ValidateFunction,
  doc: JsonDocument,
  value: unknown = doc.value,
  basePointer = '',
  messages: SchemaMessages = {},
): InputError[] {
  if (validate(value)) return [];
  const errors = significantErrors(validate.errors ?? []);
  const seen = new Set<string>();
  const result: InputError[] = [];
  for (const e of errors) {
    const pointer = basePointer + e.instancePath;
    const error = toInputError(doc, pointer, e, messages);
    const key = `${error.where?.pointer}\0${error.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    result.push(error);
  }
  return result;
}

/**
 * Drops the branch-by-branch noise under anyOf/oneOf and if/then: their own error speaks
 * for them. Ajv lists a combinator's branch errors right before the combinator's error.
 */
function significantErrors(errors: ErrorObject[]): ErrorObject[] {
  const dropped = new Set<number>();
  errors.forEach((e, k) => {
    if (e.keyword !== 'anyOf' && e.keyword !== 'oneOf') return;
    for (let i = k - 1; i >= 0 && isWithin(errors[i]!.instancePath, e.instancePath) && !dropped.has(i); i--) dropped.add(i);
  });
  return errors.filter((e, i) => !dropped.has(i) && e.keyword !== 'if' && e.keyword !== 'propertyNames');
}

function isWithin(pointer: string, parent: string): boolean {
  return pointer === parent || pointer.startsWith(parent + '/');
}

function toInputError(doc: JsonDocument, pointer: string, e: ErrorObject, messages: SchemaMessages): InputError {
  const expected = (e.parentSchema as { expected?: string } | undefined)?.expected;
  if (e.propertyName !== undefined) {
    // A rule on property names: report it at the name itself.
    const what = expected ?? (e.keyword === 'pattern' ? `a name matching ${(e.params as { pattern: string }).pattern}` : 'a valid name');
    return errorAt(doc, joinPointer(pointer, e.propertyName), `name ${show(e.propertyName)} must be ${what}`, true);
  }
  const got = `got ${show(e.data)}`;
  switch (e.keyword) {
    case 'additionalProperties': {
      const name = (e.params as { additionalProperty: string }).additionalProperty;
      const custom = messages.unknownProperty?.(pointer, name);
      return errorAt(doc, joinPointer(pointer, name), custom ?? `unknown property "${name}"`, true);
    }
    case 'required': {
      const name = (e.params as { missingProperty: string }).missingProperty;
      return errorAt(doc, pointer, `missing required property "${name}"`);
    }
    case 'pattern':
      // "aa:bb:cc:dd:ee:ff" is a form to match; "an absolute path" is a thing to be.
      return errorAt(doc, pointer, `${expected && /^(a|an) /.test(expected) ? 'must be' : 'must match'} ${expected ?? (e.params as { pattern: string }).pattern}, ${got}`);
    case 'format':
      return errorAt(doc, pointer, `must be ${expected ?? `a valid ${(e.params as { format: string }).format}`}, ${got}`);
    case 'enum':
      return errorAt(doc, pointer, `must be one of ${(e.params as { allowedValues: unknown[] }).allowedValues.map(show).join(', ')}, ${got}`);
    case 'const':
      return errorAt(doc, pointer, `must be ${show((e.params as { allowedValue: unknown }).allowedValue)}, ${got}`);
    case 'type':
      return errorAt(doc, pointer, `must be ${expected ?? describeType((e.params as { type: string | string[] }).type)}, ${got}`);
    case 'anyOf':
    case 'oneOf':
      return errorAt(doc, pointer, expected ? `must be ${expected}, ${got}` : `${e.message}, ${got}`);
    case 'minProperties':
    case 'minItems':
      return errorAt(doc, pointer, expected ?? e.message ?? 'is too short');
    default:
      return errorAt(doc, pointer, `${expected ? `must be ${expected}: ` : ''}${e.message ?? e.keyword}, ${got}`);
  }
}

function describeType(type: string | string[]): string {
  const names = Array.isArray(type) ? type : [type];
  return names.map((t) => (t === 'array' ? 'a list' : t === 'object' ? 'an object' : t === 'integer' ? 'a whole number' : `a ${t}`)).join(' or ');
}

/** A short form of a found value for messages. */
export function show(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'a list';
  if (value === null) return 'null';
  if (typeof value === 'object') return 'an object';
  const text = JSON.stringify(value);
  return text.length > 60 ? text.slice(0, 57) + '..."' : text;
}
