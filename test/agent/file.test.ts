import assert from 'node:assert/strict';
import { chownSync, existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { expectOk, freshAgentPerTest } from './agent-process.js';
import { needs, rootMissing } from '../needs.js';

describe('agent: file', () => {
  const fixture = freshAgentPerTest();

  it('writes once, then reports no change', async () => {
    const target = path.join(fixture.tmp.dir, 'motd');
    const first = expectOk(await fixture.agent.request('file', { path: target, content: 'hello\n', mode: '0640' }));
    assert.equal(first.changed, true);
    assert.equal(readFileSync(target, 'utf8'), 'hello\n');
    assert.equal(statSync(target).mode & 0o7777, 0o640);
    const second = expectOk(await fixture.agent.request('file', { path: target, content: 'hello\n', mode: '0640' }));
    assert.equal(second.changed, false);
  });

  it('fixes only the mode when the content matches', async () => {
    const target = path.join(fixture.tmp.dir, 'f');
    writeFileSync(target, 'x', { mode: 0o600 });
    const answer = expectOk(await fixture.agent.request('file', { path: target, content: 'x', mode: '0644' }, { diff: true }));
    assert.equal(answer.changed, true);
    assert.match(answer.msg ?? '', /mode 0600 -> 0644/);
    assert.equal(statSync(target).mode & 0o7777, 0o644);
  });

  it('check mode reports the change and leaves the disk untouched', async () => {
    const target = path.join(fixture.tmp.dir, 'conf');
    writeFileSync(target, 'old\n');
    const answer = expectOk(await fixture.agent.request('file', { path: target, content: 'new\n' }, { check: true, diff: true }));
    assert.equal(answer.changed, true);
    assert.equal(readFileSync(target, 'utf8'), 'old\n');
    assert.deepEqual(readdirSync(fixture.tmp.dir), ['conf']);
  });

  it('diff mode gives a unified diff of the content', async () => {
    const target = path.join(fixture.tmp.dir, 'conf');
    writeFileSync(target, 'a\nb\nc\n');
    const answer = expectOk(await fixture.agent.request('file', { path: target, content: 'a\nB\nc\n' }, { diff: true }));
    assert.match(answer.diff ?? '', new RegExp(`^--- ${target} \\(before\\)\n\\+\\+\\+ ${target} \\(after\\)\n@@ -1,3 \\+1,3 @@\n a\n-b\n\\+B\n c\n$`));
  });

  it('writes bytes from contentBase64', async () => {
    const target = path.join(fixture.tmp.dir, 'bin');
    const bytes = Buffer.from([0, 1, 2, 255]);
    expectOk(await fixture.agent.request('file', { path: target, contentBase64: bytes.toString('base64') }));
    assert.deepEqual(readFileSync(target), bytes);
  });

  it('keeps a backup of the replaced file when asked', async () => {
    const target = path.join(fixture.tmp.dir, 'conf');
    writeFileSync(target, 'old\n');
    const answer = expectOk(await fixture.agent.request('file', { path: target, content: 'new\n', backup: true }));
    const backup = answer.data?.backup as string;
    assert.ok(backup.startsWith(`${target}.`));
    assert.equal(readFileSync(backup, 'utf8'), 'old\n');
  });

  it('runs validate on the temp file before replacing', async () => {
    const target = path.join(fixture.tmp.dir, 'conf');
    writeFileSync(target, 'good\n');
    const ok = expectOk(await fixture.agent.request('file', { path: target, content: 'good too\n', validate: 'grep -q good %s' }));
    assert.equal(ok.changed, true);
    assert.equal(readFileSync(target, 'utf8'), 'good too\n');
  });

  it('a failed validate keeps the old file byte for byte and leaves no temp file', async () => {
    const target = path.join(fixture.tmp.dir, 'dhcpd.conf');
    writeFileSync(target, 'old config\n');
    const answer = await fixture.agent.request('file', { path: target, content: 'broken\n', validate: 'echo "%s line 1: syntax error"; exit 1' });
    assert.equal(answer.ok, false);
    assert.equal(answer.error?.code, 'EVALIDATE');
    assert.match(answer.error!.message, /syntax error/);
    assert.ok(answer.error!.message.includes(target));
    assert.equal(readFileSync(target, 'utf8'), 'old config\n');
    assert.deepEqual(readdirSync(fixture.tmp.dir), ['dhcpd.conf']);
  });

  it('a rewrite keeps the mode, owner and group of the replaced file', async function () {
    needs(this, rootMissing('chown'));
    const target = path.join(fixture.tmp.dir, 'owned-by-daemon');
    writeFileSync(target, 'old\n', { mode: 0o640 });
    chownSync(target, 1234, 4321);
    expectOk(await fixture.agent.request('file', { path: target, content: 'new\n' }));
    const stats = statSync(target);
    assert.deepEqual([stats.mode & 0o7777, stats.uid, stats.gid], [0o640, 1234, 4321]);
  });

  it('refuses a validate command without %s', async () => {
    const target = path.join(fixture.tmp.dir, 'conf');
    const answer = await fixture.agent.request('file', { path: target, content: 'x', validate: 'dhcpd -t' });
    assert.equal(answer.error?.code, 'EARGS');
    assert.match(answer.error!.message, /"validate" must be a command with %s/);
    assert.deepEqual(readdirSync(fixture.tmp.dir), []);
  });

  it('resolves owner and group names', async function () {
    needs(this, rootMissing('chown'));
    const target = path.join(fixture.tmp.dir, 'owned');
    expectOk(await fixture.agent.request('file', { path: target, content: 'x', owner: 'root', group: 'root' }));
    assert.equal(statSync(target).uid, 0);
    const answer = await fixture.agent.request('file', { path: target, content: 'x', owner: 'no-such-user-here' });
    assert.equal(answer.error?.code, 'EARGS');
    assert.match(answer.error!.message, /^file: argument "owner": no user "no-such-user-here" in \/etc\/passwd \(path .*owned\)$/);
  });

  it('names a missing parent directory with ENOENT', async () => {
    const target = path.join(fixture.tmp.dir, 'no/such/dir/f');
    const answer = await fixture.agent.request('file', { path: target, content: 'x' });
    assert.equal(answer.error?.code, 'ENOENT');
    assert.ok(answer.error!.message.includes(target));
  });

  it('previews a file whose directory an earlier task would create, in check mode', async () => {
    const target = path.join(fixture.tmp.dir, 'later/dir/f');
    const answer = await fixture.agent.request('file', { path: target, content: 'x\n' }, { check: true, diff: true });
    expectOk(answer);
    assert.equal(answer.changed, true);
    assert.match(answer.diff ?? '', /\+x/);
    assert.equal(existsSync(path.join(fixture.tmp.dir, 'later')), false);
  });

  for (const [name, args, pattern] of [
    ['a relative path', { path: 'etc/motd', content: '' }, /"path" must be an absolute path, got "etc\/motd"/],
    ['a missing path', { content: '' }, /"path" is missing/],
    ['no content', { path: '/tmp/x' }, /exactly one of "content" or "contentBase64".*\/tmp\/x/],
    ['a bad mode', { path: '/tmp/x', content: '', mode: 'rw-r--r--' }, /"mode" must be an octal string.*\/tmp\/x/],
    ['a non-string content', { path: '/tmp/x', content: 5 }, /"content" must be a string, got 5/],
  ] as const) {
    it(`refuses ${name} with EARGS`, async () => {
      const answer = await fixture.agent.request('file', args);
      assert.equal(answer.ok, false);
      assert.equal(answer.error?.code, 'EARGS');
      assert.match(answer.error!.message, pattern);
    });
  }

  it('refuses to write where a directory stands', async () => {
    const answer = await fixture.agent.request('file', { path: fixture.tmp.dir, content: '' });
    assert.equal(answer.error?.code, 'EARGS');
    assert.ok(existsSync(fixture.tmp.dir));
  });
});
