// Flags shared by several commands.
import { Errors, Flags } from '@oclif/core';
import { homedir } from 'node:os';
import { join } from 'node:path';

/**
 * A comma list flag: `--limit a,b` or `--limit a --limit b`. An empty or blank entry
 * (`--limit ''`, `--limit a,,b`) is a usage error: dropped, it would widen the run to
 * every master or task. Not greedy: `--limit a site.json` leaves site.json an argument.
 */
function listFlag(options: { char: 'l' | 't'; description: string; helpValue: string }) {
  return Flags.string({
    ...options,
    multiple: true,
    multipleNonGreedy: true,
    delimiter: ',',
    // oclif trims each entry before this sees it.
    parse: async (entry) => {
      if (!entry) throw new Errors.CLIError('an empty entry is not allowed (give names separated by commas, as in a,b)');
      return entry;
    },
  });
}

/** A path must not be empty or blank: `-i ""` (an unset shell variable) would name the current directory. */
const notBlank = async (value: string) => {
  if (!value.trim()) throw new Errors.CLIError('an empty path is not allowed');
  return value;
};

export const inventoryFlag = Flags.string({ char: 'i', description: 'inventory file (JSON)', required: true, helpValue: 'FILE', parse: notBlank });

export const limitFlag = listFlag({ char: 'l', description: 'only these masters (comma list of names)', helpValue: 'a,b' });

export const tagsFlag = listFlag({ char: 't', description: 'only tasks with one of these tags (comma list)', helpValue: 't1,t2' });

/** How many masters are worked on at once: each is an SSH connection and an agent. */
export const MAX_FORKS = 256;

export const forksFlag = (description: string, defaultForks: number) =>
  Flags.integer({ char: 'f', description: `${description} (1 to ${MAX_FORKS})`, default: defaultForks, min: 1, max: MAX_FORKS });

export const jsonFlag = Flags.boolean({ description: 'print one JSON document on stdout instead of text' });

export const stateDirFlag = Flags.string({
  description: 'where cached facts are kept',
  helpValue: 'DIR',
  parse: notBlank,
  default: async () => join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'diskless'),
  defaultHelp: async () => '~/.cache/diskless',
});
