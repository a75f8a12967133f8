import assert from 'node:assert/strict';
import * as h from '../../../packages/controller/src/template/helpers.js';
import { closestName, editDistance } from '../../../packages/controller/src/playbook/closest-name.js';

const slaves = [
  { name: 'slave21', ip: '192.168.1.21', boot: 'pxe' },
  { name: 'slave22', ip: '192.168.1.22', boot: 'etherboot' },
  { name: 'slave23', ip: '192.168.1.23', boot: 'pxe' },
];

describe('template helpers', () => {
  it('pxelinuxName: MAC to the PXELINUX config name', () => {
    assert.equal(h.pxelinuxName('00:02:A5:04:3B:66'), '01-00-02-a5-04-3b-66');
  });

  it('ipHex: IPv4 to upper-case hex, zero-padded', () => {
    assert.equal(h.ipHex('192.168.1.21'), 'C0A80115');
    assert.equal(h.ipHex('10.0.0.1'), '0A000001');
    assert.throws(() => h.ipHex('192.168.1.300'), /not an IPv4 address: "192.168.1.300"/);
  });

  it('lower and upper', () => {
    assert.equal(h.lower('AbC'), 'abc');
    assert.equal(h.upper('AbC'), 'ABC');
  });

  it('join: a list with a separator; a single value as it is', () => {
    assert.equal(h.join(['192.168.1.1', '192.168.1.2'], ', '), '192.168.1.1, 192.168.1.2');
    assert.equal(h.join(['a', 'b']), 'a b');
    assert.equal(h.join('one', ','), 'one');
    assert.equal(h.join(undefined, ','), '');
  });

  it('netmask, network and broadcast', () => {
    assert.equal(h.netmask(24), '255.255.255.0');
    assert.equal(h.netmask(26), '255.255.255.192');
    assert.equal(h.netmask(0), '0.0.0.0');
    assert.equal(h.netmask(32), '255.255.255.255');
    assert.equal(h.network('10.20.0.70', 26), '10.20.0.64');
    assert.equal(h.broadcast('10.20.0.70', 26), '10.20.0.127');
    assert.equal(h.network('192.168.1.21', '16'), '192.168.0.0');
    assert.throws(() => h.netmask(33), /prefix/);
  });

  it('eq, ne, and, or, not', () => {
    assert.equal(h.eq('pxe', 'pxe'), true);
    assert.equal(h.eq('1', 1), false);
    assert.equal(h.ne('pxe', 'etherboot'), true);
    assert.equal(h.and(true, 'x', 1), true);
    assert.equal(h.and(true, []), false);
    assert.equal(h.or(false, '', 'x'), true);
    assert.equal(h.or(false, 0, []), false);
    assert.equal(h.not([]), true);
    assert.equal(h.not('x'), false);
  });

  it('json, with optional indentation', () => {
    assert.equal(h.json({ a: [1] }), '{"a":[1]}');
    assert.equal(h.json([1], 2), '[\n  1\n]');
    assert.equal(h.json(undefined), 'null');
  });

  it('default: the fallback for undefined, null or empty text only', () => {
    assert.equal(h.fallback(undefined, 'tcp'), 'tcp');
    assert.equal(h.fallback('', 'tcp'), 'tcp');
    assert.equal(h.fallback(0, 5), 0);
    assert.equal(h.fallback('udp', 'tcp'), 'udp');
  });

  it('indent: every non-empty line', () => {
    assert.equal(h.indent('a\n\nb\n', 4), '    a\n\n    b\n');
  });

  it('count and length', () => {
    assert.equal(h.count(slaves), 3);
    assert.equal(h.count({ a: 1, b: 2 }), 2);
    assert.equal(h.count('abc'), 3);
    assert.equal(h.count(undefined), 0);
  });

  it('where, pluck, entries, includes', () => {
    assert.deepEqual(h.where(slaves, 'boot', 'pxe').map((s) => (s as { name: string }).name), ['slave21', 'slave23']);
    assert.deepEqual(h.where(undefined, 'boot', 'pxe'), []);
    assert.deepEqual(h.pluck(slaves, 'ip'), ['192.168.1.21', '192.168.1.22', '192.168.1.23']);
    assert.deepEqual(h.entries({ '/usr': 'ro', '/home': 'rw' }), [{ key: '/usr', value: 'ro' }, { key: '/home', value: 'rw' }]);
    assert.equal(h.includes(['sshd', 'cron'], 'cron'), true);
    assert.equal(h.includes(['sshd'], 'cron'), false);
  });

  it('subelements: [item, element] pairs, items without the list skipped', () => {
    const withServices = [
      { name: 'a', services: ['sshd', 'cron'] },
      { name: 'b' },
      { name: 'c', services: ['sshd'] },
    ];
    assert.deepEqual(
      h.subelements(withServices, 'services').map(([item, service]) => `${(item as { name: string }).name}:${service}`),
      ['a:sshd', 'a:cron', 'c:sshd'],
    );
    assert.deepEqual(h.subelements(undefined, 'services'), []);
  });

  it('every helper is registered under its name, with Handlebars options stripped', () => {
    const registered = new Map<string, (...args: unknown[]) => unknown>();
    h.registerHelpers({ registerHelper: (name, fn) => registered.set(name, fn as never) });
    assert.deepEqual([...registered.keys()].sort(), [...h.HELPER_NAMES].sort());
    for (const name of ['pxelinuxName', 'ipHex', 'lower', 'upper', 'join', 'netmask', 'network', 'broadcast', 'eq', 'ne', 'and', 'or', 'not', 'json', 'default', 'indent', 'count', 'length', 'where']) {
      assert.ok(registered.has(name), name);
    }
    const options = { hash: {}, data: {} };
    assert.equal(registered.get('join')!(['a', 'b'], options), 'a b');
    assert.equal(registered.get('and')!(true, true, options), true);
    assert.equal(registered.get('and')!(true, false, options), false);
  });
});

describe('closestName', () => {
  it('suggests a near name and nothing for a far one', () => {
    assert.equal(editDistance('fiel', 'file'), 2);
    assert.equal(closestName('fiel', ['file', 'template', 'directory']), 'file');
    assert.equal(closestName('restart dhcp', ['restart dhcpd', 'reload nfs']), 'restart dhcpd');
    assert.equal(closestName('frobnicate', ['file', 'link']), undefined);
  });
});
