import assert from 'node:assert/strict';
import { aptPackages } from '../../packages/agent/src/backends/package/apt.js';
import { portagePackages } from '../../packages/agent/src/backends/package/portage.js';
import { AgentProcess, expectOk } from './agent-process.js';

describe('agent: package backends build the right commands', () => {
  it('apt', () => {
    assert.deepEqual(aptPackages.query('rsync'), ['dpkg-query', '-W', '-f=${Status}', 'rsync']);
    assert.equal(aptPackages.isInstalled(0, 'install ok installed'), true);
    assert.equal(aptPackages.isInstalled(0, 'deinstall ok config-files'), false);
    assert.equal(aptPackages.isInstalled(1, ''), false);
    assert.deepEqual(aptPackages.install(['tftpd-hpa', 'pxelinux']), ['apt-get', 'install', '-y', '--no-install-recommends', 'tftpd-hpa', 'pxelinux']);
    assert.deepEqual(aptPackages.remove(['tftpd-hpa']), ['apt-get', 'remove', '-y', 'tftpd-hpa']);
    assert.deepEqual(aptPackages.env, { DEBIAN_FRONTEND: 'noninteractive' });
    assert.deepEqual(aptPackages.queryMany!(['rsync', 'busybox']), ['dpkg-query', '-W', '-f=${Package}\t${Status}\n', '--', 'rsync', 'busybox']);
    assert.equal(aptPackages.queryMany!(['libc6:i386', 'rsync']), undefined, 'names with an architecture are asked one by one');
    const listed = 'rsync\tinstall ok installed\nlibfoo\tdeinstall ok config-files\nlibbar\tinstall ok installed\nlibbar\tunknown ok not-installed\n';
    assert.deepEqual(aptPackages.installedMany!(listed, ['rsync', 'libfoo', 'libbar', 'absent']), [true, false, true, false]);
  });

  it('portage', () => {
    assert.deepEqual(portagePackages.query('net-misc/dhcp'), ['portageq', 'match', '/', 'net-misc/dhcp']);
    assert.equal(portagePackages.isInstalled(0, 'net-misc/dhcp-4.4.3\n'), true);
    assert.equal(portagePackages.isInstalled(0, '\n'), false);
    assert.deepEqual(portagePackages.install(['net-misc/dhcp']), ['emerge', '--noreplace', '--quiet', 'net-misc/dhcp']);
  });
});

describe('agent: package (apt on this machine)', () => {
  let agent: AgentProcess;
  before(() => {
    agent = new AgentProcess();
  });
  after(async () => {
    await agent.close();
  });

  it('an installed package is no change', async () => {
    const answer = expectOk(await agent.request('package', { name: ['rsync', 'busybox'], state: 'present' }));
    assert.deepEqual([answer.changed, answer.data], [false, { backend: 'apt', installed: [], removed: [] }]);
  });

  it('check mode reports what it would install, and installs nothing', async () => {
    const answer = expectOk(await agent.request('package', { name: ['rsync', 'diskless-test-not-a-package'] }, { check: true }));
    assert.equal(answer.changed, true);
    assert.deepEqual(answer.data!.installed, ['diskless-test-not-a-package']);
  });

  it('refuses a bad name or state', async () => {
    const badName = await agent.request('package', { name: [] });
    assert.match(badName.error!.message, /"name" must be a non-empty string or list/);
    const option = await agent.request('package', { name: ['rsync', '--purge'] });
    assert.match(option.error!.message, /"name" must be .*none starting with "-", got \["rsync","--purge"\]/);
    const badState = await agent.request('package', { name: 'rsync', state: 'latest' });
    assert.match(badState.error!.message, /"state" must be one of present, absent/);
  });
});
