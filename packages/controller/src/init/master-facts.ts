// Asks one master for its facts over SSH, before it is in any inventory: the same
// defaults, host key checks and agent as every other run.
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { join } from 'node:path';
import { InputError, UnreachableError } from '../errors.js';
import { runPlays } from '../engine/run-plays.js';
import type { EngineParts } from '../commands/engine-parts.js';
import { applyDefaults } from '../inventory/apply-defaults.js';
import type { RawInventory } from '../inventory/raw-inventory.js';
import type { MasterFacts, SshTarget } from './propose-master.js';

const TARGET = /^(?:([A-Za-z_][A-Za-z0-9_.-]{0,31})@)?([A-Za-z0-9][A-Za-z0-9.-]{0,252})(?::([0-9]{1,5}))?$/;

/** "[user@]host[:port]", as ssh takes it. */
export function parseTarget(text: string): SshTarget {
  const match = TARGET.exec(text);
  const port = match?.[3] === undefined ? undefined : Number(match[3]);
  if (!match || (port !== undefined && (port < 1 || port > 65535))) {
    throw new InputError(`--master ${JSON.stringify(text)} is not [user@]host[:port] (a host name or IPv4 address; a port from 1 to 65535)`);
  }
  return { host: match[2], ...(match[1] ? { user: match[1] } : {}), ...(port ? { port } : {}) };
}

/** The addresses the host name stands for, seen from here: the master's management side. */
export async function addressesOf(host: string): Promise<string[]> {
  if (isIP(host)) return [host];
  return lookup(host, { all: true, family: 4 }).then(
    (found) => found.map((a) => a.address),
    () => [],
  );
}

export interface ProbeOptions extends EngineParts {
  privateKey?: string;
  knownHosts?: string;
  acceptNewHostKeys?: boolean;
}

export async function masterFacts(target: SshTarget, options: ProbeOptions): Promise<MasterFacts> {
  const { privateKey, knownHosts, acceptNewHostKeys, ...parts } = options;
  const ssh = { ...target, ...(privateKey ? { privateKey } : {}), ...(knownHosts ? { knownHosts } : {}) };
  // Paths given on the command line are relative to the current directory.
  const raw = { masters: { [target.host]: { ssh, lan: { interface: 'lo', address: '127.0.0.1', prefix: 8 }, nfs: { server: 'ganesha' } } } };
  const inventory = applyDefaults(join(process.cwd(), 'command line'), raw as RawInventory);
  let facts: MasterFacts | undefined;
  const summary = await runPlays(inventory, [], {
    ...parts,
    emit: () => undefined,
    lock: false,
    acceptNewHostKeys,
    onFacts: (_master, gathered) => {
      facts = gathered as MasterFacts;
    },
  });
  const report = summary.hosts[target.host];
  if (!facts) throw new UnreachableError(target.host, report?.message ?? report?.tasks.find((t) => t.msg)?.msg ?? 'no facts came back');
  return facts;
}
