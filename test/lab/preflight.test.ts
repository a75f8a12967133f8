import assert from 'node:assert/strict';
import { parseMasters } from './inventory.js';
import { addressProblems, checkPackages } from './preflight.js';

const masters = parseMasters(
  {
    masters: {
      a: { ssh: { host: '10.231.0.11' }, lan: { interface: 'lan0', address: '192.168.1.1', prefix: 24 } },
      b: { ssh: { host: '10.232.0.12' }, lan: { interface: 'lan0', address: '192.0.2.2', prefix: 24 } },
    },
  },
  '/inv.json',
);
const management = { address: '10.231.0.1', prefix: 24 };

describe('lab preflight', () => {
  it('refuses an ssh.host outside the management network', () => {
    const problems = addressProblems(masters, management, []);
    assert.deepEqual(problems, ['master b: ssh.host 10.232.0.12 is outside the lab\'s management network 10.231.0.1/24']);
  });

  it('refuses addresses the machine already has', () => {
    const problems = addressProblems(masters, management, [
      { ifname: 'eth0', address: '192.0.2.2', prefix: 24 },
      { ifname: 'other-br', address: '10.231.0.1', prefix: 24 },
      { ifname: 'lo', address: '127.0.0.1', prefix: 8 },
    ]);
    assert.equal(problems.length, 3);
    assert.match(problems[0], /management network 10.231.0.1\/24 overlaps 10.231.0.1\/24 on this machine's other-br/);
    assert.match(problems[2], /master b: lan.address 192.0.2.2 is already an address of this machine \(eth0\)/);
  });

  it('refuses the management gateway and broadcast as ssh hosts', () => {
    const edge = parseMasters({ masters: {
      g: { ssh: { host: '10.231.0.1' }, lan: { interface: 'lan0', address: '192.168.1.1', prefix: 24 } },
      z: { ssh: { host: '10.231.0.255' }, lan: { interface: 'lan0', address: '192.168.2.1', prefix: 24 } },
    } }, '/inv.json');
    const problems = addressProblems(edge, management, []);
    assert.match(problems[0], /10.231.0.1 is the machine's own address/);
    assert.match(problems[1], /10.231.0.255 is the management network's broadcast address/);
  });

  it('names a missing Debian package and the apt-get line that installs it', async () => {
    await assert.rejects(checkPackages(['iproute2', 'no-such-package-for-the-lab']), (e: Error) => {
      assert.match(e.message, /missing Debian packages: no-such-package-for-the-lab\b/);
      assert.match(e.message, /apt-get install -y no-such-package-for-the-lab$/);
      return true;
    });
  });
});
