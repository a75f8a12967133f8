import type { ServiceBackend } from './service-backend.js';

/** OpenRC (Gentoo): rc-service and rc-update. */
export const openRcService: ServiceBackend = {
  name: 'openrc',
  status: (service) => ['rc-service', service, 'status'],
  action: (service, action) => ['rc-service', service, action],
  isEnabled: (service, runlevel) => ['test', '-e', `/etc/runlevels/${runlevel}/${service}`],
  enable: (service, runlevel) => ['rc-update', 'add', service, runlevel],
  disable: (service, runlevel) => ['rc-update', 'del', service, runlevel],
};
