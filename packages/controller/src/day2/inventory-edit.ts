// Adds slaves to an inventory file in place: text is inserted after the master's last
// slave (found with jsonc-parser), so the rest of the file keeps its layout; the change is shown as a
// unified diff, and the file is replaced atomically, and only once the new text loads.
import { createTwoFilesPatch } from 'diff';
import { applyEdits, findNodeAtLocation, type FormattingOptions, modify, parseTree } from 'jsonc-parser';
import { chmod, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { loadInventory } from '../inventory/load-inventory.js';
import type { NewSlave } from './new-slaves.js';

/** The file's own indentation and line ends, for the inserted text. */
export function formattingOf(text: string): FormattingOptions {
  const indent = /^([ \t]+)\S/m.exec(text)?.[1] ?? '  ';
  return { insertSpaces: !indent.startsWith('\t'), tabSize: indent.startsWith('\t') ? 1 : indent.length, eol: text.includes('\r\n') ? '\r\n' : '\n' };
}

/** A slave's entry as one line, the way the example inventory writes them. */
function oneLine(value: { mac: string; ip: string }): string {
  return `{ "mac": ${JSON.stringify(value.mac)}, "ip": ${JSON.stringify(value.ip)} }`;
}

/**
 * Inserts the slave after the master's last slave, on a line of its own with that
 * slave's indentation (and on one line when that slave is written on one). Only when
 * there is no such line to follow does jsonc-parser's modify place it (it reformats
 * the lines it touches).
 */
function addSlave(text: string, slave: NewSlave, formattingOptions: FormattingOptions): string {
  const value = { mac: slave.mac, ip: slave.ip };
  const slaves = findNodeAtLocation(parseTree(text) ?? { type: 'null', offset: 0, length: 0 }, ['masters', slave.master, 'slaves']);
  const last = slaves?.type === 'object' ? slaves.children?.at(-1) : undefined;
  const lineStart = last ? text.lastIndexOf('\n', last.offset - 1) + 1 : 0;
  const indent = last ? text.slice(lineStart, last.offset) : '';
  if (!last || !/^[ \t]*$/.test(indent)) {
    return applyEdits(text, modify(text, ['masters', slave.master, 'slaves', slave.name], value, { formattingOptions }));
  }
  const eol = formattingOptions.eol ?? '\n';
  const lastText = text.slice(last.offset, last.offset + last.length);
  const unit = formattingOptions.insertSpaces ? ' '.repeat(formattingOptions.tabSize ?? 2) : '\t';
  const entry = lastText.includes('\n') ? JSON.stringify(value, null, unit).replace(/\n/g, eol + indent) : oneLine(value);
  const at = last.offset + last.length;
  return `${text.slice(0, at)},${eol}${indent}${JSON.stringify(slave.name)}: ${entry}${text.slice(at)}`;
}

/** The file's text with each new slave added under its master's "slaves". */
export function addSlaves(text: string, slaves: NewSlave[]): string {
  const formattingOptions = formattingOf(text);
  return slaves.reduce((result, slave) => addSlave(result, slave, formattingOptions), text);
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

export async function planInventoryChange(file: string, slaves: NewSlave[]): Promise<InventoryChange> {
  const before = await readFile(file, 'utf8');
  const after = addSlaves(before, slaves);
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
