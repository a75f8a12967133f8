import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ARG_VALIDATORS } from '../../packages/agent/src/arg-validators.generated.js';
import { AGENT_ARG_DEFINITIONS } from '../../packages/agent/src/ops/arg-types.js';
import { AGENT_OPERATIONS, OPERATIONS as AGENT_BY_NAME } from '../../packages/agent/src/ops/index.js';
import { CONTROLLER_OPERATIONS } from '../../packages/controller/src/operations/index.js';
import { OPERATIONS as PLAYBOOK_OPERATIONS } from '../../packages/controller/src/playbook/operations.js';
import { DECLARATIONS, generatedFiles, OPERATIONS_DOC, PLAYBOOK_SCHEMA, playbookArgsSchema, REPO } from '../../scripts/operations.js';

const schema = JSON.parse(readFileSync(path.join(REPO, PLAYBOOK_SCHEMA), 'utf8'));
const taskProperties: Record<string, unknown> = schema.definitions.task.properties;

/** Every "#/definitions/NAME" a schema refers to. */
function refs(value: unknown, found = new Set<string>()): Set<string> {
  if (Array.isArray(value)) value.forEach((v) => refs(v, found));
  else if (typeof value === 'object' && value !== null) {
    for (const [key, v] of Object.entries(value)) {
      if (key === '$ref' && typeof v === 'string') found.add(v.replace('#/definitions/', ''));
      else refs(v, found);
    }
  }
  return found;
}

describe('operations: one declaration each, and every side agrees with it', () => {
  it('the committed schema, docs table and agent checks are what `npm run build` makes from the declarations', async () => {
    for (const [file, text] of Object.entries(await generatedFiles())) {
      assert.equal(readFileSync(path.join(REPO, file), 'utf8'), text, `${file} is stale: run npm run build (or npm run generate)`);
    }
  });

  it('every operation a playbook may name has exactly one implementation, in the agent or the controller', () => {
    const names = DECLARATIONS.map((op) => op.name);
    assert.deepEqual(names.filter((n, i) => names.indexOf(n) !== i), [], 'declared twice');
    assert.deepEqual(new Set(PLAYBOOK_OPERATIONS), new Set(DECLARATIONS.filter((op) => op.playbook).map((op) => op.name)));
    for (const op of AGENT_OPERATIONS) assert.equal(op.side, 'agent', op.name);
    for (const op of CONTROLLER_OPERATIONS) assert.equal(op.side, 'controller', op.name);
    assert.deepEqual(Object.keys(AGENT_BY_NAME), AGENT_OPERATIONS.map((op) => op.name));
  });

  it("the playbook schema holds each operation's declared argument schema, unchanged", () => {
    for (const op of DECLARATIONS.filter((o) => o.playbook)) assert.deepEqual(taskProperties[op.name], playbookArgsSchema(op), op.name);
    // internal operations stay out of playbooks
    for (const op of DECLARATIONS.filter((o) => !o.playbook)) assert.equal(taskProperties[op.name], undefined, op.name);
  });

  it('the agent checks the arguments of each of its operations, with every shared type defined for it', () => {
    assert.deepEqual(Object.keys(ARG_VALIDATORS).sort(), AGENT_OPERATIONS.map((op) => op.name).sort());
    for (const op of DECLARATIONS) {
      for (const ref of refs(op.args)) {
        assert.ok(schema.definitions[ref], `${op.name}: #/definitions/${ref} is not in ${PLAYBOOK_SCHEMA}`);
        if (op.side === 'agent') assert.ok(ref in AGENT_ARG_DEFINITIONS, `${op.name}: #/definitions/${ref} has no meaning in the agent (ops/arg-types.ts)`);
      }
    }
  });

  it('every operation is described and documented', () => {
    const doc = readFileSync(path.join(REPO, OPERATIONS_DOC), 'utf8');
    for (const op of DECLARATIONS) {
      assert.match(op.description, /^\S.*\.$/, `${op.name}: a one-line description ending with a full stop`);
      assert.ok(doc.includes(`| \`${op.name}\` |`), `${op.name} has no row in ${OPERATIONS_DOC}`);
    }
  });

  it('the agent refuses an argument of the wrong kind, naming it, and ignores one it does not know', () => {
    const validate = ARG_VALIDATORS.package as ((args: unknown) => boolean) & { errors?: unknown[] };
    assert.equal(validate({ name: 'rsync', backend: 'apt' }), true, 'package.backend is an argument');
    assert.deepEqual(Object.keys((taskProperties.package as { properties: object }).properties), ['name', 'state', 'backend']);
    assert.deepEqual(Object.keys((taskProperties.facts as { properties: object }).properties), ['kernelOptions', 'disklessPath']);
    assert.equal(validate({ name: 'rsync', backend: 'yum' }), false);
    const args: Record<string, unknown> = { name: 'rsync', extra: 1 };
    assert.equal(validate(args), true);
    assert.deepEqual(args, { name: 'rsync' });
  });
});
