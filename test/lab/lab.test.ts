import assert from 'node:assert/strict';
import { describeLab, labCommand } from './lab.js';
import { lab } from './lab-fixture.js';

describe('lab commands', () => {
  it('runs a master\'s command in all its namespaces and its root', () => {
    const c = labCommand(lab, 'b', ['hostname']);
    assert.deepEqual(c.argv, ['nsenter', '-t', '4101', '-m', '-u', '-n', '-p', '-r', '-w', '--', 'hostname']);
    assert.equal(c.env?.HOME, '/root');
  });

  it('runs a slave\'s command in its network namespace', () => {
    assert.deepEqual(labCommand(lab, 's1', ['ip', 'link']).argv, ['ip', 'netns', 'exec', 'dl-a-s1', 'ip', 'link']);
    assert.deepEqual(labCommand(lab, 'b/twin', ['true']).argv, ['ip', 'netns', 'exec', 'dl-b-twin', 'true']);
  });

  it('asks for master/slave when a slave name repeats, and lists the targets for an unknown one', () => {
    assert.throws(() => labCommand(lab, 'twin', ['true']), /twin names a slave of several masters: write master\/slave/);
    assert.throws(() => labCommand(lab, 'c', ['true']), /lab dl has no master or slave c \(it has: a, b, s1, twin\)/);
    assert.throws(() => labCommand(lab, 'a', []), /no command given/);
  });

  it('describes each master with its slaves', () => {
    const text = describeLab(lab).split('\n');
    assert.equal(text.length, 6);
    assert.match(text[1], /master a: ssh root@10.231.0.11, netns dl-a, LAN lan0 192.168.1.1\/24/);
    assert.match(text[5], /slave twin: netns dl-b-twin, eth0 02:00:00:00:00:03/);
  });
});
