// slave-root.json keeps the master's secrets and identity out of the slave roots, seen
// offline: the playbook runs through the controller's own task runner against an agent
// stand-in that records each request, as a Debian and as a Gentoo master. The /etc copy
// it asks for is then run with real rsync on a made-up /etc, and the helper script it
// installs is run on made-up roots, password files and identity stores.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { excludeMatcher } from '../../packages/agent/src/lib/rsync-exclude.js';
import { rsyncArgv } from '../../packages/agent/src/ops/copy.js';
import { engineParts } from '../../packages/controller/src/engine/engine-parts.js';
import { createMasterState } from '../../packages/controller/src/engine/master-state.js';
import { renderPlaysOffline } from '../../packages/controller/src/engine/render-offline.js';
import { runTask } from '../../packages/controller/src/engine/run-task.js';
import { loadPlaybooks } from '../../packages/controller/src/playbook/load-playbooks.js';
import type { Inventory, Master } from '../../packages/controller/src/types.js';
import { exampleInventory, repo, scratch } from './example-inventory.js';
import { needs, rootMissing } from '../needs.js';

const PLAYBOOK = join(repo, 'playbooks/slave-root.json');
const FAMILIES = ['debian', 'gentoo'] as const;
type Family = (typeof FAMILIES)[number];
const factsOf = (family: Family) => ({ os: { family } });

interface Request {
  task: string;
  op: string;
  args: Record<string, any>;
}

/** Every request slave-root.json makes of a master's agent; each stat finds a file. */
async function requestsOf(inventory: Inventory, master: Master, family: Family): Promise<{ requests: Request[]; failed: Record<string, string> }> {
  const requests: Request[] = [];
  let task = '';
  const agent = {
    async request(op: string, args: Record<string, unknown>) {
      requests.push({ task, op, args });
      return { changed: false, data: op === 'stat' ? { exists: true, type: 'file', sha256: 'a'.repeat(64) } : {} };
    },
  };
  const parts = engineParts();
  const state = createMasterState(inventory, master, factsOf(family), agent, parts.hostContext);
  const failed: Record<string, string> = {};
  for (const play of await loadPlaybooks([PLAYBOOK])) {
    for (const t of play.tasks) {
      task = t.name;
      const result = await runTask(play, t, state, { check: false, diff: false, renderer: parts.renderer, emit: () => undefined });
      if (result.status === 'failed') failed[t.name] = result.msg ?? '';
    }
  }
  return { requests, failed };
}

function only(requests: Request[], where: (r: Request) => boolean, what: string): Request {
  const found = requests.filter(where);
  assert.equal(found.length, 1, `${what}: ${found.length} requests (${requests.map((r) => `${r.op} ${r.args.path ?? r.args.dest ?? ''}`).join(', ')})`);
  return found[0];
}

/** Writes files under `dir` (a path ending in / is a directory; "-> x" makes a link). */
function lay(dir: string, paths: string[]): void {
  for (const path of paths) {
    const full = join(dir, path);
    mkdirSync(path.endsWith('/') ? full : dirname(full), { recursive: true });
    if (!path.endsWith('/')) writeFileSync(full, `${path}\n`);
  }
}

