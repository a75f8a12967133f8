import assert from 'node:assert/strict';
import { existsSync, lstatSync, mkdirSync, readlinkSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathInSlaveRoot } from '../../packages/agent/src/backends/service/root-paths.js';
import { parseUnitInstall, unitName } from '../../packages/agent/src/backends/service/unit-install.js';
import { AgentProcess, expectOk, tempDir } from './agent-process.js';

describe('agent: systemd [Install] sections', () => {
  it('reads WantedBy, RequiredBy, Alias and Also, only from [Install]', () => {
    const text = '[Unit]\nWantedBy=wrong.target\n[Service]\nExecStart=/bin/true\n\n[Install]\n# a comment\nWantedBy=multi-user.target \\\n  graphical.target\nRequiredBy=remote-fs.target\nAlias=sshd.service\nAlso=ssh.socket\n';
    assert.deepEqual(parseUnitInstall(text, 'ssh.service', 'ssh.service'), {
      wantedBy: ['multi-user.target', 'graphical.target'], requiredBy: ['remote-fs.target'], upheldBy: [], alias: ['sshd.service'], also: ['ssh.socket'],
    });
  });

  it('an empty assignment clears the list; specifiers are expanded', () => {
    const text = '[Install]\nWantedBy=a.target\nWantedBy=\nWantedBy=b.target\nAlias=%N-alias.service %p-x@%i.service\n';
    const install = parseUnitInstall(text, 'getty@tty1.service', 'f');
    assert.deepEqual([install.wantedBy, install.alias], [['b.target'], ['getty@tty1-alias.service', 'getty-x@tty1.service']]);
  });

  it('a value that is not a unit name is refused, naming the file and line', () => {
    assert.throws(() => parseUnitInstall('[Install]\n\nWantedBy=../../etc.target/x\n', 'x.service', '/r/lib/systemd/system/x.service'), /\/r\/lib\/systemd\/system\/x\.service line 3: "\.\.\/\.\.\/etc\.target\/x" is not a unit name/);
  });

  it('a bare name is a .service', () => {
    assert.deepEqual([unitName('ssh'), unitName('ssh.socket'), unitName('nfs-client.target')], ['ssh.service', 'ssh.socket', 'nfs-client.target']);
  });
});

describe('agent: paths inside a slave root', () => {
  let tmp: ReturnType<typeof tempDir>;
  beforeEach(() => (tmp = tempDir()));
  afterEach(() => tmp.remove());

  it('follows links as the slave would: absolute targets stay in the root, shared directories are the master\'s', () => {
    const root = path.join(tmp.dir, 'root');
    const shared = path.join(tmp.dir, 'from-master');
    mkdirSync(path.join(root, 'real/lib'), { recursive: true });
    mkdirSync(path.join(shared, 'lib'), { recursive: true });
    writeFileSync(path.join(root, 'real/lib/a'), '');
    writeFileSync(path.join(shared, 'lib/b'), '');
    symlinkSync('/real/lib', path.join(root, 'lib'));
    symlinkSync(`${shared}/lib`, path.join(root, 'usrlib'));
    assert.equal(pathInSlaveRoot(root, '/lib/a', []), path.join(root, 'real/lib/a'));
    assert.equal(pathInSlaveRoot(root, '/lib/../lib/./a', []), path.join(root, 'real/lib/a'));
    assert.equal(pathInSlaveRoot(root, '/usrlib/b', []), null, 'without "shared" the link does not leave the root');
    assert.equal(pathInSlaveRoot(root, '/usrlib/b', [shared]), path.join(shared, 'lib/b'));
    assert.equal(pathInSlaveRoot(root, '/lib/missing', []), null);
    symlinkSync('loop', path.join(root, 'loop'));
    assert.equal(pathInSlaveRoot(root, '/loop/x', []), null);
  });
});

