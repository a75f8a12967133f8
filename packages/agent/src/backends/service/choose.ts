import { detectInitSystem, type InitSystem } from '../../facts/init-system.js';
import { which } from '../../lib/run-command.js';
import { openRcService } from './openrc.js';
import type { ServiceBackend } from './service-backend.js';
import { systemdService } from './systemd.js';
import { sysvService } from './sysv.js';

/** The backend for the init system that runs now, unless one is named. */
export async function chooseServiceBackend(named?: InitSystem): Promise<ServiceBackend> {
  const init = named ?? detectInitSystem();
  if (init === 'openrc') return openRcService;
  if (init === 'systemd') return systemdService;
  return sysvService({
    // overridable so the sysv path can be exercised without touching the machine's own services
    initDir: process.env.DISKLESS_INIT_DIR ?? '/etc/init.d',
    hasServiceCommand: (await which('service')) !== null,
    hasUpdateRcD: (await which('update-rc.d')) !== null,
  });
}
