import assert from 'node:assert/strict';
import { checkLabName, labNames, managementInterface } from './names.js';

describe('lab names', () => {
  it('keeps interface names within 15 characters for the longest lab name', () => {
    const n = labNames(checkLabName('abcdefgh'));
    for (const name of [n.bridge, n.masterVeth(999), n.slavePort(999)]) assert.ok(name.length <= 15, name);
  });

  it('refuses lab names that could overflow or collide', () => {
    assert.throws(() => checkLabName('abcdefghi'), /1 to 8 lowercase letters/);
    assert.throws(() => checkLabName('dl-x'), /1 to 8 lowercase letters/);
  });

  it('prefixes every namespace with the lab name', () => {
    const n = labNames('dl');
    assert.equal(n.masterNetns('master-a'), 'dl-master-a');
    assert.equal(n.slaveNetns('master-a', 'slave21'), 'dl-master-a-slave21');
  });

  it('moves the management interface aside when the LAN is eth0', () => {
    assert.equal(managementInterface('lan0'), 'eth0');
    assert.equal(managementInterface('eth0'), 'mgmt0');
  });
});
