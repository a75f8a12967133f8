import assert from 'node:assert/strict';
import { contains, ipv4ToNumber, numberToIpv4, overlaps, parseCidr } from './ipv4.js';

describe('lab ipv4', () => {
  it('parses dotted quads and refuses anything else', () => {
    assert.equal(ipv4ToNumber('10.231.0.11'), 0x0ae7000b);
    assert.equal(numberToIpv4(0xc0a80101), '192.168.1.1');
    for (const bad of ['10.231.0', '256.1.1.1', '10.0.0.1/24', 'host']) assert.equal(ipv4ToNumber(bad), null, bad);
  });

  it('parses CIDR text', () => {
    assert.deepEqual(parseCidr('10.231.0.1/24'), { address: '10.231.0.1', prefix: 24 });
    assert.equal(parseCidr('10.231.0.1'), null);
    assert.equal(parseCidr('10.231.0.1/33'), null);
  });

  it('tells which addresses a network holds', () => {
    const net = { address: '10.231.0.1', prefix: 24 };
    assert.equal(contains(net, '10.231.0.254'), true);
    assert.equal(contains(net, '10.231.1.1'), false);
  });

  it('finds overlapping networks of different sizes', () => {
    assert.equal(overlaps({ address: '10.231.0.1', prefix: 24 }, { address: '10.0.0.5', prefix: 8 }), true);
    assert.equal(overlaps({ address: '10.231.0.1', prefix: 24 }, { address: '10.231.1.1', prefix: 24 }), false);
  });
});
