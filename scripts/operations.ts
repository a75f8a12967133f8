// Makes, from the operations' declarations, what is written from them: the task part
// of schemas/playbook.schema.json, the operations table of docs/operations.md and the
// agent's precompiled argument checks. `npm run build` writes them
// (scripts/generate-operations.ts); test/controller/operations.test.ts checks that the
// committed files are what this makes.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Ajv as AjvClass } from 'ajv';
import { AGENT_ARG_DEFINITIONS } from '../packages/agent/src/ops/arg-types.js';
import { AGENT_OPERATIONS } from '../packages/agent/src/ops/index.js';
import type { JsonSchema, OperationDeclaration } from '../packages/agent/src/operation.js';
import { CONTROLLER_OPERATIONS } from '../packages/controller/src/operations/index.js';
import { TASK_KEYWORDS } from '../packages/controller/src/playbook/operations.js';

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const PLAYBOOK_SCHEMA = 'schemas/playbook.schema.json';
export const OPERATIONS_DOC = 'docs/operations.md';
export const ARG_VALIDATORS = 'packages/agent/src/arg-validators.generated.ts';

/**
 * Every declared operation, in the order the schema, the docs and messages list them:
 * the agent's, then the controller's, except that one which ends in an agent request
 * (`via`) comes right after that agent operation (template after file).
 */
export const DECLARATIONS: readonly OperationDeclaration[] = [
  ...AGENT_OPERATIONS.flatMap((op) => [op, ...CONTROLLER_OPERATIONS.filter((c) => c.via === op.name)]),
  ...CONTROLLER_OPERATIONS.filter((c) => c.via === undefined),
];

/** An operation's schema as the playbook schema holds it. */
export function playbookArgsSchema(op: OperationDeclaration): JsonSchema {
  return { description: op.description, ...op.args };
}

/** The playbook schema with its task part made from the declarations (the rest is kept as written). */
export function playbookSchema(current: JsonSchema): JsonSchema {
  const definitions = current.definitions as Record<string, JsonSchema>;
  const task = definitions.task!;
  const properties = task.properties as Record<string, JsonSchema>;
  const keywords = Object.fromEntries(TASK_KEYWORDS.map((k) => [k, properties[k]]));
  const ops = Object.fromEntries(DECLARATIONS.filter((op) => op.playbook).map((op) => [op.name, playbookArgsSchema(op)]));
  return { ...current, definitions: { ...definitions, task: { ...task, properties: { ...keywords, ...ops } } } };
}

/** JSON the way the schemas are written: a node that fits on a line stays on one. */
export function formatJson(value: unknown, indent = '', lead = 0): string {
  const inline = oneLine(value);
  if (indent.length + lead + inline.length <= 150 || typeof value !== 'object' || value === null) return inline;
  const inner = indent + '  ';
  const items = Array.isArray(value)
    ? value.map((v) => inner + formatJson(v, inner))
    : Object.entries(value).map(([k, v]) => `${inner}${JSON.stringify(k)}: ${formatJson(v, inner, JSON.stringify(k).length + 2)}`);
  const [open, close] = Array.isArray(value) ? ['[', ']'] : ['{', '}'];
  return `${open}\n${items.join(',\n')}\n${indent}${close}`;
}

