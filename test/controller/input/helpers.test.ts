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

  it('concat and max', () => {
    assert.equal(h.concat('192.168.1.1', ':/diskless/', '192.168.1.21'), '192.168.1.1:/diskless/192.168.1.21');
    assert.equal(h.concat('a', 1), 'a1');
    assert.throws(() => h.concat('a', undefined), /concat \(argument 2\): no value/);
    assert.equal(h.max(3, 8), 8);
    assert.equal(h.max(12, '8'), 12);
    assert.throws(() => h.max('many', 8), /max: not numbers/);
  });

  describe('escaping per file format', () => {
    /** helper, input, what the file gets: plain values stay byte for byte as they were. */
    const escaped: [keyof typeof h, unknown, string][] = [
      ['dhcpdString', 'lab.diskless.test', '"lab.diskless.test"'],
      ['dhcpdString', 'a"; } host evil {', '"a\\"; } host evil {"'],
      ['dhcpdString', 'a\\b', '"a\\\\b"'],
      ['dhcpdString', 'a\nb\tc', '"a\\012b\\011c"'],
      ['dhcpdString', 'é', '"\\303\\251"'],
      ['fstabField', '192.168.1.1:/usr', '192.168.1.1:/usr'],
      ['fstabField', 'rw,tcp,vers=3', 'rw,tcp,vers=3'],
      ['fstabField', '/srv/a b\n/ x', '/srv/a\\040b\\012/\\040x'],
      ['fstabField', 'a\\b#c', 'a\\134b\\043c'],
      ['exportsPath', '/var/log/diskless/slave21', '/var/log/diskless/slave21'],
      ['exportsPath', '/srv\n/ *(rw,no_root_squash,insecure)', '/srv\\012/\\040\\052\\050rw,no_root_squash,insecure\\051'],
      ['exportsPath', '/a"b', '/a\\042b'],
      ['ganeshaString', '/diskless/192.168.1.21', '/diskless/192.168.1.21'],
      ['ganeshaString', '/srv/a b;}', '"/srv/a b;}"'],
      ['ganeshaString', '/a"b\\', '"/a\\"b\\\\"'],
      ['shellArg', '/usr/src/linux', '/usr/src/linux'],
      ['shellArg', 'O=/var/lib/diskless/slave-kernel/x86_64', 'O=/var/lib/diskless/slave-kernel/x86_64'],
      ['shellArg', '/usr/src/linux; reboot', "'/usr/src/linux; reboot'"],
      ['shellArg', "it's $(x)", "'it'\\''s $(x)'"],
      ['shellArg', '', "''"],
      ['shellQuoted', 'lan0', '"lan0"'],
      ['shellQuoted', 'a"$(b)`c`\\', '"a\\"\\$(b)\\`c\\`\\\\"'],
      // Kernel command lines: one line for PXELINUX (whitespace controls are spaces to the kernel too) ...
      ['pxelinuxArgs', 'ip=dhcp root=/dev/nfs init=/sbin/init', 'ip=dhcp root=/dev/nfs init=/sbin/init'],
      ['pxelinuxArgs', 'quiet\nDEFAULT evil\r\n', 'quiet DEFAULT evil  '],
      // ... plain GRUB words as they are, others single-quoted with the kernel's grouping quotes off ...
      ['grubArgs', '/bzImage ip=dhcp console=ttyS0,115200', '/bzImage ip=dhcp console=ttyS0,115200'],
      ['grubArgs', 'a;b $x {c} #d', "'a;b' '$x' '{c}' '#d'"],
      ['grubArgs', 'foo="a b" "bar=c d"', "'foo=a b' 'bar=c d'"],
      ['grubArgs', "it's", "'it'\\''s'"],
      ['grubArgs', 'quiet\n}\nmenuentry evil {', "quiet '}' menuentry evil '{'"],
      // ... and iPXE words joined by one space.
      ['ipxeArgs', 'http://192.168.1.1/bzImage  initrd=initrd.img ip=dhcp', 'http://192.168.1.1/bzImage initrd=initrd.img ip=dhcp'],
      ['ipxeArgs', 'quiet\nboot', 'quiet boot'],
    ];
    /** helper, input, the error: what a format cannot carry is refused, never written. */
    const refused: [keyof typeof h, unknown, RegExp][] = [
      ['dhcpdString', undefined, /dhcpdString: no value/],
      ['dhcpdString', {}, /not a text value/],
      ['fstabField', '', /empty field/],
      ['exportsPath', 'srv', /not an absolute path/],
      ['ganeshaString', '/srv\n}', /cannot carry a control character/],
      ['shellQuoted', 'a\nb', /control character/],
      ['pxelinuxArgs', 'a\u0000b', /cannot carry control characters/],
      ['ipxeArgs', 'quiet #x', /comment/],
      ['ipxeArgs', 'quiet || shell', /command separator/],
      ['ipxeArgs', 'quiet ; shell', /command separator/],
      ['ipxeArgs', 'x=${net0/ip}', /setting/],
    ];

    it('writes each value in its format', () => {
      for (const [name, input, expected] of escaped) assert.equal((h[name] as (v: unknown) => string)(input), expected, `${name}(${JSON.stringify(input)})`);
    });

    it('refuses what a format cannot carry', () => {
      for (const [name, input, error] of refused) assert.throws(() => (h[name] as (v: unknown) => string)(input), error, `${name}(${JSON.stringify(input)})`);
    });

    it('kernelWords: split at spaces outside double quotes, as the kernel does', () => {
      assert.deepEqual(h.kernelWords('ip=dhcp  root=/dev/nfs foo="a b" "x=y z"'), ['ip=dhcp', 'root=/dev/nfs', 'foo="a b"', '"x=y z"']);
      assert.deepEqual(h.kernelWords(''), []);
    });

    it('the text helpers also work as blocks, on the text their block renders', async () => {
      const { default: Handlebars } = await import('handlebars');
      const hbs = Handlebars.create();
      h.registerHelpers(hbs);
      const render = (source: string, context: object) => hbs.compile(source, { noEscape: true, strict: true })(context);
      assert.equal(render('linux {{#grubArgs}}/bzImage {{args}}{{/grubArgs}}', { args: 'a;b ok' }), "linux /bzImage 'a;b' ok");
      assert.equal(render('{{fstabField path}}', { path: '/a b' }), '/a\\040b');
      assert.equal(render('{{#shellArg}}O={{dir}}{{/shellArg}}', { dir: '/x y' }), "'O=/x y'");
    });
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
