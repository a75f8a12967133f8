// Reads playbook files into plays: follows import_playbook items, validates each play
// against the schema, then checks what the schema cannot (one operation per task,
// notify targets, handler names, template files). All problems are reported at once.
import { stat } from 'node:fs/promises';
import { dirname, relative, resolve } from 'node:path';
import { InputError, InputErrors } from '../errors.js';
import { errorAt, readJsonDocument, type JsonDocument } from '../json/json-document.js';
import { joinPointer } from '../json/pointer.js';
import { show, validateDocument } from '../json/schema-validator.js';
import { schemaValidators, type Validators } from '../json/schemas.js';
import type { Play, Task } from '../types.js';
import { closestName } from './closest-name.js';
import { OPERATIONS, TASK_KEYWORDS, isOperation } from './operations.js';

type RawTask = Record<string, unknown>;
interface RawPlay {
  name: string;
  hosts?: string;
  vars?: Record<string, unknown>;
  tags?: string | string[];
  gather_facts?: boolean;
  tasks: RawTask[];
  handlers?: RawTask[];
}

/** What reading playbooks found: the plays that are valid, the problems, the documents read. */
export interface ReadPlaybooks {
  plays: Play[];
  errors: InputError[];
  documents: Map<string, JsonDocument>;
  /**
   * The plays that have problems, cut down to the parts that have none (see
   * soundPart), for the checks that come after the schema's to look at too: one
   * `validate` then reports a bad `when` beside an unknown operation. Never run.
   */
  partial: Play[];
  /** Whether every playbook file was read and every import followed: `plays` and `partial` hold the whole run. */
  complete: boolean;
}

/**
 * Reads the given playbook files, in order, with imports inlined where they appear, and
 * keeps going past problems: `plays` holds the valid plays (for later checks to look at
 * too), `errors` every problem found. Nothing may run unless `errors` is empty.
 */
export async function readPlaybooks(files: string[]): Promise<ReadPlaybooks> {
  const loader = new PlaybookLoader(await schemaValidators());
  const plays: Play[] = [];
  for (const file of files) plays.push(...(await loader.load(resolve(file), [])));
  return { plays, errors: uniqueErrors(loader.errors), documents: loader.documents, partial: loader.partial, complete: loader.complete };
}

/** Loads the given playbook files, in order, with imports inlined where they appear. */
export async function loadPlaybooks(files: string[]): Promise<Play[]> {
  const { plays, errors } = await readPlaybooks(files);
  if (errors.length > 0) throw new InputErrors(errors);
  return plays;
}

class PlaybookLoader {
  constructor(private readonly validators: Validators) {}

  readonly errors: InputError[] = [];
  readonly documents = new Map<string, JsonDocument>();
  readonly partial: Play[] = [];
  complete = true;
  private readonly unreadable = new Set<string>();

  async load(file: string, importChain: string[], from?: { doc: JsonDocument; pointer: string }): Promise<Play[]> {
    const doc = await this.read(file, from);
    if (!doc) return [];
    const chain = [...importChain, file];
    if (isImport(doc.value)) return this.import(doc, doc.value, '', chain);
    if (!Array.isArray(doc.value)) return this.play(doc, doc.value, '');

    const plays: Play[] = [];
    for (const [index, item] of doc.value.entries()) {
      const pointer = joinPointer('', index);
      if (isImport(item)) plays.push(...(await this.import(doc, item, pointer, chain)));
      else plays.push(...(await this.play(doc, item, pointer)));
    }
    return plays;
  }

  private async read(file: string, from?: { doc: JsonDocument; pointer: string }): Promise<JsonDocument | undefined> {
    const known = this.documents.get(file);
    if (known || this.unreadable.has(file)) return known;
    try {
      const doc = await readJsonDocument(file, 'playbook file');
      this.documents.set(file, doc);
      return doc;
    } catch (error) {
      if (error instanceof InputErrors) this.errors.push(...error.errors);
      else if (error instanceof InputError) this.errors.push(from ? errorAt(from.doc, from.pointer, `${error.message}: ${file}`) : error);
      else throw error;
      this.unreadable.add(file);
      this.complete = false;
      return undefined;
    }
  }

  private async import(doc: JsonDocument, item: Record<string, unknown>, pointer: string, chain: string[]): Promise<Play[]> {
    const problems = validateDocument(this.validators.importPlaybook, doc, item, pointer);
    if (problems.length > 0) {
      this.errors.push(...problems);
      this.complete = false;
      return [];
    }
    const target = resolve(dirname(doc.file), item.import_playbook as string);
    const at = joinPointer(pointer, 'import_playbook');
    if (chain.includes(target)) {
      const cycle = [...chain.slice(chain.indexOf(target)), target].map((f) => relative(dirname(target), f)).join(' -> ');
      this.errors.push(errorAt(doc, at, `import cycle: ${cycle}`));
      return [];
    }
    return this.load(target, chain, { doc, pointer: at });
  }

