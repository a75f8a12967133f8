// Edits an inventory file in place (new slaves from `discover --write`, a new master
// from `init --master`): text is inserted after the last entry of its object (found
// with jsonc-parser), so the rest of the file keeps its layout; the change is shown as
// a unified diff, and the file is replaced atomically, and only once the new text loads.
import { createTwoFilesPatch } from 'diff';
import { applyEdits, findNodeAtLocation, type FormattingOptions, modify, parseTree } from 'jsonc-parser';
import { chmod, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { loadInventory } from './load-inventory.js';

/** A slave to add under its master. */
export interface SlaveEntry {
  master: string;
  name: string;
  mac: string;
  ip: string;
}

/** The file's own indentation and line ends, for the inserted text. */
export function formattingOf(text: string): FormattingOptions {
  const indent = /^([ \t]+)\S/m.exec(text)?.[1] ?? '  ';
  return { insertSpaces: !indent.startsWith('\t'), tabSize: indent.startsWith('\t') ? 1 : indent.length, eol: text.includes('\r\n') ? '\r\n' : '\n' };
}

/** A value on one line, the way the example inventory writes its slaves: { "mac": "...", "ip": "..." }. */
function oneLine(value: unknown): string {
  return JSON.stringify(value, null, 1).replace(/\n\s*/g, ' ');
}

/**
 * Inserts `name: value` after the last entry of the object at `parent`, on a line of
 * its own with that entry's indentation (and on one line when that entry is written on
 * one). Only when there is no such line to follow does jsonc-parser's modify place it
 * (it reformats the lines it touches).
 */
export function insertEntry(text: string, parent: string[], name: string, value: unknown, formattingOptions = formattingOf(text)): string {
  const object = findNodeAtLocation(parseTree(text) ?? { type: 'null', offset: 0, length: 0 }, parent);
  const last = object?.type === 'object' ? object.children?.at(-1) : undefined;
  const lineStart = last ? text.lastIndexOf('\n', last.offset - 1) + 1 : 0;
  const indent = last ? text.slice(lineStart, last.offset) : '';
  if (!last || !/^[ \t]*$/.test(indent)) {
    return applyEdits(text, modify(text, [...parent, name], value, { formattingOptions }));
  }
  const eol = formattingOptions.eol ?? '\n';
  const lastText = text.slice(last.offset, last.offset + last.length);
  const unit = formattingOptions.insertSpaces ? ' '.repeat(formattingOptions.tabSize ?? 2) : '\t';
  const entry = lastText.includes('\n') ? JSON.stringify(value, null, unit).replace(/\n/g, eol + indent) : oneLine(value);
  const at = last.offset + last.length;
  return `${text.slice(0, at)},${eol}${indent}${JSON.stringify(name)}: ${entry}${text.slice(at)}`;
}

/** The file's text with each new slave added under its master's "slaves". */
export function addSlaves(text: string, slaves: SlaveEntry[]): string {
  const formattingOptions = formattingOf(text);
  return slaves.reduce((result, s) => insertEntry(result, ['masters', s.master, 'slaves'], s.name, { mac: s.mac, ip: s.ip }, formattingOptions), text);
}

export function unifiedDiff(file: string, before: string, after: string): string {
  return createTwoFilesPatch(file, file, before, after, '', '', { context: 3 });
}

export interface InventoryChange {
  file: string;
  before: string;
  after: string;
  diff: string;
}

/** The change `edit` makes to the file's text, with its diff. */
export async function planInventoryChange(file: string, edit: (text: string) => string): Promise<InventoryChange> {
  const before = await readFile(file, 'utf8');
  const after = edit(before);
  return { file, before, after, diff: before === after ? '' : unifiedDiff(file, before, after) };
}

/**
 * Writes the new text beside the file, loads it as an inventory (any problem is an
 * input error and the file is left as it was), then renames it over the file.
 */
export async function writeInventoryChange(change: InventoryChange): Promise<void> {
  const temp = join(dirname(change.file), `.${basename(change.file)}.${process.pid}.tmp`);
  try {
    const mode = (await stat(change.file)).mode & 0o7777;
    await writeFile(temp, change.after, { mode });
    await chmod(temp, mode);
    await loadInventory(temp);
    await rename(temp, change.file);
  } finally {
    await rm(temp, { force: true });
  }
}
