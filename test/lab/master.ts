// One master: a network namespace on the management bridge, a copy-on-write root
// over the machine's own, and sshd and a syslog daemon under tini in its own PID and
// UTS namespaces.
import { chmodSync, closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Cidr } from './ipv4.js';
import type { LabMasterSpec } from './inventory.js';
import { mount } from './mounts.js';
import { labNames, managementInterface } from './names.js';
import { childPids, processStartTime, rootOf, waitFor } from './processes.js';
import { LabError, run, startDaemon } from './run.js';
import { type Lab, type LabMaster, record, writeState } from './state.js';

// index/nfs_export make the overlay's files exportable by NFS-Ganesha (/usr, /home).
const OVERLAY_OPTIONS = 'index=on,nfs_export=on,redirect_dir=nofollow,metacopy=off';
const SSHD_CONFIG = '/etc/ssh/sshd_config.lab';
/** Where each master's syslog daemon (busybox syslogd) writes, in the master's root. */
export const MASTER_SYSLOG = '/var/log/syslog';

export function masterDir(lab: Lab, name: string): string {
  return join(lab.dir, 'masters', name);
}

/** Builds and starts the master; resolves with it and the public half of its new host key. */
export async function createMaster(
  lab: Lab,
  spec: LabMasterSpec,
  index: number,
  management: Cidr,
  clientKey: string,
): Promise<{ master: LabMaster; hostKey: string }> {
  const names = labNames(lab.name);
  const netns = names.masterNetns(spec.name);
  const mgmtIf = managementInterface(spec.lan.interface);
  const dir = masterDir(lab, spec.name);
  const root = join(dir, 'root');

  record(lab, { kind: 'netns', name: netns });
  await run(['ip', 'netns', 'add', netns]);
  await run(['ip', '-n', netns, 'link', 'set', 'lo', 'up']);

  const hostVeth = names.masterVeth(index);
  record(lab, { kind: 'link', name: hostVeth });
  await run(['ip', 'link', 'add', hostVeth, 'type', 'veth', 'peer', 'name', mgmtIf, 'netns', netns]);
  await run(['ip', 'link', 'set', hostVeth, 'master', lab.bridge, 'up']);
  await run(['ip', '-n', netns, 'addr', 'add', `${spec.ssh.host}/${management.prefix}`, 'dev', mgmtIf]);
  await run(['ip', '-n', netns, 'link', 'set', mgmtIf, 'up']);

  // A bridge, not a plain veth, so slaves and later a VM's tap device can all join the LAN.
  const lan = spec.lan;
  await run(['ip', '-n', netns, 'link', 'add', lan.interface, 'type', 'bridge', 'forward_delay', '0']);
  await run(['ip', '-n', netns, 'addr', 'add', `${lan.address}/${lan.prefix}`, 'dev', lan.interface]);
  await run(['ip', '-n', netns, 'link', 'set', lan.interface, 'up']);

  for (const d of ['upper', 'work', 'root', 'diskless']) mkdirSync(join(dir, d), { recursive: true });
  record(lab, { kind: 'mount', path: root });
  await mount(['-t', 'overlay', 'overlay', '-o', `lowerdir=/,upperdir=${join(dir, 'upper')},workdir=${join(dir, 'work')},${OVERLAY_OPTIONS}`, root]);
  record(lab, { kind: 'mount', path: join(root, 'dev') });
  await mount(['--rbind', '/dev', join(root, 'dev')]);
  record(lab, { kind: 'mount', path: join(root, 'run') });
  await mount(['-t', 'tmpfs', '-o', 'mode=0755,nosuid,nodev', 'tmpfs', join(root, 'run')]);
  // A plain directory, not the overlay: NFS-Ganesha exports it with stable file handles.
  mkdirSync(join(root, 'diskless'), { recursive: true });
  record(lab, { kind: 'mount', path: join(root, 'diskless') });
  await mount(['--bind', join(dir, 'diskless'), join(root, 'diskless')]);

  const hostKey = await writeMasterFiles(root, spec, clientKey);
  const pid = await startMaster(lab, spec, netns, root, dir);
  const master: LabMaster = {
    name: spec.name,
    netns,
    root,
    sshHost: spec.ssh.host,
    sshPort: spec.ssh.port,
    pid,
    managementInterface: mgmtIf,
    managementVeth: hostVeth,
    lan: { ...lan },
  };
  lab.masters.push(master);
  writeState(lab);
  return { master, hostKey };
}

