// Makes a running lab follow a changed inventory: masters and slaves that left it are
// removed, new ones are made, changed ones are made again; everything else keeps
// running untouched (a master's root, its daemons, its slaves' namespaces).
import { rmSync } from 'node:fs';
import type { LabInventory, LabMasterSpec } from './inventory.js';
import { parseMasters } from './inventory.js';
import { type Cidr, parseCidr } from './ipv4.js';
import { createMaster, masterDir } from './master.js';
import { labNames } from './names.js';
import { checkAddresses, checkNamesFree } from './preflight.js';
import { waitFor } from './processes.js';
import { LabError, runCommand } from './run.js';
import { createSlave } from './slave.js';
import { ensureClientKey } from './ssh-keys.js';
import { type Lab, type LabMaster, type LabSlave, type Resource, writeState } from './state.js';
import { removeResources } from './teardown.js';

export interface LabChanges {
  removeMasters: LabMaster[];
  /** Slaves of masters that stay (a removed master takes its slaves with it). */
  removeSlaves: LabSlave[];
  addMasters: LabMasterSpec[];
  addSlaves: { master: string; name: string; mac: string }[];
}

/** What a master's lab parts are built from: a change here means making it again. */
const masterShape = (m: LabMasterSpec) => JSON.stringify({ ssh: m.ssh, lan: m.lan });

/** The changes that take `lab` (built from `before`) to `after`; slaves plugged in by hand stay. */
export function planLabChanges(lab: Lab, before: LabMasterSpec[], after: LabMasterSpec[]): LabChanges {
  const was = new Map(before.map((m) => [m.name, m]));
  const will = new Map(after.map((m) => [m.name, m]));
  const removeMasters = lab.masters.filter((m) => {
    const next = will.get(m.name);
    const previous = was.get(m.name);
    return !next || !previous || masterShape(previous) !== masterShape(next);
  });
  const removed = new Set(removeMasters.map((m) => m.name));
  const removeSlaves = lab.slaves.filter((s) => {
    if (removed.has(s.master) || s.unlisted) return false;
    const spec = will.get(s.master)?.slaves.find((x) => x.name === s.name);
    return !spec || spec.mac !== s.mac;
  });
  const staying = (s: LabSlave) => !removed.has(s.master) && !removeSlaves.includes(s);
  const addMasters = after.filter((m) => removed.has(m.name) || !lab.masters.some((x) => x.name === m.name));
  const addSlaves = after.flatMap((m) =>
    m.slaves
      .filter((spec) => !lab.slaves.some((s) => staying(s) && s.master === m.name && s.name === spec.name))
      .map((spec) => ({ master: m.name, name: spec.name, mac: spec.mac })),
  );
  return { removeMasters, removeSlaves, addMasters, addSlaves };
}

export function describeChanges(changes: LabChanges): string[] {
  return [
    ...changes.removeMasters.map((m) => `remove master ${m.name}`),
    ...changes.removeSlaves.map((s) => `remove slave ${s.master}/${s.name}`),
    ...changes.addMasters.map((m) => `add master ${m.name}`),
    ...changes.addSlaves.map((s) => `add slave ${s.master}/${s.name} (${s.mac})`),
  ];
}