  private async play(doc: JsonDocument, value: unknown, pointer: string): Promise<Play[]> {
    const problems = validateDocument(this.validators.play, doc, value, pointer, {
      unknownProperty: (parent, name) => (isTaskPointer(parent) ? unknownOperationMessage(name) : undefined),
    });
    const raw = value as RawPlay;
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
      this.errors.push(...problems);
      return [];
    }
    const tasks = listOf(raw.tasks).map((t, i) => toTask(doc, t, joinPointer(pointer, 'tasks', i), problems));
    const handlers = listOf(raw.handlers).map((t, i) => toTask(doc, t, joinPointer(pointer, 'handlers', i), problems));
    problems.push(...checkHandlers(doc, tasks, handlers), ...(await checkTemplateSources(doc, [...tasks, ...handlers])));
    this.errors.push(...problems);
    if (problems.length > 0) {
      this.partial.push(soundPart(raw, doc, pointer, tasks, handlers, problems));
      return [];
    }
    return [
      {
        name: raw.name,
        file: doc.file,
        pointer,
        dir: dirname(doc.file),
        hosts: raw.hosts ?? 'masters',
        vars: raw.vars ?? {},
        ...(raw.tags !== undefined ? { tags: names(raw.tags) } : {}),
        gatherFacts: raw.gather_facts ?? true,
        tasks,
        handlers,
      },
    ];
  }
}

/**
 * What of a play with problems the later checks may still look at: `hosts` when it
 * is a string with no problem of its own; the play's vars when they are an object
 * (their names, for the template checks: the more names known, the fewer reported
 * as undefined); and each task without the fields (`when`, `loop`, an argument of
 * its operation) that hold a problem or lie in one. A task is read only by type
 * (toTask), so a problem elsewhere in it, such as a missing name or an unknown
 * argument, leaves these fields as they would be read in a valid play.
 */
function soundPart(raw: RawPlay, doc: JsonDocument, pointer: string, tasks: Task[], handlers: Task[], problems: InputError[]): Play {
  const at = problems.map((p) => p.where?.pointer).filter((p): p is string => p !== undefined);
  const clean = (ptr: string) => !at.some((p) => p === ptr || p.startsWith(`${ptr}/`));
  const cut = (task: Task): Task => {
    const part: Task = { ...task, args: {} };
    const argsPointer = joinPointer(task.pointer, task.op);
    for (const [key, value] of Object.entries(task.args)) if (clean(joinPointer(argsPointer, key))) part.args[key] = value;
    if (!clean(joinPointer(task.pointer, 'when'))) delete part.when;
    if (!clean(joinPointer(task.pointer, 'loop'))) delete part.loop;
    return part;
  };
  const hostsClean = typeof raw.hosts === 'string' && clean(joinPointer(pointer, 'hosts'));
  const varsGiven = typeof raw.vars === 'object' && raw.vars !== null && !Array.isArray(raw.vars);
  return {
    name: typeof raw.name === 'string' ? raw.name : '',
    file: doc.file,
    pointer,
    dir: dirname(doc.file),
    hosts: hostsClean ? raw.hosts! : 'masters',
    vars: varsGiven ? raw.vars! : {},
    gatherFacts: false,
    tasks: tasks.map(cut),
    handlers: handlers.map(cut),
  };
}

/**
 * Problems in file order (`files` first, in that order, then the others as they come),
 * then line order; a file imported twice reports them once.
 */
export function uniqueErrors(errors: InputError[], files: Iterable<string | undefined> = []): InputError[] {
  const byText = new Map(errors.map((e) => [e.toString(), e]));
  const order = [...new Set([...files, ...errors.map((e) => e.where?.file)])];
  return [...byText.values()]
    .sort((a, b) => order.indexOf(a.where?.file) - order.indexOf(b.where?.file) || position(a) - position(b));
}

function position(e: InputError): number {
  return (e.where?.line ?? 0) * 100_000 + (e.where?.column ?? 0);
}

