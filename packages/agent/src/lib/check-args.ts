// Checks a request's arguments against its operation's declared schema, compiled ahead
// of time (arg-validators.generated.ts, made by `npm run build`). Errors are EARGS and
// name the operation, the argument and, when there is one, the path.
import type { ErrorObject } from 'ajv';
import { ARG_VALIDATORS } from '../arg-validators.generated.js';
import { AGENT_ARG_DEFINITIONS } from '../ops/arg-types.js';
import { AgentError } from '../protocol.js';

interface Validator {
  (data: unknown): boolean;
  errors?: ErrorObject[] | null;
}

const validators: Record<string, Validator> = ARG_VALIDATORS;

/**
 * The arguments as the operation gets them: checked, an argument given as null counts as
 * not given, and arguments the operation does not know are dropped (ajv's removeAdditional).
 */
export function checkArgs(op: string, raw: Record<string, unknown>): Record<string, unknown> {
  const args = Object.fromEntries(Object.entries(raw).filter(([, value]) => value !== null));
  const validate = validators[op];
  if (!validate) throw new AgentError('EIO', `${op}: this agent was built without a check for its arguments (run npm run build)`);
  if (!validate(args)) throw argumentsError(op, args, validate.errors ?? []);
  return args;
}

/** The one error worth reporting among ajv's (it stops at the first failure, after an anyOf's branches). */
function significant(errors: ErrorObject[]): ErrorObject {
  // the "or a {{template}}" alternative never matches here: its failure says nothing
  const template = JSON.stringify(AGENT_ARG_DEFINITIONS.template);
  const relevant = errors.filter((e) => !(e.keyword === 'not' && JSON.stringify(e.parentSchema) === template));
  const named = relevant.find((e) => e.propertyName !== undefined);
  if (named) return named;
  const last = relevant[relevant.length - 1]!;
  // an anyOf with one real alternative fails the way that alternative did
  if ((last.keyword === 'anyOf' || last.keyword === 'oneOf') && relevant.length === 2) return relevant[0]!;
  return last;
}

export function argumentsError(op: string, args: Record<string, unknown>, errors: ErrorObject[]): AgentError {
  const e = significant(errors);
  const [name, ...rest] = e.instancePath.split('/').slice(1).map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
  const where = typeof args.path === 'string' && name !== 'path' ? ` (path ${args.path})` : '';
  if (name === undefined) {
    if (e.keyword === 'required') return new AgentError('EARGS', `${op}: argument "${(e.params as { missingProperty: string }).missingProperty}" is missing${where}`);
    return new AgentError('EARGS', `${op}: arguments must be ${expectedOf(e)}${where}`);
  }
  const at = rest.length > 0 ? ` at ${JSON.stringify(rest.join('/'))}` : '';
  if (e.propertyName !== undefined) {
    return new AgentError('EARGS', `${op}: argument "${name}"${at} has a key ${JSON.stringify(e.propertyName)} that must be ${expectedOf(e)}${where}`);
  }
  return new AgentError('EARGS', `${op}: argument "${name}"${at} must be ${expectedOf(e)}, got ${shown(e.data)}${where}`);
}

/** What the failed schema node wanted, in words. */
function expectedOf(e: ErrorObject): string {
  const expected = (e.parentSchema as { expected?: string } | undefined)?.expected;
  if (expected) return expected.replace(/,? or a \{\{template\}\}.*$/, '');
  const params = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'enum':
      return `one of ${(params.allowedValues as unknown[]).join(', ')}`;
    case 'type':
      return ([] as string[]).concat(params.type as string).map((t) => (t === 'array' ? 'a list' : t === 'object' ? 'an object' : t === 'integer' ? 'a whole number' : t === 'null' ? 'null' : `a ${t}`)).join(' or ');
    case 'minLength':
      return 'a non-empty string';
    case 'minItems':
      return 'a non-empty list';
    case 'pattern':
      return `a string matching ${params.pattern}`;
    default:
      return e.message ?? e.keyword;
  }
}

function shown(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 200 ? `${text.slice(0, 197)}...` : text;
}
