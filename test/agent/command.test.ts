import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { expectOk, freshAgentPerTest } from './agent-process.js';

describe('agent: command', () => {
  const fixture = freshAgentPerTest();

  it('runs argv in cwd with env and returns rc and output', async () => {
    const answer = expectOk(await fixture.agent.request('command', { argv: ['sh', '-c', 'pwd; echo "$GREETING"'], cwd: fixture.tmp.dir, env: { GREETING: 'hi' } }));
    assert.equal(answer.changed, true);
    assert.deepEqual(answer.data, { rc: 0, stdout: `${fixture.tmp.dir}\nhi\n`, stderr: '' });
  });

  it('streams output events before the answer', async () => {
    expectOk(await fixture.agent.request('command', { shell: 'echo one; sleep 0.2; echo two >&2' }));
    const answer = fixture.agent.lines.find((l) => !l.event && l.data?.stdout === 'one\n')!;
    const events = fixture.agent.lines.filter((l) => l.id === answer.id && l.event === 'output');
    assert.deepEqual(events.map((e) => [e.stream, e.data]), [['stdout', 'one\n'], ['stderr', 'two\n']]);
    assert.ok(fixture.agent.lines.indexOf(events[1]) < fixture.agent.lines.indexOf(answer));
  });

  it('creates and removes guards skip the command; first run changes, second does not', async () => {
    const marker = path.join(fixture.tmp.dir, 'built');
    const args = { shell: `touch ${marker}`, creates: marker };
    assert.equal(expectOk(await fixture.agent.request('command', args)).changed, true);
    assert.ok(existsSync(marker));
    const skipped = expectOk(await fixture.agent.request('command', args));
    assert.equal(skipped.changed, false);
    assert.match(skipped.msg!, /exists/);
    const removes = expectOk(await fixture.agent.request('command', { argv: ['false'], removes: path.join(fixture.tmp.dir, 'none') }));
    assert.equal(removes.changed, false);
  });

  it('keeps only the last MiB of a long output in the answer', async () => {
    const answer = expectOk(await fixture.agent.request('command', { shell: 'head -c 3000000 /dev/zero | tr "\\0" a; echo END' }));
    const stdout = answer.data!.stdout as string;
    assert.match(stdout, /^\[\d+ characters of earlier output left out\]\n/);
    assert.ok(stdout.endsWith('aEND\n'));
    assert.ok(stdout.length < 1.1 * (1 << 20));
  });

  it('returns when the command exits even if a daemon it started keeps the pipes open', async () => {
    const pidFile = path.join(fixture.tmp.dir, 'daemon.pid');
    const started = Date.now();
    const answer = expectOk(await fixture.agent.request('command', { shell: `sleep 30 & echo $! > ${pidFile}; echo started` }));
    try {
      assert.equal(answer.data!.stdout, 'started\n');
      assert.ok(Date.now() - started < 5000);
    } finally {
      process.kill(Number(readFileSync(pidFile, 'utf8')));
    }
  });

  it('check mode runs nothing', async () => {
    const marker = path.join(fixture.tmp.dir, 'm');
    const answer = expectOk(await fixture.agent.request('command', { shell: `touch ${marker}` }, { check: true }));
    assert.equal(answer.changed, true);
    assert.equal(existsSync(marker), false);
  });

  it('a non-zero exit is ECOMMAND with the output', async () => {
    const answer = await fixture.agent.request('command', { argv: ['sh', '-c', 'echo boom >&2; exit 4'] });
    assert.equal(answer.error?.code, 'ECOMMAND');
    assert.match(answer.error!.message, /exited 4: boom/);
    assert.equal(answer.data?.rc, 4);
  });

  it('a command running too long is killed with ETIMEOUT', async () => {
    const started = Date.now();
    const answer = await fixture.agent.request('command', { shell: 'sleep 30', timeout: 0.3 });
    assert.equal(answer.error?.code, 'ETIMEOUT');
    assert.ok(Date.now() - started < 5000);
  });

  it('a missing program is ENOENT naming it', async () => {
    const answer = await fixture.agent.request('command', { argv: ['/no/such/program'] });
    assert.equal(answer.error?.code, 'ENOENT');
    assert.match(answer.error!.message, /\/no\/such\/program/);
  });

  it('refuses both argv and shell, a relative cwd, a missing cwd', async () => {
    const both = await fixture.agent.request('command', { argv: ['true'], shell: 'true' });
    assert.match(both.error!.message, /argv \(a list\) or shell \(a string\), exactly one of them/);
    const relative = await fixture.agent.request('command', { argv: ['true'], cwd: 'tmp' });
    assert.match(relative.error!.message, /"cwd" must be an absolute path/);
    writeFileSync(path.join(fixture.tmp.dir, 'f'), '');
    const notDir = await fixture.agent.request('command', { argv: ['true'], cwd: path.join(fixture.tmp.dir, 'f') });
    assert.equal(notDir.error?.code, 'ENOENT');
    assert.match(notDir.error!.message, /"cwd" .*f is not an existing directory/);
  });
});
