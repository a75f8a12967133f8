// Compiles every template a run would compile, before anything runs: the template
// files a task names literally (with the partials they include) and every templated
// string of a task (set_fact values, paths, messages, ...). A syntax error, an unknown
// helper or a missing partial is reported at its file and line now, instead of failing
// a task on every master.
import { readFile, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { InputError } from '../errors.js';
import { decodeUtf8, documentReader, errorAt, type JsonDocument } from '../json/json-document.js';
import { joinPointer } from '../json/pointer.js';
import { show } from '../json/schema-validator.js';
import { compileTemplateSource, templateHelperNames, valueTemplateSource } from '../template/render.js';
import type { Play, Task } from '../types.js';
import { closestName } from './closest-name.js';

/** A problem found in a template's syntax tree, at its line and column (1-based) in the template. */
interface TreeProblem {
  message: string;
  line?: number;
  column?: number;
}

export async function templateErrors(plays: Play[], documents?: Map<string, JsonDocument>): Promise<InputError[]> {
  const documentOf = documentReader(documents, 'playbook file');
  const helpers = templateHelperNames();
  const files = new TemplateFiles(helpers);
  const errors: InputError[] = [];
  for (const play of plays) {
    for (const task of [...play.tasks, ...play.handlers]) {
      for (const { pointer, text } of templatedStrings(task)) {
        const problem = valueProblem(text, helpers, { file: play.file, pointer });
        if (problem) errors.push(errorAt(await documentOf(play.file), pointer, problem));
      }
      const src = task.op === 'template' ? task.args.src : undefined;
      if (typeof src === 'string' && !src.includes('{{')) errors.push(...(await files.check(resolve(play.dir, src))));
    }
  }
  return errors;
}

/** The strings of a task that a run renders as templates, with their pointers. */
function templatedStrings(task: Task): { pointer: string; text: string }[] {
  const found: { pointer: string; text: string }[] = [];
  const walk = (value: unknown, pointer: string) => {
    if (typeof value === 'string') {
      if (value.includes('{{')) found.push({ pointer, text: value });
    } else if (Array.isArray(value)) value.forEach((item, i) => walk(item, joinPointer(pointer, i)));
    else if (value !== null && typeof value === 'object') for (const [key, item] of Object.entries(value)) walk(item, joinPointer(pointer, key));
  };
  if (task.op) walk(task.args, joinPointer(task.pointer, task.op));
  // An expression loop is checked as an expression; a templated one is rendered.
  if (task.loop !== undefined && (typeof task.loop !== 'string' || task.loop.includes('{{'))) walk(task.loop, joinPointer(task.pointer, 'loop'));
  return found;
}

/** What is wrong with a templated string, as a message, or undefined. */
function valueProblem(text: string, helpers: Set<string>, where: { file: string; pointer: string }): string | undefined {
  const compiled = valueTemplateSource(text);
  if (compiled === undefined) return undefined;
  let ast: hbs.AST.Program;
  try {
    ast = compileTemplateSource(compiled, where);
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
    if (compiled === text) return error.message;
    // A lone {{expression}} is compiled inside a helper call of diskless's own: quote
    // the expression as written rather than that call.
    const reason = error.message.replace(/^template syntax error: /, '').replace(/ near ".*"$/, '');
    return `template syntax error in ${text.trim()}: ${reason}`;
  }
  const [problem] = treeProblems(ast, helpers);
  if (!problem) return undefined;
  const line = problem.line && text.includes('\n') ? ` (line ${problem.line} of the string)` : '';
  return `${problem.message}${line}`;
}

/** Template files and the partials they include, each read and compiled once. */
class TemplateFiles {
  private readonly checked = new Set<string>();

  constructor(private readonly helpers: Set<string>) {}

  async check(path: string): Promise<InputError[]> {
    if (this.checked.has(path)) return [];
    this.checked.add(path);
    let bytes: Buffer;
    try {
      bytes = await readFile(path);
    } catch {
      return []; // the playbook loader reports a missing template file at its task
    }
    let ast: hbs.AST.Program;
    try {
      ast = compileTemplateSource(decodeUtf8(path, bytes), { file: path });
    } catch (error) {
      if (error instanceof InputError) return [error];
      throw error;
    }
    const errors = treeProblems(ast, this.helpers).map((p) => new InputError(p.message, { file: path, line: p.line, column: p.column }));
    for (const partial of partialsOf(ast)) {
      const file = join(dirname(path), 'partials', `${partial.name}.hbs`);
      const isFile = await stat(file).then((s) => s.isFile(), () => false);
      if (!isFile) errors.push(new InputError(`partial "${partial.name}" not found (looked for ${file})`, { file: path, line: partial.line, column: partial.column }));
      else errors.push(...(await this.check(file)));
    }
    return errors;
  }
}

/**
 * Calls of helpers that do not exist. A simple name with arguments (`{{name arg}}`,
 * `{{#name arg}}`) or in parentheses is a helper call; a run would fail on it.
 */
function treeProblems(ast: hbs.AST.Program, helpers: Set<string>): TreeProblem[] {
  const problems: TreeProblem[] = [];
  walkTree(ast, (node) => {
    const call = node as hbs.AST.MustacheStatement | hbs.AST.SubExpression;
    if (node.type !== 'MustacheStatement' && node.type !== 'BlockStatement' && node.type !== 'SubExpression') return;
    const path = call.path as hbs.AST.PathExpression;
    if (path.type !== 'PathExpression' || path.data || path.parts.length !== 1 || path.original !== path.parts[0]) return;
    const isCall = node.type === 'SubExpression' || call.params.length > 0 || (call.hash?.pairs.length ?? 0) > 0;
    if (!isCall || helpers.has(path.original)) return;
    const suggestion = closestName(path.original, [...helpers].filter((h) => !h.startsWith('__') && h !== 'helperMissing' && h !== 'blockHelperMissing'));
    problems.push({
      message: `unknown helper ${show(path.original)}${suggestion ? ` (did you mean ${show(suggestion)}?)` : ''}`,
      ...positionOf(node),
    });
  });
  return problems;
}

/** The partials a template includes by name, except those it defines itself ({{#*inline}}). */
function partialsOf(ast: hbs.AST.Program): { name: string; line?: number; column?: number }[] {
  const found: { name: string; line?: number; column?: number }[] = [];
  const inline = new Set<string>();
  walkTree(ast, (node) => {
    if (node.type === 'DecoratorBlock') {
      const block = node as unknown as hbs.AST.BlockStatement;
      const [name] = block.params;
      if ((block.path as hbs.AST.PathExpression).original === 'inline' && name?.type === 'StringLiteral') inline.add((name as hbs.AST.StringLiteral).value);
    }
    if (node.type !== 'PartialStatement' && node.type !== 'PartialBlockStatement') return;
    const name = (node as hbs.AST.PartialStatement).name as hbs.AST.Expression;
    // A partial chosen by an expression, {{> (name)}}, is known only when it runs.
    const named =
      name.type === 'PathExpression' && !(name as hbs.AST.PathExpression).data
        ? (name as hbs.AST.PathExpression).original
        : name.type === 'StringLiteral'
          ? (name as unknown as hbs.AST.StringLiteral).value
          : undefined;
    if (named !== undefined) found.push({ name: named, ...positionOf(node) });
  });
  return found.filter((partial) => !inline.has(partial.name));
}

function positionOf(node: hbs.AST.Node): { line?: number; column?: number } {
  return node.loc ? { line: node.loc.start.line, column: node.loc.start.column + 1 } : {};
}

function walkTree(node: unknown, visit: (node: hbs.AST.Node) => void): void {
  if (node === null || typeof node !== 'object') return;
  if (Array.isArray(node)) {
    for (const item of node) walkTree(item, visit);
    return;
  }
  if (typeof (node as { type?: unknown }).type === 'string') visit(node as hbs.AST.Node);
  for (const [key, value] of Object.entries(node)) if (key !== 'loc') walkTree(value, visit);
}
