import { Args, Flags } from '@oclif/core';
import { hostContext } from '../context/host-context.js';
import { DEFAULT_FORKS } from '../engine/each-master.js';
import { runPlays } from '../engine/run-plays.js';
import { exitCodesHelp } from '../exit-codes.js';
import { loadRun } from '../playbook/load-run.js';
import { loadAgentBundle } from '../transport/agent-bundle.js';
import { askBecomePassFlag, becomePassword } from '../cli/become-password.js';
import { type CommandOutcome, DisklessCommand } from '../cli/command-base.js';
import { saveFacts } from '../state/facts-cache.js';
import { forksFlag, inventoryFlag, jsonFlag, limitFlag, stateDirFlag, tagsFlag } from '../cli/flags.js';
import { chooseRenderer, interruptOnSigint } from '../cli/output.js';

export default class Apply extends DisklessCommand {
  static summary = 'Bring masters to the state the playbooks describe.';
  static description =
    'Connects to every selected master (one SSH connection and one agent each, up to --forks at once), ' +
    `runs the plays in order and prints a recap. Exit codes: ${exitCodesHelp()}; 2 wins over 4, both over 3.`;
  static examples = [
    '<%= config.bin %> apply playbooks/site.json -i inventory.json',
    '<%= config.bin %> apply playbooks/dhcp.json -i inventory.json --check --diff --limit master-a',
    '<%= config.bin %> apply playbooks/site.json -i inventory.json --check --detailed-exitcode  # 3: changes pending',
    '<%= config.bin %> apply playbooks/site.json -i inventory.json --tags tftp,nfs --json > report.json',
  ];
  static strict = false;
  static args = { playbooks: Args.string({ description: 'playbook files, run in order', required: true }) };
  static flags = {
    inventory: inventoryFlag,
    check: Flags.boolean({ description: 'report what would change, change nothing' }),
    'detailed-exitcode': Flags.boolean({
      description: 'with --check: exit 3 when changes are pending, 0 when there are none',
      dependsOn: ['check'],
    }),
    diff: Flags.boolean({ description: 'show unified diffs of changed files' }),
    limit: limitFlag,
    tags: tagsFlag,
    forks: forksFlag('masters worked on at once', DEFAULT_FORKS),
    'wait-lock': Flags.integer({
      description: 'wait up to this many seconds for a master whose run lock another run holds (default: report it locked, exit 4)',
      min: 0,
      default: 0,
      helpValue: 'SECONDS',
    }),
    json: jsonFlag,
    verbose: Flags.boolean({ char: 'v', description: 'print every task result, message and command output' }),
    'accept-new-host-keys': Flags.boolean({ description: 'trust and record host keys not yet in known_hosts (changed keys are still refused)' }),
    'ask-become-pass': askBecomePassFlag,
    'state-dir': stateDirFlag,
    'remove-orphan-roots': Flags.boolean({
      description: "remove the root (/diskless/<ip>) of a slave that left the inventory; without it a removed slave's root stays (its boot files, host entry and export go anyway)",
    }),
  };

  protected async execute(): Promise<CommandOutcome> {
    const { argv, flags } = await this.parse(Apply);
    // Every input problem, an unknown --limit name too, is refused before connecting.
    const { inventory, plays } = await loadRun({ inventory: flags.inventory, playbooks: argv as string[], limit: flags.limit });
    await loadAgentBundle(); // a clear error now if it is not built
    const becomePass = await becomePassword(flags['ask-become-pass']);

    const renderer = chooseRenderer({ json: flags.json, diff: flags.diff, verbose: flags.verbose });
    const interrupt = interruptOnSigint();
    try {
      const run = { removeOrphanRoots: flags['remove-orphan-roots'] };
      const summary = await runPlays(inventory, plays, {
        ...this.engineParts(),
        hostContext: (...context) => hostContext(...context, run),
        emit: (event) => renderer.handle(event),
        check: flags.check,
        diff: flags.diff,
        limit: flags.limit,
        tags: flags.tags,
        forks: flags.forks,
        waitLockMs: flags['wait-lock'] * 1000,
        acceptNewHostKeys: flags['accept-new-host-keys'],
        becomePassword: becomePass,
        signal: interrupt.signal,
        onFacts: (master, facts) => saveFacts(flags['state-dir'], master.name, facts).catch(() => undefined),
      });
      return { run: summary, detailedExitCode: flags['detailed-exitcode'] };
    } finally {
      interrupt.dispose();
    }
  }
}
