// Renders Handlebars templates and templated task arguments on the controller, strictly:
// an undefined variable is an error naming the template file, the line and the variable.
import { readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import Handlebars from 'handlebars';
import { InputError } from '../errors.js';
import { joinPointer } from '../json/pointer.js';
import { registerHelpers } from './helpers.js';

/** Where a template comes from, for messages: a template file, or a string in a JSON file. */
export interface TemplateSource {
  file: string;
  pointer?: string;
  line?: number;
  column?: number;
}

export interface Renderer {
  renderFile(file: string, context: object): string;
  renderString(text: string, context: object, where: TemplateSource): string;
  /** Renders every string inside a value; a string that is exactly one {{expression}} yields its raw value. */
  renderValue(value: unknown, context: object, where: TemplateSource): unknown;
}

type Compiled = { run(context: object, data?: object): string; source: string; ast: hbs.AST.Program };

const COMPILE_OPTIONS = { noEscape: true, strict: true } as const;
/** "{{expr}}" and nothing else; blocks, comments, partials and {{{ }}} are rendered as text. */
const SINGLE_EXPRESSION = /^\{\{\s*([^{}#/^!>&~\s][^{}]*?)\s*\}\}$/;
const SIMPLE_PATH = /^(@?[A-Za-z_][\w-]*|this)([./][\w-]+|\.\[[^\]]*\])*$/;
const RAW_HELPER = '__diskless_raw';

export function createRenderer(): Renderer {
  const handlebars = Handlebars.create();
  registerHelpers(handlebars);
  handlebars.registerHelper(RAW_HELPER, (value: unknown, options: Handlebars.HelperOptions) => {
    (options.data as { rawSink: { value: unknown } }).rawSink.value = value;
    return '';
  });
  const files = new Map<string, Compiled>();
  const strings = new Map<string, Compiled>();
  const partialDirs = new Set<string>();

  // A template may include `{{> name}}` from partials/name.hbs beside it: one text
  // shared by several file formats (a kernel command line in PXELINUX and GRUB files).
  const registerPartials = (templateDir: string) => {
    const dir = join(templateDir, 'partials');
    if (partialDirs.has(dir)) return;
    partialDirs.add(dir);
    let names: string[];
    try {
      names = readdirSync(dir).filter((f) => f.endsWith('.hbs'));
    } catch {
      return;
    }
    for (const name of names) {
      const source = readFileSync(join(dir, name), 'utf8').replace(/\n$/, '');
      handlebars.registerPartial(basename(name, '.hbs'), handlebars.compile(source, COMPILE_OPTIONS));
    }
  };

  const compile = (source: string, where: TemplateSource): Compiled => {
    let ast: hbs.AST.Program;
    try {
      ast = handlebars.parse(source);
    } catch (error) {
      throw syntaxError(error, where);
    }
    const template = handlebars.compile(ast, COMPILE_OPTIONS);
    return { run: (context, data) => template(context, data ? { data } : undefined), source, ast };
  };

  const run = (compiled: Compiled, context: object, where: TemplateSource, data?: object): string => {
    try {
      return compiled.run(context, data);
    } catch (error) {
      throw renderError(error, compiled, where);
    }
  };

  const renderString = (text: string, context: object, where: TemplateSource): string => {
    if (!text.includes('{{')) return text;
    let compiled = strings.get(text);
    if (!compiled) {
      compiled = compile(text, where);
      strings.set(text, compiled);
    }
    return run(compiled, context, where);
  };

  const renderRaw = (expression: string, context: object, where: TemplateSource): unknown => {
    const key = `\0raw:${expression}`;
    let compiled = strings.get(key);
    if (!compiled) {
      compiled = compile(rawSource(expression), where);
      compiled.source = `{{${expression}}}`;
      strings.set(key, compiled);
    }
    const sink: { value: unknown } = { value: undefined };
    run(compiled, context, where, { rawSink: sink });
    if (sink.value === undefined && SIMPLE_PATH.test(expression)) {
      throw new InputError(`undefined variable "${expression}"`, where);
    }
    return sink.value;
  };

  const renderValue = (value: unknown, context: object, where: TemplateSource): unknown => {
    if (typeof value === 'string') {
      const single = SINGLE_EXPRESSION.exec(value);
      return single ? renderRaw(single[1]!, context, where) : renderString(value, context, where);
    }
    const at = (key: string | number): TemplateSource => ({ ...where, pointer: joinPointer(where.pointer ?? '', key) });
    if (Array.isArray(value)) return value.map((item, i) => renderValue(item, context, at(i)));
    if (value !== null && typeof value === 'object') {
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, renderValue(v, context, at(k))]));
    }
    return value;
  };

  const renderFile = (file: string, context: object): string => {
    const path = resolve(file);
    let compiled = files.get(path);
    if (!compiled) {
      let source: string;
      try {
        source = readFileSync(path, 'utf8');
      } catch {
        throw new InputError('template file not found or unreadable', { file: path });
      }
      registerPartials(dirname(path));
      compiled = compile(source, { file: path });
      files.set(path, compiled);
    }
    return run(compiled, context, { file: path });
  };

  return { renderFile, renderString, renderValue };
}

/** The template a lone {{expression}} is compiled to: one that hands back its raw value. */
function rawSource(expression: string): string {
  return `{{${RAW_HELPER} ${SIMPLE_PATH.test(expression) ? expression : `(${expression})`}}}`;
}

/**
 * The template text a string value of a task is compiled from when it is rendered
 * (renderValue), or undefined when it is no template.
 */
export function valueTemplateSource(text: string): string | undefined {
  const single = SINGLE_EXPRESSION.exec(text);
  if (single) return rawSource(single[1]!);
  return text.includes('{{') ? text : undefined;
}

/** The helpers a template may call: Handlebars' own and diskless's. */
export function templateHelperNames(): Set<string> {
  const handlebars = Handlebars.create();
  registerHelpers(handlebars);
  return new Set([...Object.keys(handlebars.helpers), RAW_HELPER]);
}

/**
 * Parses and compiles a template without running it, as a run would compile it: the
 * syntax error a run would meet is thrown now, as an InputError at `where`.
 */
export function compileTemplateSource(source: string, where: TemplateSource): hbs.AST.Program {
  let ast: hbs.AST.Program;
  try {
    ast = Handlebars.parse(source);
    Handlebars.precompile(ast, COMPILE_OPTIONS);
  } catch (error) {
    throw syntaxError(error, where);
  }
  return ast;
}

function syntaxError(error: unknown, where: TemplateSource): InputError {
  const message = error instanceof Error ? error.message : String(error);
  // Parse errors say "on line N" in the text; others (a block closed by another name) carry it.
  const e = error as { lineNumber?: number; column?: number };
  const line = /on line (\d+)/.exec(message)?.[1] ?? e.lineNumber;
  const column = typeof e.lineNumber === 'number' && typeof e.column === 'number' ? e.column + 1 : undefined;
  const at = line && !where.pointer ? { ...where, line: Number(line), ...(column ? { column } : {}) } : where;
  return new InputError(`template syntax error: ${describeSyntaxError(message)}`, at);
}

/** What a Handlebars token is, as a user wrote it. */
const TOKEN_TEXT: Record<string, string> = {
  CLOSE: '"}}"',
  CLOSE_UNESCAPED: '"}}}"',
  CLOSE_SEXPR: '")"',
  OPEN_SEXPR: '"("',
  OPEN: '"{{"',
  OPEN_BLOCK: '"{{#"',
  OPEN_ENDBLOCK: '"{{/"',
  EOF: 'end of the text',
  INVALID: 'character',
  ID: 'a name',
};

/**
 * Handlebars' parse errors on one line: "Parse error on line 1:\n<excerpt>\n---^\n
 * Expecting 'ID', ..., got 'EOF'" becomes what was found, what was expected and where.
 */
function describeSyntaxError(message: string): string {
  const lines = message.split('\n');
  const expecting = lines.find((l) => l.startsWith('Expecting '));
  const excerpt = /^(Parse|Lexical) error on line/.test(lines[0] ?? '') && lines[1] !== undefined ? ` near ${JSON.stringify(lines[1].trim())}` : '';
  if (!expecting) {
    if (lines[0]?.startsWith('Lexical error')) return `unrecognized text${excerpt}`;
    const first = lines[0]!.replace(/ - \d+:\d+$/, '');
    const mismatch = /^(\S+) doesn't match (\S+)$/.exec(first);
    return mismatch ? `{{/${mismatch[2]}}} closes {{#${mismatch[1]}}}: close it with {{/${mismatch[1]}}}` : first;
  }
  const expected = [...expecting.matchAll(/'([A-Z_]+)'/g)].map((m) => m[1]!);
  const got = /got '([A-Z_]+)'/.exec(expecting)?.[1] ?? 'INVALID';
  const found = TOKEN_TEXT[got] ?? got.toLowerCase();
  const wanted = expected.includes('OPEN_ENDBLOCK') && got === 'EOF'
    ? 'a block opened with {{#...}} is not closed with {{/...}}'
    : expected.includes('CLOSE')
      ? 'expected "}}"'
      : got === 'OPEN_SEXPR'
        ? 'a (helper call) must follow a helper name or stand inside {{helper ...}}'
        : expected.includes('ID')
          ? 'expected a name or a value'
          : `expected ${expected.map((t) => TOKEN_TEXT[t] ?? t.toLowerCase()).join(', ')}`;
  return `unexpected ${found}: ${wanted}${excerpt}`;
}

/** Turns a Handlebars runtime error into one that names the variable and its line. */
function renderError(error: unknown, compiled: Compiled, where: TemplateSource): InputError {
  const e = error as { message?: string; lineNumber?: number; column?: number };
  const inFile = !where.pointer;
  if (typeof e.lineNumber === 'number' && /not defined in/.test(e.message ?? '')) {
    const { name, isCall } = expressionAt(compiled.source, e.lineNumber, e.column ?? 0);
    const message = isCall ? `unknown helper "${name}"` : `undefined variable "${name}"`;
    return new InputError(message, inFile ? { ...where, line: e.lineNumber, column: (e.column ?? 0) + 1 } : where);
  }
  const reading = /Cannot read properties of (?:undefined|null) \(reading '([^']*)'\)/.exec(e.message ?? '');
  if (reading) {
    // "a.b.c" with no "a": the lookup of "b" fails, and "a" is what is undefined.
    const path = findPath(compiled.ast, reading[1]!);
    const missing = path ? path.parts.slice(0, path.parts.indexOf(reading[1]!)).join('.') : undefined;
    const message = path ? `undefined variable "${missing}" (in "${path.original}")` : `undefined variable before ".${reading[1]}"`;
    const line = path?.loc?.start.line;
    return new InputError(message, inFile && line ? { ...where, line, column: (path?.loc?.start.column ?? 0) + 1 } : where);
  }
  return new InputError(`template failed: ${e.message ?? String(error)}`, where);
}

function expressionAt(source: string, line: number, column: number): { name: string; isCall: boolean } {
  const text = (source.split('\n')[line - 1] ?? '').slice(column);
  const match = /^([^\s}()]+)\s*(.?)/.exec(text);
  return { name: match?.[1] ?? '?', isCall: !!match && match[2] !== '' && match[2] !== '}' && match[2] !== ')' && match[2] !== '~' };
}

/** The first path expression that reads `part` from something, e.g. "a.b" for part "b". */
function findPath(node: unknown, part: string): hbs.AST.PathExpression | undefined {
  if (node === null || typeof node !== 'object') return undefined;
  const candidate = node as hbs.AST.PathExpression;
  if (candidate.type === 'PathExpression' && candidate.parts.indexOf(part) > 0) return candidate;
  for (const value of Object.values(node)) {
    const found = findPath(value, part);
    if (found) return found;
  }
  return undefined;
}
