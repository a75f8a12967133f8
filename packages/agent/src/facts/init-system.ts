import { existsSync } from 'node:fs';

export type InitSystem = 'systemd' | 'openrc' | 'sysv';

/** The init system that runs now (not merely installed). */
export function detectInitSystem(exists: (path: string) => boolean = existsSync): InitSystem {
  if (exists('/run/systemd/system')) return 'systemd';
  if (exists('/run/openrc')) return 'openrc';
  return 'sysv';
}
