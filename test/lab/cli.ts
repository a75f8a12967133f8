// npm run lab -- up -i <inventory.json> | down | status | exec <master-or-slave> -- <command...>
import { spawn } from 'node:child_process';
import { parseArgs } from 'node:util';
import { describeLab, labCommand, labDown, labPlug, labStatus, labUnplug, labUp } from './lab.js';
import { LabError } from './run.js';
import { readState } from './state.js';
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { checkLabName, DEFAULT_LAB_NAME, defaultLabDir } from './names.js';

/** Names of the labs whose state is under the repository's .lab directory. */
function labsOnDisk(): string[] {
  const root = dirname(defaultLabDir(DEFAULT_LAB_NAME));
  if (!existsSync(root)) return [];
  return readdirSync(root).filter((name) => existsSync(join(root, name, 'state.json')));
}

const USAGE = `usage: npm run lab -- <command> [options]
  up -i <inventory.json> [--name N] [--management 10.231.0.1/24]   build the lab (idempotent)
  down [--name N | --all]                                           remove everything the lab made (--all: every lab under .lab/)
  status [--name N] [--json]                                        what the lab holds, and whether it is healthy
  exec <master-or-slave> [--name N] -- <command...>                 run a command on a master or in a slave's namespace
  plug <master> --mac M --as NAME [--name N]                        put a machine that is in no inventory on the master's LAN
  unplug <master>/<NAME> [--name N]                                 take it off again
options: --dir D (the lab's directory; default .lab/<name> in the repository)`;

async function main(argv: string[]): Promise<number> {
  const dashdash = argv.indexOf('--');
  const command = dashdash >= 0 ? argv.slice(dashdash + 1) : [];
  const { values, positionals } = parseArgs({
    args: dashdash >= 0 ? argv.slice(0, dashdash) : argv,
    allowPositionals: true,
    options: {
      inventory: { type: 'string', short: 'i' },
      name: { type: 'string', short: 'n' },
      dir: { type: 'string' },
      management: { type: 'string' },
      json: { type: 'boolean' },
      all: { type: 'boolean' },
      mac: { type: 'string' },
      as: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const [verb, target] = positionals;
  const where = { name: values.name, dir: values.dir };
  const log = (line: string) => console.log(line);
  if (values.help || !verb) {
    console.log(USAGE);
    return values.help ? 0 : 1;
  }
  switch (verb) {
    case 'up': {
      if (!values.inventory) throw new LabError('up needs an inventory: -i <inventory.json>');
      const started = Date.now();
      const lab = await labUp({ ...where, inventoryFile: values.inventory, managementCidr: values.management, log });
      console.log(`${describeLab(lab)}\nlab ${lab.name} up in ${((Date.now() - started) / 1000).toFixed(1)} s`);
      return 0;
    }
    case 'down': {
      if (values.all) {
        const names = labsOnDisk();
        for (const name of names) await labDown({ name, log });
        console.log(names.length ? `labs down: ${names.join(', ')}` : 'no lab is up');
        return 0;
      }
      await labDown({ ...where, log });
      console.log(`lab ${where.name ?? DEFAULT_LAB_NAME} is down`);
      return 0;
    }
    case 'status': {
      const status = await labStatus(where);
      if (values.json) console.log(JSON.stringify(status, null, 2));
      else if (!status.lab) console.log(`lab ${where.name ?? DEFAULT_LAB_NAME} is not up`);
      else console.log(`${describeLab(status.lab)}\n${status.up ? 'healthy' : `NOT healthy:\n  ${status.problems.join('\n  ')}`}`);
      return status.up ? 0 : 3;
    }
    case 'exec': {
      if (!target || command.length === 0) throw new LabError('usage: npm run lab -- exec <master-or-slave> -- <command...>');
      const name = checkLabName(where.name ?? DEFAULT_LAB_NAME);
      const lab = readState(where.dir ?? defaultLabDir(name));
      if (!lab) throw new LabError(`lab ${name} is not up`);
      const run = labCommand(lab, target, command);
      const child = spawn(run.argv[0], run.argv.slice(1), { stdio: 'inherit', env: run.env });
      return new Promise((done) => child.on('exit', (code, signal) => done(code ?? (signal ? 128 : 1))));
    }
    case 'plug': {
      if (!target || !values.mac || !values.as) throw new LabError('usage: npm run lab -- plug <master> --mac <MAC> --as <name>');
      const slave = await labPlug(where, target, values.as, values.mac.toLowerCase());
      console.log(`plugged ${slave.name} (${slave.mac}) into ${slave.master}'s LAN: netns ${slave.netns}`);
      return 0;
    }
    case 'unplug': {
      if (!target) throw new LabError('usage: npm run lab -- unplug <master>/<name>');
      await labUnplug(where, target);
      console.log(`unplugged ${target}`);
      return 0;
    }
    default:
      throw new LabError(`unknown command "${verb}"\n${USAGE}`);
  }
}

// Output piped into `head` must not stop a half-done `up` or `down`.
process.stdout.on('error', () => {});

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e: unknown) => {
    const known = e instanceof LabError || (e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS');
    console.error(`lab: ${known ? (e as Error).message : (e as Error).stack}`);
    process.exit(1);
  },
);
