import type { ArgsSchema, JsonSchema } from '../operation.js';

// The argument types operations share, as plain data (the controller reads this file
// too). In a declaration, `{ "$ref": "#/definitions/NAME" }` names one: the playbook
// schema defines each so that a {{template}} may stand in for the value
// (schemas/playbook.schema.json), and the agent defines it here as the rendered value
// must be.

/** What the shared types mean in the agent, once the controller has rendered the arguments. */
export const AGENT_ARG_DEFINITIONS = {
  // nothing is a template any more: the alternative "or a {{template}}" never matches
  template: { not: {} },
  path: { type: 'string', pattern: '^/', expected: 'an absolute path' },
  mode: { type: 'string', pattern: '^0?[0-7]{3,4}$', expected: 'an octal string such as "0644"' },
  bool: { type: 'boolean', expected: 'true or false' },
  int: { type: 'integer', minimum: 0, expected: 'a non-negative integer' },
  number: { type: 'number', minimum: 0, expected: 'a number >= 0' },
  stringList: { type: 'array', items: { type: 'string', minLength: 1 }, expected: 'a list of non-empty strings' },
  validateCommand: { type: 'string', pattern: '%s', expected: 'a command with %s where the new file goes' },
};

/** The `mode`, `owner` and `group` arguments of the operations that make a file, directory or node. */
export const METADATA_ARGS = {
  mode: { $ref: '#/definitions/mode', description: 'Octal mode, e.g. "0644".' },
  owner: { type: 'string', minLength: 1, description: 'User name (from /etc/passwd) or numeric id.' },
  group: { type: 'string', minLength: 1, description: 'Group name (from /etc/group) or numeric id.' },
};

/** The arguments `file` and the controller's `template` share: where the bytes go and how. */
export const FILE_PLACEMENT_ARGS = {
  path: { $ref: '#/definitions/path' },
  ...METADATA_ARGS,
  validate: { $ref: '#/definitions/validateCommand', description: 'Checks the new file before it replaces the old one, e.g. "dhcpd -t -cf %s".' },
  backup: { $ref: '#/definitions/bool', description: 'Keep the old file as PATH.<ISO time>~.' },
};

/** An operation's arguments: these properties, the named ones required, no others. */
export function argsSchema(required: string[], properties: Record<string, JsonSchema>, more: JsonSchema = {}): ArgsSchema {
  return { type: 'object', ...(required.length > 0 ? { required } : {}), additionalProperties: false, ...more, properties };
}

/** Exactly one of two arguments must be given: `expected` says which, for the messages. */
export function exactlyOneOf(a: string, b: string, expected: string): JsonSchema {
  return { oneOf: [{ type: 'object', required: [a] }, { type: 'object', required: [b] }], expected };
}
