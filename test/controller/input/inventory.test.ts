import assert from 'node:assert/strict';
import { homedir } from 'node:os';
import { loadInventory } from '../../../packages/controller/src/inventory/load-inventory.js';
import { assertError, errorAt, fixture, inputErrorsOf } from './input-errors.js';

describe('loadInventory', () => {
  describe('a valid inventory', () => {
    it('applies ssh defaults, resolving a relative key against the inventory and ~ against home', async () => {
      const inventory = await loadInventory(fixture('inventory', 'valid.json'));
      assert.equal(inventory.file, fixture('inventory', 'valid.json'));
      const [a, b] = inventory.masters;
      assert.deepEqual(a!.ssh, {
        host: '10.231.0.11',
        port: 22,
        user: 'admin',
        privateKey: fixture('inventory', 'keys', 'test_key'),
        knownHosts: `${homedir()}/.ssh/diskless_known_hosts`,
        connection: 'ssh',
      });
      assert.equal(b!.ssh.user, 'root');
      assert.equal(b!.ssh.connection, 'local');
    });

    it('keeps masters in file order and sorts slaves by name, numbers counted as numbers', async () => {
      const inventory = await loadInventory(fixture('inventory', 'valid.json'));
      assert.deepEqual(inventory.masters.map((m) => m.name), ['master-a', 'master-b']);
      assert.deepEqual(inventory.masters[0]!.slaves.map((s) => s.name), ['slave2', 'slave9', 'slave10']);
      assert.deepEqual(inventory.masters[1]!.slaves, []);
    });

    it('lowercases MACs and fills slave defaults', async () => {
      const [a] = (await loadInventory(fixture('inventory', 'valid.json'))).masters;
      const slave10 = a!.slaves.find((s) => s.name === 'slave10')!;
      assert.deepEqual(slave10, {
        name: 'slave10',
        mac: '00:02:a5:04:3b:6a',
        ip: '192.168.1.30',
        boot: 'pxe',
        firmware: 'auto',
        interface: 'eth0',
        interfaceGiven: false,
        services: [],
      });
      assert.equal(a!.slaves.find((s) => s.name === 'slave9')!.arch, 'i686');
    });

    it('derives netmask, network and broadcast of each LAN', async () => {
      const [a, b] = (await loadInventory(fixture('inventory', 'valid.json'))).masters;
      assert.deepEqual([a!.lan.netmask, a!.lan.network, a!.lan.broadcast], ['255.255.255.0', '192.168.1.0', '192.168.1.255']);
      assert.deepEqual([b!.lan.netmask, b!.lan.network, b!.lan.broadcast], ['255.255.255.192', '10.20.0.64', '10.20.0.127']);
    });

    it('merges inventory vars under master vars and keeps the extra master fields', async () => {
      const inventory = await loadInventory(fixture('inventory', 'valid.json'));
      const [a, b] = inventory.masters;
      assert.deepEqual(inventory.vars, { domain: 'example.test', ntp: 'pool.example.test' });
      assert.deepEqual(a!.vars, { domain: 'example.test', ntp: 'ntp.master-a.test', anything: { nested: [1, 2] } });
      assert.deepEqual(b!.vars, inventory.vars);
      assert.equal(a!.firewall, true);
      assert.deepEqual(a!.kernel, { sourceDir: '/usr/src/linux' });
      assert.deepEqual(a!.nfs, {
        server: 'kernel',
        mountOptions: 'tcp,vers=4.1',
        shared: { '/usr': 'ro', '/home': 'rw' },
        shares: [
          { path: '/usr', mode: 'ro', rootSquash: true },
          { path: '/home', mode: 'rw', rootSquash: true },
        ],
      });
      assert.deepEqual(b!.nfs, { server: 'ganesha', mountOptions: 'tcp,vers=3', shared: {}, shares: [] });
    });
  });

  describe('bad input', () => {
    it('reports a missing inventory file', async () => {
      const [error] = await inputErrorsOf(() => loadInventory(fixture('inventory', 'nope.json')));
      assert.equal(error!.where?.file, fixture('inventory', 'nope.json'));
      assert.equal(error!.message, 'inventory file not found');
    });

    it('reports malformed JSON with line and column', async () => {
      const file = fixture('inventory', 'malformed.json');
      const errors = await inputErrorsOf(() => loadInventory(file));
      assert.equal(errors[0]!.where?.file, file);
      assert.equal(errors[0]!.where?.line, 5);
      assert.equal(errors[0]!.where?.column, 7);
      assert.equal(errors[0]!.message, 'malformed JSON: "," expected');
    });

    it('refuses a MAC or IP of the wrong form, naming what was expected and found', async () => {
      const file = fixture('inventory', 'bad-mac.json');
      const errors = await inputErrorsOf(() => loadInventory(file));
      assert.equal(errors.length, 2);
      assertError(errors, {
        file,
        pointer: '/masters/master-a/slaves/slave21/mac',
        line: '"slave21"',
        message: 'must match aa:bb:cc:dd:ee:ff, got "00:02:A5:04:3B"',
      });
      assertError(errors, {
        file,
        pointer: '/masters/master-a/slaves/slave22/ip',
        line: '192.168.1.300',
        message: 'must be an IPv4 address like 192.168.1.21, got "192.168.1.300"',
      });
      assert.equal(
        errors[0]!.toString(),
        `${file}:8:29 at /masters/master-a/slaves/slave21/mac: must match aa:bb:cc:dd:ee:ff, got "00:02:A5:04:3B"`,
      );
    });

    it('refuses an inventory with no masters', async () => {
      const file = fixture('inventory', 'no-masters.json');
      const errors = await inputErrorsOf(() => loadInventory(file));
      assertError(errors, { file, pointer: '/masters', line: '"masters"', message: 'an inventory needs at least one master' });
    });

    it('refuses unknown fields, bad enums and a missing ssh, but takes anything under vars', async () => {
      const file = fixture('inventory', 'shape.json');
      const errors = await inputErrorsOf(() => loadInventory(file));
      assertError(errors, { file, pointer: '/masters/master-a', line: '"master-a"', message: 'missing required property "ssh"' });
      assertError(errors, { file, pointer: '/masters/master-a/nfs/server', line: '"nfsd"', message: 'must be one of "kernel", "ganesha", got "nfsd"' });
      assertError(errors, { file, pointer: '/masters/master-a/nfs/shared/usr', line: '"usr"', message: 'name "usr" must be an absolute path like /usr, of letters, digits, ".", "_" and "-" between slashes' });
      assertError(errors, { file, pointer: '/masters/master-a/slaves/slave21/bot', line: '"bot"', message: 'unknown property "bot"' });
      assert.equal(errors.length, 4);
    });

    it('refuses LAN and slave addresses outside the LAN or on its network, broadcast or master address', async () => {
      const file = fixture('inventory', 'outside-lan.json');
      const errors = await inputErrorsOf(() => loadInventory(file));
      const at = (slave: string) => `/masters/master-a/slaves/${slave}/ip`;
      assertError(errors, { file, pointer: at('elsewhere'), line: '"elsewhere"', message: "slave elsewhere: 192.168.2.5 is outside master-a's LAN 192.168.1.0/24" });
      assertError(errors, { file, pointer: at('network'), line: '"network"', message: "slave network: 192.168.1.0 is the network address of master-a's LAN 192.168.1.0/24" });
      assertError(errors, { file, pointer: at('broadcast'), line: '"broadcast"', message: "slave broadcast: 192.168.1.255 is the broadcast address of master-a's LAN 192.168.1.0/24" });
      assertError(errors, { file, pointer: at('itself'), line: '"itself"', message: "slave itself: 192.168.1.1 is master-a's own LAN address" });
      assertError(errors, { file, pointer: '/masters/master-a/lan/routers', line: '192.168.3.1', message: "router 192.168.3.1 is outside master-a's LAN 192.168.1.0/24" });
      assertError(errors, { file, pointer: '/masters/master-b/lan/address', line: '192.168.5.0', message: '192.168.5.0 is the network address of 192.168.5.0/24, not a usable host address' });
      assert.equal(errors.length, 6);
    });

    it('refuses a MAC, IP or SSH endpoint used twice, naming both places', async () => {
      const file = fixture('inventory', 'duplicates.json');
      const errors = await inputErrorsOf(() => loadInventory(file));
      assert.equal(errors.length, 3);
      assertError(errors, {
        file,
        pointer: '/masters/master-b/slaves/slave31/mac',
        line: '"slave31"',
        message: 'duplicate MAC 02:00:00:00:00:21: slave slave31 of master-b uses it, and so does slave slave21 of master-a (line 8, /masters/master-a/slaves/slave21/mac)',
      });
      assertError(errors, {
        file,
        pointer: '/masters/master-b/slaves/slave32/ip',
        line: '"slave32"',
        message: 'duplicate IP 192.168.1.21: slave slave32 of master-b uses it, and so does slave slave21 of master-a (line 8, /masters/master-a/slaves/slave21/ip)',
      });
      assertError(errors, {
        file,
        pointer: '/masters/master-b/ssh/host',
        line: '"host": "10.231.0.11", "port"',
        message: 'duplicate SSH host and port 10.231.0.11:22: master master-b uses it, and so does master master-a (line 4, /masters/master-a/ssh/host)',
      });
    });

    it('refuses nfs.sharedLog beside a shared /var/log', async () => {
      const file = fixture('inventory', 'shared-log-twice.json');
      const errors = await inputErrorsOf(() => loadInventory(file));
      assert.equal(errors.length, 1, 'master-b has sharedLog false: its shared /var/log is fine');
      assertError(errors, {
        file,
        pointer: '/masters/master-a/nfs/sharedLog',
        line: '"sharedLog": true',
        message: 'master master-a: nfs.sharedLog gives each slave its own /var/log, and nfs.shared also shares /var/log with all of them: keep one',
      });
    });

    it('refuses firmware that cannot boot the slave: Etherboot on UEFI, arm64 on BIOS, its own or its master\'s', async () => {
      const file = fixture('inventory', 'firmware.json');
      const errors = await inputErrorsOf(() => loadInventory(file));
      assert.equal(errors.length, 4, errors.map(String).join('\n'));
      assertError(errors, {
        file,
        pointer: '/masters/master-a/slaves/old/firmware',
        line: '"old":',
        message: 'slave old: boot etherboot needs BIOS firmware, and its firmware is uefi: use boot pxe for a UEFI slave, or firmware bios',
      });
      assertError(errors, { file, pointer: '/masters/master-a/slaves/arm/firmware', line: '"arm":', message: 'slave arm: aarch64 machines boot UEFI only, not firmware bios' });
      assertError(errors, { file, pointer: '/masters/master-a/slaves/armeb/boot', line: '"armeb":', message: 'slave armeb: arm64 machines boot UEFI only, not boot etherboot' });
      assertError(errors, {
        file,
        pointer: '/masters/master-b/boot/firmware',
        line: '"boot": { "firmware": "uefi" }',
        message: "slave inherits: boot etherboot needs BIOS firmware, and its firmware is uefi (from master-b's boot.firmware): use boot pxe for a UEFI slave, or firmware bios",
      });
    });

    it('refuses master and slave names that would escape /diskless', async () => {
      const file = fixture('inventory', 'escape-names.json');
      const errors = await inputErrorsOf(() => loadInventory(file));
      assert.equal(errors.length, 4);
      assertError(errors, { file, pointer: '/masters/..~1etc', line: '"../etc"', message: /^master name "\.\.\/etc" would escape \/diskless/ });
      assertError(errors, { file, pointer: '/masters/..~1etc/slaves/a~1b', line: '"a/b"', message: /^slave name "a\/b" would escape \/diskless/ });
      assertError(errors, { file, pointer: '/masters/..~1etc/slaves/..', line: '"..":', message: /^slave name "\.\." would escape/ });
      assertError(errors, { file, pointer: '/masters/..~1etc/slaves/nul\u0000name', line: 'nul\\u0000name', message: /^slave name "nul\\u0000name" would escape/ });
    });

    it('refuses values that would reach a generated file or a command unsafely, at the schema', async () => {
      const file = fixture('inventory', 'hostile-schema.json');
      const errors = await inputErrorsOf(() => loadInventory(file));
      const shared = '/masters/master-a/nfs/shared';
      assertError(errors, { file, pointer: '/defaults/ssh/timeoutMs', line: '1e12', message: /^must be a number of milliseconds from 100 to 3600000 \(an hour\): must be <= 3600000, got 1000000000000$/ });
      assertError(errors, { file, pointer: '/vars/domain', line: 'host evil', message: /^must be a DNS domain like lab\.example\.org .*, got "lab\.test\\"; \} host evil \{"$/ });
      assertError(errors, { file, pointer: '/masters/master-b/vars/domain', line: 'lab.test\\nhost', message: /^must be a DNS domain/ });
      assertError(errors, { file, pointer: `${shared}/~1srv\n~1 *(rw,no_root_squash,insecure)`, line: 'insecure', message: /^name "\/srv\\n\/ \*\(rw,no_root_squash,insecure\)" must be an absolute path like \/usr/ });
      assertError(errors, { file, pointer: `${shared}/~1home/rootSquash`, line: '"rootSquash": "no"', message: 'must be a boolean, got "no"' });
      assertError(errors, { file, pointer: `${shared}/~1opt/rootsquash`, line: '"rootsquash"', message: 'unknown property "rootsquash"' });
      assertError(errors, { file, pointer: `${shared}/~1data`, line: '"rx"', message: 'must be one of "ro", "rw", got "rx"' });
      assertError(errors, { file, pointer: '/masters/master-a/kernel/sourcDir', line: 'sourcDir', message: 'unknown property "sourcDir"' });
      assertError(errors, { file, pointer: '/masters/master-a/kernel/slaveFromSource', line: 'sourcDir', message: 'must be a boolean, got "no"' });
      assertError(errors, { file, pointer: '/masters/master-a/slaves/slave21/services/1', line: '".."', message: /^must be a service name like ssh .*, got "\.\."$/ });
      assertError(errors, { file, pointer: '/masters/master-b/kernel/sourceDir', line: 'reboot"', message: /^must be an absolute directory like \/usr\/src\/linux .*, got "\/usr\/src\/linux; reboot"$/ });
      assertError(errors, { file, pointer: '/masters/master-b/kernel/arch', line: 'reboot"', message: 'must be an architecture name like x86_64, got "x86_64 && reboot"' });
      assert.equal(errors.length, 12, errors.map(String).join('\n'));
    });

    it('refuses shares that are not plain, the whole root, diskless\'s own or named twice; group and zero MACs; names dhcpd cannot take; kernel command lines a loader cannot carry', async () => {
      const file = fixture('inventory', 'hostile-values.json');
      const errors = await inputErrorsOf(() => loadInventory(file));
      const shared = '/masters/master-a/nfs/shared';
      const slave = (name: string, field: string) => `/masters/master-a/slaves/${name}/${field}`;
      assertError(errors, { file, pointer: `${shared}/~1`, line: '"/": "ro"', message: /^share "\/" is the master's whole root/ });
      assertError(errors, { file, pointer: `${shared}/~1usr~1..~1etc`, line: '/usr/../etc', message: /^share "\/usr\/\.\.\/etc" has "\." or "\.\." parts: name the directory itself \(\/etc\)/ });
      assertError(errors, { file, pointer: `${shared}/~1diskless`, line: '"/diskless": "ro"', message: /^share "\/diskless" is \/diskless, which holds every slave's root/ });
      assertError(errors, { file, pointer: `${shared}/~1diskless~1192.168.1.21`, line: '/diskless/192', message: /^share "\/diskless\/192\.168\.1\.21" is inside \/diskless/ });
      assertError(errors, { file, pointer: `${shared}/~1var`, line: '"/var"', message: /^share "\/var" holds \/var\/lib\/diskless, which holds the slaves' SSH host keys/ });
      assertError(errors, { file, pointer: `${shared}/~1usr~1`, line: '"/usr/"', message: `share "/usr/" is /usr again: "/usr" (line 15) names it already; keep one` });
      assertError(errors, { file, pointer: slave('multicast', 'mac'), line: '01:00:5e', message: /01:00:5e:00:00:21 is a multicast address \(its first octet is odd\)/ });
      assertError(errors, { file, pointer: slave('zero', 'mac'), line: '00:00:00:00:00:00', message: /00:00:00:00:00:00 is no NIC's address/ });
      assertError(errors, { file, pointer: slave('broadcast', 'mac'), line: 'FF:FF', message: /ff:ff:ff:ff:ff:ff is the broadcast address/ });
      assertError(errors, { file, pointer: '/masters/master-a/slaves/a..b', line: '"a..b"', message: /^slave name "a\.\.b" would escape \/diskless or is not a host name/ });
      assertError(errors, { file, pointer: slave('newline', 'append'), line: 'DEFAULT evil', message: /^slave newline: append holds a newline: a kernel command line is one line/ });
      assertError(errors, { file, pointer: slave('backslash', 'append'), line: 'sh\\\\x', message: /^slave backslash: append holds \\: GRUB would hand it to the kernel/ });
      assertError(errors, { file, pointer: slave('quote', 'append'), line: '"quote"', message: /quotes may only enclose a whole parameter or its value, as in name="a b"$/ });
      assertError(errors, { file, pointer: slave('comment', 'append'), line: '#x', message: /holds "#x": iPXE takes a word starting with # for a comment$/ });
      assert.equal(errors.length, 14, errors.map(String).join('\n'));
    });

    it('reads a share given as an object, and squashes root unless it says rootSquash: false', async () => {
      const file = fixture('inventory', 'shares.json');
      const [master] = (await loadInventory(file)).masters;
      assert.deepEqual(master!.nfs.shares, [
        { path: '/usr', mode: 'ro', rootSquash: true },
        { path: '/opt', mode: 'ro', rootSquash: false },
        { path: '/home', mode: 'rw', rootSquash: true },
        { path: '/srv/data', mode: 'rw', rootSquash: false },
      ]);
      assert.deepEqual(master!.nfs.shared, { '/usr': 'ro', '/opt': 'ro', '/home': 'rw', '/srv/data': 'rw' });
    });

    it('refuses an unreadable private key, once per place it is named', async () => {
      const file = fixture('inventory', 'missing-key.json');
      const errors = await inputErrorsOf(() => loadInventory(file));
      assert.equal(errors.length, 1);
      assertError(errors, {
        file,
        pointer: '/masters/master-a/ssh/privateKey',
        line: 'no-such-key',
        message: `private key ${fixture('inventory', 'keys', 'no-such-key')} cannot be read: no such file`,
      });
      assert.equal(errorAt(errors, '/masters/master-a/ssh/privateKey').where?.column, 53);
    });

    it('refuses an encrypted key (no passphrase can be given) and a file that is no key', async () => {
      const file = fixture('inventory', 'unusable-keys.json');
      const errors = await inputErrorsOf(() => loadInventory(file));
      assert.equal(errors.length, 2);
      assertError(errors, { file, pointer: '/masters/master-a/ssh/privateKey', line: 'encrypted_key', message: /cannot be read: it is encrypted; add it to ssh-agent/ });
      assertError(errors, { file, pointer: '/masters/master-b/ssh/privateKey', line: 'not_a_key', message: /cannot be read: it is not a private key ssh can use/ });
    });
  });
});
