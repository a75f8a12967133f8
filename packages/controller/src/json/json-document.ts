// A JSON file parsed with positions kept, so that any problem found later (by the
// schema or by a semantic check) can be reported at file:line:column.
import { isUtf8 } from 'node:buffer';
import { readFile } from 'node:fs/promises';
import * as jsonc from 'jsonc-parser';
import { InputError, InputErrors } from '../errors.js';
import { joinPointer, pointerToSegments } from './pointer.js';

export interface JsonDocument {
  file: string;
  text: string;
  value: unknown;
  root: jsonc.Node;
}

export interface Position {
  line: number; // 1-based
  column: number; // 1-based
}

/**
 * How deep arrays and objects may nest. Inventories and playbooks need about ten
 * levels; the limit keeps every walk over a document (the parser's, the schema's, the
 * renderer's) far from the stack's end.
 */
export const MAX_DEPTH = 100;

/** Reads and parses a JSON file; a missing file, bytes that are not UTF-8 or malformed JSON are an InputError. */
export async function readJsonDocument(file: string, what = 'file'): Promise<JsonDocument> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'not found' : code === 'EISDIR' ? 'is a directory' : 'cannot be read';
    throw new InputError(`${what} ${reason}`, { file });
  }
  return parseJsonDocument(file, decodeUtf8(file, bytes));
}

/**
 * The text of a file that must be UTF-8. Invalid bytes are refused at their line and
 * column rather than silently replaced (a replaced byte in a name or path would make it
 * another name or path); a UTF-8 byte order mark is kept, for the parser to drop.
 */
export function decodeUtf8(file: string, bytes: Uint8Array): string {
  if (isUtf8(bytes)) return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) {
    throw new InputError('the file is UTF-16 (it starts with a UTF-16 byte order mark): save it as UTF-8', { file, line: 1, column: 1 });
  }
  const offset = firstInvalidUtf8(bytes);
  const before = Buffer.from(bytes.buffer, bytes.byteOffset, offset);
  const lineStart = before.lastIndexOf(0x0a) + 1;
  const line = before.subarray(0, lineStart).reduce((n, byte) => n + (byte === 0x0a ? 1 : 0), 1);
  const lineText = before.subarray(lineStart).toString('utf8');
  const column = (lineStart === 0 ? lineText.replace(/^\uFEFF/, '') : lineText).length + 1;
  const byte = bytes[offset]!.toString(16).padStart(2, '0');
  throw new InputError(`invalid UTF-8 (byte 0x${byte}): the file must be UTF-8 text`, { file, line, column });
}

/** The offset of the first byte that does not start or continue a valid UTF-8 sequence. */
function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i]!;
    if (b < 0x80) {
      i++;
      continue;
    }
    // The lead byte gives the length and the range of the second byte (no overlong
    // forms, no surrogates, nothing above U+10FFFF).
    let length: number;
    let low = 0x80;
    let high = 0xbf;
    if (b >= 0xc2 && b <= 0xdf) length = 2;
    else if (b >= 0xe0 && b <= 0xef) {
      length = 3;
      if (b === 0xe0) low = 0xa0;
      if (b === 0xed) high = 0x9f;
    } else if (b >= 0xf0 && b <= 0xf4) {
      length = 4;
      if (b === 0xf0) low = 0x90;
      if (b === 0xf4) high = 0x8f;
    } else return i;
    for (let k = 1; k < length; k++) {
      const c = bytes[i + k];
      if (c === undefined || c < (k === 1 ? low : 0x80) || c > (k === 1 ? high : 0xbf)) return i;
    }
    i += length;
  }
  return bytes.length;
}

/**
 * Parses JSON text (no comments, no trailing commas, no key twice in one object, no
 * number beyond a double's range, no half of a surrogate pair); every syntax error
 * and every such value is reported. A leading byte order mark is ignored, as editors
 * on Windows write one.
 */
