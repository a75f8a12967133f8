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
import type { Inventory, Play, Task } from '../types.js';
import { playTargets } from '../engine/host-selection.js';
import { DEFAULT_RUN_FLAGS } from '../context/host-context.js';
import { closestName } from './closest-name.js';

/** A problem found in a template's syntax tree, at its line and column (1-based) in the template. */
interface TreeProblem {
  message: string;
  line?: number;
  column?: number;
}

/**
 * The template problems of the plays. With `inventory` (and only when `plays` are all
 * the run's plays: no playbook file or import was left unread), a variable read where
 * a run would fail on it undefined is reported too (see variableProblems).
 */
export async function templateErrors(plays: Play[], documents?: Map<string, JsonDocument>, inventory?: Inventory): Promise<InputError[]> {
  const documentOf = documentReader(documents, 'playbook file');
  const helpers = templateHelperNames();
  const files = new TemplateFiles(helpers);
  const run = inventory ? namesOfRun(plays, inventory, documents) : undefined;
  const errors: InputError[] = [];
  for (const play of plays) {
    for (const task of [...play.tasks, ...play.handlers]) {
      const known = run && inventory && taskNames(run, inventory, play, task);
      for (const { pointer, text } of templatedStrings(task)) {
        const problem = valueProblem(text, helpers, { file: play.file, pointer }, known);
        if (problem) errors.push(errorAt(await documentOf(play.file), pointer, problem));
      }
      const src = task.op === 'template' ? task.args.src : undefined;
      if (typeof src === 'string' && !src.includes('{{')) {
        const path = resolve(play.dir, src);
        errors.push(...(await files.check(path)));
        if (known) errors.push(...files.variables(path, known));
      }
    }
  }
  return errors;
}

/**
 * Every name a template can read at its top level somewhere in the run: the built-in
 * master, inventory and facts, the inventory's and every master's vars, and every
 * name a set_fact or register of any play gives (they last from play to play), read
 * from the playbook documents themselves so that plays with problems count too.
 */
function namesOfRun(plays: Play[], inventory: Inventory, documents?: Map<string, JsonDocument>): { names: Set<string>; setByTasks: Set<string> } {
  const names = new Set<string>();
  for (const play of plays) {
    for (const task of [...play.tasks, ...play.handlers]) {
      if (task.register) names.add(task.register);
      if (task.op === 'set_fact') for (const name of Object.keys(task.args)) names.add(name);
    }
  }
  const walk = (value: unknown) => {
    if (Array.isArray(value)) value.forEach(walk);
    else if (value !== null && typeof value === 'object') {
      const object = value as Record<string, unknown>;
      if (typeof object.register === 'string') names.add(object.register);
      const setFact = object.set_fact;
      if (setFact !== null && typeof setFact === 'object' && !Array.isArray(setFact)) for (const name of Object.keys(setFact)) names.add(name);
      Object.values(object).forEach(walk);
    }
  };
  for (const doc of documents?.values() ?? []) walk(doc.value);
  const setByTasks = new Set(names);
  for (const name of ['master', 'inventory', 'facts', 'run', ...Object.keys(inventory.vars)]) names.add(name);
  for (const master of inventory.masters) for (const name of Object.keys(master.vars)) names.add(name);
  return { names, setByTasks };
}

/** What one task's templates can read at their top level: names, and the values of some of them. */
interface TaskNames {
  names: Set<string>;
  /**
   * The value a name has on each master the task may run on, where the inventory and
   * the play alone give it (master, inventory, their vars); undefined for the others
   * (facts, item, what set_fact and register give), known only to a run.
   */
  values(head: string): unknown[] | undefined;
  /** Paths the task's `when` reads: a task that runs only when `x.y` is set may read `x.y.z`. */
  guards: string[][];
}

/**
 * The names one task's templates can read: the run's, the play's vars, `item` in a
 * loop, and any name its `when` mentions.
 */
