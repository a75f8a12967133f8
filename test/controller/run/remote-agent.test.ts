// The shell commands that upload and start the agent, run by a real sh here (as a
// master's login shell would) with HOME in a scratch directory: the upload keeps only
// a copy with the bundle's hash, and a start refuses a cached bundle that differs.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AGENT_NODE_FLAGS, MISSING, BAD_UPLOAD, remoteAgent, startCommand, uploadCommand } from '../../../packages/controller/src/transport/remote-agent.js';

const sha = (content: string) => createHash('sha256').update(content).digest('hex');

describe('the agent upload and start commands', () => {
  let home: string;
  const sh = (command: string, input?: string) => spawnSync('sh', ['-c', command], { input, encoding: 'utf8', env: { PATH: process.env.PATH, HOME: home } });
  beforeEach(() => (home = mkdtempSync(join(tmpdir(), 'diskless-remote-agent-'))));
  afterEach(() => rmSync(home, { recursive: true, force: true }));

  it('keeps a non-root login user\'s bundle in ~/.cache/diskless (0700), placed only when its hash matches', () => {
    const bundle = 'console.log("agent")\n';
    const remote = remoteAgent('alice', sha(bundle), undefined, undefined);
    const ok = sh(uploadCommand(remote, sha(bundle), 'READY', 'unused'), bundle);
    assert.equal(ok.status, 0, ok.stderr);
    assert.equal(ok.stdout, 'READY\n');
    const dir = join(home, '.cache/diskless');
    assert.equal(statSync(dir).mode & 0o777, 0o700);
    assert.deepEqual(readdirSync(dir), [`agent-${sha(bundle)}.mjs`]);

    const bad = sh(uploadCommand(remote, sha('something else'), 'READY', 'unused'), bundle);
    assert.equal(bad.status, BAD_UPLOAD);
    assert.deepEqual(readdirSync(dir), [`agent-${sha(bundle)}.mjs`], 'no copy left behind');
  });

  it('starts only a cached bundle with the expected hash, with its lock beside it', () => {
    const bundle = 'process.stdout.write(process.env.DISKLESS_LOCK_DIR + "\\n")\n';
    const remote = remoteAgent('alice', sha(bundle), undefined, undefined);
    assert.equal(sh(startCommand(remote, sha(bundle), 'STARTING', 1000, 'unused')).status, MISSING);
    assert.equal(sh(uploadCommand(remote, sha(bundle), 'READY', 'unused'), bundle).status, 0);
    const started = sh(startCommand(remote, sha(bundle), 'STARTING', 1000, 'unused'));
    assert.equal(started.stdout, `STARTING\n${join(home, '.cache/diskless/run')}\n`, started.stderr);

    writeFileSync(join(home, `.cache/diskless/agent-${sha(bundle)}.mjs`), 'replaced');
    assert.equal(sh(startCommand(remote, sha(bundle), 'STARTING', 1000, 'unused')).status, MISSING);
    // A directory others may write is not trusted: the bundle is uploaded again, and the directory made private.
    assert.equal(sh(uploadCommand(remote, sha(bundle), 'READY', 'unused'), bundle).status, 0);
    chmodSync(join(home, '.cache/diskless'), 0o777);
    assert.equal(sh(startCommand(remote, sha(bundle), 'STARTING', 1000, 'unused')).status, MISSING);
    assert.equal(sh(uploadCommand(remote, sha(bundle), 'READY', 'unused'), bundle).status, 0);
    assert.equal(statSync(join(home, '.cache/diskless')).mode & 0o777, 0o700);
    assert.equal(sh(startCommand(remote, sha(bundle), 'STARTING', 1000, 'unused')).status, 0);
  });

  it('starts node with the flags that keep the agent small', () => {
    const bundle = 'process.stdout.write(process.execArgv.join(" ") + "\\n")\n';
    const remote = remoteAgent('alice', sha(bundle), undefined, undefined);
    assert.equal(sh(uploadCommand(remote, sha(bundle), 'READY', 'unused'), bundle).status, 0);
    const started = sh(startCommand(remote, sha(bundle), 'STARTING', 1000, 'unused'));
    assert.equal(started.stdout, `STARTING\n${AGENT_NODE_FLAGS}\n`, started.stderr);
    assert.match(AGENT_NODE_FLAGS, /--optimize-for-size/);
  });

  it('runs through sudo with -n without a password and -S with its prompt with one, the password never in the command', () => {
    const plain = startCommand(remoteAgent('deploy', 'ab', 'sudo', undefined), 'ab', 'STARTING', 1000, 'the-prompt:');
    assert.match(plain, /exec sudo -H -n -- sh -c '/);
    assert.match(plain, /\/var\/cache\/diskless\/agent-ab\.mjs/);
    const withPassword = uploadCommand(remoteAgent('deploy', 'ab', 'sudo', 'hunter2'), 'ab', 'READY', 'the-prompt:');
    assert.match(withPassword, /exec sudo -H -S -p 'the-prompt:' -- sh -c '/);
    assert.ok(!withPassword.includes('hunter2'));
    assert.ok(!existsSync(join(home, '.cache')));
  });
});
