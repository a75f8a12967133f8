import type { ServiceBackend } from './service-backend.js';

/** systemd: systemctl; runlevels do not apply, units are enabled for boot. */
export const systemdService: ServiceBackend = {
  name: 'systemd',
  status: (service) => ['systemctl', 'is-active', '--quiet', service],
  action: (service, action) => ['systemctl', action, service],
  isEnabled: (service) => ['systemctl', 'is-enabled', '--quiet', service],
  enable: (service) => ['systemctl', 'enable', service],
  disable: (service) => ['systemctl', 'disable', service],
};
