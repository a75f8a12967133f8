import { createInterface } from 'node:readline/promises';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Args, Flags } from '@oclif/core';
import { InputError } from '../errors.js';
import { addMasterChange } from '../init/add-master.js';
import { writeInventoryChange } from '../inventory/edit-inventory.js';
import { addressesOf, masterFacts, parseTarget } from '../init/master-facts.js';
import { proposeMaster, type Proposal } from '../init/propose-master.js';
import { EXAMPLE_MASTER, inventoryText, scaffold } from '../init/scaffold.js';
import { type CommandOutcome, DisklessCommand } from '../cli/command-base.js';

export default class Init extends DisklessCommand {
  static summary = 'Make a directory for one site\'s inventory and playbooks, ready for git.';
  static description =
    'Writes inventory.json (checked by editors through its $schema), the playbooks and templates, the schemas, ' +
    'a .gitignore and a README into DIR, overwriting nothing. With --master, connects once to that master and ' +
    'proposes its inventory entry from its facts (the interface facing the slaves, the NFS server its kernel ' +
    'allows); the entry is written after it is shown, into a new directory or the inventory already there. ' +
    'Exit codes: 0 ok, 1 bad input or not confirmed, 4 the master unreachable.';
  static examples = [
    '<%= config.bin %> init my-site',
    '<%= config.bin %> init my-site --master root@master1.example.org',
    '<%= config.bin %> init my-site --master admin@10.0.0.5:2222 --name rack1 --yes',
  ];
  static args = { dir: Args.string({ description: 'the directory to make (default: the current one)', default: '.' }) };
  static flags = {
    master: Flags.string({ description: 'propose an entry for this master, reached over SSH', helpValue: '[USER@]HOST[:PORT]' }),
    name: Flags.string({ description: 'the master\'s name in the inventory (default: its host name)', dependsOn: ['master'] }),
    'private-key': Flags.string({ description: 'SSH private key for --master', helpValue: 'FILE', dependsOn: ['master'] }),
    'known-hosts': Flags.string({ description: 'known_hosts file for --master (default ~/.ssh/known_hosts)', helpValue: 'FILE', dependsOn: ['master'] }),
    'accept-new-host-keys': Flags.boolean({ description: 'trust and record the master\'s host key if it is not yet known', dependsOn: ['master'] }),
    yes: Flags.boolean({ char: 'y', description: 'write the proposed entry without asking' }),
  };

  protected async execute(): Promise<CommandOutcome> {
    const { args, flags } = await this.parse(Init);
    const dir = resolve(args.dir);
    const version = this.config.version;
    if (!flags.master) {
      await scaffold(dir, inventoryText(EXAMPLE_MASTER), version);
      process.stdout.write(`made ${dir}: edit inventory.json, then run diskless validate playbooks/site.json -i inventory.json there\n`);
      return;
    }
    if (flags.name !== undefined && !/^[A-Za-z0-9_][A-Za-z0-9_.-]*$/.test(flags.name)) {
      throw new InputError(`--name ${JSON.stringify(flags.name)}: a master name is letters, digits, "_", "." and "-"`);
    }
    const target = parseTarget(flags.master);
    const facts = await masterFacts(target, {
      ...this.engineParts(),
      privateKey: flags['private-key'] && resolve(flags['private-key']),
      knownHosts: flags['known-hosts'] && resolve(flags['known-hosts']),
      acceptNewHostKeys: flags['accept-new-host-keys'],
    });
    let proposal: Proposal;
    try {
      proposal = proposeMaster(facts, target, await addressesOf(target.host), flags.name);
    } catch (error) {
      throw new InputError(`${target.host}: ${(error as Error).message}`);
    }
    const inventoryFile = join(dir, 'inventory.json');
    // Into the inventory already there (shown as a diff), or a new directory with it.
    const change = existsSync(inventoryFile) ? await addMasterChange(inventoryFile, proposal.name, proposal.entry) : undefined;
    process.stdout.write(
      `${proposal.notes.map((n) => `- ${n}`).join('\n')}\n\nproposed entry for ${inventoryFile}:\n` +
        (change ? change.diff : `${JSON.stringify({ [proposal.name]: proposal.entry }, null, 2)}\n`),
    );
    if (!(flags.yes || (await confirmed(`${change ? 'Add it to' : 'Make the directory with'} ${inventoryFile}?`)))) {
      throw new InputError('nothing written: not confirmed (give --yes to write without asking)');
    }
    if (change) await writeInventoryChange(change);
    else await scaffold(dir, inventoryText(proposal), version);
    process.stdout.write(`wrote ${inventoryFile}\n`);
  }
}

/** A yes on the terminal; without one (a pipe, CI) the answer is no. */
async function confirmed(question: string): Promise<boolean> {
  if (!process.stdin.isTTY) return false;
  const readline = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return /^y(es)?$/i.test((await readline.question(`${question} [y/N] `)).trim());
  } finally {
    readline.close();
  }
}
