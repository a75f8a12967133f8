// Asks one master for its facts over SSH, before it is in any inventory: the same
// defaults, host key checks and agent as every other run.
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EngineParts } from '../engine/engine-parts.js';
import { runPlays } from '../engine/run-plays.js';
import { InputError, InputErrors, UnreachableError } from '../errors.js';
import { loadInventory } from '../inventory/load-inventory.js';
import type { Inventory } from '../types.js';
import { masterNameOf, type MasterFacts, type SshTarget } from './propose-master.js';

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
  const name = masterNameOf(undefined, target.host);
  const ssh = { ...target, ...(privateKey ? { privateKey } : {}), ...(knownHosts ? { knownHosts } : {}) };
  // An inventory of this master alone, loaded as every other: the user's ssh config
  // (aliases, jump hosts, keys) and the checks apply as they will later.
  const raw = { masters: { [name]: { ssh, lan: { interface: 'lo', address: '127.0.0.1', prefix: 8 }, nfs: { server: 'ganesha' } } } };
  const scratch = await mkdtemp(join(tmpdir(), 'diskless-init-'));
  let inventory: Inventory;
  try {
    await writeFile(join(scratch, 'inventory.json'), JSON.stringify(raw));
    inventory = await loadInventory(join(scratch, 'inventory.json'));
  } catch (error) {
    // The scratch file means nothing to the user: name the flags instead.
    if (error instanceof InputErrors) throw new InputError(`--master ${target.host}: ${error.errors.map((e) => e.message).join('; ')}`);
    throw error;
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
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
  const report = summary.hosts[name];
  if (!facts) throw new UnreachableError(target.host, report?.message ?? report?.tasks.find((t) => t.msg)?.msg ?? 'no facts came back');
  return facts;
}