describe('agent: service enabled inside a systemd slave root', () => {
  let agent: AgentProcess;
  let tmp: ReturnType<typeof tempDir>;
  let root: string;
  const units = (): string => path.join(root, 'etc/systemd/system');
  // the links point inside the slave root, so they dangle here: look at the link itself
  const linkThere = (link: string): boolean => lstatSync(link, { throwIfNoEntry: false }) !== undefined;
  beforeEach(() => {
    tmp = tempDir();
    root = path.join(tmp.dir, 'slave');
    mkdirSync(path.join(root, 'lib/systemd/system'), { recursive: true });
    mkdirSync(path.join(root, 'etc/init.d'), { recursive: true });
    writeFileSync(path.join(root, 'lib/systemd/system/fake-daemon.service'), '[Unit]\nDescription=fake\n[Service]\nExecStart=/bin/true\n[Install]\nWantedBy=multi-user.target\nRequiredBy=remote-fs.target\nAlias=fake.service\n');
    agent = new AgentProcess();
  });
  afterEach(async () => {
    await agent.close();
    tmp.remove();
  });

  it('makes the links systemctl enable would, once; check mode touches nothing; disable removes them', async () => {
    const args = { name: 'fake-daemon', enabled: true, root };
    const checked = expectOk(await agent.request('service', args, { check: true, diff: true }));
    assert.equal(checked.changed, true);
    assert.match(checked.diff!, /multi-user\.target\.wants\/fake-daemon\.service \(after\)\n-absent\n\+-> \/lib\/systemd\/system\/fake-daemon\.service/);
    assert.equal(existsSync(path.join(root, 'etc/systemd')), false);

    const first = expectOk(await agent.request('service', args));
    assert.deepEqual([first.changed, first.data!.backend], [true, 'systemd']);
    assert.equal(first.msg, 'fake-daemon enabled inside ' + root + ' (systemd): linked '
      + 'etc/systemd/system/multi-user.target.wants/fake-daemon.service -> /lib/systemd/system/fake-daemon.service, '
      + 'etc/systemd/system/remote-fs.target.requires/fake-daemon.service -> /lib/systemd/system/fake-daemon.service, '
      + 'etc/systemd/system/fake.service -> /lib/systemd/system/fake-daemon.service');
    assert.equal(readlinkSync(path.join(units(), 'multi-user.target.wants/fake-daemon.service')), '/lib/systemd/system/fake-daemon.service');
    assert.equal(readlinkSync(path.join(units(), 'remote-fs.target.requires/fake-daemon.service')), '/lib/systemd/system/fake-daemon.service');
    assert.equal(readlinkSync(path.join(units(), 'fake.service')), '/lib/systemd/system/fake-daemon.service');
    assert.equal(existsSync(path.join(root, 'etc/rc2.d')), false, 'no sysv links when a unit exists');

    assert.equal(expectOk(await agent.request('service', args)).changed, false);
    assert.equal(expectOk(await agent.request('service', { ...args, name: 'fake' })).changed, false, 'the alias names the same unit');

    assert.equal(expectOk(await agent.request('service', { ...args, enabled: false }, { check: true })).changed, true);
    assert.equal(linkThere(path.join(units(), 'fake.service')), true);
    const disabled = expectOk(await agent.request('service', { ...args, enabled: false }));
    assert.match(disabled.msg!, /fake-daemon disabled inside .* \(systemd\): removed etc\/systemd\/system\/multi-user\.target\.wants\/fake-daemon\.service/);
    assert.equal(linkThere(path.join(units(), 'multi-user.target.wants/fake-daemon.service')), false);
    assert.equal(linkThere(path.join(units(), 'fake.service')), false);
  });

  it('finds the unit in a merged-/usr root whose /usr comes from the master ("shared")', async () => {
    const masterUsr = path.join(tmp.dir, 'master-usr');
    mkdirSync(path.join(masterUsr, 'lib/systemd/system'), { recursive: true });
    writeFileSync(path.join(masterUsr, 'lib/systemd/system/remote.service'), '[Install]\nWantedBy=multi-user.target\n');
    const merged = path.join(tmp.dir, 'merged');
    mkdirSync(path.join(merged, 'etc'), { recursive: true });
    symlinkSync(`${masterUsr}/lib`, path.join(merged, 'lib'));
    const args = { name: 'remote', enabled: true, root: merged };
    assert.equal(expectOk(await agent.request('service', args)).data!.backend, 'sysv', 'without "shared" the unit is not in the root');
    const first = expectOk(await agent.request('service', { ...args, shared: { [masterUsr]: 'ro' } }));
    assert.deepEqual([first.changed, first.data!.backend], [true, 'systemd']);
    assert.equal(readlinkSync(path.join(merged, 'etc/systemd/system/multi-user.target.wants/remote.service')), '/lib/systemd/system/remote.service');
    assert.equal(expectOk(await agent.request('service', { ...args, shared: [masterUsr] })).changed, false);
  });

  it('an OpenRC root gets runlevel links even when it ships a unit', async () => {
    mkdirSync(path.join(root, 'etc/runlevels/default'), { recursive: true });
    const answer = expectOk(await agent.request('service', { name: 'fake-daemon', enabled: true, root }));
    assert.equal(answer.data!.backend, 'openrc');
    assert.equal(readlinkSync(path.join(root, 'etc/runlevels/default/fake-daemon')), '/etc/init.d/fake-daemon');
    assert.equal(existsSync(path.join(root, 'etc/systemd')), false);
  });

  it('a masked unit, a missing unit with backend systemd and a bad "shared" are clear errors', async () => {
    mkdirSync(units(), { recursive: true });
    symlinkSync('/dev/null', path.join(units(), 'fake-daemon.service'));
    const masked = await agent.request('service', { name: 'fake-daemon', enabled: true, root });
    assert.equal(masked.error?.code, 'EARGS');
    assert.match(masked.error!.message, /fake-daemon\.service is masked in .*slave/);
    const missing = await agent.request('service', { name: 'nothing', enabled: true, root, backend: 'systemd' });
    assert.equal(missing.error?.code, 'ENOENT');
    assert.match(missing.error!.message, /has no systemd unit for nothing/);
    const badShared = await agent.request('service', { name: 'fake-daemon', enabled: true, root, shared: ['usr'] });
    assert.match(badShared.error!.message, /argument "shared" must be a list of absolute paths/);
  });

  it('a service with only an init.d script falls back to rc.d links', async () => {
    const answer = expectOk(await agent.request('service', { name: 'old-daemon', enabled: true, root }));
    assert.equal(answer.data!.backend, 'sysv');
    assert.equal(readlinkSync(path.join(root, 'etc/rc2.d/S01old-daemon')), '../init.d/old-daemon');
  });
});
