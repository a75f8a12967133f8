// The lab: real masters (sshd, own root, hostname, PID namespace) and slaves (a
// network namespace with the slave's MAC) on this machine, built from an inventory.
export { describeLab, labCommand, labDown, labExec, labHealth, labPlug, labStatus, labUnplug, labUp, masterRootPath } from './lab.js';
export type { LabLocation, LabStatus, LabUpOptions } from './lab.js';
export type { Lab, LabMaster, LabSlave } from './state.js';
export { LabError } from './run.js';
export type { RunResult } from './run.js';
export { freeManagementNetwork, writeLabInventory } from './fixtures.js';
export type { InventoryDocument } from './fixtures.js';
