// What the facts operation answers: the shapes the controller reads (types only).
import type { InitSystem } from './init-system.js';
import type { InterfaceFacts } from './interfaces.js';
import type { KernelFacts } from './kernel.js';
import type { OsFacts } from './os-release.js';

export type { InitSystem, InterfaceFacts, KernelFacts, OsFacts };

export interface DisklessFacts {
  /** The directory the slave roots live under, or the nearest existing parent of it. */
  path: string;
  freeBytes: number | null;
}

/** A type, not an interface: it passes where a plain record of values is expected. */
export type Facts = {
  hostname: string;
  /** The machine name as `uname -m` gives it (x86_64, aarch64, i686). */
  arch: string;
  os: OsFacts;
  /** The init system that runs now. */
  init: InitSystem;
  interfaces: InterfaceFacts[];
  kernel: KernelFacts;
  /** Path of each command the playbooks care about, or null when it is not installed. */
  commands: Record<string, string | null>;
  diskless: DisklessFacts;
  packageManager: 'apt' | 'portage' | null;
};
