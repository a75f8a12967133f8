import type { Firmware } from '../types.js';
// The inventory as written in the file, after schema validation and before defaults.

export interface RawSsh {
  host?: string;
  port?: number;
  user?: string;
  privateKey?: string;
  knownHosts?: string;
  agent?: string;
  timeoutMs?: number;
  keepaliveIntervalMs?: number;
  keepaliveCountMax?: number;
  configFile?: string;
  proxyJump?: string;
  become?: 'sudo';
}

export interface RawSlave {
  mac: string;
  ip: string;
  boot?: 'pxe' | 'etherboot';
  firmware?: Firmware;
  interface?: string;
  arch?: string;
  services?: string[];
  append?: string;
  [extra: string]: unknown;
}

/** A share's mode, or an object saying more about it. */
export type RawShare = 'ro' | 'rw' | { mode: 'ro' | 'rw'; rootSquash?: boolean };

export interface RawMaster {
  connection?: 'ssh' | 'local';
  ssh?: RawSsh;
  lan: { interface: string; address: string; prefix: number; routers?: string; dns?: string[] };
  boot?: { firmware?: Firmware; transport?: 'tftp' | 'http' };
  nfs: { server: 'kernel' | 'ganesha'; mountOptions?: string; shared?: Record<string, RawShare>; [k: string]: unknown };
  vars?: Record<string, unknown>;
  slaves?: Record<string, RawSlave>;
  [extra: string]: unknown;
}

export interface RawInventory {
  defaults?: { ssh?: RawSsh };
  vars?: Record<string, unknown>;
  masters: Record<string, RawMaster>;
}
