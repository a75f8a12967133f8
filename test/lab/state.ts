// The lab's record of what it made, kept on disk beside the lab so `down` can undo
// it even after the process that built it crashed.
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LabError } from './run.js';

export type Resource =
  | { kind: 'netns'; name: string }
  | { kind: 'link'; name: string; netns?: string }
  | { kind: 'mount'; path: string }
  | { kind: 'process'; pid: number; startTime: string; what: string };

export interface LabMaster {
  name: string;
  netns: string;
  /** Host path of the master's merged root. */
  root: string;
  sshHost: string;
  sshPort: number;
  /** Host PID of the master's PID 1 (tini): the handle to enter its namespaces. */
  pid: number;
  managementInterface: string;
  /** The machine-side end of its management veth, on the lab's bridge. */
  managementVeth: string;
  lan: { interface: string; address: string; prefix: number };
}

export interface LabSlave {
  name: string;
  master: string;
  netns: string;
  mac: string;
  /** The slave's port on its master's LAN bridge (inside the master's namespace). */
  bridgePort: string;
  /** A machine plugged in by hand (`lab plug`), in no inventory: a new node to discover. */
  unlisted?: boolean;
}

export interface Lab {
  name: string;
  dir: string;
  inventoryFile: string;
  inventoryText: string;
  managementCidr: string;
  bridge: string;
  masters: LabMaster[];
  slaves: LabSlave[];
  /** Everything made, in order; `down` undoes it backwards. */
  created: Resource[];
}

export const stateFile = (dir: string) => join(dir, 'state.json');

export function readState(dir: string): Lab | null {
  const file = stateFile(dir);
  if (!existsSync(file)) return null;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as Lab;
  } catch (e) {
    throw new LabError(`${file}: unreadable lab state (${(e as Error).message}); remove what it made by hand`);
  }
}

export function writeState(lab: Lab): void {
  const file = stateFile(lab.dir);
  writeFileSync(`${file}.tmp`, `${JSON.stringify(lab, null, 2)}\n`);
  renameSync(`${file}.tmp`, file);
}

/** Notes a resource before it is made, so a crash in between still leaves a record. */
export function record(lab: Lab, resource: Resource): void {
  lab.created.push(resource);
  writeState(lab);
}
