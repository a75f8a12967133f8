import { Flags } from '@oclif/core';
import { askMasters, summaryOf } from '../day2/ask-masters.js';
import { formatStatusTable, statusArgs, statusHosts } from '../day2/status.js';
import { parseSince } from '../day2/time-text.js';
import { loadRun } from '../playbook/load-run.js';
import { askFlags, askOptions } from '../cli/ask-options.js';
import { type CommandOutcome, DisklessCommand } from '../cli/command-base.js';
import { inventoryFlag, jsonFlag, limitFlag } from '../cli/flags.js';

export default class Status extends DisklessCommand {
  static summary = 'Show what each slave last did on its master: DHCP, TFTP, NFS, boot.';
  static description =
    "For each slave of the selected masters: the last DHCP answer it got (time, address) and the last files it " +
    "read by TFTP, from the master's dhcpd and tftpd log; whether its root is mounted over NFS now (an open " +
    'connection to port 2049); and when it last booted (the report its root writes at boot). ' +
    'Exit codes: 0 ok, 1 bad input, 2 a master could not answer, 4 a master unreachable.';
  static examples = ['<%= config.bin %> status -i inventory.json', '<%= config.bin %> status -i inventory.json --limit master-a --since 1h --json'];
  static flags = {
    inventory: inventoryFlag,
    limit: limitFlag,
    json: jsonFlag,
    since: Flags.string({ description: 'only log lines from this long ago on (90s, 15m, 1h, 2d) or from this time (ISO 8601)', helpValue: 'AGE' }),
    ...askFlags,
  };

  protected async execute(): Promise<CommandOutcome> {
    const { flags } = await this.parse(Status);
    const since = flags.since === undefined ? undefined : parseSince(flags.since);
    const { masters } = await loadRun({ inventory: flags.inventory, limit: flags.limit });
    const answers = await askMasters(masters, 'boot_status', statusArgs(since), await askOptions(flags, this.engineParts().connector));
    const hosts = statusHosts(masters, answers);
    const summary = summaryOf(answers);
    if (flags.json) {
      process.stdout.write(JSON.stringify({ ok: summary.ok, hosts }, null, 2) + '\n');
    } else {
      process.stdout.write(formatStatusTable(hosts));
      for (const [name, host] of Object.entries(hosts)) if (host.msg) process.stderr.write(`${name}: ${host.msg}\n`);
    }
    return { run: summary };
  }
}
