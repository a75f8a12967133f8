import { which } from '../lib/run-command.js';

export const KNOWN_COMMANDS = [
  'node', 'rsync', 'dhcpd', 'in.tftpd', 'exportfs', 'ganesha.nfsd', 'rpcbind', 'emerge', 'portageq', 'apt-get',
  'dpkg-query', 'service', 'rc-service', 'rc-update', 'update-rc.d', 'systemctl', 'mknod', 'make', 'mkelf-linux',
] as const;

/** Path of each command the playbooks care about, or null when it is not installed. */
export async function gatherCommands(): Promise<Record<string, string | null>> {
  const paths = await Promise.all(KNOWN_COMMANDS.map((name) => which(name)));
  return Object.fromEntries(KNOWN_COMMANDS.map((name, i) => [name, paths[i]]));
}

export function packageManager(commands: Record<string, string | null>): 'apt' | 'portage' | null {
  if (commands['apt-get']) return 'apt';
  if (commands.emerge) return 'portage';
  return null;
}
