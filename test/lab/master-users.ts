// An ordinary login user on a lab master, allowed to log in with a key and to run
// anything through sudo, with or without a password (what ssh.become is for).
import { existsSync } from 'node:fs';
import { labExec } from './lab.js';
import { LabError } from './run.js';
import type { Lab } from './state.js';

export interface MasterUser {
  user: string;
  publicKey: string;
  /** sudo asks for this password; none: sudo without one (NOPASSWD). */
  password?: string;
}

async function exec(lab: Lab, master: string, argv: string[], input?: string): Promise<void> {
  const r = await labExec(lab, master, argv, { input });
  if (r.code !== 0) throw new LabError(`${master}: \`${argv.join(' ')}\` exited ${r.code}: ${r.stderr.trim()}`);
}

export async function addMasterUser(lab: Lab, master: string, spec: MasterUser): Promise<void> {
  if (!/^[a-z][a-z0-9-]{0,30}$/.test(spec.user)) throw new LabError(`user name ${JSON.stringify(spec.user)} is not a plain login name`);
  // The masters' roots are the machine's own under an overlay.
  if (!existsSync('/usr/bin/sudo')) throw new LabError('sudo is not installed on this machine (the lab masters use its files): apt-get install -y sudo');
  const home = `/home/${spec.user}`;
  await exec(lab, master, ['useradd', '--create-home', '--shell', '/bin/bash', spec.user]);
  // sshd without PAM refuses a locked account ("!"): "*" has no password, yet is not locked.
  await exec(lab, master, ['usermod', '--password', '*', spec.user]);
  if (spec.password !== undefined) await exec(lab, master, ['chpasswd'], `${spec.user}:${spec.password}\n`);
  await exec(lab, master, ['install', '-d', '-m', '700', '-o', spec.user, '-g', spec.user, `${home}/.ssh`]);
  await exec(lab, master, ['sh', '-c', 'cat > "$1" && chown "$2:" "$1" && chmod 600 "$1"', 'sh', `${home}/.ssh/authorized_keys`, spec.user], `${spec.publicKey}\n`);
  const rule = `${spec.user} ALL=(ALL:ALL) ${spec.password === undefined ? 'NOPASSWD: ' : ''}ALL\n`;
  await exec(lab, master, ['sh', '-c', 'umask 0227 && cat > "$1" && visudo -cqf "$1"', 'sh', `/etc/sudoers.d/${spec.user}`], rule);
}
