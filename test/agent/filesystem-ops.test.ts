import assert from 'node:assert/strict';
import { existsSync, lstatSync, mkdirSync, readlinkSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { AgentProcess, expectOk, tempDir } from './agent-process.js';
import { needs, rootMissing } from '../needs.js';

describe('agent: directory, link, absent, mknod, stat, slurp', () => {
  let agent: AgentProcess;
  let tmp: ReturnType<typeof tempDir>;
  before(() => {
    agent = new AgentProcess();
  });
  after(async () => {
    assert.equal(await agent.close(), 0);
  });
  beforeEach(() => {
    tmp = tempDir();
  });
  afterEach(() => tmp.remove());

  /** First call changes, second does not, check mode touches nothing: the contract of every op. */
  async function assertIdempotent(op: string, args: Record<string, unknown>, onDisk: () => boolean): Promise<void> {
    const checked = expectOk(await agent.request(op, args, { check: true, diff: true }));
    assert.equal(checked.changed, true, 'check mode reports the change');
    assert.ok(checked.diff, 'diff mode describes the change');
    assert.equal(onDisk(), false, 'check mode leaves the disk untouched');
    assert.equal(expectOk(await agent.request(op, args)).changed, true);
    assert.equal(onDisk(), true);
    assert.equal(expectOk(await agent.request(op, args)).changed, false);
  }

  it('directory: creates parents with the mode, then nothing', async () => {
    const target = path.join(tmp.dir, 'a/b/c');
    await assertIdempotent('directory', { path: target, mode: '0750' }, () => existsSync(target) && (statSync(target).mode & 0o7777) === 0o750);
  });

  it('directory: a link to a directory counts as the directory', async () => {
    mkdirSync(path.join(tmp.dir, 'run'), { mode: 0o755 });
    symlinkSync('run', path.join(tmp.dir, 'var-run'));
    assert.equal(expectOk(await agent.request('directory', { path: path.join(tmp.dir, 'var-run'), mode: '0755' })).changed, false);
    assert.ok(lstatSync(path.join(tmp.dir, 'var-run')).isSymbolicLink());
  });

  it('directory: refuses a file in the way', async () => {
    writeFileSync(path.join(tmp.dir, 'f'), '');
    const answer = await agent.request('directory', { path: path.join(tmp.dir, 'f') });
    assert.equal(answer.error?.code, 'EARGS');
    assert.match(answer.error!.message, /is not a directory/);
  });

  it('link: makes a runlevel-style symlink, then nothing', async () => {
    const target = path.join(tmp.dir, 'etc/runlevels/default/sshd');
    await assertIdempotent('link', { path: target, target: '/etc/init.d/sshd' }, () => existsSync(path.dirname(target)) && lstatSync(target, { throwIfNoEntry: false })?.isSymbolicLink() === true);
    assert.equal(readlinkSync(target), '/etc/init.d/sshd');
  });

  it('link: retargets a wrong link and replaces a file only with force', async () => {
    const target = path.join(tmp.dir, 'l');
    symlinkSync('/wrong', target);
    assert.equal(expectOk(await agent.request('link', { path: target, target: '/right' })).changed, true);
    assert.equal(readlinkSync(target), '/right');
    const file = path.join(tmp.dir, 'file');
    writeFileSync(file, 'x');
    const refused = await agent.request('link', { path: file, target: '/right' });
    assert.equal(refused.error?.code, 'EARGS');
    assert.match(refused.error!.message, /force/);
    assert.equal(expectOk(await agent.request('link', { path: file, target: '/right', force: true })).changed, true);
    assert.equal(readlinkSync(file), '/right');
  });

  it('absent: removes a whole tree, then nothing', async () => {
    const target = path.join(tmp.dir, 'tree');
    mkdirSync(path.join(target, 'deep/er'), { recursive: true });
    writeFileSync(path.join(target, 'deep/er/f'), 'x');
    await assertIdempotent('absent', { path: target }, () => !existsSync(target));
  });

  it('mknod: makes dev/console c 5 1, then nothing', async function () {
    needs(this, rootMissing('mknod'));
    const target = path.join(tmp.dir, 'dev/console');
    await assertIdempotent('mknod', { path: target, type: 'char', major: 5, minor: 1, mode: '0600' }, () => lstatSync(target, { throwIfNoEntry: false })?.isCharacterDevice() === true);
    const stats = statSync(target);
    assert.equal(stats.mode & 0o7777, 0o600);
    assert.equal(stats.rdev, (5 << 8) | 1);
    const block = expectOk(await agent.request('mknod', { path: target, type: 'block', major: 5, minor: 1, mode: '0600' }));
    assert.equal(block.changed, true);
    assert.ok(statSync(target).isBlockDevice());
  });

  it('mknod: refuses a bad type and a missing major', async () => {
    const badType = await agent.request('mknod', { path: '/tmp/x', type: 'pipe', major: 1, minor: 1 });
    assert.equal(badType.error?.code, 'EARGS');
    assert.match(badType.error!.message, /"type" must be one of char, block/);
    const noMajor = await agent.request('mknod', { path: '/tmp/x', type: 'char', minor: 1 });
    assert.match(noMajor.error!.message, /"major" is missing.*\/tmp\/x/);
  });

  it('stat: reports type, mode, size and sha256', async () => {
    const target = path.join(tmp.dir, 'f');
    writeFileSync(target, 'abc', { mode: 0o640 });
    const answer = expectOk(await agent.request('stat', { path: target }));
    assert.equal(answer.changed, false);
    assert.deepEqual(
      { exists: answer.data!.exists, type: answer.data!.type, mode: answer.data!.mode, size: answer.data!.size, sha256: answer.data!.sha256 },
      { exists: true, type: 'file', mode: '0640', size: 3, sha256: 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad' },
    );
    assert.deepEqual(expectOk(await agent.request('stat', { path: path.join(tmp.dir, 'none') })).data, { exists: false });
    const unhashed = expectOk(await agent.request('stat', { path: target, checksum: false })).data!;
    assert.deepEqual([unhashed.size, 'sha256' in unhashed], [3, false]);
  });

  it('slurp: reads a file, and names a missing one', async () => {
    const target = path.join(tmp.dir, 'f');
    writeFileSync(target, 'content\n');
    assert.equal(expectOk(await agent.request('slurp', { path: target })).data!.content, 'content\n');
    const missing = await agent.request('slurp', { path: path.join(tmp.dir, 'none') });
    assert.equal(missing.error?.code, 'ENOENT');
    assert.ok(missing.error!.message.includes(path.join(tmp.dir, 'none')));
  });

  for (const op of ['directory', 'link', 'absent', 'mknod', 'stat', 'slurp']) {
    it(`${op}: refuses a relative path`, async () => {
      const answer = await agent.request(op, { path: 'relative/p', target: '/x', type: 'char', major: 1, minor: 1 });
      assert.equal(answer.error?.code, 'EARGS');
      assert.match(answer.error!.message, new RegExp(`^${op}: argument "path" must be an absolute path, got "relative/p"`));
    });
  }
});