/** Files (not directories) under `dir`, relative to it. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => !e.isDirectory())
    .map((e) => relative(dir, join(e.parentPath, e.name)))
    .sort();
}

// A master's /etc as the skeleton's copy meets it: what a slave must not get, and what it needs.
const MASTER_ONLY = [
  'etc/ssh/ssh_host_ed25519_key', 'etc/ssh/ssh_host_ed25519_key.pub', 'etc/ssh/ssh_host_rsa_key', 'etc/ssh/ssh_host_dsa_key.pub',
  'etc/machine-id', 'etc/shadow', 'etc/shadow-', 'etc/gshadow', 'etc/gshadow-', 'etc/security/opasswd',
  'etc/ssl/private/ssl-cert-snakeoil.key', 'etc/krb5.keytab', 'etc/letsencrypt/live/m.example/privkey.pem', 'etc/ipsec.secrets',
  'etc/NetworkManager/system-connections/wifi.nmconnection', 'etc/wireguard/wg0.conf', 'etc/ppp/chap-secrets', 'etc/ppp/pap-secrets',
  'etc/dhcp/dhcpd.conf', 'etc/exports', 'etc/exports.d/extra.exports', 'etc/ganesha/ganesha.conf',
  'etc/init.d/nfs-ganesha-diskless', 'etc/kernel/postinst.d/zz-diskless-slave-kernel',
  'etc/rc2.d/S01isc-dhcp-server', 'etc/systemd/system/multi-user.target.wants/tftpd-hpa.service', 'etc/runlevels/default/dhcpd',
  'etc/.hosts.diskless-0a1b2c3d.tmp', 'etc/default/.tftpd-hpa.diskless-abc.tmp',
];
const SLAVES_TOO = [
  'etc/hostname', 'etc/passwd', 'etc/group', 'etc/hosts', 'etc/ssh/sshd_config', 'etc/ssh/moduli', 'etc/ssl/certs/ca.pem',
  'etc/dhcp/dhclient.conf', 'etc/ppp/options', 'etc/init.d/ssh', 'etc/init.d/diskless-boot', 'etc/rc2.d/S01ssh',
  'etc/systemd/system/multi-user.target.wants/ssh.service', 'etc/runlevels/default/sshd', 'etc/kernel/postinst.d/initramfs-tools',
  'etc/security/limits.conf', 'etc/hosts.diskless-notes.txt',
];

for (const family of FAMILIES) {
  describe(`slave-root.json keeps the master's secrets out of the slave roots (${family} master)`, () => {
    let inventory: Inventory;
    let master: Master;
    let requests: Request[];
    let helper: string;
    const etcCopy = () => only(requests, (r) => r.op === 'copy' && r.args.src === '/etc', "the skeleton's /etc copy");

    before(async () => {
      inventory = await exampleInventory((doc) => {
        doc.masters['master-a'].slaves.slave21.interface = 'enp1s0';
      });
      master = inventory.masters.find((m) => m.name === 'master-a')!;
      const run = await requestsOf(inventory, master, family);
      assert.deepEqual(run.failed, {});
      requests = run.requests;
      helper = join(scratch, `diskless-slave-root-${family}`);
      writeFileSync(helper, only(requests, (r) => r.op === 'file' && r.args.path === '/usr/local/sbin/diskless-slave-root', 'the helper').args.content, { mode: 0o755 });
    });

    it("names each slave's own boot interface in its network configuration", async () => {
      const outcome = await renderPlaysOffline(inventory, await loadPlaybooks([PLAYBOOK]), master, factsOf(family), engineParts());
      assert.deepEqual(outcome.failures, []);
      const files = new Map(outcome.files.map((f) => [f.path, f.content]));
      for (const slave of master.slaves) {
        const wanted = slave.name === 'slave21' ? 'enp1s0' : 'eth0';
        assert.equal(slave.interface, wanted);
        if (family === 'gentoo') {
          const net = files.get(`/diskless/${slave.ip}/etc/conf.d/net`) ?? '';
          assert.deepEqual(net.split('\n').filter((l) => l.startsWith('config_')), [`config_${wanted}="noop"`], net);
        } else {
          const interfaces = files.get(`/diskless/${slave.ip}/etc/network/interfaces`) ?? '';
          assert.match(interfaces, new RegExp(`configured ${wanted} at boot`));
          assert.deepEqual(interfaces.split('\n').filter((l) => /^\s*(auto|allow-\S+|iface)\s/.test(l)), ['auto lo', 'iface lo inet loopback']);
        }
      }
    });

    it(family === 'gentoo' ? 'refuses an interface name netifrc would read from a renamed variable' : 'takes any interface name the inventory allows', async () => {
      const dotted = await exampleInventory((doc) => {
        doc.masters['master-a'].slaves.slave22.interface = 'eth0.5';
      });
      const run = await requestsOf(dotted, dotted.masters.find((m) => m.name === 'master-a')!, family);
      const refusal = Object.entries(run.failed).filter(([task]) => task.startsWith('Refuse a slave interface name'));
      if (family === 'gentoo') assert.match(refusal[0]?.[1] ?? '', /slave slave22: .*eth0\.5/, JSON.stringify(run.failed));
      else assert.deepEqual(run.failed, {});
    });

    it("leaves the master's secrets, identity and servers out of the skeleton's /etc, as rsync reads the excludes", () => {
      const { exclude, dest, dirTimes } = etcCopy().args;
      const fake = join(scratch, `copy-${family}`);
      lay(join(fake, 'master'), [...MASTER_ONLY, ...SLAVES_TOO]);
      // The task's own source, /etc, moved into the scratch directory: the same transfer-relative paths.
      const argv = rsyncArgv(join(fake, 'master/etc'), join(fake, 'skeleton/'), { delete: false, exclude, check: false, dirTimes });
      const rsync = spawnSync(argv[0], argv.slice(1), { encoding: 'utf8' });
      assert.equal(rsync.status, 0, rsync.stderr);
      assert.equal(dest, '/var/lib/diskless/skeleton/');
      assert.deepEqual(filesUnder(join(fake, 'skeleton')), [...SLAVES_TOO].sort());
    });

    it("decides a copy unchanged without rsync: the agent's own matcher reads every exclude as rsync does", () => {
      for (const exclude of [etcCopy().args.exclude, only(requests, (r) => r.op === 'copy' && r.args.dest === '/diskless/192.168.1.21/', 'the fill').args.exclude]) {
        const matcher = excludeMatcher(exclude);
        assert.ok(matcher, `a pattern the agent leaves to rsync: ${exclude.join(' ')}`);
      }
      const matcher = excludeMatcher(etcCopy().args.exclude)!;
      for (const path of MASTER_ONLY) assert.ok(matcher(path, false) || path.split('/').some((_, i, all) => matcher(all.slice(0, i).join('/'), true)), path);
      for (const path of SLAVES_TOO) assert.ok(!matcher(path, false), path);
    });

    it("never fills a slave's host keys or machine-id from the skeleton", () => {
      const fill = excludeMatcher(only(requests, (r) => r.op === 'copy' && r.args.dest === '/diskless/192.168.1.22/', 'the fill').args.exclude)!;
      for (const path of ['etc/ssh/ssh_host_ed25519_key', 'etc/ssh/ssh_host_rsa_key.pub', 'etc/machine-id', 'etc/hostname', 'etc/fstab']) assert.ok(fill(path, false), path);
      for (const path of ['etc/shadow', 'etc/ssh/sshd_config', 'etc/passwd']) assert.ok(!fill(path, false), path);
    });

    it('clears an existing root of exactly what the copy leaves out, then records the list', () => {
      const slave = master.slaves[0];
      const record = only(requests, (r) => r.op === 'file' && r.args.path === `/var/lib/diskless/cleared/${slave.ip}`, 'the clear record');
      const root = join(scratch, `root-${family}`);
      lay(root, [...MASTER_ONLY, ...SLAVES_TOO, 'var/lib/.state.diskless-1234.tmp', 'etc/fstab']);
      const list = join(scratch, `cleared-${family}`);
      writeFileSync(list, record.args.content);
      const validate = String(record.args.validate).replace(`/diskless/${slave.ip}`, root).replace('%s', list);
      assert.match(validate, /^\/usr\/local\/sbin\/diskless-slave-root clear /);
      const cleared = spawnSync('sh', ['-c', validate.replace('/usr/local/sbin/diskless-slave-root', helper)], { encoding: 'utf8' });
      assert.equal(cleared.status, 0, cleared.stderr);
      // A bare name is looked for in etc only: a slave's own temp file elsewhere is its business.
      assert.deepEqual(filesUnder(root), [...SLAVES_TOO, 'etc/fstab', 'var/lib/.state.diskless-1234.tmp'].sort());
      assert.equal(existsSync(join(root, 'etc/ssl/private')), false, 'etc/ssl/private: the whole directory goes');
      const again = spawnSync('sh', ['-c', validate.replace('/usr/local/sbin/diskless-slave-root', helper)], { encoding: 'utf8' });
      assert.equal(again.status, 0, again.stderr);
      const skeleton = only(requests, (r) => r.op === 'file' && r.args.path === '/var/lib/diskless/cleared/skeleton', "the skeleton's clear record");
      assert.equal(skeleton.args.validate, '/usr/local/sbin/diskless-slave-root clear /var/lib/diskless/skeleton %s');
      assert.equal(skeleton.args.content, record.args.content, 'the skeleton and the roots are cleared of one list');
    });

    it('locks every password in the copy of shadow and gshadow the skeleton gets', () => {
      const dir = join(scratch, `lock-${family}`);
      mkdirSync(dir);
      const shadow = join(dir, 'shadow');
      const hash = '$6$diskless$Zm9vYmFyYmF6cXV4';
      writeFileSync(shadow, [`root:${hash}:19700:0:99999:7:::`, 'daemon:*:19700:0:99999:7:::', `gone:!${hash}:19700:0:99999:7:::`, 'open::19700:0:99999:7:::', ''].join('\n'));
      chmodSync(shadow, 0o640);
      const sha = spawnSync('sha256sum', [shadow], { encoding: 'utf8' }).stdout.split(' ')[0];
      for (const db of ['shadow', 'gshadow']) {
        const lock = only(requests, (r) => r.op === 'file' && r.args.path === `/var/lib/diskless/locked-passwords/${db}.sha256`, `the ${db} record`);
        assert.equal(lock.args.content, `${'a'.repeat(64)}\n`, 'the record holds the checksum the stat found');
        assert.equal(lock.args.validate, `/usr/local/sbin/diskless-slave-root lock /etc/${db} /var/lib/diskless/locked-passwords/${db} %s`);
        only(requests, (r) => r.op === 'copy' && r.args.src === `/var/lib/diskless/locked-passwords/${db}` && r.args.dest === `/var/lib/diskless/skeleton/etc/${db}`, `the locked ${db} copy`);
      }
      const record = join(dir, 'record');
      writeFileSync(record, 'b'.repeat(64));
      const stale = spawnSync(helper, ['lock', shadow, join(dir, 'locked'), record], { encoding: 'utf8' });
      assert.notEqual(stale.status, 0, 'a file that is not the one recorded was locked');
      assert.deepEqual(readdirSync(dir).sort(), ['record', 'shadow']);
      writeFileSync(record, `${sha}\n`);
      const locked = spawnSync(helper, ['lock', shadow, join(dir, 'locked'), record], { encoding: 'utf8' });
      assert.equal(locked.status, 0, locked.stderr);
      assert.equal(readFileSync(join(dir, 'locked'), 'utf8'), ['root:*:19700:0:99999:7:::', 'daemon:*:19700:0:99999:7:::', 'gone:!:19700:0:99999:7:::', 'open:*:19700:0:99999:7:::', ''].join('\n'));
      assert.equal(statSync(join(dir, 'locked')).mode & 0o7777, 0o640);
      assert.deepEqual(readdirSync(dir).sort(), ['locked', 'record', 'shadow']);
    });

    it("makes each slave's SSH host keys and machine-id once, in a root-only store, and places them in its root", function () {
      needs(this, rootMissing("the identity store takes /etc's owner, root"));
      for (const path of ['/var/lib/diskless/identity', '/var/lib/diskless/locked-passwords', '/var/lib/diskless/cleared']) {
        assert.equal(only(requests, (r) => r.op === 'directory' && r.args.path === path, path).args.mode, '0700');
      }
      const store = join(scratch, `identity-${family}`);
      mkdirSync(store, { mode: 0o700 });
      const keys: Record<string, string[]> = {};
      for (const slave of master.slaves.slice(0, 2)) {
        const make = only(requests, (r) => r.op === 'command' && r.args.argv?.includes(slave.name), `${slave.name}'s identity`);
        assert.equal(make.args.creates, `/var/lib/diskless/identity/${slave.name}`, 'made only while the store has none');
        const place = only(requests, (r) => r.op === 'copy' && r.args.dest === `/diskless/${slave.ip}/etc/`, `${slave.name}'s placement`);
        assert.equal(place.args.src, `/var/lib/diskless/identity/${slave.name}/etc/`);
        const dir = join(store, slave.name);
        const made = spawnSync(helper, ['identity', dir, slave.name], { encoding: 'utf8' });
        assert.equal(made.status, 0, made.stderr);
        assert.equal(statSync(dir).mode & 0o777, 0o700);
        for (const d of ['etc', 'etc/ssh']) assert.equal(statSync(join(dir, d)).mode, statSync(`/${d}`).mode, d);
        const files = filesUnder(join(dir, 'etc'));
        assert.deepEqual(files, ['machine-id', ...['ecdsa', 'ed25519', 'rsa'].flatMap((t) => [`ssh/ssh_host_${t}_key`, `ssh/ssh_host_${t}_key.pub`])]);
        keys[slave.name] = files.map((f) => readFileSync(join(dir, 'etc', f), 'utf8'));
        assert.match(keys[slave.name][0], /^[0-9a-f]{32}\n$/);
        assert.equal(statSync(join(dir, 'etc/machine-id')).mode & 0o777, 0o444);
        for (const type of ['ecdsa', 'ed25519', 'rsa']) {
          const key = join(dir, `etc/ssh/ssh_host_${type}_key`);
          assert.equal(statSync(key).mode & 0o777, 0o600);
          assert.equal(statSync(`${key}.pub`).mode & 0o777, 0o644);
          // The public key is the private key's own (ssh-keygen -y derives it), named after the slave.
          const derived = spawnSync('ssh-keygen', ['-y', '-f', key], { encoding: 'utf8' }).stdout.split(' ').slice(0, 2).join(' ');
          assert.equal(readFileSync(`${key}.pub`, 'utf8').trim(), `${derived} root@${slave.name}`);
        }
        assert.notEqual(spawnSync(helper, ['identity', dir, slave.name]).status, 0, 'a second identity over the first');
      }
      const [a, b] = Object.values(keys);
      a.forEach((content, i) => assert.notEqual(content, b[i], 'two slaves share a key or machine-id'));
      assert.deepEqual(readdirSync(store).sort(), master.slaves.slice(0, 2).map((s) => s.name).sort(), 'a temporary directory was left');
    });

    it('removes what was made for slaves that left the list, and their roots and logs only when asked', function () {
      if (process.getuid?.() !== 0) this.skip(); // identities take /etc's owner, root
      const record = only(requests, (r) => r.op === 'file' && r.args.path === '/var/lib/diskless/slaves', 'the record of the slaves');
      assert.equal(record.args.validate, '/usr/local/sbin/diskless-slave-root prune %s /var/lib/diskless/orphan-roots /var/lib/diskless/identity /var/lib/diskless/cleared /var/log/diskless');
      for (const slave of master.slaves) assert.ok(String(record.args.content).includes(`slave ${slave.name} ${slave.ip} 01-${slave.mac.toLowerCase().replace(/:/g, '-')}\n`), slave.name);
      // The roots go only with apply --remove-orphan-roots: without it the step is not even sent.
      assert.equal(requests.some((r) => r.op === 'command' && r.args.argv?.[1] === 'remove-roots'), false);
      const removeRoots = JSON.parse(readFileSync(join(repo, 'playbooks/slave-root.json'), 'utf8')).tasks.find((t: { command?: { argv: string[] } }) => t.command?.argv[1] === 'remove-roots');
      assert.equal(removeRoots.when, 'run.removeOrphanRoots');
      assert.equal(removeRoots.command.removes, '{{orphan_roots}}');
      const made = only(requests, (r) => r.op === 'file' && r.args.path === '/var/lib/diskless/identities', 'the record of the identities');
      assert.equal(made.args.validate, '/usr/local/sbin/diskless-slave-root identities %s /var/lib/diskless/identity');

      const dir = join(scratch, `prune-${family}`);
      const [ids, records, logs] = ['identity', 'cleared', 'logs'].map((d) => join(dir, d));
      for (const d of [ids, records, logs]) mkdirSync(d, { recursive: true });
      const list = join(dir, 'list');
      writeFileSync(list, '# two slaves\nslave a 10.0.0.1 01-02-00-00-00-00-01\nslave b 10.0.0.2 01-02-00-00-00-00-02\n');
      const identities = spawnSync(helper, ['identities', list, ids], { encoding: 'utf8' });
      assert.equal(identities.status, 0, identities.stderr);
      assert.deepEqual(readdirSync(ids).sort(), ['a', 'b']);
      for (const name of ['skeleton', '10.0.0.1', '10.0.0.2']) writeFileSync(join(records, name), '');
      for (const name of ['a', 'b']) mkdirSync(join(logs, name));
      // b leaves the list: its identity and record go, its log directory is only listed.
      writeFileSync(list, 'slave a 10.0.0.1 01-02-00-00-00-00-01\n');
      const orphans = join(dir, 'orphans');
      const pruned = spawnSync(helper, ['prune', list, orphans, ids, records, logs], { encoding: 'utf8' });
      assert.equal(pruned.status, 0, pruned.stderr);
      assert.deepEqual(readdirSync(ids), ['a']);
      assert.deepEqual(readdirSync(records).sort(), ['10.0.0.1', 'skeleton']);
      assert.deepEqual(readdirSync(logs).sort(), ['a', 'b']);
      assert.equal(readFileSync(orphans, 'utf8'), `2 ${join(logs, 'b')}\n`);
      // A slave named b again keeps the directory; once it is gone from the list, it goes.
      writeFileSync(list, 'slave a 10.0.0.1 01-02-00-00-00-00-01\nslave b 10.0.0.9 01-02-00-00-00-00-09\n');
      assert.equal(spawnSync(helper, ['remove-roots', list, orphans]).status, 0);
      assert.deepEqual(readdirSync(logs).sort(), ['a', 'b']);
      assert.equal(existsSync(orphans), false);
      writeFileSync(list, 'slave a 10.0.0.1 01-02-00-00-00-00-01\n');
      assert.equal(spawnSync(helper, ['prune', list, orphans, ids, records, logs]).status, 0);
      const removed = spawnSync(helper, ['remove-roots', list, orphans], { encoding: 'utf8' });
      assert.equal(removed.status, 0, removed.stderr);
      assert.equal(removed.stdout, `removed ${join(logs, 'b')}\n`);
      assert.deepEqual(readdirSync(logs), ['a']);
      assert.equal(existsSync(orphans), false);
    });
  });
}
