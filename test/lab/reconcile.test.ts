import assert from 'node:assert/strict';
import type { LabMasterSpec } from './inventory.js';
import { lab } from './lab-fixture.js';
import { describeChanges, planLabChanges } from './reconcile.js';

/** The inventory the fixture lab was built from. */
function specs(): LabMasterSpec[] {
  return lab.masters.map((m) => ({
    name: m.name,
    ssh: { host: m.sshHost, port: m.sshPort, user: 'root', privateKey: '/k', knownHosts: '/kh' },
    lan: { ...m.lan },
    slaves: lab.slaves.filter((s) => s.master === m.name).map((s) => ({ name: s.name, mac: s.mac })),
  }));
}

describe('planLabChanges', () => {
  it('changes nothing for the inventory the lab was built from', () => {
    assert.deepEqual(describeChanges(planLabChanges(lab, specs(), specs())), []);
  });

  it('adds and removes slaves, and makes a slave whose MAC changed again', () => {
    const after = specs();
    after[0].slaves = [{ name: 's1', mac: '02:00:00:00:00:11' }, { name: 'new', mac: '02:00:00:00:00:99' }];
    assert.deepEqual(describeChanges(planLabChanges(lab, specs(), after)), [
      'remove slave a/s1',
      'remove slave a/twin',
      'add slave a/s1 (02:00:00:00:00:11)',
      'add slave a/new (02:00:00:00:00:99)',
    ]);
  });

  it('removes a master that left with its slaves, adds a new one, and makes one whose LAN changed again', () => {
    const after = specs().filter((m) => m.name !== 'b');
    after[0].lan.address = '192.168.9.1';
    after.push({ name: 'c', ssh: { host: '10.231.0.13', port: 22, user: 'root', privateKey: '/k', knownHosts: '/kh' }, lan: { interface: 'lan0', address: '192.168.3.1', prefix: 24 }, slaves: [{ name: 'c1', mac: '02:00:00:00:00:31' }] });
    assert.deepEqual(describeChanges(planLabChanges(lab, specs(), after)), [
      'remove master a',
      'remove master b',
      'add master a',
      'add master c',
      'add slave a/s1 (02:00:00:00:00:01)',
      'add slave a/twin (02:00:00:00:00:02)',
      'add slave c/c1 (02:00:00:00:00:31)',
    ]);
  });

  it('leaves a machine plugged in by hand where it is', () => {
    const plugged = { ...lab, slaves: [...lab.slaves, { name: 'stranger', master: 'a', netns: 'dl-a-stranger', mac: '02:00:00:00:00:77', bridgePort: 'dl-s3', unlisted: true }] };
    assert.deepEqual(describeChanges(planLabChanges(plugged, specs(), specs())), []);
  });
});
