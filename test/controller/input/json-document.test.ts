import assert from 'node:assert/strict';
import { InputErrors } from '../../../packages/controller/src/errors.js';
import { locate, parseJsonDocument } from '../../../packages/controller/src/json/json-document.js';
import { joinPointer, pointerToSegments } from '../../../packages/controller/src/json/pointer.js';

const text = '{\n  "a": {\n    "b/c": [10, {"d~e": true}]\n  }\n}\n';

describe('JSON documents', () => {
  it('locates a pointer at its value, or at its property name', () => {
    const doc = parseJsonDocument('x.json', text);
    assert.deepEqual(locate(doc, '/a/b~1c/1/d~0e'), { line: 3, column: 25 });
    assert.deepEqual(locate(doc, '/a/b~1c/1/d~0e', true), { line: 3, column: 18 });
    assert.deepEqual(locate(doc, '/a/b~1c/0'), { line: 3, column: 13 });
    assert.deepEqual(locate(doc, ''), { line: 1, column: 1 });
  });

  it('falls back to the nearest parent of something absent', () => {
    const doc = parseJsonDocument('x.json', text);
    assert.deepEqual(locate(doc, '/a/missing/deeper'), locate(doc, '/a'));
  });

  it('gives plain objects as the value', () => {
    const doc = parseJsonDocument('x.json', text);
    assert.equal(Object.getPrototypeOf((doc.value as { a: object }).a), Object.prototype);
  });

  it('reports every syntax error with line and column, comments included', () => {
    try {
      parseJsonDocument('x.json', '{\n  // no comments\n  "a": 1,\n}');
      assert.fail('parsed');
    } catch (error) {
      assert.ok(error instanceof InputErrors);
      assert.deepEqual(
        error.errors.map((e) => [e.where?.line, e.where?.column, e.message]),
        [
          [2, 3, 'malformed JSON: comments are not allowed in JSON'],
          [4, 1, 'malformed JSON: property name expected (in double quotes)'],
        ],
      );
    }
  });

  it('refuses an empty file', () => {
    assert.throws(() => parseJsonDocument('x.json', ''), (e: unknown) => e instanceof InputErrors && /value expected/.test(e.message));
  });

  it('escapes and unescapes pointer segments', () => {
    assert.equal(joinPointer('/masters', 'a/b', 'x~y', 3), '/masters/a~1b/x~0y/3');
    assert.deepEqual(pointerToSegments('/masters/a~1b/x~0y/3'), ['masters', 'a/b', 'x~y', '3']);
    assert.deepEqual(pointerToSegments(''), []);
  });
});
