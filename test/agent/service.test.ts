import assert from 'node:assert/strict';
import { existsSync, lstatSync, mkdirSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { openRcService } from '../../packages/agent/src/backends/service/openrc.js';
import { runlevelLinks } from '../../packages/agent/src/backends/service/slave-root-links.js';
import { systemdService } from '../../packages/agent/src/backends/service/systemd.js';
import { sysvService } from '../../packages/agent/src/backends/service/sysv.js';
import { AgentProcess, expectOk, tempDir } from './agent-process.js';

describe('agent: service backends build the right commands', () => {
  const debian = sysvService({ initDir: '/etc/init.d', hasServiceCommand: true, hasUpdateRcD: true });
  const bare = sysvService({ initDir: '/etc/init.d', hasServiceCommand: false, hasUpdateRcD: false });
  const cases: [string, string[], string[]][] = [
    ['openrc status', openRcService.status('dhcpd'), ['rc-service', 'dhcpd', 'status']],
    ['openrc start', openRcService.action('dhcpd', 'start'), ['rc-service', 'dhcpd', 'start']],
    ['openrc enabled?', openRcService.isEnabled('dhcpd', 'default'), ['test', '-e', '/etc/runlevels/default/dhcpd']],
    ['openrc enable', openRcService.enable('dhcpd', 'default'), ['rc-update', 'add', 'dhcpd', 'default']],
    ['openrc disable', openRcService.disable('dhcpd', 'boot'), ['rc-update', 'del', 'dhcpd', 'boot']],
    ['systemd status', systemdService.status('nfs-ganesha'), ['systemctl', 'is-active', '--quiet', 'nfs-ganesha']],
    ['systemd reload', systemdService.action('nfs-ganesha', 'reload'), ['systemctl', 'reload', 'nfs-ganesha']],
    ['systemd enabled?', systemdService.isEnabled('nfs-ganesha', 'default'), ['systemctl', 'is-enabled', '--quiet', 'nfs-ganesha']],
    ['systemd enable', systemdService.enable('nfs-ganesha', 'default'), ['systemctl', 'enable', 'nfs-ganesha']],
    ['sysv status (Debian)', debian.status('isc-dhcp-server'), ['service', 'isc-dhcp-server', 'status']],
    ['sysv restart (Debian)', debian.action('isc-dhcp-server', 'restart'), ['service', 'isc-dhcp-server', 'restart']],
    ['sysv enable (Debian)', debian.enable('tftpd-hpa', 'default'), ['update-rc.d', 'tftpd-hpa', 'defaults']],
    ['sysv disable (Debian)', debian.disable('tftpd-hpa', 'default'), ['update-rc.d', 'tftpd-hpa', 'remove']],
    ['sysv stop without service', bare.action('rpcbind', 'stop'), ['/etc/init.d/rpcbind', 'stop']],
    ['sysv enable without update-rc.d', bare.enable('rpcbind', 'default'), ['rc-update', 'add', 'rpcbind', 'default']],
  ];
  for (const [name, actual, expected] of cases) it(name, () => assert.deepEqual(actual, expected));

  it('runlevel links inside a slave root', () => {
    assert.deepEqual(runlevelLinks('/diskless/192.168.1.21', 'sshd', 'default', 'openrc'), [
      { path: '/diskless/192.168.1.21/etc/runlevels/default/sshd', target: '/etc/init.d/sshd' },
    ]);
    assert.deepEqual(runlevelLinks('/r', 'ssh', 'default', 'sysv').map((l) => `${l.path} -> ${l.target}`), [
      '/r/etc/rc2.d/S01ssh -> ../init.d/ssh', '/r/etc/rc3.d/S01ssh -> ../init.d/ssh', '/r/etc/rc4.d/S01ssh -> ../init.d/ssh', '/r/etc/rc5.d/S01ssh -> ../init.d/ssh',
    ]);
  });
});

describe('agent: service', () => {
  let agent: AgentProcess;
  let tmp: ReturnType<typeof tempDir>;
  let log: string;
  beforeEach(() => {
    tmp = tempDir();
    // a throwaway init.d-style script: the machine's own services are never touched
    const initDir = path.join(tmp.dir, 'init.d');
    mkdirSync(initDir);
    const state = path.join(tmp.dir, 'running');
    log = path.join(tmp.dir, 'log');
    writeFileSync(
      path.join(initDir, 'fake-daemon'),
      `#!/bin/sh\necho "$1" >> ${log}\ncase "$1" in\n  start) touch ${state} ;;\n  stop) rm -f ${state} ;;\n  restart|reload) touch ${state} ;;\n  status) test -e ${state} ;;\n  *) exit 3 ;;\nesac\n`,
      { mode: 0o755 },
    );
    agent = new AgentProcess({ DISKLESS_INIT_DIR: initDir });
  });
  afterEach(async () => {
    await agent.close();
    tmp.remove();
  });
  const calls = (): string[] => (existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n') : []);

  it('sysv: starts once, then sees it running; check mode starts nothing', async () => {
    const args = { name: 'fake-daemon', state: 'started', backend: 'sysv' };
    const checked = expectOk(await agent.request('service', args, { check: true }));
    assert.deepEqual([checked.changed, calls()], [true, ['status']]);
    const first = expectOk(await agent.request('service', args));
    assert.deepEqual([first.changed, first.data!.backend, first.msg], [true, 'sysv', 'fake-daemon started']);
    const second = expectOk(await agent.request('service', args));
    assert.equal(second.changed, false);
    assert.deepEqual(calls(), ['status', 'status', 'start', 'status']);
  });

  it('sysv: stops a running service, restarts always', async () => {
    expectOk(await agent.request('service', { name: 'fake-daemon', state: 'started', backend: 'sysv' }));
    assert.equal(expectOk(await agent.request('service', { name: 'fake-daemon', state: 'stopped', backend: 'sysv' })).changed, true);
    assert.equal(expectOk(await agent.request('service', { name: 'fake-daemon', state: 'stopped', backend: 'sysv' })).changed, false);
    assert.equal(expectOk(await agent.request('service', { name: 'fake-daemon', state: 'restarted', backend: 'sysv' })).changed, true);
    assert.deepEqual(calls().filter((c) => c !== 'status'), ['start', 'stop', 'restart']);
  });

  it('a missing init script is ENOENT naming it; a failing action is ECOMMAND naming the command', async () => {
    const missing = await agent.request('service', { name: 'no-such-daemon', state: 'started', backend: 'sysv' });
    assert.equal(missing.error?.code, 'ENOENT');
    assert.match(missing.error!.message, /init\.d\/no-such-daemon/);
    const failing = await agent.request('service', { name: 'fake-daemon', state: 'reloaded', backend: 'sysv' });
    assert.equal(failing.ok, true);
    writeFileSync(path.join(tmp.dir, 'init.d/broken'), '#!/bin/sh\necho "cannot start" >&2\nexit 1\n', { mode: 0o755 });
    const broken = await agent.request('service', { name: 'broken', state: 'started', backend: 'sysv' });
    assert.equal(broken.error?.code, 'ECOMMAND');
    assert.match(broken.error!.message, /broken start" exited 1: cannot start/);
  });

  it('enables inside an OpenRC slave root by hand, once', async () => {
    const root = path.join(tmp.dir, 'slave');
    mkdirSync(path.join(root, 'etc/runlevels/default'), { recursive: true });
    const args = { name: 'sshd', enabled: true, root };
    const checked = expectOk(await agent.request('service', args, { check: true, diff: true }));
    assert.equal(checked.changed, true);
    assert.match(checked.diff!, /sshd/);
    assert.equal(existsSync(path.join(root, 'etc/runlevels/default/sshd')), false);
    const first = expectOk(await agent.request('service', args));
    assert.deepEqual([first.changed, first.data!.backend], [true, 'openrc']);
    assert.equal(readlinkSync(path.join(root, 'etc/runlevels/default/sshd')), '/etc/init.d/sshd');
    assert.equal(expectOk(await agent.request('service', args)).changed, false);
    assert.equal(expectOk(await agent.request('service', { ...args, enabled: false })).changed, true);
    assert.equal(lstatSync(path.join(root, 'etc/runlevels/default/sshd'), { throwIfNoEntry: false }), undefined);
  });

  it('enables inside a Debian slave root with rc.d links', async () => {
    const root = path.join(tmp.dir, 'slave');
    mkdirSync(path.join(root, 'etc/init.d'), { recursive: true });
    assert.equal(expectOk(await agent.request('service', { name: 'ssh', enabled: true, root })).changed, true);
    assert.equal(readlinkSync(path.join(root, 'etc/rc2.d/S01ssh')), '../init.d/ssh');
  });

  it('refuses bad input naming the argument', async () => {
    const pathName = await agent.request('service', { name: '../x', state: 'started' });
    assert.match(pathName.error!.message, /"name" must be a name without "\/"/);
    const noState = await agent.request('service', { name: 'x' });
    assert.match(noState.error!.message, /give "state" or "enabled"/);
    const badState = await agent.request('service', { name: 'x', state: 'running' });
    assert.match(badState.error!.message, /"state" must be one of started, stopped, restarted, reloaded/);
    const stateInRoot = await agent.request('service', { name: 'x', state: 'started', root: '/diskless/1' });
    assert.match(stateInRoot.error!.message, /"state" cannot be used with "root"/);
    const relativeRoot = await agent.request('service', { name: 'x', enabled: true, root: 'diskless' });
    assert.match(relativeRoot.error!.message, /"root" must be an absolute path/);
  });
});
