import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { expectOk, freshAgentPerTest } from './agent-process.js';

describe('agent: protocol over stdio', () => {
  const fixture = freshAgentPerTest();

  it('answers a malformed line with EBADREQ and goes on', async () => {
    const bad = await fixture.agent.raw('{"id": 7, "op": ', null);
    assert.equal(bad.error?.code, 'EBADREQ');
    const noOp = await fixture.agent.raw('{"id": 8}', 8);
    assert.deepEqual(noOp.error, { code: 'EBADREQ', message: 'request "op" must be a string' });
    const badArgs = await fixture.agent.raw('{"id": 9, "op": "stat", "args": [1]}', 9);
    assert.equal(badArgs.error?.code, 'EBADREQ');
    assert.equal(expectOk(await fixture.agent.request('stat', { path: '/' })).data!.type, 'directory');
  });

  it('answers an unknown operation with EUNKNOWNOP naming it', async () => {
    const answer = await fixture.agent.request('templat', {});
    assert.equal(answer.error?.code, 'EUNKNOWNOP');
    assert.match(answer.error!.message, /unknown operation "templat"; known: file,/);
  });

  it('pipelined requests are all answered, disk changes in arrival order', async () => {
    const target = path.join(fixture.tmp.dir, 'f');
    const lines = Array.from({ length: 200 }, (_, i) => JSON.stringify({ id: i + 1, op: 'file', args: { path: target, content: `${i}\n` } }));
    const last = fixture.agent.answerFor(200);
    fixture.agent.child.stdin.write(lines.join('\n') + '\n');
    await last;
    const ids = fixture.agent.lines.map((l) => l.id).sort((a, b) => Number(a) - Number(b));
    assert.deepEqual(ids, Array.from({ length: 200 }, (_, i) => i + 1));
    assert.ok(fixture.agent.lines.every((l) => l.ok && l.changed));
    assert.equal(readFileSync(target, 'utf8'), '199\n');
  });

  it('a read sent after a write sees the write', async () => {
    const target = path.join(fixture.tmp.dir, 'seen');
    const answer = fixture.agent.answerFor('r');
    fixture.agent.child.stdin.write(
      [
        JSON.stringify({ id: 'w', op: 'command', args: { shell: `sleep 0.2; echo done > ${target}` } }),
        JSON.stringify({ id: 'r', op: 'slurp', args: { path: target } }),
      ].join('\n') + '\n',
    );
    assert.equal((await answer).data?.content, 'done\n');
  });

  it('stdout carries only protocol lines, and the agent exits 0 on EOF', async () => {
    writeFileSync(path.join(fixture.tmp.dir, 'f'), 'x');
    await fixture.agent.request('command', { shell: 'echo to-stdout' });
    await fixture.agent.request('slurp', { path: path.join(fixture.tmp.dir, 'f') });
    assert.equal(await fixture.agent.close(), 0);
    for (const line of fixture.agent.rawStdout) {
      const message = JSON.parse(line);
      assert.ok('id' in message && ('ok' in message || message.event === 'output'), line);
    }
  });

  it('answers requests still running when stdin closes before exiting', async () => {
    fixture.agent.child.stdin.write(JSON.stringify({ id: 'slow', op: 'command', args: { shell: 'sleep 0.3; echo done' } }) + '\n');
    assert.equal(await fixture.agent.close(), 0);
    const answer = fixture.agent.lines.find((l) => l.id === 'slow' && !l.event);
    assert.equal(answer?.data?.stdout, 'done\n');
  });
});
