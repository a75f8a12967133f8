// What a person needs to see where a failed boot stopped: the master's boot-server
// configuration, logs and leases, its processes, and what /diskless holds.
import { cpSync, existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { type Lab, labExec, masterRootPath } from '../lab/index.js';

// Paths inside the master's root; the ones that do not exist are skipped.
const MASTER_FILES = [
  'etc/dhcp/dhcpd.conf',
  'etc/default/isc-dhcp-server',
  'var/lib/dhcp/dhcpd.leases',
  'etc/default/tftpd-hpa',
  'etc/ganesha/ganesha.conf',
  'etc/exports',
  'var/log/ganesha/ganesha.log',
  'var/log/syslog',
  'var/log/daemon.log',
  'diskless/pxelinux.cfg',
];

// Commands run on the master; each output lands in a file of that name.
const MASTER_COMMANDS: Record<string, string[]> = {
  'processes.txt': ['ps', '-eo', 'pid,args'],
  'listening.txt': ['ss', '-lntup'],
  'diskless.txt': ['ls', '-la', '/diskless'],
  'bridge.txt': ['bridge', 'link'],
  'rpcinfo.txt': ['rpcinfo', '-p'],
};

/** A fresh folder for one failed boot, named after the time. */
export function evidenceDir(base: string): string {
  const dir = join(base, new Date().toISOString().replace(/[:.]/g, '-'));
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** Copies the master's logs and state into `dir/master-<name>/`; never throws. */
export async function collectMasterEvidence(lab: Lab, master: string, dir: string): Promise<void> {
  const out = join(dir, `master-${master}`);
  mkdirSync(out, { recursive: true });
  const root = masterRootPath(lab, master);
  for (const path of MASTER_FILES) {
    const source = join(root, path);
    try {
      if (!existsSync(source)) continue;
      const target = join(out, path);
      mkdirSync(dirname(target), { recursive: true });
      cpSync(source, target, { recursive: statSync(source).isDirectory() });
    } catch (e) {
      writeFileSync(join(out, 'errors.txt'), `${path}: ${(e as Error).message}\n`, { flag: 'a' });
    }
  }
  for (const [file, argv] of Object.entries(MASTER_COMMANDS)) {
    try {
      const r = await labExec(lab, master, argv, { timeoutMs: 10_000 });
      writeFileSync(join(out, file), `$ ${argv.join(' ')}  (exit ${r.code})\n${r.stdout}${r.stderr}`);
    } catch (e) {
      writeFileSync(join(out, file), `$ ${argv.join(' ')}: ${(e as Error).message}\n`);
    }
  }
}
