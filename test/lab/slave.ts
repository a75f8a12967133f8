// One slave: a network namespace whose eth0 carries the slave's MAC and no address,
// plugged into its master's LAN bridge. It gets an address by DHCP, later.
import type { LabSlaveSpec } from './inventory.js';
import { labNames } from './names.js';
import { run } from './run.js';
import { type Lab, type LabMaster, type LabSlave, record, writeState } from './state.js';

export async function createSlave(lab: Lab, master: LabMaster, spec: LabSlaveSpec, index: number): Promise<LabSlave> {
  const names = labNames(lab.name);
  const netns = names.slaveNetns(master.name, spec.name);
  const bridgePort = names.slavePort(index);
  record(lab, { kind: 'netns', name: netns });
  await run(['ip', 'netns', 'add', netns]);
  await run(['ip', '-n', netns, 'link', 'set', 'lo', 'up']);
  // The master's end stays in the master's namespace: deleting that namespace removes the pair.
  await run(['ip', '-n', master.netns, 'link', 'add', bridgePort, 'type', 'veth', 'peer', 'name', 'eth0', 'address', spec.mac, 'netns', netns]);
  await run(['ip', '-n', master.netns, 'link', 'set', bridgePort, 'master', master.lan.interface, 'up']);
  await run(['ip', '-n', netns, 'link', 'set', 'eth0', 'up']);
  const slave: LabSlave = { name: spec.name, master: master.name, netns, mac: spec.mac, bridgePort };
  lab.slaves.push(slave);
  writeState(lab);
  return slave;
}
