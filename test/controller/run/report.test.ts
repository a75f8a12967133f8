import assert from 'node:assert/strict';
import type { RunSummary, TaskResult } from '../../../packages/controller/src/engine/events.js';
import { jsonDocument } from '../../../packages/controller/src/report/json.js';
import { PlainRenderer } from '../../../packages/controller/src/report/plain.js';
import { formatRecap } from '../../../packages/controller/src/report/recap.js';

const result = (over: Partial<TaskResult>): TaskResult => ({
  playbook: 'dhcp',
  name: 'Write dhcpd.conf',
  op: 'file',
  status: 'changed',
  changed: true,
  durationMs: 12.3,
  ...over,
});

const summary: RunSummary = {
  ok: false,
  durationMs: 1500,
  interrupted: false,
  hosts: {
    'master-a': { ok: 2, changed: 1, failed: 1, skipped: 0, unreachable: false, tasks: [result({ diff: '+x' }), result({ status: 'failed', changed: false, msg: 'EVALIDATE: bad', ignored: false })] },
    'master-b': { ok: 0, changed: 0, failed: 0, skipped: 0, unreachable: true, message: 'connect ETIMEDOUT', tasks: [] },
  },
};

describe('reports', () => {
  it('plain: one line per result, failures with their message, diffs on request', () => {
    let out = '';
    const renderer = new PlainRenderer({ diff: true, verbose: false, write: (t) => (out += t) });
    renderer.handle({ type: 'task-start', host: 'master-a', playbook: 'dhcp', task: 'Write dhcpd.conf' });
    renderer.handle({ type: 'output', host: 'master-a', task: 'x', stream: 'stdout', data: 'quiet unless verbose\n' });
    renderer.handle({ type: 'task-result', host: 'master-a', result: result({ diff: '--- a\n+++ b\n+line' }) });
    renderer.handle({ type: 'task-result', host: 'master-a', result: result({ status: 'failed', changed: false, msg: 'EVALIDATE: line 3: bad' }) });
    renderer.handle({ type: 'task-result', host: 'master-a', result: result({ op: 'debug', name: 'Say', status: 'ok', changed: false, msg: 'hello' }) });
    renderer.handle({ type: 'host-unreachable', host: 'master-b', message: 'connect ETIMEDOUT' });
    renderer.handle({ type: 'recap', summary });
    assert.equal(
      out.split('\nRECAP')[0],
      [
        'master-a | dhcp | Write dhcpd.conf | changed (12ms)',
        '    --- a',
        '    +++ b',
        '    +line',
        'master-a | dhcp | Write dhcpd.conf | failed (12ms)',
        '    EVALIDATE: line 3: bad',
        'master-a | dhcp | Say | ok (12ms)',
        '    hello',
        'master-b | UNREACHABLE | connect ETIMEDOUT',
        '',
      ].join('\n'),
    );
  });

  it('plain: says a long task is still running, with its last output line', async () => {
    let out = '';
    const renderer = new PlainRenderer({ diff: false, verbose: false, write: (t) => (out += t) }, 50);
    renderer.handle({ type: 'task-start', host: 'm', playbook: 'kernel', task: 'Build' });
    renderer.handle({ type: 'output', host: 'm', task: 'Build', stream: 'stdout', data: 'CC init/main.o\nLD vmlinux\n' });
    await new Promise((r) => setTimeout(r, 120));
    renderer.handle({ type: 'recap', summary: { ...summary, hosts: {} } });
    assert.match(out, /^m \| kernel \| Build \| still running \(0s\): LD vmlinux$/m);
  });

  it('recap: a row per master and why a master was unreachable', () => {
    const text = formatRecap(summary);
    assert.match(text, /^MASTER\s+OK\s+CHANGED\s+FAILED\s+SKIPPED\s+UNREACHABLE$/m);
    assert.match(text, /^master-a\s+2\s+1\s+1\s+0\s+no$/m);
    assert.match(text, /^master-b\s+0\s+0\s+0\s+0\s+yes$/m);
    assert.match(text, /^master-b unreachable: connect ETIMEDOUT$/m);
    assert.match(text, /^failed in 1\.5s$/m);
  });

  it('json: the documented shape, without renderer-only fields', () => {
    const doc = jsonDocument(summary) as any;
    assert.equal(doc.ok, false);
    assert.equal(doc.durationMs, 1500);
    assert.deepEqual(doc.hosts['master-a'].tasks[0], {
      playbook: 'dhcp', name: 'Write dhcpd.conf', status: 'changed', changed: true, durationMs: 12.3, diff: '+x',
    });
    assert.equal(doc.hosts['master-b'].unreachable, true);
    assert.equal(doc.hosts['master-b'].msg, 'connect ETIMEDOUT');
  });
});

