import { Flags } from '@oclif/core';
import { askMasters, summaryOf } from '../day2/ask-masters.js';
import { discoverArgs, discoverHosts, formatDiscoverTable, macsToAdd } from '../day2/discover.js';
import { addSlaves, planInventoryChange, writeInventoryChange } from '../inventory/edit-inventory.js';
import { checkNamePattern, DEFAULT_NAME_PATTERN, planNewSlaves } from '../day2/new-slaves.js';
import { loadRun } from '../playbook/load-run.js';
import { askFlags, askOptions } from '../cli/ask-options.js';
import { type CommandOutcome, DisklessCommand } from '../cli/command-base.js';
import { inventoryFlag, jsonFlag, limitFlag } from '../cli/flags.js';

export default class Discover extends DisklessCommand {
  static summary = 'List the machines that asked a master for an address and are in no inventory.';
  static description =
    "Reads each selected master's DHCP server log (its syslog file, else the journal) and lists the MACs " +
    'that asked for an address and are not slaves of the inventory: interface, vendor class, client ' +
    'architecture (DHCP option 93), first and last seen, requests. --write adds them to the inventory file as ' +
    "slaves of that master, with the next free addresses of its LAN, after showing the change; --check shows " +
    'the change only. Exit codes: 0 ok, 1 bad input, 2 a master could not read its log, 4 a master unreachable.';
  static examples = [
    '<%= config.bin %> discover -i inventory.json',
    '<%= config.bin %> discover -i inventory.json --limit master-a --check',
    "<%= config.bin %> discover -i inventory.json --write --name-pattern 'node<n>'",
  ];
  static flags = {
    inventory: inventoryFlag,
    limit: limitFlag,
    json: jsonFlag,
    write: Flags.boolean({ description: 'add the machines found to the inventory file as slaves (showing the change first)', exclusive: ['check'] }),
    check: Flags.boolean({ description: 'show how --write would change the inventory file, change nothing', exclusive: ['write'] }),
    'name-pattern': Flags.string({
      description: 'names of the new slaves: <master> is the master\'s name, <n> the next free number',
      default: DEFAULT_NAME_PATTERN,
      helpValue: 'PATTERN',
    }),
    ...askFlags,
  };

  protected async execute(): Promise<CommandOutcome> {
    const { flags } = await this.parse(Discover);
    const editing = flags.write || flags.check;
    if (editing) checkNamePattern(flags['name-pattern']);
    const { inventory, masters } = await loadRun({ inventory: flags.inventory, limit: flags.limit });
    const answers = await askMasters(masters, 'unknown_clients', discoverArgs(inventory), await askOptions(flags, this.engineParts().connector));
    const hosts = discoverHosts(inventory, answers);
    const summary = summaryOf(answers);

    let changes: { file: string; slaves: ReturnType<typeof planNewSlaves>; diff: string; written: boolean } | undefined;
    if (editing) {
      const slaves = planNewSlaves(inventory, macsToAdd(hosts), flags['name-pattern']);
      const change = await planInventoryChange(inventory.file, (text) => addSlaves(text, slaves));
      if (flags.write && change.diff) await writeInventoryChange(change);
      changes = { file: inventory.file, slaves, diff: change.diff, written: Boolean(flags.write && change.diff) };
    }

    if (flags.json) {
      process.stdout.write(JSON.stringify({ ok: summary.ok, hosts, ...(changes ? { changes } : {}) }, null, 2) + '\n');
    } else {
      process.stdout.write(formatDiscoverTable(hosts));
      if (changes) {
        process.stdout.write(changes.diff ? `\n${changes.diff}` : '\nThe inventory has nothing to add.\n');
        if (changes.diff) {
          const count = `${changes.slaves.length} slave${changes.slaves.length === 1 ? '' : 's'}`;
          process.stdout.write(changes.written ? `Added ${count} to ${changes.file}.\n` : `--check: ${count} would be added; nothing written.\n`);
        }
      }
      for (const [name, host] of Object.entries(hosts)) if (host.msg) process.stderr.write(`${name}: ${host.msg}\n`);
    }
    return { run: summary };
  }
}
