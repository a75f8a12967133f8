import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { PassThrough } from 'node:stream';
import { AgentClient } from '../../../packages/controller/src/transport/agent-client.js';
import { AgentError, UnreachableError } from '../../../packages/controller/src/errors.js';

/** The far end of a client: the lines it received, and a way to answer. */
function peer() {
  const toAgent = new PassThrough();
  const fromAgent = new PassThrough();
  const stderr = new PassThrough();
  const received: Record<string, unknown>[] = [];
  const waiters: (() => void)[] = [];
  createInterface({ input: toAgent }).on('line', (line) => {
    received.push(JSON.parse(line));
    waiters.splice(0).forEach((w) => w());
  });
  const client = new AgentClient({ stdin: toAgent, stdout: fromAgent, stderr }, 'master-x');
  return {
    client,
    received,
    stderr,
    send: (message: unknown) => fromAgent.write(JSON.stringify(message) + '\n'),
    end: () => fromAgent.end(),
    until: async (count: number) => {
      while (received.length < count) await new Promise<void>((r) => waiters.push(r));
    },
    inputEnded: () => toAgent.writableEnded,
  };
}

describe('agent client', () => {
  it('sends numbered requests with check and diff flags', async () => {
    const p = peer();
    const answer = p.client.request('stat', { path: '/etc' }, { check: true, diff: true });
    await p.until(1);
    assert.deepEqual(p.received[0], { id: 1, op: 'stat', args: { path: '/etc' }, check: true, diff: true });
    p.send({ id: 1, ok: true, changed: false, data: { exists: true } });
    assert.deepEqual(await answer, { changed: false, diff: undefined, msg: undefined, data: { exists: true } });
  });

  it('pipelines requests and matches answers that come out of order', async () => {
    const p = peer();
    const first = p.client.request('command', { shell: 'sleep 1' });
    const second = p.client.request('stat', { path: '/' });
    await p.until(2);
    assert.deepEqual(p.received.map((r) => r.id), [1, 2]);
    p.send({ id: 2, ok: true, changed: false, msg: 'second' });
    p.send({ id: 1, ok: true, changed: true, diff: '+x', msg: 'first' });
    assert.equal((await second).msg, 'second');
    const one = await first;
    assert.equal(one.msg, 'first');
    assert.equal(one.changed, true);
    assert.equal(one.diff, '+x');
  });

  it('routes output events to the request that produced them', async () => {
    const p = peer();
    const lines: string[] = [];
    const other: string[] = [];
    const a = p.client.request('command', {}, { onOutput: (e) => lines.push(`${e.stream}:${e.data}`) });
    const b = p.client.request('command', {}, { onOutput: (e) => other.push(e.data) });
    await p.until(2);
    p.send({ id: 1, event: 'output', stream: 'stdout', data: 'hello\n' });
    p.send({ id: 2, event: 'output', stream: 'stderr', data: 'other\n' });
    p.send({ id: 1, event: 'output', stream: 'stderr', data: 'oops\n' });
    p.send({ id: 1, ok: true, changed: true });
    p.send({ id: 2, ok: true, changed: false });
    await Promise.all([a, b]);
    assert.deepEqual(lines, ['stdout:hello\n', 'stderr:oops\n']);
    assert.deepEqual(other, ['other\n']);
  });

  it('rejects with the agent error code and message', async () => {
    const p = peer();
    const answer = p.client.request('file', { path: 'relative' });
    await p.until(1);
    p.send({ id: 1, ok: false, error: { code: 'EARGS', message: 'path must be absolute' } });
    await assert.rejects(answer, (e: unknown) => e instanceof AgentError && e.code === 'EARGS' && e.message === 'path must be absolute');
  });

  it('rejects everything in flight, and later requests, when the agent goes away, quoting its stderr', async () => {
    const p = peer();
    const a = p.client.request('facts', {});
    const b = p.client.request('stat', { path: '/' });
    await p.until(2);
    p.stderr.write('SyntaxError: Unexpected token\n');
    await new Promise((r) => setImmediate(r));
    p.end();
    await assert.rejects(a, /agent on master-x stopped \(the agent closed its output\): SyntaxError: Unexpected token/);
    await assert.rejects(b, (e: unknown) => e instanceof UnreachableError && e.host === 'master-x', 'a lost agent is an unreachable master');
    await assert.rejects(p.client.request('facts', {}), /agent on master-x stopped/);
  });

  it('closes the agent input on close()', () => {
    const p = peer();
    p.client.close();
    assert.equal(p.inputEnded(), true);
  });

  it('works over a real child process that exits', async () => {
    // A process that answers one request and then dies, as a crashing agent would.
    const script = `
      const rl = require('readline').createInterface({ input: process.stdin });
      rl.on('line', (l) => { const r = JSON.parse(l);
        if (r.op === 'die') { process.stderr.write('agent crashed: boom\\n'); process.exit(3); }
        process.stdout.write(JSON.stringify({ id: r.id, ok: true, changed: false, data: { op: r.op } }) + '\\n'); });`;
    const child = spawn(process.execPath, ['-e', script], { stdio: 'pipe' });
    const client = new AgentClient({ stdin: child.stdin, stdout: child.stdout, stderr: child.stderr }, 'local');
    assert.deepEqual((await client.request('ping', {})).data, { op: 'ping' });
    await assert.rejects(client.request('die', {}), /agent on local stopped.*agent crashed: boom/s);
  });
});
