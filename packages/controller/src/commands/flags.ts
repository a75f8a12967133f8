// Flags shared by several commands.
import { Flags } from '@oclif/core';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** "a, b,c" -> ["a", "b", "c"], for --limit and --tags. */
export function splitList(input: string): string[] {
  return input
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

export const inventoryFlag = Flags.string({ char: 'i', description: 'inventory file (JSON)', required: true, helpValue: 'FILE' });

export const limitFlag = Flags.string({
  char: 'l',
  description: 'only these masters (comma list of names)',
  helpValue: 'a,b',
});

export const jsonFlag = Flags.boolean({ description: 'print one JSON document on stdout instead of text' });

export const stateDirFlag = Flags.string({
  description: 'where cached facts are kept',
  helpValue: 'DIR',
  default: async () => join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'diskless'),
  defaultHelp: async () => '~/.cache/diskless',
});
