import assert from 'node:assert/strict';
import { evaluate, ExpressionError, checkExpression } from '../../../packages/controller/src/engine/expression.js';

const scope = {
  facts: { os: { family: 'debian', version: 12 }, interfaces: [{ name: 'lo' }, { name: 'eth0' }] },
  master: { nfs: { server: 'ganesha' }, slaves: [] as unknown[] },
  names: ['a', 'b'],
  n: 3,
  flag: false,
};

describe('expression evaluator', () => {
  it('reads dotted paths with indexes', () => {
    assert.equal(evaluate('facts.os.family', scope), 'debian');
    assert.equal(evaluate('facts.interfaces[1].name', scope), 'eth0');
    assert.equal(evaluate('facts.interfaces[-1]["name"]', scope), 'eth0');
    assert.equal(evaluate('facts.nothing.deeper', scope), undefined);
  });

  it('compares values', () => {
    assert.equal(evaluate('facts.os.family == "debian"', scope), true);
    assert.equal(evaluate("facts.os.family != 'debian'", scope), false);
    assert.equal(evaluate('facts.os.version >= 12', scope), true);
    assert.equal(evaluate('n < 2', scope), false);
    assert.equal(evaluate('n > -1', scope), true);
    assert.equal(evaluate('n <= 3.0', scope), true);
  });

  it('combines with and, or, not and parentheses', () => {
    assert.equal(evaluate('not flag and n == 3', scope), true);
    assert.equal(evaluate('flag or n == 4', scope), false);
    assert.equal(evaluate('not (flag or n == 3)', scope), false);
    assert.equal(evaluate('flag and missing.path.x > 1', scope), false, 'and short-circuits');
  });

  it('tests membership with in and not in', () => {
    assert.equal(evaluate('"a" in names', scope), true);
    assert.equal(evaluate('"c" not in names', scope), true);
    assert.equal(evaluate('"os" in facts', scope), true);
    assert.equal(evaluate('"gan" in master.nfs.server', scope), true);
    assert.equal(evaluate('facts.os.family in ["debian", "ubuntu"]', scope), true);
  });

  it('treats a missing value as null', () => {
    assert.equal(evaluate('master.nothing == null', scope), true);
    assert.equal(evaluate('master.nfs != null', scope), true);
    assert.equal(evaluate('names == ["a", "b"]', scope), true);
  });

  it('treats empty lists and objects as false', () => {
    assert.equal(evaluate('not master.slaves', scope), true);
  });

  it('never reaches prototypes', () => {
    assert.equal(evaluate('names.constructor', scope), undefined);
    assert.equal(evaluate('facts["__proto__"]', scope), undefined);
  });

  it('rejects malformed expressions with the column', () => {
    assert.throws(() => checkExpression('n == '), (e: unknown) => e instanceof ExpressionError && /unexpected end/.test(e.message));
    assert.throws(() => checkExpression('n === 3'), /column 5/);
    assert.throws(() => checkExpression('a; b'), /unexpected character ";"/);
    assert.throws(() => checkExpression('"open'), /unterminated string/);
    assert.throws(() => evaluate('names < 3', scope), /cannot compare/);
  });
});
