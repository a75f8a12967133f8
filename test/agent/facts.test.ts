import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { hostname, networkInterfaces } from 'node:os';
import { detectInitSystem } from '../../packages/agent/src/facts/init-system.js';
import { parseOsRelease } from '../../packages/agent/src/facts/os-release.js';
import { AgentProcess, expectOk } from './agent-process.js';

describe('agent: facts', () => {
  let agent: AgentProcess;
  before(() => {
    agent = new AgentProcess();
  });
  after(async () => {
    await agent.close();
  });

  it('gathers this machine in one request', async () => {
    const facts = expectOk(await agent.request('facts')).data!;
    assert.equal(facts.hostname, hostname());
    assert.equal(facts.arch, execFileSync('uname', ['-m'], { encoding: 'utf8' }).trim(), 'the architecture as uname -m names it');
    assert.equal(facts.os.family, parseOsRelease(readFileSync('/etc/os-release', 'utf8')).family);
    assert.equal(facts.init, detectInitSystem());
    const lo = facts.interfaces.find((i: { name: string }) => i.name === 'lo');
    assert.deepEqual(lo.ipv4, [{ address: '127.0.0.1', prefix: 8 }]);
    assert.equal(lo.up, true);
    for (const [name, addresses] of Object.entries(networkInterfaces())) {
      const seen = facts.interfaces.find((i: { name: string }) => i.name === name);
      const v4 = addresses!.filter((a) => a.family === 'IPv4' && !a.internal);
      if (v4.length) assert.equal(seen.mac, v4[0].mac);
    }
    assert.equal(facts.commands.rsync, '/usr/bin/rsync');
    assert.equal(facts.commands['no-such'], undefined);
    assert.equal(facts.packageManager, 'apt');
    assert.ok(facts.diskless.freeBytes > 0);
    assert.equal(typeof facts.kernel.release, 'string');
  });

  it('reads the OS family of derivatives and Gentoo', () => {
    assert.deepEqual(parseOsRelease('ID=ubuntu\nID_LIKE=debian\nVERSION_ID="22.04"\n'), { family: 'debian', id: 'ubuntu', version: '22.04', name: 'ubuntu' });
    assert.equal(parseOsRelease('NAME=Gentoo\nID=gentoo\nPRETTY_NAME="Gentoo Linux"\n').family, 'gentoo');
  });

  it('tells the running init system from what exists', () => {
    assert.equal(detectInitSystem((p) => p === '/run/systemd/system'), 'systemd');
    assert.equal(detectInitSystem((p) => p === '/run/openrc'), 'openrc');
    assert.equal(detectInitSystem(() => false), 'sysv');
  });
});
