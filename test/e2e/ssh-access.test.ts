// SSH the way administrators set it up, on one lab master: reached only through a
// jump host (ssh.proxyJump, or an ssh config alias whose ProxyJump names it), and
// logged in to as an ordinary user who runs the agent through sudo (ssh.become), with
// and without a sudo password. The controller runs in a namespace of its own that has
// no route to the management network, and with HOME in the test's directory so the
// real ~/.ssh/config is never read.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { appendFileSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freeManagementNetwork, type Lab, labDown, labUp, writeLabInventory } from '../lab/index.js';
import { addJumpHost, type JumpHost } from '../lab/jump-host.js';
import { addMasterUser } from '../lab/master-users.js';
import { runCommand } from '../lab/run.js';
import { repoRoot } from './slave-clients.js';

const LAB = 'sshacc';
const MASTER = 'master-a';
const BIN = join(repoRoot, 'packages/controller/bin/run.js');
const PASSWORD = `pw-${process.pid}-Zq7`;

interface Cli {
  code: number;
  stdout: string;
  stderr: string;
}

describe('SSH access: jump hosts, ssh config aliases and sudo (lab)', function () {
  this.timeout(3 * 60_000);
  const scratch = mkdtempSync(join(tmpdir(), 'diskless-ssh-access-'));
  let lab: Lab;
  let jump: JumpHost;
  let masterAddress: string;
  let baseInventory: { defaults: { ssh: Record<string, unknown> }; masters: Record<string, { ssh: Record<string, unknown> }> };
  const knownHosts = join(scratch, 'known_hosts');

  /** The CLI, from the controller namespace (only the jump host in reach) or from the machine's own. */
  const cli = (args: string[], opts: { behindJump?: boolean; env?: Record<string, string> } = {}): Promise<Cli> => {
    const argv = opts.behindJump ? ['ip', 'netns', 'exec', jump.controllerNetns, process.execPath, BIN, ...args] : [process.execPath, BIN, ...args];
    return new Promise((done) => {
      execFile(
        argv[0],
        argv.slice(1),
        { encoding: 'utf8', timeout: 60_000, env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: scratch, SSH_AUTH_SOCK: '', ...opts.env } },
        (error, stdout, stderr) => done({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr }),
      );
    });
  };
  /** An inventory whose master-a has these ssh settings (and defaults.ssh changed by `defaults`). */
  const inventory = (name: string, ssh: Record<string, unknown>, defaults: Record<string, unknown> = {}): string => {
    const doc = structuredClone(baseInventory);
    doc.defaults.ssh = { ...doc.defaults.ssh, ...defaults };
    for (const [k, v] of Object.entries(doc.defaults.ssh)) if (v === undefined) delete doc.defaults.ssh[k];
    doc.masters[MASTER].ssh = ssh;
    const file = join(scratch, `${name}.json`);
    writeFileSync(file, JSON.stringify(doc, null, 2));
    return file;
  };
  const facts = (inv: string, opts?: Parameters<typeof cli>[1]) => cli(['facts', '-i', inv, '--json', '--state-dir', join(scratch, 'state')], opts);
  /** Applies a playbook that writes `path` (mode 0600) on the master. */
  const apply = (inv: string, path: string, opts?: Parameters<typeof cli>[1]) => {
    const playbook = join(scratch, `write-${path.replace(/\W/g, '_')}.json`);
    const task = { name: 'Write a file only root may read', file: { path, content: 'written on {{facts.hostname}}\n', mode: '0600' } };
    writeFileSync(playbook, JSON.stringify({ name: 'write', hosts: 'masters', tasks: [task] }));
    return cli(['apply', playbook, '-i', inv, '--json', '--state-dir', join(scratch, 'state')], opts);
  };
  const onMaster = (path: string) => join(lab.masters[0].root, path);
  const factsOf = (r: Cli) => {
    assert.equal(r.code, 0, `exit ${r.code}\n${r.stdout}\n${r.stderr}`);
    return JSON.parse(r.stdout).hosts[MASTER].facts as Record<string, unknown>;
  };

  before(async function () {
    this.timeout(2 * 60_000);
    const gateway = await freeManagementNetwork();
    const labInventory = writeLabInventory(join(repoRoot, 'examples/lab/inventory.json'), scratch, gateway, (inv) => {
      delete inv.masters['master-b'];
      delete inv.masters[MASTER].slaves;
      inv.defaults!.ssh!.knownHosts = knownHosts;
    });
    baseInventory = JSON.parse(readFileSync(labInventory, 'utf8'));
    await labDown({ name: LAB });
    lab = await labUp({ inventoryFile: labInventory, name: LAB, managementCidr: `${gateway}/24` });
    masterAddress = lab.masters[0].sshHost;
    const clientKey = readFileSync(join(scratch, 'id_ed25519.pub'), 'utf8').trim();
    jump = await addJumpHost(lab, `${gateway.split('.').slice(0, 3).join('.')}.250`, clientKey);
    appendFileSync(knownHosts, `${jump.address} ${jump.hostKey}\n`);
    await addMasterUser(lab, MASTER, { user: 'deploy', publicKey: clientKey });
    await addMasterUser(lab, MASTER, { user: 'deployp', publicKey: clientKey, password: PASSWORD });
  });

  after(async () => {
    await labDown({ name: LAB });
    rmSync(scratch, { recursive: true, force: true });
  });

  it('has no route from the controller to the master, only to the jump host', async () => {
    const probe = (host: string) => runCommand(['ip', 'netns', 'exec', jump.controllerNetns, 'bash', '-c', `exec 3<>/dev/tcp/${host}/22`], { timeoutMs: 5000 });
    assert.notEqual((await probe(masterAddress)).code, 0);
    assert.equal((await probe(jump.address)).code, 0);
  });

  it('gathers facts through ssh.proxyJump', async () => {
    const r = await facts(inventory('jump', { host: masterAddress, proxyJump: `root@${jump.address}:22` }), { behindJump: true });
    assert.equal(factsOf(r).hostname, MASTER);
  });

  it('applies a playbook through an ssh config alias whose ProxyJump names the jump host (config file given by ssh.configFile)', async () => {
    const config = join(scratch, 'ssh_config');
    writeFileSync(
      config,
      ['Host bastion', `  HostName ${jump.address}`, '  User root', 'Host lab-master', `  HostName ${masterAddress}`, '  ProxyJump bastion', `  IdentityFile ${join(scratch, 'id_ed25519')}`, ''].join('\n'),
    );
    // No key in the inventory: the one the config names is used, for the jump host too.
    const inv = inventory('alias', { host: 'lab-master', configFile: config }, { privateKey: undefined });
    const r = await apply(inv, '/etc/diskless-through-alias', { behindJump: true });
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.equal(JSON.parse(r.stdout).hosts[MASTER].changed, 1);
    assert.equal(readFileSync(onMaster('/etc/diskless-through-alias'), 'utf8'), `written on ${MASTER}\n`);
  });

  it('refuses a jump host whose key is not the known one, naming the master and the jump host', async () => {
    const other = join(scratch, 'impostor');
    await runCommand(['ssh-keygen', '-q', '-t', 'ed25519', '-N', '', '-f', other]);
    const wrong = join(scratch, 'known_hosts_wrong');
    const impostor = readFileSync(`${other}.pub`, 'utf8').split(' ').slice(0, 2).join(' ');
    writeFileSync(wrong, readFileSync(knownHosts, 'utf8').replace(`${jump.address} ${jump.hostKey}`, `${jump.address} ${impostor}`));
    const r = await facts(inventory('wrong-jump-key', { host: masterAddress, proxyJump: jump.address, knownHosts: wrong }), { behindJump: true });
    assert.equal(r.code, 4, r.stdout + r.stderr);
    const msg = JSON.parse(r.stdout).hosts[MASTER].msg as string;
    assert.match(msg, new RegExp(`^jump host ${jump.address.replace(/\./g, '\\.')}: WARNING: HOST KEY OF ${jump.address.replace(/\./g, '\\.')} HAS CHANGED`));
    assert.match(msg, new RegExp(`${wrong}:`));
  });

  it('logs in as an ordinary user and runs the agent as root through sudo without a password', async () => {
    const inv = inventory('sudo', { host: masterAddress, user: 'deploy', become: 'sudo' });
    assert.equal(factsOf(await facts(inv)).hostname, MASTER);
    const r = await apply(inv, '/etc/diskless-become');
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const written = statSync(onMaster('/etc/diskless-become'));
    assert.deepEqual([written.uid, written.mode & 0o777], [0, 0o600]);
    // The bundle sudo runs is root's, in a directory only root may write.
    const cache = statSync(onMaster('/var/cache/diskless'));
    assert.deepEqual([cache.uid, cache.mode & 0o777], [0, 0o755]);
    for (const name of readdirSync(onMaster('/var/cache/diskless'))) {
      const file = statSync(onMaster(`/var/cache/diskless/${name}`));
      assert.deepEqual([name, file.uid, file.mode & 0o022], [name, 0, 0]);
    }
  });

  it('asks for the sudo password only when given one, and never shows it', async () => {
    const inv = inventory('sudo-password', { host: masterAddress, user: 'deployp', become: 'sudo' });
    const without = await facts(inv);
    assert.equal(without.code, 4, without.stdout + without.stderr);
    assert.match(JSON.parse(without.stdout).hosts[MASTER].msg, /sudo asks for a password: give it with --ask-become-pass \(or DISKLESS_BECOME_PASS\)/);

    const wrong = await facts(inv, { env: { DISKLESS_BECOME_PASS: 'not-the-password' } });
    assert.equal(wrong.code, 4, wrong.stdout + wrong.stderr);
    assert.match(JSON.parse(wrong.stdout).hosts[MASTER].msg, /sudo refused the become password/);
    assert.doesNotMatch(wrong.stdout + wrong.stderr, /not-the-password/);

    const r = await apply(inv, '/etc/diskless-become-password', { env: { DISKLESS_BECOME_PASS: PASSWORD } });
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.equal(statSync(onMaster('/etc/diskless-become-password')).uid, 0);
    assert.ok(!(r.stdout + r.stderr).includes(PASSWORD), 'the password is not in the report or the log');

    // While a run is under way (a task sleeping on the master), no command line on the
    // machine (the controller's, sudo's and the agent's on the master alike) holds it.
    const sleeper = join(scratch, 'sleep.json');
    writeFileSync(sleeper, JSON.stringify({ name: 'sleep', hosts: 'masters', tasks: [{ name: 'Sleep', command: { argv: ['sleep', '2.71'] } }] }));
    const running = cli(['apply', sleeper, '-i', inv, '-v', '--state-dir', join(scratch, 'state')], { env: { DISKLESS_BECOME_PASS: PASSWORD } });
    let finished = false;
    void running.then(() => (finished = true));
    let sawSleep = false;
    while (!finished) {
      for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
        let cmdline: string;
        try {
          cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
        } catch {
          continue; // ended meanwhile
        }
        assert.ok(!cmdline.includes(PASSWORD), `the password is in the command line of process ${pid}`);
        if (cmdline.startsWith('sleep 2.71')) sawSleep = true;
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const verbose = await running;
    assert.equal(verbose.code, 0, verbose.stdout + verbose.stderr);
    assert.ok(sawSleep, 'the process list was read while the task ran');
    assert.ok(!(verbose.stdout + verbose.stderr).includes(PASSWORD), 'the password is not in the verbose output');
  });
});
