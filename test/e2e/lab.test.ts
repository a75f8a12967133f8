// The lab built from the example inventory, checked from outside as a user would:
// over SSH, on the masters' disks and interfaces, and after `down`.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Lab, labDown, labExec, labPlug, labUnplug, labUp, masterRootPath } from '../lab/index.js';
import { freeManagementNetwork, writeLabInventory } from '../lab/fixtures.js';
import { hostAddresses } from '../lab/preflight.js';
import { mountsUnder } from '../lab/mounts.js';
import { processesRootedUnder, waitFor } from '../lab/processes.js';
import { runCommand } from '../lab/run.js';
import { needs, rootMissing } from '../needs.js';

const repo = fileURLToPath(new URL('../..', import.meta.url));
const example = join(repo, 'examples/lab/inventory.json');
const suffix = String(process.pid % 1000000);

function ssh(dir: string, host: string, command: string): string {
  return execFileSync('ssh', ['-F', '/dev/null', '-o', 'BatchMode=yes', '-o', 'StrictHostKeyChecking=yes', '-o', `UserKnownHostsFile=${join(dir, 'known_hosts')}`,
    '-o', 'IdentitiesOnly=yes', '-o', 'ConnectTimeout=5', '-i', join(dir, 'id_ed25519'), `root@${host}`, command], { encoding: 'utf8' });
}

function netnsWithPrefix(prefix: string): string[] {
  return existsSync('/run/netns') ? readdirSync('/run/netns').filter((n) => n.startsWith(prefix)) : [];
}

async function linksWithPrefix(prefix: string): Promise<string[]> {
  const links = JSON.parse((await runCommand(['ip', '-j', 'link', 'show'])).stdout) as { ifname: string }[];
  return links.map((l) => l.ifname).filter((n) => n.startsWith(prefix));
}

/** Inner PIDs of the sshd processes in the PID namespace of host process `init`. */
function sshdSeenFromOutside(init: number): number[] {
  const pidns = readlinkSync(`/proc/${init}/ns/pid`);
  return readdirSync('/proc').filter((e) => /^\d+$/.test(e)).flatMap((e) => {
    try {
      if (readlinkSync(`/proc/${e}/ns/pid`) !== pidns || readFileSync(`/proc/${e}/comm`, 'utf8').trim() !== 'sshd') return [];
      const nspid = /^NSpid:\s+(.*)$/m.exec(readFileSync(`/proc/${e}/status`, 'utf8'))![1].split(/\s+/);
      return [Number(nspid[nspid.length - 1])];
    } catch {
      return [];
    }
  });
}

