import path from 'node:path';

export interface RunlevelLink {
  path: string;
  target: string;
}

/**
 * The links that enable a service inside a slave root, made by hand so nothing runs on the
 * master: OpenRC's /etc/runlevels/<runlevel>/<name>, or Debian's /etc/rc<N>.d/S01<name>.
 */
export function runlevelLinks(root: string, service: string, runlevel: string, style: 'openrc' | 'sysv'): RunlevelLink[] {
  if (style === 'openrc') {
    return [{ path: path.join(root, 'etc/runlevels', runlevel, service), target: `/etc/init.d/${service}` }];
  }
  return ['2', '3', '4', '5'].map((level) => ({ path: path.join(root, `etc/rc${level}.d`, `S01${service}`), target: `../init.d/${service}` }));
}