export function parseJsonDocument(file: string, text: string): JsonDocument {
  if (text.startsWith('\uFEFF')) text = text.slice(1);
  const tooDeep = depthError(file, text);
  if (tooDeep) throw new InputErrors([tooDeep]);
  const errors: jsonc.ParseError[] = [];
  const root = jsonc.parseTree(text, errors, { disallowComments: true, allowTrailingComma: false });
  if (errors.length > 0 || !root) {
    // One error per position: the parser often reports a cause and its echo at one offset.
    const found = errors.length > 0 ? errors.filter((e, i) => errors.findIndex((f) => f.offset === e.offset) === i) : [{ error: jsonc.ParseErrorCode.ValueExpected, offset: 0, length: 0 }];
    throw new InputErrors(
      found.map((e) => {
        const { line, column } = offsetToPosition(text, e.offset);
        return new InputError(`malformed JSON: ${describeParseError(e.error)}`, { file, line, column });
      }),
    );
  }
  const problems = [...duplicateKeys(file, text, root), ...valueErrors(file, text, root)];
  if (problems.length > 0) throw new InputErrors(problems.sort((a, b) => a.where!.line! - b.where!.line! || a.where!.column! - b.where!.column!));
  // JSON.parse for the value: plain objects (jsonc-parser's have no prototype).
  return { file, text, value: JSON.parse(text) as unknown, root };
}

/** The first bracket nested deeper than MAX_DEPTH, found without recursion. */
function depthError(file: string, text: string): InputError | undefined {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > MAX_DEPTH) {
        return new InputError(`nested more than ${MAX_DEPTH} levels deep (objects and lists inside each other); no inventory or playbook needs that many`, { file, ...offsetToPosition(text, i) });
      }
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return undefined;
}

/**
 * Keys given twice in one object: JSON.parse would keep the last silently (a whole
 * master could vanish). Each is reported at its second place, naming the first.
 */
function duplicateKeys(file: string, text: string, root: jsonc.Node): InputError[] {
  const errors: InputError[] = [];
  const walk = (node: jsonc.Node, pointer: string) => {
    if (node.type === 'array') node.children?.forEach((child, i) => walk(child, joinPointer(pointer, i)));
    if (node.type !== 'object') return;
    const seen = new Map<string, jsonc.Node>();
    for (const property of node.children ?? []) {
      const [keyNode, valueNode] = property.children ?? [];
      if (!keyNode) continue;
      const key = String(keyNode.value);
      const first = seen.get(key);
      if (first) {
        const at = offsetToPosition(text, first.offset);
        errors.push(
          new InputError(`duplicate key ${JSON.stringify(key)}, first at line ${at.line}, column ${at.column}: JSON would keep only the last one; remove or rename one`, {
            file,
            ...offsetToPosition(text, keyNode.offset),
            pointer: joinPointer(pointer, key),
          }),
        );
        continue;
      }
      seen.set(key, keyNode);
      if (valueNode) walk(valueNode, joinPointer(pointer, key));
    }
  };
  walk(root, '');
  return errors;
}

/**
 * Values JSON.parse would change without a word: a number too large for a double
 * (1e400 becomes Infinity, and null in any JSON written from it) and a \\u escape
 * of half a UTF-16 surrogate pair (no character; written out, it becomes U+FFFD).
 */
