// `diskless discover`: the machines each master's dhcpd heard from that are in no
// inventory, and, with --write or --check, the slaves they would become.
import type { UnknownClient } from '@diskless/agent/protocol';
import type { Inventory, Master } from '../types.js';
import { formatTable } from '../report/table.js';
import type { MasterAnswer } from './ask-masters.js';
import { age } from './time-text.js';

/** One machine as the agent's unknown_clients operation reports it. */
export type UnknownMachine = UnknownClient;

export interface DiscoverHost {
  unreachable: boolean;
  msg?: string;
  unknown: UnknownMachine[];
}

/** What the agent is asked: every MAC of the inventory, so that no slave is ever listed. */
export function discoverArgs(inventory: Inventory): (master: Master) => Record<string, unknown> {
  const known = inventory.masters.flatMap((m) => m.slaves.map((s) => s.mac));
  return () => ({ known });
}

/** The agents' answers as the report's hosts; a slave of the inventory is dropped again here. */
export function discoverHosts(inventory: Inventory, answers: Record<string, MasterAnswer>): Record<string, DiscoverHost> {
  const known = new Set(inventory.masters.flatMap((m) => m.slaves.map((s) => s.mac)));
  return Object.fromEntries(
    Object.entries(answers).map(([name, a]) => {
      const unknown = ((a.data?.unknown as UnknownMachine[] | undefined) ?? []).filter((u) => !known.has(u.mac));
      return [name, { unreachable: a.unreachable, ...(a.msg ? { msg: a.msg } : {}), unknown }];
    }),
  );
}

/** The MACs to add, each under the first master that heard it. */
export function macsToAdd(hosts: Record<string, DiscoverHost>): Record<string, string[]> {
  const seen = new Set<string>();
  const byMaster: Record<string, string[]> = {};
  for (const [master, host] of Object.entries(hosts)) {
    for (const u of host.unknown) {
      if (seen.has(u.mac)) continue;
      seen.add(u.mac);
      (byMaster[master] ??= []).push(u.mac);
    }
  }
  return byMaster;
}

export function formatDiscoverTable(hosts: Record<string, DiscoverHost>, now = Date.now()): string {
  const rows = Object.entries(hosts).flatMap(([master, host]) =>
    host.unknown.map((u) => [
      master,
      u.mac,
      u.interface ?? '-',
      u.vendorClass ?? '-',
      u.arch === null ? '-' : String(u.arch),
      age(u.firstSeen, now),
      age(u.lastSeen, now),
      String(u.count),
    ]),
  );
  if (rows.length === 0) return 'No unknown machines asked for an address.\n';
  return formatTable(['MASTER', 'MAC', 'INTERFACE', 'VENDOR CLASS', 'ARCH', 'FIRST SEEN', 'LAST SEEN', 'REQUESTS'], rows, [7]) + '\n';
}
