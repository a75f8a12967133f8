// The bad-input corpus: case files (test/input/cases/*.json) each hold cases that
// write some files into a fresh directory, run the diskless CLI there as a user would
// (a child process, `packages/controller/bin/run.js`), and say what must come out: the
// exit code, patterns on stdout and stderr, and that nothing was touched. The format
// is in test/input/README.md.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

export const CORPUS_DIR = dirname(fileURLToPath(import.meta.url));
export const CASES_DIR = join(CORPUS_DIR, 'cases');
export const BASES_DIR = join(CORPUS_DIR, 'bases');
export const BIN = fileURLToPath(new URL('../../packages/controller/bin/run.js', import.meta.url));

/** Stands for the case's own directory (absolute) in file contents, argv, env and patterns. */
export const DIR_TOKEN = '@DIR@';

/** What a user's mistake must never show: a JavaScript stack frame, named ("at f (file:1:2)") or not ("at file:1:2"). */
export const STACK_TRACE = /^\s+at (?:.*\()?\S+:\d+:\d+\)?$/m;

/**
 * A file's content: text as is; a list of lines (joined with newlines, one at the end);
 * `{ json }` written with two-space indents; `{ base, set, delete }` a file of
 * test/input/bases/ (a JSON one with JSON pointers set or deleted); `{ hex }` raw bytes; `{ parts }`
 * texts and `{ hex }` bytes one after another. `@DIR@` in any text is the case's directory.
 */
export type FileSpec =
  | string
  | string[]
  | { json: unknown }
  | { base: string; set?: Record<string, unknown>; delete?: string[] }
  | { hex: string }
  | { parts: Array<string | { hex: string }> };

export interface CorpusCase {
  name: string;
  /** Files to write, relative to the case's directory; null drops a file the case file gives every case. */
  files?: Record<string, FileSpec | null>;
  /** The CLI's arguments; it runs in the case's directory. */
  argv: string[];
  exit: number;
  /** Patterns (regular expressions, multiline) that must all match. */
  stdout?: string | string[];
  stderr?: string | string[];
  /** Patterns that must not match. */
  stdoutNot?: string | string[];
  stderrNot?: string | string[];
  /** No file in the case's directory created, changed or removed; the default when exit is 1. */
  untouched?: boolean;
  /** Files that must exist after the run, relative to the case's directory. */
  creates?: string[];
  /** Extra environment for the CLI. */
  env?: Record<string, string>;
  timeoutMs?: number;
}

export interface CaseFile {
  /** inventory, playbooks, templates, cli, json, facts-cache, ... */
  area: string;
  description?: string;
  /** Files every case of this file gets, unless the case gives or drops the same name. */
  files?: Record<string, FileSpec>;
  cases: CorpusCase[];
}

export interface LoadedCase extends CorpusCase {
  area: string;
  source: string; // the case file's name
}

const CASE_KEYS = new Set(['name', 'files', 'argv', 'exit', 'stdout', 'stderr', 'stdoutNot', 'stderrNot', 'untouched', 'creates', 'env', 'timeoutMs']);
const FILE_KEYS = new Set(['area', 'description', 'files', 'cases']);

/** Every case of every case file, checked for shape so that a typo in a case file is found. */
export function loadCorpus(dir = CASES_DIR): LoadedCase[] {
  const cases: LoadedCase[] = [];
  const names = new Set<string>();
  for (const name of readdirSync(dir).filter((f) => f.endsWith('.json')).sort()) {
    const file = JSON.parse(readFileSync(join(dir, name), 'utf8')) as CaseFile;
    const where = `test/input/cases/${name}`;
    for (const key of Object.keys(file)) if (!FILE_KEYS.has(key)) throw new Error(`${where}: unknown key ${key}`);
    if (typeof file.area !== 'string' || !Array.isArray(file.cases)) throw new Error(`${where}: needs "area" and "cases"`);
    for (const c of file.cases) {
      const label = `${where}: case ${JSON.stringify(c.name)}`;
      for (const key of Object.keys(c)) if (!CASE_KEYS.has(key)) throw new Error(`${label}: unknown key ${key}`);
      if (typeof c.name !== 'string' || !Array.isArray(c.argv) || typeof c.exit !== 'number') throw new Error(`${label}: needs name, argv and exit`);
      if (names.has(c.name)) throw new Error(`${label}: another case has this name`);
      names.add(c.name);
      const files: Record<string, FileSpec | null> = { ...file.files, ...c.files };
      cases.push({ ...c, files, area: file.area, source: name });
    }
  }
  return cases;
}

/** The bytes of a file spec, `@DIR@` replaced by the case's directory. */
export function fileBytes(spec: FileSpec, dir: string): Buffer {
  const text = (s: string) => Buffer.from(s.replaceAll(DIR_TOKEN, dir), 'utf8');
  if (typeof spec === 'string') return text(spec);
  if (Array.isArray(spec)) return text(spec.map((line) => `${line}\n`).join(''));
  if ('json' in spec) return text(JSON.stringify(spec.json, null, 2) + '\n');
  if ('hex' in spec) return Buffer.from(spec.hex.replace(/\s+/g, ''), 'hex');
  if ('parts' in spec) return Buffer.concat(spec.parts.map((part) => (typeof part === 'string' ? text(part) : Buffer.from(part.hex.replace(/\s+/g, ''), 'hex'))));
  if ('base' in spec) {
    if (!spec.base.endsWith('.json')) return text(readFileSync(join(BASES_DIR, spec.base), 'utf8'));
    const value = JSON.parse(readFileSync(join(BASES_DIR, spec.base), 'utf8')) as unknown;
    for (const [pointer, v] of Object.entries(spec.set ?? {})) setPointer(value, pointer, v);
    for (const pointer of spec.delete ?? []) deletePointer(value, pointer);
    return text(JSON.stringify(value, null, 2) + '\n');
  }
  throw new Error(`unknown file spec ${JSON.stringify(spec)}`);
}