/** A template file named literally must exist, relative to the playbook's directory. */
async function checkTemplateSources(doc: JsonDocument, tasks: Task[]): Promise<InputError[]> {
  const errors: InputError[] = [];
  for (const task of tasks) {
    const src = task.op === 'template' ? task.args.src : undefined;
    if (typeof src !== 'string' || src.includes('{{')) continue;
    const path = resolve(dirname(doc.file), src);
    const isFile = await stat(path).then((s) => s.isFile(), () => false);
    if (!isFile) errors.push(errorAt(doc, joinPointer(task.pointer, 'template', 'src'), `template file ${src} not found (looked for ${path})`));
  }
  return errors;
}

function toTask(doc: JsonDocument, raw: RawTask, pointer: string, problems: InputError[]): Task {
  const keys = typeof raw === 'object' && raw !== null ? Object.keys(raw) : [];
  const ops = keys.filter(isOperation);
  const unknown = keys.filter((k) => !isOperation(k) && !(TASK_KEYWORDS as readonly string[]).includes(k));
  if (ops.length === 0 && unknown.length === 0 && keys.length > 0) {
    problems.push(errorAt(doc, pointer, `task names no operation: add one of ${OPERATIONS.join(', ')}`));
  } else if (ops.length > 1) {
    problems.push(errorAt(doc, joinPointer(pointer, ops[1]!), `task names several operations (${ops.join(', ')}): a task runs exactly one`, true));
  }
  const op = ops[0] ?? '';
  const args = raw?.[op];
  const task: Task = {
    name: typeof raw?.name === 'string' ? raw.name : '',
    op,
    args: typeof args === 'object' && args !== null ? (args as Record<string, unknown>) : {},
    pointer,
  };
  if (typeof raw?.when === 'string') task.when = raw.when;
  if (Array.isArray(raw?.loop) || typeof raw?.loop === 'string') task.loop = raw.loop as unknown[] | string;
  if (typeof raw?.register === 'string') task.register = raw.register;
  if (raw?.notify !== undefined) task.notify = names(raw.notify);
  if (raw?.tags !== undefined) task.tags = names(raw.tags);
  if (raw?.ignore_errors === true) task.ignoreErrors = true;
  return task;
}

function checkHandlers(doc: JsonDocument, tasks: Task[], handlers: Task[]): InputError[] {
  const errors: InputError[] = [];
  const handlerNames = new Map<string, string>();
  for (const handler of handlers) {
    const first = handlerNames.get(handler.name);
    if (first !== undefined) errors.push(errorAt(doc, joinPointer(handler.pointer, 'name'), `duplicate handler name ${show(handler.name)}, first at ${first}`));
    else handlerNames.set(handler.name, handler.pointer);
  }
  for (const task of [...tasks, ...handlers]) {
    for (const [index, name] of (task.notify ?? []).entries()) {
      if (handlerNames.has(name)) continue;
      const suggestion = closestName(name, [...handlerNames.keys()]);
      const hint = suggestion ? ` (did you mean ${show(suggestion)}?)` : handlerNames.size === 0 ? ' (this play has no handlers)' : '';
      errors.push(errorAt(doc, notifyPointer(doc, task, index), `notify names no handler ${show(name)}${hint}`));
    }
  }
  return errors;
}

/** notify may be one string or a list: point at the string itself either way. */
function notifyPointer(doc: JsonDocument, task: Task, index: number): string {
  const base = joinPointer(task.pointer, 'notify');
  return task.notify && task.notify.length > 0 && isListAt(doc, base) ? joinPointer(base, index) : base;
}

function isListAt(doc: JsonDocument, pointer: string): boolean {
  let value: unknown = doc.value;
  for (const segment of pointer.slice(1).split('/')) {
    if (value === null || typeof value !== 'object') return false;
    value = (value as Record<string, unknown>)[segment.replace(/~1/g, '/').replace(/~0/g, '~')];
  }
  return Array.isArray(value);
}

function unknownOperationMessage(name: string): string {
  const suggestion = closestName(name, [...OPERATIONS, ...TASK_KEYWORDS]);
  return `unknown operation ${show(name)}${suggestion ? ` (did you mean ${show(suggestion)}?)` : ` (known: ${OPERATIONS.join(', ')})`}`;
}

function isTaskPointer(pointer: string): boolean {
  return /\/(tasks|handlers)\/\d+$/.test(pointer);
}

function isImport(item: unknown): item is Record<string, unknown> {
  return typeof item === 'object' && item !== null && !Array.isArray(item) && 'import_playbook' in item;
}

function listOf(value: unknown): RawTask[] {
  return Array.isArray(value) ? (value as RawTask[]) : [];
}

function names(value: unknown): string[] {
  return (Array.isArray(value) ? value : [value]).filter((v): v is string => typeof v === 'string');
}
