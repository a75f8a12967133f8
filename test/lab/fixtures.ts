// Helpers for tests that build their own lab beside others on the same machine.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { overlaps } from './ipv4.js';
import { hostAddresses } from './preflight.js';

/**
 * The machine's address ("10.236.N.1") on a /24 of 10.236.0.0/16 that no interface
 * uses yet. The search starts at a place chosen by the PID, so that test runs started
 * at the same time are unlikely to pick the same network.
 */
export async function freeManagementNetwork(skip: string[] = []): Promise<string> {
  const used = await hostAddresses();
  for (let i = 0; i < 256; i++) {
    const net = { address: `10.236.${(process.pid + i) % 256}.1`, prefix: 24 };
    if (!skip.includes(net.address) && !used.some((h) => overlaps(net, h))) return net.address;
  }
  throw new Error('no free 10.236.x.0/24 network for a lab');
}

/** The parts of an inventory document that tests change. */
export interface InventoryDocument {
  defaults?: { ssh?: Record<string, unknown> };
  masters: Record<string, { ssh: { host: string; [key: string]: unknown }; lan: { interface: string; [key: string]: unknown }; [key: string]: unknown }>;
  [key: string]: unknown;
}

/**
 * Copies an inventory into `dir` with every master's ssh.host moved onto `gateway`'s
 * /24 (same last octet), and its own key and known_hosts in `dir`, so a test's lab
 * touches neither the user's files nor another lab. Returns the new file's path.
 */
export function writeLabInventory(source: string, dir: string, gateway: string, change: (inventory: InventoryDocument) => void = () => {}): string {
  const inventory = JSON.parse(readFileSync(source, 'utf8')) as InventoryDocument;
  const network = gateway.split('.').slice(0, 3).join('.');
  inventory.defaults = { ...inventory.defaults, ssh: { ...inventory.defaults?.ssh, privateKey: 'id_ed25519', knownHosts: 'known_hosts' } };
  for (const master of Object.values(inventory.masters)) {
    master.ssh.host = `${network}.${master.ssh.host.split('.')[3]}`;
  }
  change(inventory);
  const file = join(dir, `inventory-${gateway}.json`);
  writeFileSync(file, `${JSON.stringify(inventory, null, 2)}\n`);
  return file;
}
