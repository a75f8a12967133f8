// Names of everything a lab makes. Each starts with the lab name, so several labs
// can run side by side and `down` can tell its own things from anyone else's.
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LabError } from './run.js';

export const DEFAULT_LAB_NAME = 'dl';
export const DEFAULT_MANAGEMENT_CIDR = '10.231.0.1/24';
const REPO_ROOT = resolve(fileURLToPath(new URL('.', import.meta.url)), '../..');

// Interface names have 15 characters at most: the lab name plus "-br" or "-m<index>".
const LAB_NAME = /^[a-z][a-z0-9]{0,7}$/;

export function checkLabName(name: string): string {
  if (!LAB_NAME.test(name)) {
    throw new LabError(`lab name "${name}" must be 1 to 8 lowercase letters or digits, starting with a letter`);
  }
  return name;
}

export function defaultLabDir(name: string): string {
  return resolve(REPO_ROOT, '.lab', name);
}

export const labNames = (lab: string) => ({
  /** Management bridge in the machine's own namespace. */
  bridge: `${lab}-br`,
  /** Machine-side end of master number `index`'s management veth. */
  masterVeth: (index: number) => `${lab}-m${index}`,
  /** Master-side end of slave number `index`'s LAN veth (inside the master's namespace). */
  slavePort: (index: number) => `${lab}-s${index}`,
  masterNetns: (master: string) => `${lab}-${master}`,
  slaveNetns: (master: string, slave: string) => `${lab}-${master}-${slave}`,
});

/** The master's end of its management veth; it yields to a LAN that is itself called eth0. */
export function managementInterface(lanInterface: string): string {
  return lanInterface === 'eth0' ? 'mgmt0' : 'eth0';
}
