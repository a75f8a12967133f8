import { Args, Flags } from '@oclif/core';
import { InputError } from '../errors.js';
import { renderPlaysOffline } from '../engine/render-offline.js';
import { loadRun } from '../playbook/load-run.js';
import { type CommandOutcome, DisklessCommand } from '../cli/command-base.js';
import { loadFacts } from '../state/facts-cache.js';
import { inventoryFlag, stateDirFlag } from '../cli/flags.js';

export default class Render extends DisklessCommand {
  static summary = 'Print the files the templates of a playbook make for one master, without connecting.';
  static description =
    'Uses the facts cached by `diskless facts` or `diskless apply` when there are some; ' +
    'without them, conditions on facts count as false.';
  static examples = [
    '<%= config.bin %> render playbooks/dhcp.json -i inventory.json --limit master-a',
    '<%= config.bin %> render playbooks/site.json -i inventory.json -l master-a > /tmp/master-a.txt',
  ];
  static args = { playbook: Args.string({ description: 'playbook file', required: true }) };
  static flags = {
    inventory: inventoryFlag,
    // One master, named as every command names masters (--host is its older name).
    limit: Flags.string({ char: 'l', aliases: ['host'], description: 'the master to render for', required: true, helpValue: 'MASTER' }),
    'state-dir': stateDirFlag,
  };

  protected async execute(): Promise<CommandOutcome> {
    const { args, flags } = await this.parse(Render);
    const { inventory, plays, masters } = await loadRun({ inventory: flags.inventory, playbooks: [args.playbook], limit: [flags.limit] });
    const [master] = masters;
    const facts = await loadFacts(flags['state-dir'], master.name);
    if (!facts) process.stderr.write(`note: no cached facts for ${master.name} (run diskless facts); rendering without them\n`);
    const { renderer, hostContext } = this.engineParts();
    const outcome = await renderPlaysOffline(inventory, plays, master, facts ?? {}, { renderer, hostContext });
    for (const file of outcome.files) {
      process.stdout.write(`==> ${file.path}  (${file.playbook}: ${file.task})\n${file.content.replace(/\n?$/, '\n')}\n`);
    }
    const failures = outcome.failures.map((f) => `${f.playbook}: ${f.task}: ${f.msg}`);
    if (failures.length) throw new InputError(`cannot render for ${master.name}:\n${failures.join('\n')}`);
  }
}
