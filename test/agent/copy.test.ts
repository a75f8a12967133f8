import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdirSync, readFileSync, readlinkSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseItemized, rsyncArgv } from '../../packages/agent/src/ops/copy.js';
import { AgentProcess, expectOk, tempDir } from './agent-process.js';

describe('agent: copy (rsync)', () => {
  let agent: AgentProcess;
  let tmp: ReturnType<typeof tempDir>;
  let src: string;
  beforeEach(() => {
    agent = new AgentProcess();
    tmp = tempDir();
    src = path.join(tmp.dir, 'src');
    mkdirSync(path.join(src, 'bin'), { recursive: true });
    writeFileSync(path.join(src, 'bin/sh'), '#!/bin/true\n', { mode: 0o755 });
    writeFileSync(path.join(src, 'skip.log'), 'x');
  });
  afterEach(async () => {
    await agent.close();
    tmp.remove();
  });

  it('copies a tree once, lists the items, then reports no change', async () => {
    const dest = path.join(tmp.dir, 'diskless/192.168.1.21');
    const args = { src: `${src}/`, dest, exclude: ['*.log'] };
    const checked = expectOk(await agent.request('copy', args, { check: true, diff: true }));
    assert.equal(checked.changed, true);
    assert.equal(existsSync(dest), false, 'check mode copies nothing');
    const first = expectOk(await agent.request('copy', args, { diff: true }));
    assert.equal(first.changed, true);
    assert.ok((first.data!.items as string[]).includes('bin/sh'));
    assert.match(first.diff ?? '', /bin\/sh/);
    assert.equal(readFileSync(path.join(dest, 'bin/sh'), 'utf8'), '#!/bin/true\n');
    assert.equal(existsSync(path.join(dest, 'skip.log')), false);
    const second = expectOk(await agent.request('copy', args));
    assert.deepEqual([second.changed, second.data!.items], [false, []]);
  });

  it('deletes extra files only with delete', async () => {
    const dest = path.join(tmp.dir, 'dest');
    expectOk(await agent.request('copy', { src: `${src}/`, dest }));
    writeFileSync(path.join(dest, 'extra'), 'x');
    const srcStats = statSync(src);
    utimesSync(dest, srcStats.atime, srcStats.mtime); // else rsync rightly restores the directory's time
    assert.equal(expectOk(await agent.request('copy', { src: `${src}/`, dest })).changed, false);
    const deleted = expectOk(await agent.request('copy', { src: `${src}/`, dest, delete: true }));
    assert.deepEqual(deleted.data!.items, ['-extra']);
    assert.equal(existsSync(path.join(dest, 'extra')), false);
  });

  it('names a missing source with ENOENT', async () => {
    const answer = await agent.request('copy', { src: path.join(tmp.dir, 'nope/'), dest: path.join(tmp.dir, 'd') });
    assert.equal(answer.error?.code, 'ENOENT');
    assert.ok(answer.error!.message.includes(path.join(tmp.dir, 'nope')));
  });

  it('refuses a relative dest and a bad exclude', async () => {
    const relative = await agent.request('copy', { src: '/bin', dest: 'diskless' });
    assert.match(relative.error!.message, /"dest" must be an absolute path/);
    const exclude = await agent.request('copy', { src: '/bin', dest: '/tmp/x', exclude: '*.log' });
    assert.equal(exclude.error?.code, 'EARGS');
    assert.match(exclude.error!.message, /"exclude" must be a list/);
  });

  it('leaves directory times alone with dirTimes false, so files added later are no change', async () => {
    const src = path.join(tmp.dir, 'src');
    const dest = path.join(tmp.dir, 'dest');
    mkdirSync(path.join(src, 'sub'), { recursive: true });
    writeFileSync(path.join(src, 'sub', 'a'), 'a');
    expectOk(await agent.request('copy', { src: `${src}/`, dest: `${dest}/`, dirTimes: false }));
    writeFileSync(path.join(dest, 'sub', 'added-later'), 'b');
    utimesSync(path.join(dest, 'sub'), new Date(2000, 0, 1), new Date(2000, 0, 1)); // rsync compares whole seconds
    const again = expectOk(await agent.request('copy', { src: `${src}/`, dest: `${dest}/`, dirTimes: false }));
    assert.equal(again.changed, false);
    const withTimes = expectOk(await agent.request('copy', { src: `${src}/`, dest: `${dest}/` }));
    assert.equal(withTimes.changed, true);
  });

  it('leaves a file or link already in place without starting rsync, and runs it when anything differs', async () => {
    const dir = path.join(tmp.dir, 'boot');
    mkdirSync(dir);
    symlinkSync('bin/sh', path.join(src, 'sh-link'));
    const file = { src: path.join(src, 'bin/sh'), dest: path.join(dir, 'pxelinux.0') };
    const link = { src: path.join(src, 'sh-link'), dest: `${dir}/` };
    for (const args of [file, link]) assert.equal(expectOk(await agent.request('copy', args)).changed, true);
    assert.equal(readlinkSync(path.join(dir, 'sh-link')), 'bin/sh');

    // No rsync on PATH: only the check can answer.
    const noRsync = new AgentProcess({ PATH: '/nonexistent' });
    try {
      for (const args of [file, link]) assert.deepEqual(expectOk(await noRsync.request('copy', args)).changed, false);
      utimesSync(path.join(src, 'bin/sh'), new Date(), new Date(2000, 0, 1));
      const touched = await noRsync.request('copy', file);
      assert.equal(touched.ok, false, 'a file with another time goes to rsync');
      chmodSync(path.join(src, 'bin/sh'), 0o700);
      assert.equal((await noRsync.request('copy', { ...file, dest: path.join(dir, 'other') })).ok, false, 'a missing target goes to rsync');
    } finally {
      await noRsync.close();
    }
    const again = expectOk(await agent.request('copy', file));
    assert.equal(again.changed, true);
    assert.equal(statSync(file.dest).mode & 0o777, 0o700);
  });

  it('builds the rsync command line and reads its itemized output', () => {
    assert.deepEqual(rsyncArgv('/bin', '/diskless/x/', { delete: true, exclude: ['a'], check: true }), [
      'rsync', '-a', '--itemize-changes', '--dry-run', '--delete', '--exclude=a', '--', '/bin', '/diskless/x/',
    ]);
    assert.deepEqual(parseItemized('cd+++++++++ bin/\n>f+++++++++ bin/sh\n*deleting   old\n.d..t...... ./\ncL+++++++++ lib -> usr/lib\n'), [
      'bin/', 'bin/sh', '-old', './', 'lib -> usr/lib',
    ]);
  });
});
