import assert from 'node:assert/strict';
import { parseTarget } from '../../../packages/controller/src/init/master-facts.js';
import { masterNameOf, proposeMaster, type MasterFacts } from '../../../packages/controller/src/init/propose-master.js';

const iface = (name: string, address: string | null, prefix = 24, extra: { up?: boolean; multicast?: boolean } = {}) => ({
  name,
  ipv4: address ? [{ address, prefix }] : [],
  up: extra.up ?? true,
  multicast: extra.multicast ?? true,
});

const facts = (interfaces: ReturnType<typeof iface>[], more: Partial<MasterFacts> = {}): MasterFacts => ({
  hostname: 'node1.example.org',
  os: { family: 'debian', name: 'Debian GNU/Linux 12 (bookworm)' },
  kernel: { configPath: '/proc/config.gz', config: { CONFIG_NFSD: null } },
  interfaces: [iface('lo', '127.0.0.1', 8), ...interfaces],
  ...more,
});

describe('init --master: the entry proposed from a master\'s facts', () => {
  it('takes the interface that is not the one reached over SSH as the slave LAN', () => {
    const p = proposeMaster(facts([iface('enp1s0', '203.0.113.7'), iface('enp2s0', '10.40.0.1', 22)]), { host: '203.0.113.7' }, ['203.0.113.7']);
    assert.deepEqual(p.entry.lan, { interface: 'enp2s0', address: '10.40.0.1', prefix: 22 });
    assert.equal(p.name, 'node1');
    assert.deepEqual(p.entry.ssh, { host: '203.0.113.7' });
  });

  it('prefers a private network, skips interfaces that are down, unaddressed or without multicast', () => {
    const p = proposeMaster(
      facts([
        iface('eth0', '198.51.100.2'),
        iface('eth1', '100.64.0.1', 24, { up: false }),
        iface('eth2', null),
        iface('eth3', '172.20.0.1', 24, { multicast: false }),
        iface('eth4', '192.0.2.1'),
        iface('eth5', '172.31.9.1', 26),
      ]),
      { host: 'master.example.org', user: 'admin', port: 2222 },
      ['198.51.100.2'],
    );
    assert.deepEqual(p.entry.lan, { interface: 'eth5', address: '172.31.9.1', prefix: 26 });
    assert.deepEqual(p.entry.ssh, { host: 'master.example.org', user: 'admin', port: 2222 });
    assert.ok(p.notes.some((n) => /also possible: eth4/.test(n)), p.notes.join('\n'));
  });

  it('falls back to the one interface there is, and says the slaves would share it', () => {
    const p = proposeMaster(facts([iface('ens3', '192.168.7.10')]), { host: '192.168.7.10' }, ['192.168.7.10']);
    assert.equal((p.entry.lan as { interface: string }).interface, 'ens3');
    assert.ok(p.notes.some((n) => /share the network/.test(n)));
  });

  it('refuses a master with no usable interface, or a LAN too small for slaves', () => {
    assert.throws(() => proposeMaster(facts([iface('eth0', null)]), { host: 'm' }, []), /no interface that is up/);
    assert.throws(() => proposeMaster(facts([iface('eth0', '10.0.0.1', 32)]), { host: 'm' }, []), /prefix of 30 or less/);
  });

  it('picks the kernel NFS server only where the running kernel has one', () => {
    const lan = [iface('eth1', '10.1.0.1')];
    const nfs = (config: Record<string, string | null>, configPath: string | null = '/proc/config.gz') =>
      (proposeMaster(facts(lan, { kernel: { configPath, config } }), { host: 'm' }, []).entry.nfs as { server: string }).server;
    assert.equal(nfs({ CONFIG_NFSD: 'm' }), 'kernel');
    assert.equal(nfs({ CONFIG_NFSD: 'y' }), 'kernel');
    assert.equal(nfs({ CONFIG_NFSD: null }), 'ganesha');
    assert.equal(nfs({}, null), 'ganesha');
  });

  it('names the master from its host name in the characters a name may use, and warns of an unknown OS', () => {
    assert.equal(masterNameOf('Rack-7_A.lan', 'x'), 'rack-7_a');
    assert.equal(masterNameOf('"; rm -rf /', '10.0.0.5'), 'rm--rf');
    assert.equal(masterNameOf(undefined, '10.0.0.5'), '10-0-0-5');
    const p = proposeMaster(facts([iface('eth1', '10.1.0.1')], { os: { family: 'arch', name: 'Arch Linux' } }), { host: 'm' }, []);
    assert.ok(p.notes.some((n) => /Debian and Gentoo masters only/.test(n)));
  });
});

describe('init --master: [user@]host[:port]', () => {
  it('reads user, host and port', () => {
    assert.deepEqual(parseTarget('root@10.0.0.5'), { host: '10.0.0.5', user: 'root' });
    assert.deepEqual(parseTarget('admin@master.example.org:2222'), { host: 'master.example.org', user: 'admin', port: 2222 });
    assert.deepEqual(parseTarget('m1'), { host: 'm1' });
  });

  for (const bad of ['', '@host', 'a b@host', 'host:0', 'host:70000', 'root@-oProxyCommand=x', 'host;id', 'root@host:22:1']) {
    it(`refuses ${JSON.stringify(bad)}`, () => assert.throws(() => parseTarget(bad), /is not \[user@\]host\[:port\]/));
  }
});