function oneLine(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(oneLine).join(', ')}]`;
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value).map(([k, v]) => `${JSON.stringify(k)}: ${oneLine(v)}`);
    return entries.length ? `{ ${entries.join(', ')} }` : '{}';
  }
  return JSON.stringify(value);
}

const DOC_START = '<!-- operations table: made by `npm run build` from the declarations, do not edit -->';
const DOC_END = '<!-- end of operations table -->';

/** docs/operations.md with its table made from the declarations. */
export function operationsDoc(current: string): string {
  const start = current.indexOf(DOC_START);
  const end = current.indexOf(DOC_END);
  if (start === -1 || end === -1) throw new Error(`${OPERATIONS_DOC} has lost its table markers`);
  const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
  const rows = DECLARATIONS.map((op) => {
    const props = (op.args.properties ?? {}) as Record<string, JsonSchema>;
    const required = new Set(op.args.required ?? []);
    const args = Object.entries(props)
      .map(([name, schema]) => {
        const notes = [schema.enum ? (schema.enum as unknown[]).map(String).join(', ') : '', String(schema.description ?? '').replace(/\.$/, '')].filter(Boolean);
        return `\`${name}\`${required.has(name) ? '*' : ''}${notes.length ? ` (${notes.join('; ')})` : ''}`;
      })
      .join(', ');
    const where = `${op.side}${op.via ? ` (then \`${op.via}\` in the agent)` : ''}${op.mutates ? '' : ', read-only'}${op.playbook ? '' : ', internal'}`;
    return `| \`${op.name}\` | ${where} | ${cell(op.description)} | ${cell(args || (op.name === 'set_fact' ? 'any variable names' : ''))} | ${cell(op.data ?? '')} |`;
  });
  const table = ['| op | runs | what it does | args (* required) | data |', '|---|---|---|---|---|', ...rows].join('\n');
  return `${current.slice(0, start)}${DOC_START}\n${table}\n${current.slice(end)}`;
}

/** The agent's argument checks: each agent operation's schema compiled by ajv into standalone code. */
export async function argValidatorsSource(): Promise<string> {
  const { default: Ajv } = await import('ajv');
  const ajv: AjvClass = new Ajv.default({ allErrors: false, verbose: true, messages: false, inlineRefs: false, removeAdditional: true, strict: true, strictRequired: false, allowUnionTypes: true, code: { source: true, esm: true } });
  ajv.addKeyword({ keyword: 'expected', schemaType: 'string' });
  const definitions = { ...AGENT_ARG_DEFINITIONS, ...Object.fromEntries(AGENT_OPERATIONS.map((op) => [`op_${op.name}`, op.args])) };
  ajv.addSchema({ $id: 'agent-args', definitions });
  const standaloneCode = createRequire(import.meta.url)('ajv/dist/standalone').default as (ajv: AjvClass, refs: Record<string, string>) => string;
  let code = standaloneCode(ajv, Object.fromEntries(AGENT_OPERATIONS.map((op) => [`op_${op.name}`, `agent-args#/definitions/op_${op.name}`])));
  // ajv's runtime helpers come by require(): make them imports, for ES modules and the bundle
  const imports: string[] = [];
  code = code.replace(/require\("(ajv\/dist\/runtime\/[a-z0-9]+)"\)\.default/g, (_, module: string) => {
    const name = `runtime_${module.split('/').pop()}`;
    // its default import is module.exports or, where __esModule is honoured (tsx), the function itself
    const line = `import ${name}_module from "${module}.js";\nconst ${name} = typeof ${name}_module === "function" ? ${name}_module : ${name}_module.default;`;
    if (!imports.includes(line)) imports.push(line);
    return name;
  });
  if (code.includes('require(')) throw new Error('the standalone validators still require() something');
  const table = AGENT_OPERATIONS.map((op) => `  ${JSON.stringify(op.name)}: op_${op.name},`).join('\n');
  return [
    '// @ts-nocheck',
    '// Made by `npm run build` (scripts/operations.ts) from the agent operations\' declarations: do not edit.',
    ...imports,
    code.replace(/^"use strict";/, ''),
    `export const ARG_VALIDATORS = {\n${table}\n};`,
    '',
  ].join('\n');
}

/** Every generated file, by its path in the repository, as it should read now. */
export async function generatedFiles(): Promise<Record<string, string>> {
  const read = (file: string) => readFileSync(path.join(REPO, file), 'utf8');
  return {
    [PLAYBOOK_SCHEMA]: formatJson(playbookSchema(JSON.parse(read(PLAYBOOK_SCHEMA)))) + '\n',
    [OPERATIONS_DOC]: operationsDoc(read(OPERATIONS_DOC)),
    [ARG_VALIDATORS]: await argValidatorsSource(),
  };
}