function segments(pointer: string): string[] {
  if (!pointer.startsWith('/')) throw new Error(`not a JSON pointer: ${pointer}`);
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/** Sets the value at a pointer, creating objects on the way. */
function setPointer(root: unknown, pointer: string, value: unknown): void {
  const path = segments(pointer);
  const last = path.pop()!;
  let node = root as Record<string, unknown>;
  for (const segment of path) {
    if (node[segment] === undefined || node[segment] === null || typeof node[segment] !== 'object') node[segment] = {};
    node = node[segment] as Record<string, unknown>;
  }
  node[last] = value;
}

function deletePointer(root: unknown, pointer: string): void {
  const path = segments(pointer);
  const last = path.pop()!;
  let node = root as Record<string, unknown> | undefined;
  for (const segment of path) node = node?.[segment] as Record<string, unknown> | undefined;
  if (Array.isArray(node)) node.splice(Number(last), 1);
  else if (node) delete node[last];
}

/** A fresh directory with the case's files in it (and an empty home). */
export function materialize(c: LoadedCase): string {
  const dir = mkdtempSync(join(tmpdir(), 'dl-corpus-'));
  mkdirSync(join(dir, 'home'));
  for (const [name, spec] of Object.entries(c.files ?? {})) {
    if (spec === null) continue;
    const path = join(dir, name);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, fileBytes(spec, dir));
  }
  return dir;
}

/** Every entry under a directory, with what it is and a hash of its content. */
export function snapshot(dir: string): Map<string, string> {
  const entries = new Map<string, string>();
  const walk = (path: string) => {
    for (const name of readdirSync(path)) {
      const full = join(path, name);
      const stats = lstatSync(full);
      const key = relative(dir, full);
      if (stats.isDirectory()) {
        entries.set(key, `dir ${stats.mode.toString(8)}`);
        walk(full);
      } else if (stats.isSymbolicLink()) entries.set(key, `link ${readlinkSync(full)}`);
      else if (stats.isFile()) entries.set(key, `file ${stats.mode.toString(8)} ${createHash('sha256').update(readFileSync(full)).digest('hex')}`);
      else entries.set(key, `other ${stats.mode.toString(8)}`);
    }
  };
  walk(dir);
  return entries;
}

/** What differs between two snapshots, one line per entry. */
export function changes(before: Map<string, string>, after: Map<string, string>): string[] {
  const found: string[] = [];
  for (const [key, value] of after) if (before.get(key) !== value) found.push(`${before.has(key) ? 'changed' : 'created'} ${key}`);
  for (const key of before.keys()) if (!after.has(key)) found.push(`removed ${key}`);
  return found.sort();
}

export interface CaseResult {
  dir: string;
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  changes: string[];
  ms: number;
}

/** Runs one case's CLI in its directory; the directory is left for the caller to check and remove. */
export function runCase(c: LoadedCase): Promise<CaseResult> {
  const dir = materialize(c);
  const before = snapshot(dir);
  const started = Date.now();
  const substitute = (s: string) => s.replaceAll(DIR_TOKEN, dir);
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    HOME: join(dir, 'home'),
    XDG_CACHE_HOME: join(dir, 'home', '.cache'),
    DISKLESS_LOCK_DIR: join(dir, 'home', '.locks'),
    NO_COLOR: '1',
    ...Object.fromEntries(Object.entries(c.env ?? {}).map(([k, v]) => [k, substitute(v)])),
  };
  delete env.DISKLESS_DEBUG;
  return new Promise((resolve, reject) => {
    // Its own process group, so that a case that hangs is ended with whatever it started.
    const child = spawn(process.execPath, [BIN, ...c.argv.map(substitute)], { cwd: dir, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // already gone
      }
    }, c.timeoutMs ?? 60_000);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ dir, code, signal, stdout, stderr, timedOut, changes: changes(before, snapshot(dir)), ms: Date.now() - started });
    });
  });
}

/** Runs cases `concurrency` at a time; results in the cases' order. */
export async function runAll(cases: LoadedCase[], concurrency: number): Promise<CaseResult[]> {
  const results: CaseResult[] = new Array(cases.length);
  let next = 0;
  const worker = async () => {
    while (next < cases.length) {
      const i = next++;
      results[i] = await runCase(cases[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, cases.length) }, worker));
  return results;
}

export function removeCaseDir(result: CaseResult): void {
  rmSync(result.dir, { recursive: true, force: true });
}

export function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** A case's pattern, `@DIR@` standing for its directory. */
export function pattern(source: string, dir: string): RegExp {
  return new RegExp(source.split(DIR_TOKEN).join(escapeRegExp(dir)), 'm');
}

export function list(value: string | string[] | undefined): string[] {
  return value === undefined ? [] : Array.isArray(value) ? value : [value];
}