describe('terminal report', () => {
  it('keeps a live line per master and prints failures above them', async () => {
    const { PassThrough } = await import('node:stream');
    const { TtyRenderer } = await import('../../../packages/controller/src/report/tty.js');
    let drawn = '';
    let printed = '';
    const terminal = Object.assign(new PassThrough(), { isTTY: true, rows: 20, columns: 120 });
    terminal.on('data', (chunk) => (drawn += chunk));
    const renderer = new TtyRenderer({ diff: false, verbose: false, write: (t) => (printed += t) }, terminal as never);
    const plain = () => drawn.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '');

    renderer.handle({ type: 'host-start', host: 'master-a' });
    renderer.handle({ type: 'host-start', host: 'master-b' });
    renderer.handle({ type: 'task-start', host: 'master-a', playbook: 'dhcp', task: 'Write dhcpd.conf' });
    renderer.handle({ type: 'task-result', host: 'master-b', result: result({}) });
    await new Promise((r) => setImmediate(r));
    assert.match(plain(), /master-a  ok 0 changed 0 failed 0 skipped 0  dhcp › Write dhcpd\.conf/);
    assert.match(plain(), /master-b  ok 1 changed 1 failed 0 skipped 0/);
    assert.equal(printed, '', 'successful tasks are not printed line by line');

    renderer.handle({ type: 'task-result', host: 'master-a', result: result({ status: 'failed', changed: false, msg: 'EVALIDATE: bad' }) });
    assert.match(printed, /^master-a \| dhcp \| Write dhcpd\.conf \| failed \(12ms\)\n    EVALIDATE: bad\n$/);
    renderer.handle({ type: 'recap', summary });
    assert.match(printed, /RECAP/);
  });

  it('shows every master from the start: those beyond --forks as waiting, a started one as connecting', async () => {
    const { PassThrough } = await import('node:stream');
    const { TtyRenderer } = await import('../../../packages/controller/src/report/tty.js');
    let drawn = '';
    const terminal = Object.assign(new PassThrough(), { isTTY: true, rows: 20, columns: 120 });
    terminal.on('data', (chunk) => (drawn += chunk));
    const renderer = new TtyRenderer({ diff: false, verbose: false, write: () => undefined }, terminal as never);
    const lastFrame = () => drawn.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '').split(/\n(?=. master-a)/).at(-1)!;

    renderer.handle({ type: 'run-start', hosts: ['master-a', 'master-b', 'master-c'], forks: 1 });
    renderer.handle({ type: 'host-start', host: 'master-a' });
    await new Promise((r) => setImmediate(r));
    assert.match(lastFrame(), /master-a  ok 0 changed 0 failed 0 skipped 0  connecting/);
    assert.match(lastFrame(), /· master-b  ok 0 changed 0 failed 0 skipped 0  waiting for one of the 1 forks/);
    assert.match(lastFrame(), /· master-c .* waiting/);

    renderer.handle({ type: 'task-start', host: 'master-a', playbook: 'dhcp', task: 'Write dhcpd.conf' });
    renderer.handle({ type: 'host-done', host: 'master-a', stats: { ok: 1, changed: 0, failed: 0, skipped: 0, unreachable: false } });
    renderer.handle({ type: 'host-start', host: 'master-b' });
    await new Promise((r) => setImmediate(r));
    assert.match(lastFrame(), /✔ master-a  ok 1/);
    assert.match(lastFrame(), /master-b  ok 0 changed 0 failed 0 skipped 0  connecting/);
    assert.match(lastFrame(), /· master-c .* waiting/);
    renderer.handle({ type: 'recap', summary });
  });
});
