// The ssh settings of a master from the inventory, the user's ssh config and the
// built-in defaults, in that order; jump hosts from either. Every test names its ssh
// config file, so the real ~/.ssh/config is never read.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadInventory } from '../../../packages/controller/src/inventory/load-inventory.js';
import { parseProxyJump } from '../../../packages/controller/src/inventory/proxy-jump.js';
import { parseSshConfig } from '../../../packages/controller/src/inventory/ssh-config.js';
import { errorAt, inputErrorsOf } from './input-errors.js';

const LAN = { interface: 'lan0', address: '192.168.1.1', prefix: 24 };
const NFS = { server: 'kernel' };

describe('ssh settings from the ssh config', () => {
  let dir: string;
  let config: string;
  let key: string;
  const inventory = (masters: Record<string, unknown>, defaults?: Record<string, unknown>) => {
    const file = join(dir, 'inventory.json');
    const doc = { ...(defaults ? { defaults: { ssh: defaults } } : {}), masters: Object.fromEntries(Object.entries(masters).map(([n, ssh]) => [n, { ssh, lan: LAN, nfs: NFS }])) };
    writeFileSync(file, JSON.stringify(doc, null, 2));
    return file;
  };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'diskless-ssh-config-'));
    key = join(dir, 'id_config');
    writeFileSync(key, 'not read at load time');
    config = join(dir, 'ssh_config');
    writeFileSync(
      config,
      [
        'Host m1',
        '  HostName 10.0.0.1',
        '  User alice',
        '  Port 2200',
        `  IdentityFile ${join(dir, 'missing_key')}`,
        `  IdentityFile ${key}`,
        '  ProxyJump bob@jump1:2222,jump2',
        'Host jump2',
        '  HostName 10.9.9.2',
        '  Port 2022',
        'Match exec "touch ' + join(dir, 'ran') + '"',
        '  User mallory',
        'Host *',
        '  User carol',
        '',
      ].join('\n'),
    );
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('resolves an alias: HostName, User, Port, the first IdentityFile that exists, ProxyJump', async () => {
    const [m] = (await loadInventory(inventory({ a: { host: 'm1' } }, { knownHosts: 'kh' }), { sshConfigFile: config })).masters;
    assert.equal(m!.ssh.host, '10.0.0.1');
    assert.equal(m!.ssh.alias, 'm1');
    assert.equal(m!.ssh.user, 'alice');
    assert.equal(m!.ssh.port, 2200);
    assert.equal(m!.ssh.privateKey, key);
    assert.equal(m!.ssh.privateKeyOptional, true);
    assert.deepEqual(m!.ssh.proxyJump, [
      { name: 'bob@jump1:2222', host: 'jump1', port: 2222, user: 'bob' },
      // jump2's HostName and Port come from the config; its user from Host * there
      { name: 'jump2', host: '10.9.9.2', port: 2022, user: 'carol' },
    ]);
  });

  it('lets the inventory win over the ssh config, and the config over the built-in defaults', async () => {
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, 'k')]);
    const file = inventory({ a: { host: 'm1', user: 'admin', port: 22, privateKey: 'k', proxyJump: 'none' }, b: { host: '10.1.1.1' } });
    const [a, b] = (await loadInventory(file, { sshConfigFile: config })).masters;
    assert.equal(a!.ssh.host, '10.0.0.1');
    assert.equal(a!.ssh.user, 'admin');
    assert.equal(a!.ssh.port, 22);
    assert.equal(a!.ssh.privateKey, join(dir, 'k'));
    assert.equal(a!.ssh.proxyJump, undefined);
    // Host * gives the user; the rest are the built-in defaults.
    assert.equal(b!.ssh.user, 'carol');
    assert.equal(b!.ssh.port, 22);
    assert.equal(b!.ssh.proxyJump, undefined);
  });

  it('uses root and port 22 without any config ("none"), and reads ssh.configFile relative to the inventory', async () => {
    const [a] = (await loadInventory(inventory({ a: { host: 'm1' } }), { sshConfigFile: 'none' })).masters;
    assert.deepEqual([a!.ssh.host, a!.ssh.user, a!.ssh.port], ['m1', 'root', 22]);
    const [b] = (await loadInventory(inventory({ a: { host: 'm1', configFile: 'ssh_config' } }), { sshConfigFile: 'none' })).masters;
    assert.deepEqual([b!.ssh.host, b!.ssh.user], ['10.0.0.1', 'alice']);
  });

  it('offers the first default key file that exists when neither the inventory nor the config names one', async () => {
    const home = process.env.HOME;
    process.env.HOME = dir;
    try {
      mkdirSync(join(dir, '.ssh'));
      writeFileSync(join(dir, '.ssh', 'id_rsa'), 'x');
      writeFileSync(join(dir, '.ssh', 'id_ecdsa'), 'x');
      const [a] = (await loadInventory(inventory({ a: { host: '10.1.1.1' } }), { sshConfigFile: 'none' })).masters;
      assert.equal(a!.ssh.privateKey, join(dir, '.ssh', 'id_ecdsa'));
      assert.equal(a!.ssh.privateKeyOptional, true);
    } finally {
      process.env.HOME = home;
    }
  });

  it('never evaluates Match blocks', async () => {
    const [a] = (await loadInventory(inventory({ a: { host: 'other' } }), { sshConfigFile: config })).masters;
    assert.equal(a!.ssh.user, 'carol');
    assert.throws(() => rmSync(join(dir, 'ran')), /ENOENT/);
  });

  it('names the inventory place of a bad proxyJump, and the config file and Host of a bad ProxyJump there', async () => {
    writeFileSync(config, 'Host bad\n  ProxyJump a@b@c\n  Port 99999\n');
    const file = inventory({ a: { host: '10.1.1.1', proxyJump: 'x:1:2' }, b: { host: 'bad' } });
    const errors = await inputErrorsOf(() => loadInventory(file, { sshConfigFile: config }));
    assert.match(errorAt(errors, '/masters/a/ssh/proxyJump').message, /jump host "x:1:2" is not \[user@\]host\[:port\]/);
    const atB = errors.filter((e) => e.where?.pointer === '/masters/b/ssh/host').map((e) => e.message);
    assert.ok(atB.some((m) => m.includes(`${config}, Host bad: Port "99999" is not a TCP port`)), atB.join('\n'));
    assert.ok(atB.some((m) => m.includes(`${config}, Host bad: ProxyJump: jump host "a@b@c"`)), atB.join('\n'));
  });

  it('reports a named ssh config that does not exist at ssh.configFile', async () => {
    const errors = await inputErrorsOf(() => loadInventory(inventory({ a: { host: 'm1', configFile: 'nope' } })));
    assert.match(errorAt(errors, '/masters/a/ssh/configFile').message, /cannot read the ssh config .*nope: no such file/);
  });

  it('tells apart the same address behind different jump hosts', async () => {
    const file = inventory({ a: { host: '10.1.1.1', proxyJump: 'j1' }, b: { host: '10.1.1.1', proxyJump: 'j2' }, c: { host: '10.1.1.1', proxyJump: 'j2' } });
    const errors = await inputErrorsOf(() => loadInventory(file, { sshConfigFile: 'none' }));
    assert.equal(errors.length, 1);
    assert.match(errorAt(errors, '/masters/c/ssh/host').message, /duplicate SSH host and port/);
  });
});

describe('parseProxyJump', () => {
  it('reads OpenSSH forms', () => {
    assert.deepEqual(parseProxyJump('ssh://u@[fd00::1]:2200,h'), [
      { user: 'u', host: 'fd00::1', port: 2200, text: 'ssh://u@[fd00::1]:2200' },
      { user: undefined, host: 'h', port: undefined, text: 'h' },
    ]);
    assert.deepEqual(parseProxyJump('none'), []);
    assert.match(parseProxyJump('h:0') as string, /port 0/);
    assert.match(parseProxyJump('h;rm') as string, /not \[user@\]host/);
  });

  it('expands %h in HostName', () => {
    assert.equal(parseSshConfig('Host *.lan\n  HostName %h.example.org\n', 'f').lookup('a.lan').hostName, 'a.lan.example.org');
  });
});
