// A JSON file parsed with positions kept, so that any problem found later (by the
// schema or by a semantic check) can be reported at file:line:column.
import { readFile } from 'node:fs/promises';
import * as jsonc from 'jsonc-parser';
import { InputError, InputErrors } from '../errors.js';
import { pointerToSegments } from './pointer.js';

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

/** Reads and parses a JSON file; a missing file or malformed JSON is an InputError. */
export async function readJsonDocument(file: string, what = 'file'): Promise<JsonDocument> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'not found' : code === 'EISDIR' ? 'is a directory' : 'cannot be read';
    throw new InputError(`${what} ${reason}`, { file });
  }
  return parseJsonDocument(file, text);
}

/** Parses JSON text (no comments, no trailing commas); every syntax error is reported. */
export function parseJsonDocument(file: string, text: string): JsonDocument {
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
  // JSON.parse for the value: plain objects (jsonc-parser's have no prototype).
  return { file, text, value: JSON.parse(text) as unknown, root };
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
