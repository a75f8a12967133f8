import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ErrorObject } from 'ajv';
import { compileNow, PRECOMPILED_SCHEMAS, SCHEMAS_DIGEST, type SchemaName, type Validators } from '../../../packages/controller/src/json/schemas.js';
import { fixture } from './input-errors.js';

// `npm run build` writes the validators as code; they must judge every document as the
// schemas compiled at run time do.
const PRECOMPILED = PRECOMPILED_SCHEMAS;

function jsonFixtures(kind: string): unknown[] {
  return readdirSync(fixture(kind))
    .filter((name) => name.endsWith('.json'))
    .flatMap((name) => {
      try {
        const value = JSON.parse(readFileSync(join(fixture(kind), name), 'utf8')) as unknown;
        return Array.isArray(value) ? value : [value];
      } catch {
        return []; // syntax-error fixtures
      }
    });
}

function verdict(validators: Validators, name: SchemaName, value: unknown) {
  const validate = validators[name];
  const ok = validate(value);
  const errors = (validate.errors ?? []).map((e: ErrorObject) => ({
    path: e.instancePath,
    keyword: e.keyword,
    params: e.params,
    expected: (e.parentSchema as { expected?: string } | undefined)?.expected,
  }));
  return { ok, errors };
}

describe('precompiled schema validators', () => {
  it('were built from the current schemas', async () => {
    const mod = (await import(PRECOMPILED)) as { digest: string };
    assert.equal(mod.digest, SCHEMAS_DIGEST, 'dist/json/precompiled-schemas.js is stale: run npm run build');
  });

  it('find the same problems as the schemas compiled at run time', async () => {
    const built = (await import(PRECOMPILED)) as Validators;
    const compiled = await compileNow();
    const cases: [SchemaName, unknown][] = [
      ...jsonFixtures('inventory').map((v): [SchemaName, unknown] => ['inventory', v]),
      ...jsonFixtures('playbooks').flatMap((v): [SchemaName, unknown][] => [['play', v], ['importPlaybook', v]]),
    ];
    const slave = (fields: object) => ({ masters: { m1: { ssh: { host: '10.0.0.1' }, lan: { interface: 'lan0', address: '192.168.1.1', prefix: 24 }, slaves: { s1: { mac: '02:00:00:00:00:01', ip: '192.168.1.2', ...fields } } } } });
    cases.push(
      ['inventory', {}],
      ['inventory', slave({ mac: '00:02:A5:04:3B' })],
      ['inventory', slave({ ip: '192.168.1.300' })],
      ['inventory', slave({ boot: 'floppy', colour: 'red' })],
      ['inventory', { masters: { m1: { ssh: { host: '10.0.0.1', port: 'twenty-two' } } } }],
      ['play', { name: 'p', hosts: 'masters', tasks: 'none', handlers: [{}] }],
      ['play', { name: 'p', tasks: [{ name: 't', file: { path: 'relative' }, when: 3 }] }],
    );
    let invalid = 0;
    for (const [name, value] of cases) {
      const expected = verdict(compiled, name, value);
      assert.deepEqual(verdict(built, name, value), expected, `${name}: ${JSON.stringify(value).slice(0, 80)}`);
      if (!expected.ok) invalid++;
    }
    assert.ok(invalid >= 5, `the fixtures hold only ${invalid} invalid documents`);
  });
});