function valueErrors(file: string, text: string, root: jsonc.Node): InputError[] {
  const errors: InputError[] = [];
  const at = (node: jsonc.Node, pointer: string, message: string) =>
    errors.push(new InputError(message, { file, ...offsetToPosition(text, node.offset), pointer }));
  const walk = (node: jsonc.Node, pointer: string) => {
    if (node.type === 'number' && !Number.isFinite(node.value)) {
      at(node, pointer, `number ${text.slice(node.offset, node.offset + node.length)} is out of range: it would be read as ${node.value > 0 ? '' : '-'}Infinity (the largest number is about 1.8e308)`);
    } else if (node.type === 'string' && typeof node.value === 'string' && LONE_SURROGATE.test(node.value)) {
      at(node, pointer, `${loneSurrogate(node.value)} is half of a UTF-16 surrogate pair, not a character: write the character itself, or both halves of its pair`);
    } else if (node.type === 'array') node.children?.forEach((child, i) => walk(child, joinPointer(pointer, i)));
    else if (node.type === 'object') {
      for (const property of node.children ?? []) {
        const [keyNode, valueNode] = property.children ?? [];
        if (!keyNode) continue;
        const key = String(keyNode.value);
        if (LONE_SURROGATE.test(key)) at(keyNode, pointer, `a key holds ${loneSurrogate(key)}, half of a UTF-16 surrogate pair, not a character: write the character itself, or both halves of its pair`);
        else if (valueNode) walk(valueNode, joinPointer(pointer, key));
      }
    }
  };
  walk(root, '');
  return errors;
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** The first lone surrogate of a string, as the escape that wrote it. */
function loneSurrogate(value: string): string {
  const found = LONE_SURROGATE.exec(value)?.[0] ?? '';
  return `\\u${found.charCodeAt(0).toString(16).padStart(4, '0')}`;
}

/**
 * Where a JSON pointer lives in the document: its value, or with `key` the property
 * name that holds it. A pointer to something absent falls back to its nearest parent.
 */
export function locate(doc: JsonDocument, pointer: string, key = false): Position {
  const segments = pointerToSegments(pointer);
  let node: jsonc.Node | undefined = doc.root;
  for (const segment of segments) {
    const child = childNode(node, segment);
    if (!child) break;
    node = child;
  }
  const at = key && node.parent?.type === 'property' ? node.parent : node;
  return offsetToPosition(doc.text, at.offset);
}

/** An InputError located at a JSON pointer of the document. */
export function errorAt(doc: JsonDocument, pointer: string, message: string, key = false): InputError {
  return new InputError(message, { file: doc.file, ...locate(doc, pointer, key), pointer });
}

function childNode(node: jsonc.Node, segment: string): jsonc.Node | undefined {
  if (node.type === 'object') {
    const property = node.children?.find((p) => p.children?.[0]?.value === segment);
    return property?.children?.[1];
  }
  if (node.type === 'array' && /^(0|[1-9]\d*)$/.test(segment)) return node.children?.[Number(segment)];
  return undefined;
}

export function offsetToPosition(text: string, offset: number): Position {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text[i] === '\n') {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}

const parseErrorText: Record<string, string> = {
  InvalidSymbol: 'unexpected symbol',
  InvalidNumberFormat: 'invalid number',
  PropertyNameExpected: 'property name expected (in double quotes)',
  ValueExpected: 'value expected',
  ColonExpected: '":" expected',
  CommaExpected: '"," expected',
  CloseBraceExpected: '"}" expected',
  CloseBracketExpected: '"]" expected',
  EndOfFileExpected: 'end of file expected',
  InvalidCommentToken: 'comments are not allowed in JSON',
  UnexpectedEndOfComment: 'unterminated comment',
  UnexpectedEndOfString: 'unterminated string',
  UnexpectedEndOfNumber: 'unterminated number',
  InvalidUnicode: 'invalid unicode escape',
  InvalidEscapeCharacter: 'invalid escape character',
  InvalidCharacter: 'invalid character in string',
};

function describeParseError(code: jsonc.ParseErrorCode): string {
  const name = jsonc.printParseErrorCode(code);
  return parseErrorText[name] ?? name;
}

/** Reads each file once: documents already parsed are reused, others are read on first use. */
export function documentReader(known: Map<string, JsonDocument> = new Map(), what = 'file'): (file: string) => Promise<JsonDocument> {
  return async (file) => {
    let doc = known.get(file);
    if (!doc) {
      doc = await readJsonDocument(file, what);
      known.set(file, doc);
    }
    return doc;
  };
}