function taskNames(run: { names: Set<string>; setByTasks: Set<string> }, inventory: Inventory, play: Play, task: Task): TaskNames {
  const names = new Set([...run.names, ...Object.keys(play.vars)]);
  if (task.loop !== undefined) names.add('item');
  const guards = (task.when?.match(/[A-Za-z_$][\w$-]*(\.[A-Za-z_$0-9][\w$-]*)*/g) ?? []).map((path) => path.split('.'));
  for (const [word] of guards) names.add(word!);
  const masters = inventory.masters.filter((master) => playTargets(play, master));
  const values = (head: string): unknown[] | undefined => {
    if (head === 'master') return masters;
    if (head === 'inventory') return [{ vars: inventory.vars }];
    if (head === 'run') return [DEFAULT_RUN_FLAGS];
    if (run.setByTasks.has(head) || head === 'item' || head === 'facts') return undefined;
    if (Object.hasOwn(play.vars, head)) return [play.vars[head]];
    return masters.map((master) => master.vars[head]);
  };
  return { names, values, guards };
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
function valueProblem(text: string, helpers: Set<string>, where: { file: string; pointer: string }, known?: TaskNames): string | undefined {
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
  // A lone {{expression}} is compiled as a call of diskless's own helper, which fails
  // on an undefined value as a {{variable}} in text does.
  const [problem] = [...treeProblems(ast, helpers), ...(known ? variableProblems(ast, known, helpers, compiled !== text) : [])];
  if (!problem) return undefined;
  const line = problem.line && text.includes('\n') ? ` (line ${problem.line} of the string)` : '';
  return `${problem.message}${line}`;
}

/** Template files and the partials they include, each read and compiled once. */
class TemplateFiles {
  private readonly checked = new Set<string>();
  private readonly trees = new Map<string, hbs.AST.Program>();
  private readonly reported = new Set<string>();

  constructor(private readonly helpers: Set<string>) {}

  /** Undefined variables of a template file (checked already) for one task's names, each place reported once. */
  variables(path: string, known: TaskNames): InputError[] {
    const ast = this.trees.get(path);
    if (!ast) return [];
    return variableProblems(ast, known, this.helpers, false)
      .filter((p) => {
        const at = `${path}:${p.line}:${p.column}`;
        if (this.reported.has(at)) return false;
        this.reported.add(at);
        return true;
      })
      .map((p) => new InputError(p.message, { file: path, line: p.line, column: p.column }));
  }

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
    this.trees.set(path, ast);
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

/**
 * Variables a template reads at its top level that no part of the run defines, where
 * a run would fail on them (Handlebars' strict mode): a {{name}} or {{name.part}} in
 * the text, and a name.part (not a bare name) given to a helper or a block such as
 * {{#if}}; and in the text, a part that the value of master, inventory or a variable
 * of the inventory or the play lacks on every master the play runs on
 * ({{master.nmae}}). Only the top level is looked at, and what only it reaches:
 * {{#if}} and {{#unless}} blocks, where what their condition reads counts as defined
 * (the block may be there for an optional value), and blocks of diskless's helpers
 * that take no argument. The insides of {{#each}}, {{#with}} and partials read other
 * objects, which only a run knows. `raw`: the template is a lone {{expression}} of a
 * task's string, whose value a run requires.
 */
function variableProblems(ast: hbs.AST.Program, known: TaskNames, helpers: Set<string>, raw: boolean): TreeProblem[] {
  const problems: TreeProblem[] = [];
  const partsOf = (path: hbs.AST.PathExpression) => (path.data ? (path.parts[0] === 'root' ? path.parts.slice(1) : []) : path.parts);
  const report = (path: hbs.AST.PathExpression, name: string, candidates: string[]) => {
    const suggestion = closestName(name.split('.').at(-1)!, candidates);
    const prefix = name.includes('.') ? name.slice(0, name.lastIndexOf('.') + 1) : '';
    problems.push({
      message:
        `undefined variable ${show(name)}${name !== path.original ? ` (in ${show(path.original)})` : ''}: ` +
        (prefix ? `no master the play runs on has it` : 'no variable of the inventory, a master or the play, no set_fact and no register gives it') +
        (suggestion ? ` (did you mean ${show(prefix + suggestion)}?)` : ''),
      ...positionOf(path),
    });
  };
  /** The first part of a path that every master's value lacks, with the names those values have there. */
  const missingPart = (parts: string[], guards: string[][]): { at: number; candidates: Set<string> } | undefined => {
    const values = known.values(parts[0]!);
    if (!values?.length || parts.length < 2) return undefined;
    if (guards.some((guard) => guard.length >= 2 && guard[0] === parts[0] && guard[1] === parts[1])) return undefined;
    let at = Infinity;
    const candidates = new Set<string>();
    for (let value of values) {
      let k = 1;
      for (; k < parts.length; k++) {
        if (value === null || typeof value !== 'object') return undefined; // a run would say more than "undefined"
        if (!Object.hasOwn(value, parts[k]!)) break;
        value = (value as Record<string, unknown>)[parts[k]!];
      }
      if (k === parts.length) return undefined; // this master has it
      if (k < at) candidates.clear();
      if (k <= at) for (const key of Object.keys(value as object)) candidates.add(key);
      at = Math.min(at, k);
    }
    return { at, candidates };
  };
  const check = (node: hbs.AST.Node | undefined, names: Set<string>, guards: string[][], strict: boolean) => {
    if (node?.type === 'SubExpression') {
      const call = node as hbs.AST.SubExpression;
      call.params.forEach((param) => check(param, names, guards, false));
      call.hash?.pairs.forEach((pair) => check(pair.value, names, guards, false));
      return;
    }
    if (node?.type !== 'PathExpression') return;
    const path = node as hbs.AST.PathExpression;
    if (path.depth > 0 || /^this\b/.test(path.original)) return;
    const parts = partsOf(path);
    const head = parts[0];
    if (head === undefined) return;
    if (!names.has(head)) {
      if (strict || parts.length >= 2) report(path, head, [...names]);
      return;
    }
    const missing = strict ? missingPart(parts, guards) : undefined;
    if (missing) report(path, parts.slice(0, missing.at + 1).join('.'), [...missing.candidates]);
  };
  const conditions = (node: unknown, names: Set<string>, guards: string[][]) =>
    walkTree(node, (n) => {
      if (n.type !== 'PathExpression') return;
      const parts = partsOf(n as hbs.AST.PathExpression);
      if (parts[0] === undefined) return;
      names.add(parts[0]);
      guards.push(parts);
    });
  const program = (body: hbs.AST.Program | undefined, names: Set<string>, guards: string[][]) => {
    for (const statement of body?.body ?? []) {
      if (statement.type === 'MustacheStatement') {
        const call = statement as hbs.AST.MustacheStatement;
        const path = call.path as hbs.AST.PathExpression;
        const isCall = call.params.length > 0 || (call.hash?.pairs.length ?? 0) > 0;
        const isHelper = path.type === 'PathExpression' && !path.data && path.parts.length === 1 && helpers.has(path.original);
        if (!isCall && !isHelper) check(call.path, names, guards, true);
        const strictParams = raw && isHelper && path.original.startsWith('__');
        call.params.forEach((param) => check(param, names, guards, strictParams));
        call.hash?.pairs.forEach((pair) => check(pair.value, names, guards, false));
      } else if (statement.type === 'BlockStatement') {
        const block = statement as hbs.AST.BlockStatement;
        const name = (block.path as hbs.AST.PathExpression).original;
        block.params.forEach((param) => check(param, names, guards, false));
        block.hash?.pairs.forEach((pair) => check(pair.value, names, guards, false));
        if (name === 'if' || name === 'unless') {
          const inside = new Set(names);
          const guarded = [...guards];
          conditions(block.params, inside, guarded);
          program(block.program, inside, guarded);
          program(block.inverse, inside, guarded);
        } else if (helpers.has(name) && !['each', 'with'].includes(name) && block.params.length === 0) {
          program(block.program, names, guards);
        }
      }
    }
  };
  program(ast, known.names, known.guards);
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
