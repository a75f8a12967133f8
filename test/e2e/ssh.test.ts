// The SSH path end to end against a real sshd that this test starts in a network
// namespace of its own (loopback only), with a private /run and /var/cache so the
// machine is left as it was. The CLI runs inside the same namespace.
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AGENT_BUNDLE as AGENT } from '../../packages/controller/src/transport/agent-bundle.js';
import { makeWorkspace, masterEntry, type Workspace } from '../controller/run/workspace.js';
import { needs, rootMissing } from '../needs.js';

const BIN = fileURLToPath(new URL('../../packages/controller/bin/run.js', import.meta.url));
const NETNS = `dlt-ssh-${process.pid}`;
const PORT = 2222;
const PORT_WITHOUT_NODE = 2223;

const play = {
  name: 'files',
  hosts: 'masters',
  tasks: [
    { name: 'Make the directory', directory: { path: '{{root}}/{{master.name}}' } },
    { name: 'Write motd', file: { path: '{{root}}/{{master.name}}/motd', content: 'served by {{facts.hostname}}\n' } },
  ],
};

function keygen(file: string, type = 'ed25519'): string {
  execFileSync('ssh-keygen', ['-q', '-t', type, '-N', '', '-C', '', '-f', file]);
  return readFileSync(`${file}.pub`, 'utf8').trim();
}

