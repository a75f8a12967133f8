// Turns a validated raw inventory into the Inventory the rest of the controller uses:
// defaults filled in, paths made absolute, MACs lowercased, LAN addresses derived.
import { posix } from 'node:path';
import type { Firmware, Inventory, Lan, Master, Slave } from '../types.js';
import { broadcastOf, netmaskOf, networkOf } from './ipv4.js';
import type { RawInventory, RawMaster, RawSlave } from './raw-inventory.js';
import { NO_SSH_CONFIG, type SshConfig } from './ssh-config.js';
import { buildSsh, type Report } from './ssh-settings.js';

export { resolveUserPath } from './ssh-settings.js';

const NFS_MOUNT_OPTIONS_DEFAULT = 'tcp,vers=3';

export interface DefaultsOptions {
  /** The ssh config each master reads (see sshConfigFileOf); none by default. */
  sshConfigOf?: (master: string) => SshConfig;
  /** Receives what the ssh settings cannot be built from. */
  report?: Report;
}

export function applyDefaults(file: string, raw: RawInventory, options: DefaultsOptions = {}): Inventory {
  const vars = raw.vars ?? {};
  const masters = Object.entries(raw.masters).map(([name, m]) => buildMaster(file, name, m, raw, vars, options));
  return { file, vars, masters };
}

function buildMaster(file: string, name: string, raw: RawMaster, inv: RawInventory, vars: Record<string, unknown>, options: DefaultsOptions): Master {
  const { connection, ssh: _ssh, lan: _lan, nfs: _nfs, vars: ownVars, slaves: _slaves, ...extra } = raw;
  return {
    ...extra,
    name,
    ssh: buildSsh(file, name, raw, inv, options.sshConfigOf?.(name) ?? NO_SSH_CONFIG, options.report),
    lan: buildLan(raw.lan),
    nfs: buildNfs(raw.nfs),
    slaves: Object.entries(raw.slaves ?? {})
      .map(([slaveName, s]) => buildSlave(slaveName, s, raw.boot?.firmware ?? 'auto'))
      .sort((a, b) => a.name.localeCompare(b.name, 'en', { numeric: true })),
    vars: { ...vars, ...ownVars },
    ...(connection ? { connection } : {}),
  };
}

/** One directory of nfs.shared, as the templates read it. */
export interface Share {
  path: string; // normalised: "/usr/" and "//usr" are "/usr"
  mode: 'ro' | 'rw';
  rootSquash: boolean; // true unless the inventory says rootSquash: false
}

/** "/usr/" and "//usr" are "/usr". */
export function normaliseSharePath(path: string): string {
  return posix.normalize(path).replace(/(.)\/+$/, '$1');
}

/**
 * nfs.shared with its paths normalised, as a map of path to mode (what the service
 * operation and `in` conditions read), and as `shares`, a list of { path, mode,
 * rootSquash } in the file's order (what the export and fstab templates read).
 */
function buildNfs(raw: RawMaster['nfs']): Master['nfs'] {
  const shares: Share[] = Object.entries(raw.shared ?? {}).map(([path, value]) => ({
    path: normaliseSharePath(path),
    mode: typeof value === 'string' ? value : value.mode,
    rootSquash: typeof value === 'string' || value.rootSquash !== false,
  }));
  return {
    ...raw,
    mountOptions: raw.mountOptions ?? NFS_MOUNT_OPTIONS_DEFAULT,
    shared: Object.fromEntries(shares.map((share) => [share.path, share.mode])),
    shares,
  };
}

function buildLan(raw: RawMaster['lan']): Lan {
  return {
    ...raw,
    netmask: netmaskOf(raw.prefix),
    network: networkOf(raw.address, raw.prefix),
    broadcast: broadcastOf(raw.address, raw.prefix),
  };
}

const SLAVE_INTERFACE_DEFAULT = 'eth0';

function buildSlave(name: string, raw: RawSlave, masterFirmware: Firmware): Slave {
  return {
    ...raw,
    name,
    mac: raw.mac.toLowerCase(),
    boot: raw.boot ?? 'pxe',
    firmware: raw.firmware ?? masterFirmware,
    interface: raw.interface ?? SLAVE_INTERFACE_DEFAULT,
    interfaceGiven: raw.interface !== undefined,
    services: raw.services ?? [],
  };
}
