import type { Facts as GatheredFacts } from '@diskless/agent/facts';
import { Flags } from '@oclif/core';
import { DEFAULT_FORKS } from '../engine/each-master.js';
import { runPlays } from '../engine/run-plays.js';
import { loadRun } from '../playbook/load-run.js';
import { loadAgentBundle } from '../transport/agent-bundle.js';
import { askBecomePassFlag, becomePassword } from '../cli/become-password.js';
import { type CommandOutcome, DisklessCommand } from '../cli/command-base.js';
import { saveFacts } from '../state/facts-cache.js';
import { forksFlag, inventoryFlag, jsonFlag, limitFlag, stateDirFlag } from '../cli/flags.js';
import { formatFactsTable } from '../report/facts-table.js';

export default class Facts extends DisklessCommand {
  static summary = 'Gather facts from masters and cache them for `render`.';
  static description =
    'Connects to each selected master, asks its agent for facts (OS, init system, interfaces, kernel, ' +
    'commands present) and saves them under the state dir. Exit codes: 0 ok, 1 bad input, 2 a master ' +
    'refused to give its facts, 4 a master unreachable.';
  static examples = [
    '<%= config.bin %> facts -i inventory.json',
    '<%= config.bin %> facts -i inventory.json --limit master-a --json',
  ];
  static flags = {
    inventory: inventoryFlag,
    limit: limitFlag,
    json: jsonFlag,
    forks: forksFlag('masters asked at once', DEFAULT_FORKS),
    'accept-new-host-keys': Flags.boolean({ description: 'trust and record host keys not yet in known_hosts' }),
    'ask-become-pass': askBecomePassFlag,
    'state-dir': stateDirFlag,
  };

  protected async execute(): Promise<CommandOutcome> {
    const { flags } = await this.parse(Facts);
    const { inventory } = await loadRun({ inventory: flags.inventory, limit: flags.limit });
    await loadAgentBundle();
    const becomePass = await becomePassword(flags['ask-become-pass']);
    const gathered: Record<string, GatheredFacts> = {};
    const summary = await runPlays(inventory, [], {
      ...this.engineParts(),
      emit: () => undefined,
      lock: false,
      limit: flags.limit,
      forks: flags.forks,
      acceptNewHostKeys: flags['accept-new-host-keys'],
        becomePassword: becomePass,
      onFacts: async (master, facts) => {
        gathered[master.name] = facts;
        await saveFacts(flags['state-dir'], master.name, facts);
      },
    });
    const hosts = Object.fromEntries(
      Object.entries(summary.hosts).map(([name, report]) => [
        name,
        gathered[name] ? { facts: gathered[name] } : { unreachable: report.unreachable, msg: report.message ?? report.tasks.find((t) => t.msg)?.msg },
      ]),
    );
    if (flags.json) {
      process.stdout.write(JSON.stringify({ ok: summary.ok, hosts }, null, 2) + '\n');
    } else {
      const inOrder = Object.fromEntries(Object.keys(summary.hosts).filter((n) => gathered[n]).map((n) => [n, gathered[n]]));
      process.stdout.write(formatFactsTable(inOrder));
      for (const [name, host] of Object.entries(hosts)) if (!('facts' in host)) process.stderr.write(`${name}: ${host.msg}\n`);
    }
    return { run: summary };
  }
}