/** Applies the inventory to a running lab; returns the masters made, whose host keys are new. */
export async function reconcile(lab: Lab, inventory: LabInventory, log: (line: string) => void): Promise<LabMaster[]> {
  const before = parseMasters(JSON.parse(lab.inventoryText), lab.inventoryFile);
  const changes = planLabChanges(lab, before, inventory.masters);
  const management = parseCidr(lab.managementCidr)!;
  const names = labNames(lab.name);
  const newMasters = changes.addMasters.filter((m) => !changes.removeMasters.some((r) => r.name === m.name));
  await checkAddresses(newMasters, management, lab.bridge);
  const staying = lab.masters.filter((m) => !changes.removeMasters.includes(m));
  const taken = changes.addMasters.filter((m) => staying.some((s) => s.sshHost === m.ssh.host));
  if (taken.length > 0) throw new LabError(`refusing to change lab ${lab.name}: ${taken.map((m) => `master ${m.name}'s ssh.host ${m.ssh.host}`).join(', ')} is another master's`);
  // Names that stay in use: a slave made again keeps its namespace's name.
  const freed = new Set(changes.removeSlaves.map((s) => s.netns));
  await checkNamesFree(
    changes.addSlaves
      .filter((s) => !changes.addMasters.some((m) => m.name === s.master))
      .map((s) => names.slaveNetns(s.master, s.name))
      .filter((ns) => !freed.has(ns)),
    [],
  );
  for (const line of describeChanges(changes)) log(line);

  for (const master of changes.removeMasters) await removeMaster(lab, master, log);
  for (const slave of changes.removeSlaves) await removeSlave(lab, slave, log);
  const made = await addMasters(lab, changes.addMasters, management);
  for (const s of changes.addSlaves) {
    const master = lab.masters.find((m) => m.name === s.master)!;
    await createSlave(lab, master, s, freeIndex(lab.slaves.map((x) => x.bridgePort), names.slavePort));
  }
  lab.inventoryFile = inventory.file;
  lab.inventoryText = inventory.text;
  writeState(lab);
  return made;
}

async function addMasters(lab: Lab, specs: LabMasterSpec[], management: Cidr): Promise<LabMaster[]> {
  const made: LabMaster[] = [];
  for (const spec of specs) {
    const client = await ensureClientKey(spec.ssh.privateKey);
    const index = freeIndex(lab.masters.map((m) => m.managementVeth), labNames(lab.name).masterVeth);
    made.push((await createMaster(lab, { ...spec, slaves: [] }, index, management, client.publicKey)).master);
  }
  return made;
}

/** The smallest index whose name is not taken. */
function freeIndex(taken: string[], nameOf: (index: number) => string): number {
  let index = 0;
  while (taken.includes(nameOf(index))) index++;
  return index;
}

/** Removes a master, its slaves and everything recorded for them; the rest of the lab stays. */
export async function removeMaster(lab: Lab, master: LabMaster, log: (line: string) => void): Promise<void> {
  const dir = masterDir(lab, master.name);
  const slaves = lab.slaves.filter((s) => s.master === master.name);
  const owned = (r: Resource) =>
    (r.kind === 'netns' && (r.name === master.netns || slaves.some((s) => s.netns === r.name))) ||
    (r.kind === 'link' && r.name === master.managementVeth) ||
    (r.kind === 'mount' && r.path.startsWith(`${dir}/`)) ||
    (r.kind === 'process' && r.what.startsWith(`${master.name} `));
  await removeResources(lab.created.filter(owned), dir, log);
  // The machine would keep the old MAC for this address for seconds: a master made
  // again at the same address would not answer SSH until that entry went stale.
  await runCommand(['ip', 'neigh', 'del', master.sshHost, 'dev', lab.bridge]);
  lab.created = lab.created.filter((r) => !owned(r));
  lab.masters = lab.masters.filter((m) => m !== master);
  lab.slaves = lab.slaves.filter((s) => s.master !== master.name);
  rmSync(dir, { recursive: true, force: true });
  writeState(lab);
}

/** Removes one slave's namespace (its veth pair goes with it). */
export async function removeSlave(lab: Lab, slave: LabSlave, log: (line: string) => void): Promise<void> {
  const owned = (r: Resource) => r.kind === 'netns' && r.name === slave.netns;
  await removeResources(lab.created.filter(owned), null, log);
  // The kernel removes the master's end of the pair a moment after the namespace:
  // wait, so that its name can be given to the next slave.
  const master = lab.masters.find((m) => m.name === slave.master);
  if (master) {
    const portGone = async () => (await runCommand(['ip', '-n', master.netns, 'link', 'show', 'dev', slave.bridgePort])).code !== 0;
    if (!(await waitFor(portGone, 5000))) throw new LabError(`${slave.bridgePort} stays on ${master.name} after ${slave.name}'s namespace was deleted`);
  }
  lab.created = lab.created.filter((r) => !owned(r));
  lab.slaves = lab.slaves.filter((s) => s !== slave);
  writeState(lab);
}

/** Plugs a machine that is in no inventory onto a master's LAN, with the given MAC. */
export async function plugMachine(lab: Lab, masterName: string, name: string, mac: string): Promise<LabSlave> {
  const master = lab.masters.find((m) => m.name === masterName);
  if (!master) throw new LabError(`lab ${lab.name} has no master ${masterName}`);
  if (!/^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/.test(mac)) throw new LabError(`"${mac}" is not a MAC like 02:00:0a:01:00:99`);
  if (lab.slaves.some((s) => s.master === masterName && s.name === name)) throw new LabError(`${masterName} already has a machine named ${name}`);
  if (lab.slaves.some((s) => s.mac === mac)) throw new LabError(`a machine with MAC ${mac} is already in lab ${lab.name}`);
  await checkNamesFree([labNames(lab.name).slaveNetns(masterName, name)], []);
  const slave = await createSlave(lab, master, { name, mac }, freeIndex(lab.slaves.map((x) => x.bridgePort), labNames(lab.name).slavePort));
  slave.unlisted = true;
  writeState(lab);
  return slave;
}