async function waitForPort(): Promise<void> {
  for (let i = 0; i < 50; i++) {
    const probe = spawnSync('ip', ['netns', 'exec', NETNS, 'bash', '-c', `exec 3<>/dev/tcp/127.0.0.1/${PORT}`]);
    if (probe.status === 0) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('sshd did not start listening');
}

describe('SSH transport end to end (real sshd in a private namespace)', function () {
  this.timeout(120_000);
  let ws: Workspace;
  let sshd: ChildProcess | undefined;
  let hostKeyLine: string;
  let rsaHostKeyLine: string;
  let knownHosts: string;
  let sshdLog = '';

  const cli = (...args: string[]) => {
    const result = spawnSync('ip', ['netns', 'exec', NETNS, process.execPath, BIN, ...args], {
      encoding: 'utf8',
      env: { ...process.env, SSH_AUTH_SOCK: '' },
    });
    return { code: result.status, stdout: result.stdout, stderr: result.stderr };
  };
  /** sshd itself (`ip netns exec` and `unshare` run it as a descendant), to see its mounts. */
  const sshdPid = () => execFileSync('pgrep', ['-f', `sshd -D -e -f ${join(ws.dir, 'sshd_config')}`], { encoding: 'utf8' }).trim().split('\n')[0];
  const apply = (...extra: string[]) =>
    cli('apply', join(ws.dir, 'files.json'), '-i', join(ws.dir, 'inventory.json'), '--state-dir', join(ws.dir, 'state'), ...extra);

  before(async function () {
    needs(this, rootMissing('a lab') ?? (existsSync('/usr/sbin/sshd') ? null : 'sshd (apt-get install openssh-server)') ?? (existsSync(AGENT) ? null : 'the agent bundle (npm run build)'));
    ws = makeWorkspace();
    hostKeyLine = keygen(join(ws.dir, 'host_ed25519'));
    rsaHostKeyLine = keygen(join(ws.dir, 'host_rsa'), 'rsa');
    const clientKey = join(ws.dir, 'client_ed25519');
    writeFileSync(join(ws.dir, 'authorized_keys'), keygen(clientKey) + '\n');
    const config = ws.write(
      'sshd_config',
      [
        `Port ${PORT}`,
        `Port ${PORT_WITHOUT_NODE}`,
        'ListenAddress 127.0.0.1',
        `HostKey ${join(ws.dir, 'host_ed25519')}`,
        `HostKey ${join(ws.dir, 'host_rsa')}`,
        `AuthorizedKeysFile ${join(ws.dir, 'authorized_keys')}`,
        'PermitRootLogin prohibit-password',
        'PasswordAuthentication no',
        'KbdInteractiveAuthentication no',
        'UsePAM no',
        'StrictModes no',
        `PidFile ${join(ws.dir, 'sshd.pid')}`,
        // The second port plays a master where node is not installed.
        `Match LocalPort ${PORT_WITHOUT_NODE}`,
        '  SetEnv PATH=/nonexistent',
      ].join('\n') + '\n',
    );
    knownHosts = join(ws.dir, 'known_hosts');
    ws.inventory({ sshm: masterEntry({ host: '127.0.0.1', port: PORT, user: 'root', privateKey: clientKey, knownHosts, timeoutMs: 5000 }) });
    ws.write('files.json', play);

    execFileSync('ip', ['netns', 'add', NETNS]);
    execFileSync('ip', ['netns', 'exec', NETNS, 'ip', 'link', 'set', 'lo', 'up']);
    // sshd gets tmpfs over /run (its privilege separation dir, the agent's lock) and
    // /var/cache (where agents are cached), visible only in its own mount namespace.
    const setup = 'mount -t tmpfs tmpfs /run && mkdir /run/sshd && mount -t tmpfs tmpfs /var/cache && exec /usr/sbin/sshd -D -e -f "$0"';
    sshd = spawn('ip', ['netns', 'exec', NETNS, 'unshare', '--mount', '--propagation', 'private', 'sh', '-c', setup, config], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    sshd.stderr!.on('data', (chunk) => (sshdLog += chunk));
    await waitForPort();
  });

  after(async () => {
    if (sshd && sshd.exitCode === null) {
      const exited = new Promise((r) => sshd!.once('exit', r));
      sshd.kill('SIGTERM');
      await exited;
    }
    spawnSync('ip', ['netns', 'del', NETNS]);
    ws?.remove();
  });

  afterEach(function () {
    if (this.currentTest?.state === 'failed') console.error(sshdLog.slice(-2000));
  });

  it('refuses an unknown host key and says how to trust it', () => {
    writeFileSync(knownHosts, '');
    const { code, stdout } = apply();
    assert.equal(code, 4);
    assert.match(stdout, new RegExp(`host key of \\[127\\.0\\.0\\.1\\]:${PORT} is not in ${knownHosts}`));
    assert.match(stdout, new RegExp(`ssh-keyscan -p ${PORT} 127\\.0\\.0\\.1 >> ${knownHosts}`));
    assert.equal(readFileSync(knownHosts, 'utf8'), '');
    assert.equal(existsSync(join(ws.root, 'sshm')), false);
  });

  it('refuses a changed host key loudly', () => {
    const other = keygen(join(ws.dir, 'impostor_ed25519')).split(' ');
    writeFileSync(knownHosts, `[127.0.0.1]:${PORT} ${other[0]} ${other[1]}\n`);
    const { code, stdout } = apply();
    assert.equal(code, 4);
    assert.match(stdout, /HOST KEY OF \[127\.0\.0\.1\]:2222 HAS CHANGED/);
    assert.match(stdout, new RegExp(`${knownHosts}:1`));
    assert.equal(existsSync(join(ws.root, 'sshm')), false);
  });

  it('records a new key with --accept-new-host-keys, then applies twice: the second run changes nothing', () => {
    writeFileSync(knownHosts, '');
    const first = apply('--accept-new-host-keys', '--json');
    assert.equal(first.code, 0, first.stdout + first.stderr);
    assert.equal(JSON.parse(first.stdout).hosts.sshm.changed, 2);
    const [type, key] = hostKeyLine.split(' ');
    const found = execFileSync('ssh-keygen', ['-F', `[127.0.0.1]:${PORT}`, '-f', knownHosts], { encoding: 'utf8' });
    assert.ok(found.includes(`${type} ${key}`), 'ssh-keygen -F finds the recorded key');
    assert.match(readFileSync(join(ws.root, 'sshm', 'motd'), 'utf8'), /^served by /);

    // The agent is cached under its hash on the master and not uploaded again.
    const sha = createHash('sha256').update(readFileSync(AGENT)).digest('hex');
    const cachedFile = `/proc/${sshdPid()}/root/var/cache/diskless/agent-${sha}.mjs`;
    assert.ok(existsSync(cachedFile), 'agent cached on the master');
    const before = statSync(cachedFile);

    const second = apply('--json');
    assert.equal(second.code, 0, second.stderr);
    const doc = JSON.parse(second.stdout);
    assert.equal(doc.hosts.sshm.changed, 0);
    assert.equal(doc.hosts.sshm.failed, 0);
    const after = statSync(cachedFile);
    assert.equal(after.ino, before.ino);
    assert.equal(after.mtimeMs, before.mtimeMs);
  });

  it('ends the run with a clear error when the agent dies mid-run, and exits by itself', () => {
    const [type, key] = hostKeyLine.split(' ');
    writeFileSync(knownHosts, `[127.0.0.1]:${PORT} ${type} ${key}\n`);
    // The command's shell is a child of its supervisor, a child of the agent: it kills the agent behind the SSH channel.
    ws.write('die.json', { name: 'die', hosts: 'masters', tasks: [{ name: 'Kill the agent', command: { shell: 'kill -9 $(ps -o ppid= -p $PPID); sleep 1' } }] });
    const result = spawnSync(
      'ip',
      ['netns', 'exec', NETNS, process.execPath, BIN, 'apply', join(ws.dir, 'die.json'), '-i', join(ws.dir, 'inventory.json'), '--state-dir', join(ws.dir, 'state'), '--json'],
      { encoding: 'utf8', env: { ...process.env, SSH_AUTH_SOCK: '' }, timeout: 30_000, killSignal: 'SIGKILL' },
    );
    assert.equal(result.signal, null, 'the CLI did not exit within 30 s');
    assert.notEqual(result.status, 0);
    const sshm = JSON.parse(result.stdout).hosts.sshm;
    assert.match(JSON.stringify(sshm), /agent on sshm stopped/);
  });

  it('matches hashed known_hosts entries', () => {
    const [type, key] = hostKeyLine.split(' ');
    writeFileSync(knownHosts, `[127.0.0.1]:${PORT} ${type} ${key}\n`);
    execFileSync('ssh-keygen', ['-q', '-H', '-f', knownHosts], { stdio: 'ignore' });
    assert.doesNotMatch(readFileSync(knownHosts, 'utf8'), /127\.0\.0\.1/);
    const { code, stderr } = apply();
    assert.equal(code, 0, stderr);
  });

  it('asks for the key type known_hosts has, as OpenSSH does', () => {
    const [type, key] = rsaHostKeyLine.split(' ');
    writeFileSync(knownHosts, `[127.0.0.1]:${PORT} ${type} ${key}\n`);
    const { code, stdout, stderr } = apply();
    assert.equal(code, 0, stdout + stderr);
  });

  it('reports a failed login as unreachable, naming the master', () => {
    const [type, key] = hostKeyLine.split(' ');
    writeFileSync(knownHosts, `[127.0.0.1]:${PORT} ${type} ${key}\n`);
    const stranger = join(ws.dir, 'stranger_ed25519');
    keygen(stranger);
    ws.inventory({ sshm: masterEntry({ host: '127.0.0.1', port: PORT, user: 'root', privateKey: stranger, knownHosts, timeoutMs: 5000 }) });
    const { code, stdout } = apply();
    assert.equal(code, 4);
    assert.match(stdout, /sshm \| UNREACHABLE \| ssh root@\[127\.0\.0\.1\]:2222: authentication failed/);
  });

  it('tells how to install node on a master without it', () => {
    writeFileSync(knownHosts, '');
    const clientKey = join(ws.dir, 'client_ed25519');
    ws.inventory({ bare: masterEntry({ host: '127.0.0.1', port: PORT_WITHOUT_NODE, user: 'root', privateKey: clientKey, knownHosts, timeoutMs: 5000 }) });
    const { code, stdout } = apply('--accept-new-host-keys');
    assert.equal(code, 4);
    assert.match(stdout, /bare \| UNREACHABLE \| node is not installed: install nodejs there \(Debian: apt-get install nodejs; Gentoo: emerge net-libs\/nodejs\)/);
  });
});
