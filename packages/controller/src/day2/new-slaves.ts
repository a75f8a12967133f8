// Names and addresses for machines `discover --write` adds as slaves: the next free
// addresses of the master's LAN and names from a pattern such as "<master>-<n>".
import { InputError } from '../errors.js';
import { formatIpv4, parseIpv4 } from '../inventory/ipv4.js';
import type { Inventory, Master } from '../types.js';

export const DEFAULT_NAME_PATTERN = '<master>-<n>';
const SAFE_NAME = /^(?=.{1,63}$)[A-Za-z0-9][A-Za-z0-9_-]*(\.[A-Za-z0-9][A-Za-z0-9_-]*)*$/;

export interface NewSlave {
  master: string;
  name: string;
  mac: string;
  ip: string;
}

/** Refuses a pattern without "<n>", or one that cannot make a slave name. */
export function checkNamePattern(pattern: string): void {
  if (!pattern.includes('<n>')) throw new InputError(`--name-pattern ${JSON.stringify(pattern)} has no <n>: each new slave needs a number of its own`);
  const sample = pattern.replaceAll('<master>', 'master').replaceAll('<n>', '1');
  if (!SAFE_NAME.test(sample)) {
    throw new InputError(`--name-pattern ${JSON.stringify(pattern)} makes names like ${JSON.stringify(sample)}, which are not host names: use letters, digits, ".", "_" and "-" besides <master> and <n>`);
  }
}

/**
 * Slaves for `macs` (per master, in order): after the highest address a slave of that
 * master has (else after the master's own), skipping every address in use, the
 * master's, its routers and DNS servers; the network and broadcast addresses never.
 */
export function planNewSlaves(inventory: Inventory, macsByMaster: Record<string, string[]>, pattern: string): NewSlave[] {
  checkNamePattern(pattern);
  const names = new Set(inventory.masters.flatMap((m) => m.slaves.map((s) => s.name)));
  const used = new Set(inventory.masters.flatMap((m) => m.slaves.map((s) => parseIpv4(s.ip)!)));
  const planned: NewSlave[] = [];
  for (const master of inventory.masters) {
    const macs = macsByMaster[master.name] ?? [];
    if (macs.length === 0) continue;
    const taken = new Set([...used, ...reserved(master)]);
    const next = addressesOf(master, taken);
    let n = 1;
    for (const mac of macs) {
      const ip = next();
      if (ip === undefined) throw new InputError(`master ${master.name}: no free address left on its LAN ${master.lan.network}/${master.lan.prefix} for ${mac}`);
      let name: string;
      do name = pattern.replaceAll('<master>', master.name).replaceAll('<n>', String(n++));
      while (names.has(name));
      if (!SAFE_NAME.test(name)) throw new InputError(`--name-pattern makes the name ${JSON.stringify(name)} for master ${master.name}, which is not a host name`);
      names.add(name);
      used.add(parseIpv4(ip)!);
      planned.push({ master: master.name, name, mac, ip });
    }
  }
  return planned;
}

function reserved(master: Master): number[] {
  return [master.lan.address, master.lan.routers, ...(master.lan.dns ?? [])].flatMap((a) => (a && parseIpv4(a) !== undefined ? [parseIpv4(a)!] : []));
}

function addressesOf(master: Master, taken: Set<number>): () => string | undefined {
  const first = parseIpv4(master.lan.network)! + 1;
  const last = parseIpv4(master.lan.broadcast)! - 1;
  const own = master.slaves.map((s) => parseIpv4(s.ip)!);
  const start = Math.max(first, (own.length ? Math.max(...own) : parseIpv4(master.lan.address)!) + 1);
  // From the start up to the end of the LAN, then from its beginning.
  const order = function* () {
    for (let a = start; a <= last; a++) yield a;
    for (let a = first; a < start && a <= last; a++) yield a;
  };
  const it = order();
  return () => {
    for (let r = it.next(); !r.done; r = it.next()) {
      if (!taken.has(r.value)) {
        taken.add(r.value);
        return formatIpv4(r.value);
      }
    }
    return undefined;
  };
}
