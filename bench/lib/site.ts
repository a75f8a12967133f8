// The real thing: playbooks/site.json against bench/ansible/site.yml on lab masters.
// Both leave the same files behind, so a master either tool configured is a no-op for
// the other; a reset between the tools lets each first run start from nothing.
import { copyFileSync, existsSync, linkSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Lab } from '../../test/lab/index.js';
import { masterDir } from '../../test/lab/master.js';
import { REPO } from './tools.js';

export const SITE_PLAYBOOK = join(REPO, 'playbooks/site.json');
export const ANSIBLE_SITE_PLAYBOOK = 'site.yml';
export const MASTER_KERNEL_PLAYBOOK = join(REPO, 'playbooks/master-kernel.json');

/** The slaves' kernel and initramfs: built once (mkinitramfs is slow), kept by every reset. */
export const SLAVE_KERNEL_FILES = ['bzImage', 'initrd.img'];

/** The services site.json starts, stopped in reverse order of their dependencies. */
const SERVICES = ['nfs-ganesha-diskless', 'tftpd-hpa', 'isc-dhcp-server', 'rpcbind'];

/** What either playbook writes outside /diskless (the master's own packages stay installed). */
export const SITE_WRITES = [
  '/usr/local/sbin/diskless-slave-kernel',
  // slave-root.json's helper: clears earlier copies, locks passwords, makes identities.
  '/usr/local/sbin/diskless-slave-root',
  '/etc/kernel/postinst.d/zz-diskless-slave-kernel',
  '/etc/dhcp/dhcpd.conf',
  '/etc/default/isc-dhcp-server',
  '/etc/default/tftpd-hpa',
  '/etc/ganesha/ganesha.conf',
  '/etc/init.d/nfs-ganesha-diskless',
  '/etc/rc?.d/[SK]??nfs-ganesha-diskless',
  // The skeleton and slave-root.json's stores: identity (each slave's host keys and
  // machine-id, made once), locked-passwords and cleared (records that guard its steps).
  '/var/lib/diskless',
  // The agent diskless installs on first contact: a first run on a new master includes it.
  '/var/cache/diskless',
];

/**
 * A shell script that takes a master back to before site.json: its services stopped,
 * every file either playbook writes removed, /diskless emptied but for the slaves' kernel.
 */
export function resetScript(): string {
  const keep = SLAVE_KERNEL_FILES.map((f) => `! -name ${f}`).join(' ');
  return [
    `for s in ${SERVICES.join(' ')}; do [ -x /etc/init.d/$s ] && /etc/init.d/$s stop >/dev/null 2>&1; done`,
    `find /diskless -mindepth 1 -maxdepth 1 ${keep} -exec rm -rf {} +`,
    `rm -rf ${SITE_WRITES.join(' ')}`,
  ].join('\n');
}

/**
 * Lays the slaves' kernel and initramfs, built on the first master, into the other
 * masters' /diskless (a plain directory per master in the lab): hard links where the
 * file system allows, copies otherwise.
 */
export function spreadSlaveKernel(lab: Lab): void {
  const [first, ...others] = lab.masters.map((m) => join(masterDir(lab, m.name), 'diskless'));
  for (const file of SLAVE_KERNEL_FILES) {
    const source = join(first, file);
    if (!existsSync(source)) throw new Error(`${source} is missing: playbooks/master-kernel.json did not build the slaves' kernel on ${lab.masters[0].name}`);
    for (const dir of others) {
      const target = join(dir, file);
      rmSync(target, { force: true });
      try {
        linkSync(source, target);
      } catch {
        copyFileSync(source, target);
      }
    }
  }
}
