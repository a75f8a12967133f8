import type { ServiceBackend } from './service-backend.js';

export interface SysvOptions {
  /** Directory of init scripts; when not /etc/init.d the scripts are run directly. */
  initDir: string;
  /** Whether `service` exists (Debian's wrapper); otherwise the script is run directly. */
  hasServiceCommand: boolean;
  /** Debian's update-rc.d; without it, rc-update (OpenRC tools without OpenRC running). */
  hasUpdateRcD: boolean;
}

/** sysv init.d scripts, as on Debian masters without systemd running. */
export function sysvService(options: SysvOptions): ServiceBackend {
  const script = (service: string, verb: string): string[] =>
    options.hasServiceCommand && options.initDir === '/etc/init.d' ? ['service', service, verb] : [`${options.initDir}/${service}`, verb];
  return {
    name: 'sysv',
    status: (service) => script(service, 'status'),
    action: (service, action) => script(service, action),
    // Debian: S links in the rc2..5 directories; the shell expands the glob
    isEnabled: (service) => ['/bin/sh', '-c', 'ls /etc/rc[2345S].d/S[0-9][0-9]"$1" >/dev/null 2>&1', 'sh', service],
    enable: (service, runlevel) => (options.hasUpdateRcD ? ['update-rc.d', service, 'defaults'] : ['rc-update', 'add', service, runlevel]),
    disable: (service, runlevel) => (options.hasUpdateRcD ? ['update-rc.d', service, 'remove'] : ['rc-update', 'del', service, runlevel]),
  };
}