describe('lab: the example inventory on this machine', function () {
  this.timeout(120_000);
  const name = `le${suffix}`;
  let dir: string;
  let gateway: string;
  let lab: Lab;

  before(async function () {
    needs(this, rootMissing('a lab'));
    dir = mkdtempSync(join(tmpdir(), 'diskless-lab-'));
    gateway = await freeManagementNetwork();
    const started = Date.now();
    lab = await labUp({ inventoryFile: writeLabInventory(example, dir, gateway), name, managementCidr: `${gateway}/24` });
    console.log(`      (lab up in ${Date.now() - started} ms)`);
  });

  after(async function () {
    if (process.getuid?.() !== 0) return;
    await labDown({ name });
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('answers SSH on each master with that master\'s own hostname and a host key from known_hosts', () => {
    assert.deepEqual(lab.masters.map((m) => m.name), ['master-a', 'master-b']);
    for (const m of lab.masters) assert.equal(ssh(dir, m.sshHost, 'hostname').trim(), m.name);
    assert.equal(readFileSync(join(dir, 'known_hosts'), 'utf8').trim().split('\n').length, 2);
  });

  it('keeps each master\'s files its own', async () => {
    const probe = `/root/lab-probe-${name}`;
    ssh(dir, lab.masters[0].sshHost, `echo written-on-master-a > ${probe}`);
    assert.equal(readFileSync(join(masterRootPath(lab, 'master-a'), probe), 'utf8'), 'written-on-master-a\n');
    assert.equal(existsSync(join(masterRootPath(lab, 'master-b'), probe)), false);
    assert.equal((await labExec(lab, 'master-b', ['test', '-e', probe])).code, 1);
    // Not even through the lab directory, which the masters' lower layer (the machine) holds.
    assert.equal((await labExec(lab, 'master-b', ['test', '-e', join(lab.dir, 'masters/master-a/upper', probe)])).code, 1);
    assert.equal(existsSync(probe), false, 'the probe leaked onto the machine itself');
  });

  it('gives each master a plain /diskless directory of its own', async () => {
    const r = await labExec(lab, 'master-a', ['findmnt', '-n', '-o', 'FSTYPE', '/diskless']);
    assert.equal(r.stdout.trim(), 'ext4');
    await labExec(lab, 'master-a', ['touch', '/diskless/only-on-a']);
    assert.equal((await labExec(lab, 'master-b', ['test', '-e', '/diskless/only-on-a'])).code, 1);
  });

  it('puts each slave\'s MAC, and no address, on its own eth0, plugged into its master\'s LAN bridge', async () => {
    assert.equal(lab.slaves.length, 6);
    for (const s of lab.slaves) {
      const master = lab.masters.find((m) => m.name === s.master)!;
      const mac = await labExec(lab, `${s.master}/${s.name}`, ['cat', '/sys/class/net/eth0/address']);
      assert.equal(mac.stdout.trim(), s.mac);
      assert.equal((await labExec(lab, s.name, ['ip', '-4', '-o', 'addr', 'show', 'dev', 'eth0'])).stdout, '');
      const ports = JSON.parse((await labExec(lab, s.master, ['ip', '-j', 'link', 'show', 'master', master.lan.interface])).stdout) as { ifname: string }[];
      assert.ok(ports.some((p) => p.ifname === s.bridgePort), `${s.bridgePort} is not a port of ${master.lan.interface}`);
    }
    // The example's mixed-case MAC arrives normalised.
    assert.ok(lab.slaves.some((s) => s.name === 'slave22' && s.mac === '02:00:0a:01:00:22'));
  });

  it('carries frames between a slave and its master, and not to the other master', async () => {
    const linkLocal = async (master: string) => {
      const addrs = JSON.parse((await labExec(lab, master, ['ip', '-j', '-6', 'addr', 'show', 'dev', 'lan0', 'scope', 'link'])).stdout) as { addr_info: { local: string }[] }[];
      return addrs[0].addr_info[0].local;
    };
    const a = await linkLocal('master-a');
    const b = await linkLocal('master-b');
    const ping = async (target: string) => (await labExec(lab, 'slave21', ['busybox', 'ping6', '-c', '1', '-w', '1', '-W', '1', `${target}%eth0`])).code === 0;
    // Link-local addresses are usable once duplicate address detection is over (about a second).
    assert.ok(await waitFor(() => ping(a), 10_000), 'slave21 cannot reach master-a on its LAN');
    assert.equal(await ping(b), false, 'slave21 reaches master-b');
    const fdb = await labExec(lab, 'master-a', ['bridge', 'fdb', 'show', 'br', 'lan0']);
    const slave21 = lab.slaves.find((s) => s.name === 'slave21')!;
    assert.match(fdb.stdout, new RegExp(`^${slave21.mac} dev ${slave21.bridgePort} `, 'm'));
  });

  it('shows a master only its own processes', async () => {
    const init = await labExec(lab, 'master-a', ['ps', '-o', 'comm=', '-p', '1']);
    assert.equal(init.stdout.trim(), 'tini');
    const seen = (await labExec(lab, 'master-a', ['pidof', 'sshd'])).stdout.trim().split(/\s+/).map(Number).sort((x, y) => x - y);
    assert.deepEqual(seen, sshdSeenFromOutside(lab.masters[0].pid).sort((x, y) => x - y));
    await labExec(lab, 'master-b', ['sh', '-c', 'sleep 300 >/dev/null 2>&1 &']);
    assert.equal((await labExec(lab, 'master-b', ['pidof', 'sleep'])).code, 0);
    assert.equal((await labExec(lab, 'master-a', ['pidof', 'sleep'])).code, 1);
  });

  it('runs Debian init scripts with `service`, no init system needed', async () => {
    const start = await labExec(lab, 'master-a', ['service', 'rpcbind', 'start']);
    assert.equal(start.code, 0, start.stdout + start.stderr);
    assert.equal((await labExec(lab, 'master-a', ['pidof', 'rpcbind'])).code, 0);
    assert.equal((await labExec(lab, 'master-b', ['pidof', 'rpcbind'])).code, 1);
  });

  it('finds the running lab on a second `up` and changes nothing', async () => {
    const again = await labUp({ inventoryFile: lab.inventoryFile, name, managementCidr: lab.managementCidr });
    assert.deepEqual(again.masters.map((m) => m.pid), lab.masters.map((m) => m.pid));
    assert.equal(ssh(dir, lab.masters[1].sshHost, 'hostname').trim(), 'master-b');
  });

  it('follows a changed inventory: adds, removes and remakes masters and slaves, and leaves the rest running', async () => {
    const masterA = lab.masters.find((m) => m.name === 'master-a')!;
    const probe = `/root/lab-probe-${name}`; // written on master-a by an earlier test
    const changed = writeLabInventory(example, dir, gateway, (inv) => {
      const a = inv.masters['master-a'] as any;
      delete a.slaves.slave23;
      a.slaves.slave21.mac = '02:00:0a:01:00:e1';
      a.slaves.slave24 = { mac: '02:00:0a:01:00:24', ip: '192.168.1.24' };
      delete inv.masters['master-b'];
      inv.masters['master-c'] = {
        ...(inv.masters['master-a'] as any),
        ssh: { host: `${gateway.split('.').slice(0, 3).join('.')}.13` },
        lan: { interface: 'lan0', address: '192.168.3.1', prefix: 24 },
        slaves: { slave41: { mac: '02:00:0a:03:00:41', ip: '192.168.3.41' } },
      };
    });
    const masterB = lab.masters.find((m) => m.name === 'master-b')!;
    const followed = await labUp({ inventoryFile: changed, name, managementCidr: lab.managementCidr });

    assert.deepEqual(followed.masters.map((m) => m.name), ['master-a', 'master-c']);
    assert.equal(followed.masters[0].pid, masterA.pid, 'master-a was restarted');
    assert.equal((await labExec(followed, 'master-a', ['test', '-e', probe])).code, 0, "master-a's files are gone");
    assert.equal(ssh(dir, followed.masters[1].sshHost, 'hostname').trim(), 'master-c', 'master-c answers with a host key from known_hosts');
    assert.deepEqual(netnsWithPrefix(`${name}-master-b`), [], "master-b's namespaces are left");
    // master-c may take master-b's free veth name; one veth per master remains.
    assert.deepEqual((await linksWithPrefix(`${name}-m`)).sort(), followed.masters.map((m) => m.managementVeth).sort());
    assert.notEqual(followed.masters[1].pid, masterB.pid);
    assert.equal(existsSync(join(lab.dir, 'masters/master-b')), false);
    const macs = Object.fromEntries(followed.slaves.map((s) => [`${s.master}/${s.name}`, s.mac]));
    assert.deepEqual(macs, {
      'master-a/slave22': '02:00:0a:01:00:22',
      'master-a/slave21': '02:00:0a:01:00:e1',
      'master-a/slave24': '02:00:0a:01:00:24',
      'master-c/slave41': '02:00:0a:03:00:41',
    });
    for (const s of followed.slaves) {
      assert.equal((await labExec(followed, `${s.master}/${s.name}`, ['cat', '/sys/class/net/eth0/address'])).stdout.trim(), s.mac);
    }
    assert.deepEqual(netnsWithPrefix(`${name}-master-a-slave23`), []);

    // A machine in no inventory, on master-a's LAN: kept by the next `up`, gone after unplug.
    const stranger = await labPlug(followed, 'master-a', 'stranger', '02:00:0e:00:00:01');
    assert.equal((await labExec(followed, 'master-a/stranger', ['cat', '/sys/class/net/eth0/address'])).stdout.trim(), '02:00:0e:00:00:01');
    const ports = JSON.parse((await labExec(followed, 'master-a', ['ip', '-j', 'link', 'show', 'master', 'lan0'])).stdout) as { ifname: string }[];
    assert.ok(ports.some((p) => p.ifname === stranger.bridgePort));
    const again = await labUp({ inventoryFile: changed, name, managementCidr: lab.managementCidr });
    assert.ok(again.slaves.some((s) => s.name === 'stranger'), 'up removed a machine plugged in by hand');
    await labUnplug(again, 'master-a/stranger');
    assert.deepEqual(netnsWithPrefix(`${name}-master-a-stranger`), []);

    // Back to the example, for the tests below.
    lab = await labUp({ inventoryFile: writeLabInventory(example, dir, gateway), name, managementCidr: lab.managementCidr });
    assert.deepEqual(lab.masters.map((m) => m.name), ['master-a', 'master-b']);
    assert.equal(lab.slaves.length, 6);
    assert.deepEqual(netnsWithPrefix(`${name}-master-c`), []);
  });

  it('refuses, before making anything, an inventory that does not fit the machine', async () => {
    const other = `lf${suffix}`;
    const outside = writeLabInventory(example, dir, gateway, (inv) => { inv.masters['master-b'].ssh.host = '10.99.0.12'; });
    await assert.rejects(labUp({ inventoryFile: outside, name: other, managementCidr: `${gateway}/24` }), /overlaps .* on this machine's le\d+-br[\s\S]*ssh.host 10.99.0.12 is outside the lab's management network/);
    const eth0 = (await hostAddresses()).find((h) => !h.address.startsWith('127.'))!;
    await assert.rejects(labUp({ inventoryFile: outside, name: other, managementCidr: `${eth0.address}/${eth0.prefix}` }), new RegExp(`is already an address of this machine|overlaps ${eth0.address.replace(/\./g, '\\.')}`));
    assert.deepEqual(netnsWithPrefix(`${other}-`), []);
    assert.deepEqual(await linksWithPrefix(`${other}-`), []);
  });

  it('undoes what it made when `up` fails halfway, and says why', async () => {
    const other = `lr${suffix}`;
    const net = await freeManagementNetwork([gateway]);
    // "lo" already exists in every namespace: the second master cannot get its LAN bridge.
    const clash = writeLabInventory(example, dir, net, (inv) => { inv.masters['master-b'].lan.interface = 'lo'; });
    await assert.rejects(labUp({ inventoryFile: clash, name: other, managementCidr: `${net}/24` }), /link add lo type bridge.*File exists/);
    assert.deepEqual(netnsWithPrefix(`${other}-`), []);
    assert.deepEqual(await linksWithPrefix(`${other}-`), []);
    assert.equal(existsSync(join(repo, '.lab', other)), false);
  });

  it('refuses to run without root, with a clear message', () => {
    const r = (() => {
      try {
        execFileSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, '--import', 'tsx', join(repo, 'test/lab/cli.ts'), 'up', '-i', 'examples/lab/inventory.json'], { cwd: repo, encoding: 'utf8', stdio: 'pipe', env: { ...process.env, HOME: '/tmp' } });
        return { status: 0, stderr: '' };
      } catch (e) {
        return e as { status: number; stderr: string };
      }
    })();
    assert.equal(r.status, 1);
    assert.match(r.stderr, /^lab: the lab needs root/);
  });

  it('leaves no namespace, mount, process or interface behind after `down`', async () => {
    const labDir = lab.dir;
    const started = Date.now();
    await labDown({ name });
    console.log(`      (lab down in ${Date.now() - started} ms)`);
    assert.deepEqual(netnsWithPrefix(`${name}-`), []);
    assert.deepEqual(await linksWithPrefix(`${name}-`), []);
    assert.deepEqual(mountsUnder(labDir), []);
    assert.deepEqual(processesRootedUnder(labDir), []);
    assert.equal(existsSync(labDir), false);
  });
});