/** Hostname, the master's own SSH host key, root's authorized key and sshd's config. */
async function writeMasterFiles(root: string, spec: LabMasterSpec, clientKey: string): Promise<string> {
  writeFileSync(join(root, 'etc/hostname'), `${spec.name}\n`);
  writeFileSync(join(root, 'etc/hosts'), `127.0.0.1\tlocalhost\n127.0.1.1\t${spec.name}\n${spec.ssh.host}\t${spec.name}\n`);
  // What Debian's boot scripts would have made in /run before any service starts.
  for (const d of ['sshd', 'lock', 'sendsigs.omit.d']) mkdirSync(join(root, 'run', d), { recursive: true });
  chmodSync(join(root, 'run/lock'), 0o1777);

  // The machine's own host keys show through the overlay: hide them, make the master's.
  const sshDir = join(root, 'etc/ssh');
  for (const type of ['rsa', 'ecdsa', 'ed25519', 'dsa']) {
    for (const suffix of ['', '.pub']) rmSync(join(sshDir, `ssh_host_${type}_key${suffix}`), { force: true });
  }
  await run(['ssh-keygen', '-q', '-t', 'ed25519', '-N', '', '-C', `root@${spec.name}`, '-f', join(sshDir, 'ssh_host_ed25519_key')]);

  mkdirSync(join(root, 'root/.ssh'), { recursive: true, mode: 0o700 });
  chmodSync(join(root, 'root/.ssh'), 0o700);
  writeFileSync(join(root, 'root/.ssh/authorized_keys'), `${clientKey}\n`, { mode: 0o600 });
  // A fresh server's shell start-up files, not this machine's (whose own tools, such
  // as a pyenv init, would run in every SSH session of every master).
  for (const file of ['.bashrc', '.profile']) {
    const skel = join('/etc/skel', file);
    writeFileSync(join(root, 'root', file), existsSync(skel) ? readFileSync(skel) : '');
  }

  writeFileSync(
    join(root, SSHD_CONFIG.slice(1)),
    [
      `ListenAddress ${spec.ssh.host}`,
      `Port ${spec.ssh.port}`,
      'HostKey /etc/ssh/ssh_host_ed25519_key',
      'PermitRootLogin prohibit-password',
      'PubkeyAuthentication yes',
      'AuthorizedKeysFile .ssh/authorized_keys',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'UsePAM no',
      'PidFile /run/sshd.pid',
      'AcceptEnv LANG LC_*',
      'Subsystem sftp /usr/lib/openssh/sftp-server',
      '',
    ].join('\n'),
  );
  return readFileSync(join(sshDir, 'ssh_host_ed25519_key.pub'), 'utf8').trim();
}

/**
 * Starts the master's PID 1 (tini, reaping what services leave behind) with sshd as
 * its child; /proc and /sys are mounted from inside so they show the master's own
 * processes and interfaces. Resolves with tini's PID on the machine.
 */
async function startMaster(lab: Lab, spec: LabMasterSpec, netns: string, root: string, dir: string): Promise<number> {
  const script = [
    'set -e',
    'mount -t proc proc "$1/proc"',
    'mount -t sysfs sysfs "$1/sys"',
    // The overlay's lower layer is the whole machine, the lab's own directory included:
    // hide it, so no master can read another master's files there.
    'mount -t tmpfs -o size=64k,mode=0700 lab-hidden "$1$3"',
    'hostname "$2"',
    // The machine's /dev seen through an overlay of the master's own: the syslog socket
    // its daemons log to (/dev/log) is made there, not on the machine. Mounts under /dev
    // are not part of an overlay: they are bound again.
    'mkdir -p "$4/dev-upper" "$4/dev-work"',
    'mount -t overlay -o "lowerdir=/dev,upperdir=$4/dev-upper,workdir=$4/dev-work" lab-dev "$1/dev"',
    'for d in pts shm mqueue hugepages; do if mountpoint -q "/dev/$d"; then mount --rbind "/dev/$d" "$1/dev/$d"; fi; done',
    // A syslog daemon, as a real master has: dhcpd and tftpd log to /var/log/syslog.
    `chroot "$1" /bin/busybox syslogd -O ${MASTER_SYSLOG}`,
    `exec chroot "$1" /usr/bin/tini -- /usr/sbin/sshd -D -e -f ${SSHD_CONFIG}`,
  ].join('\n');
  const log = openSync(join(dir, 'master.log'), 'a');
  const launcher = startDaemon(
    ['ip', 'netns', 'exec', netns, 'unshare', '--pid', '--fork', '--uts', '--mount', '--propagation', 'private', 'sh', '-c', script, 'sh', root, spec.name, lab.dir, dir],
    log,
  );
  closeSync(log);
  const launcherStart = processStartTime(launcher);
  if (launcherStart) record(lab, { kind: 'process', pid: launcher, startTime: launcherStart, what: `${spec.name} launcher` });

  let pid = 0;
  const ready = await waitFor(() => {
    pid = childPids(launcher)[0] ?? 0;
    return pid !== 0 && rootOf(pid) === root;
  }, 5000);
  const startTime = pid ? processStartTime(pid) : null;
  if (startTime) record(lab, { kind: 'process', pid, startTime, what: `${spec.name} init` });
  if (!ready || !startTime) throw new LabError(`master ${spec.name} did not start; see ${join(dir, 'master.log')}`);
  return pid;
}
