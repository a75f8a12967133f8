// A jump host for a lab, and a controller namespace that reaches the masters only
// through it: the jump host's namespace has a leg on the management bridge (it reaches
// every master) and a leg on a small "outside" network shared with the controller's
// namespace, which has no route to the management network. The jump host runs sshd
// (root login by key only, TCP forwarding allowed) with a private /run; the lab's
// record holds its namespaces, links and process, so `down` removes them.
import { closeSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { processStartTime, waitFor } from './processes.js';
import { LabError, run, runCommand, startDaemon } from './run.js';
import { type Lab, record } from './state.js';

export interface JumpHost {
  /** Namespace to run the controller in: it reaches the jump host only. */
  controllerNetns: string;
  /** The jump host's address as the controller sees it (port 22). */
  address: string;
  /** Its host key, "ssh-ed25519 AAAA…". */
  hostKey: string;
  /** Its address on the management network. */
  managementAddress: string;
}

const OUTSIDE = { controller: '198.51.100.1', jump: '198.51.100.2', prefix: 30 };

/**
 * Adds the jump host at `managementAddress` (a free address of the lab's management
 * network) and the controller namespace; `clientKey` is the public key root may log in with.
 */
export async function addJumpHost(lab: Lab, managementAddress: string, clientKey: string): Promise<JumpHost> {
  const jumpNetns = `${lab.name}-jump`;
  const controllerNetns = `${lab.name}-ctl`;
  const bridgePort = `${lab.name}-j0`;
  const dir = join(lab.dir, 'jump');
  mkdirSync(dir, { recursive: true });
  const prefix = lab.managementCidr.split('/')[1];

  for (const netns of [jumpNetns, controllerNetns]) {
    record(lab, { kind: 'netns', name: netns });
    await run(['ip', 'netns', 'add', netns]);
    await run(['ip', '-n', netns, 'link', 'set', 'lo', 'up']);
  }
  record(lab, { kind: 'link', name: bridgePort });
  await run(['ip', 'link', 'add', bridgePort, 'type', 'veth', 'peer', 'name', 'mgmt0', 'netns', jumpNetns]);
  await run(['ip', 'link', 'set', bridgePort, 'master', lab.bridge, 'up']);
  await run(['ip', '-n', jumpNetns, 'addr', 'add', `${managementAddress}/${prefix}`, 'dev', 'mgmt0']);
  await run(['ip', '-n', jumpNetns, 'link', 'set', 'mgmt0', 'up']);
  await run(['ip', '-n', jumpNetns, 'link', 'add', 'out0', 'type', 'veth', 'peer', 'name', 'out0', 'netns', controllerNetns]);
  await run(['ip', '-n', jumpNetns, 'addr', 'add', `${OUTSIDE.jump}/${OUTSIDE.prefix}`, 'dev', 'out0']);
  await run(['ip', '-n', jumpNetns, 'link', 'set', 'out0', 'up']);
  await run(['ip', '-n', controllerNetns, 'addr', 'add', `${OUTSIDE.controller}/${OUTSIDE.prefix}`, 'dev', 'out0']);
  await run(['ip', '-n', controllerNetns, 'link', 'set', 'out0', 'up']);
  // A jump host does not route: only its sshd carries the controller's connections on.
  await run(['ip', 'netns', 'exec', jumpNetns, 'sysctl', '-qw', 'net.ipv4.ip_forward=0']);

  await run(['ssh-keygen', '-q', '-t', 'ed25519', '-N', '', '-C', 'root@jump', '-f', join(dir, 'host_ed25519')]);
  writeFileSync(join(dir, 'authorized_keys'), `${clientKey}\n`);
  const config = join(dir, 'sshd_config');
  writeFileSync(
    config,
    [
      `ListenAddress ${OUTSIDE.jump}`,
      'Port 22',
      `HostKey ${join(dir, 'host_ed25519')}`,
      `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
      'PermitRootLogin prohibit-password',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'UsePAM no',
      'StrictModes no',
      'AllowTcpForwarding yes',
      `PidFile ${join(dir, 'sshd.pid')}`,
      '',
    ].join('\n'),
  );
  const setup = 'mount -t tmpfs tmpfs /run && mkdir /run/sshd && exec /usr/sbin/sshd -D -e -f "$0"';
  const log = openSync(join(dir, 'sshd.log'), 'a');
  const pid = startDaemon(['ip', 'netns', 'exec', jumpNetns, 'unshare', '--mount', '--propagation', 'private', 'sh', '-c', setup, config], log);
  closeSync(log);
  const startTime = processStartTime(pid);
  if (startTime) record(lab, { kind: 'process', pid, startTime, what: 'jump host sshd' });
  const listening = await waitFor(async () => {
    const probe = await runCommand(['ip', 'netns', 'exec', controllerNetns, 'bash', '-c', `exec 3<>/dev/tcp/${OUTSIDE.jump}/22`]);
    return probe.code === 0;
  }, 10_000);
  if (!listening) throw new LabError(`the jump host's sshd does not answer; see ${join(dir, 'sshd.log')}`);
  return {
    controllerNetns,
    address: OUTSIDE.jump,
    hostKey: readFileSync(join(dir, 'host_ed25519.pub'), 'utf8').trim().split(' ').slice(0, 2).join(' '),
    managementAddress,
  };
}
