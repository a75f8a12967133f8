// The example inventory made loadable on any machine for offline tests: key files of
// its own in a scratch directory (ssh must be able to read the key, though nothing
// connects), and each test's own edits.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { loadInventory } from '../../packages/controller/src/inventory/load-inventory.js';
import type { Inventory } from '../../packages/controller/src/types.js';

export const repo = resolve(import.meta.dirname, '../..');
export const scratch = mkdtempSync(join(tmpdir(), 'diskless-playbook-tests-'));
after(() => rmSync(scratch, { recursive: true, force: true }));
spawnSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(scratch, 'key')]);
writeFileSync(join(scratch, 'known_hosts'), '');

/** examples/lab/inventory.json as a document, on the scratch key files. */
export function exampleDocument(): any {
  const doc = JSON.parse(readFileSync(join(repo, 'examples/lab/inventory.json'), 'utf8'));
  doc.defaults.ssh.privateKey = join(scratch, 'key');
  doc.defaults.ssh.knownHosts = join(scratch, 'known_hosts');
  return doc;
}

/** The example inventory written to a scratch file; `change` edits its document first. */
export function exampleInventoryFile(change: (doc: any) => void = () => {}): string {
  const doc = exampleDocument();
  change(doc);
  const file = join(scratch, `inventory-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(file, JSON.stringify(doc));
  return file;
}

/** The example inventory, loaded as the controller loads it; `change` edits its document first. */
export async function exampleInventory(change: (doc: any) => void = () => {}): Promise<Inventory> {
  return loadInventory(exampleInventoryFile(change));
}
