import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InputError, InputErrors } from '../../../packages/controller/src/errors.js';
import { decodeUtf8, locate, MAX_DEPTH, parseJsonDocument, readJsonDocument } from '../../../packages/controller/src/json/json-document.js';
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

  describe('refusals a plain JSON.parse would let through', () => {
    /** [line, column, pointer, message] of each error `parse` throws. */
    const problems = (parse: () => unknown) => {
      try {
        parse();
      } catch (error) {
        const errors = error instanceof InputErrors ? error.errors : error instanceof InputError ? [error] : assert.fail(String(error));
        return errors.map((e) => [e.where?.line, e.where?.column, e.where?.pointer, e.message]);
      }
      return assert.fail('parsed');
    };

    it('refuses a key given twice in one object, at the second, naming the first', () => {
      const text = '{\n  "masters": {\n    "m1": {"a": 1},\n    "m2": {},\n    "m1": {"a": 2, "b": [{"x": 1, "x": 2}]}\n  }\n}\n';
      assert.deepEqual(problems(() => parseJsonDocument('x.json', text)), [
        [5, 5, '/masters/m1', 'duplicate key "m1", first at line 3, column 5: JSON would keep only the last one; remove or rename one'],
      ]);
      assert.deepEqual(problems(() => parseJsonDocument('x.json', '[{"x": 1, "x": 2}, {"y~/": 1, "y~/": 1}]')), [
        [1, 11, '/0/x', 'duplicate key "x", first at line 1, column 3: JSON would keep only the last one; remove or rename one'],
        [1, 31, '/1/y~0~1', 'duplicate key "y~/", first at line 1, column 21: JSON would keep only the last one; remove or rename one'],
      ]);
    });

    it('keeps equal keys in different objects', () => {
      assert.deepEqual(parseJsonDocument('x.json', '{"a": {"x": 1}, "b": {"x": 2}}').value, { a: { x: 1 }, b: { x: 2 } });
    });

    it('ignores a UTF-8 byte order mark, positions counted after it', () => {
      const doc = parseJsonDocument('x.json', '\uFEFF{"a": [1]}');
      assert.deepEqual(doc.value, { a: [1] });
      assert.deepEqual(locate(doc, '/a/0'), { line: 1, column: 8 });
      assert.deepEqual(problems(() => parseJsonDocument('x.json', '\uFEFF{"a" 1}')), [[1, 6, undefined, 'malformed JSON: ":" expected']]);
    });

    it('refuses nesting deeper than the limit at the bracket that goes too deep, without a stack overflow', () => {
      const deep = (n: number) => '['.repeat(n) + ']'.repeat(n);
      assert.ok(parseJsonDocument('x.json', deep(MAX_DEPTH)));
      const [[line, column, , message]] = problems(() => parseJsonDocument('x.json', `{"a":\n${deep(100_000)}}`)) as [[number, number, string, string]];
      assert.deepEqual([line, column], [2, MAX_DEPTH]);
      assert.match(message, /nested more than 100 levels deep/);
      // Brackets inside strings do not count.
      assert.ok(parseJsonDocument('x.json', JSON.stringify({ a: '['.repeat(1000) + '\\"{' })));
    });

    it('refuses bytes that are not UTF-8 at their line and column, instead of replacing them', () => {
      const bytes = (...parts: Array<string | number[]>) => Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p) : Buffer.from(p))));
      const at = (buffer: Buffer) => problems(() => decodeUtf8('x.json', buffer));
      assert.deepEqual(at(bytes('{\n  "é": "', [0xff], '"}')), [[2, 9, undefined, 'invalid UTF-8 (byte 0xff): the file must be UTF-8 text']]);
      assert.deepEqual(at(bytes('{"a": "', [0xc3], '"}')), [[1, 8, undefined, 'invalid UTF-8 (byte 0xc3): the file must be UTF-8 text']]);
      assert.deepEqual(at(bytes([0xed, 0xa0, 0x80])), [[1, 1, undefined, 'invalid UTF-8 (byte 0xed): the file must be UTF-8 text']], 'a surrogate');
      assert.deepEqual(at(bytes([0xc0, 0xaf])), [[1, 1, undefined, 'invalid UTF-8 (byte 0xc0): the file must be UTF-8 text']], 'an overlong form');
      assert.deepEqual(at(bytes([0xef, 0xbb, 0xbf], 'x', [0x80])), [[1, 2, undefined, 'invalid UTF-8 (byte 0x80): the file must be UTF-8 text']], 'after a BOM');
      assert.match(String(at(bytes([0xff, 0xfe], '{'))[0]), /UTF-16/);
      assert.equal(decodeUtf8('x.json', bytes('\u00e9\u{1F600}')), 'é😀');
    });

    it('reads a file with a BOM and refuses one with bad bytes, naming the file', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'dl-json-'));
      try {
        writeFileSync(join(dir, 'bom.json'), Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{"a": 1}')]));
        assert.deepEqual((await readJsonDocument(join(dir, 'bom.json'))).value, { a: 1 });
        writeFileSync(join(dir, 'bad.json'), Buffer.from([0x7b, 0x22, 0xfe, 0x22, 0x3a, 0x31, 0x7d]));
        await assert.rejects(readJsonDocument(join(dir, 'bad.json')), (e: unknown) => e instanceof InputError && e.toString() === `${join(dir, 'bad.json')}:1:3: invalid UTF-8 (byte 0xfe): the file must be UTF-8 text`);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
});
