// A master whose run lock another, live run holds: reported "locked" (exit 4), or
// waited for with --wait-lock.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { exitCodeOf } from '../../../packages/controller/src/exit-codes.js';
import { jsonDocument } from '../../../packages/controller/src/report/json.js';
import { formatRecap } from '../../../packages/controller/src/report/recap.js';
import type { AgentConnection } from '../../../packages/controller/src/transport/connection.js';
import { connectLocal } from '../../../packages/controller/src/transport/local.js';
import { runCli } from './cli-harness.js';
import { oneFilePlay, runPlaybook, task } from './run-playbook.js';
import { makeWorkspace, masterEntry, type Workspace } from './workspace.js';

describe('run lock held by another run', function () {
  this.timeout(60_000);
  let ws: Workspace;
  let other: AgentConnection | undefined;

  /** Another controller's agent on m1, holding its lock until released. */
  const holdLock = async (lockDir: string) => {
    other = await connectLocal('other', { ...process.env, DISKLESS_LOCK_DIR: lockDir });
    await other.agent.request('lock', { holder: 'alice@laptop 42' });
  };
  const release = async () => {
    await other?.close();
    other = undefined;
  };

  beforeEach(() => {
    ws = makeWorkspace();
    ws.inventory({ m1: masterEntry(), m2: masterEntry() });
  });
  afterEach(async () => {
    await release();
    ws.remove();
  });

  it('reports the master locked, naming the holder, touches nothing there, and exits 4', async () => {
    await holdLock(join(ws.lockDir, 'm1'));
    const { summary, events } = await runPlaybook(ws, oneFilePlay);
    const m1 = summary.hosts.m1;
    assert.equal(m1.locked, true);
    assert.equal(m1.unreachable, false);
    assert.match(m1.message ?? '', /master is locked by alice@laptop 42/);
    assert.deepEqual(m1.tasks, [], 'no failed task: the master was not worked on');
    assert.ok(events.some((e) => e.type === 'host-unreachable' && e.host === 'm1' && e.locked));
    assert.equal(existsSync(join(ws.root, 'm1')), false);
    assert.equal(existsSync(join(ws.root, 'm2')), true, 'the other master is worked on');
    assert.equal(summary.ok, false);
    assert.equal(exitCodeOf(summary), 4);
    assert.equal(exitCodeOf(summary, { detailedExitCode: true }), 4, 'locked wins over changes pending');

    const doc = jsonDocument(summary) as { hosts: Record<string, object> };
    assert.deepEqual(Object.keys(doc.hosts.m1), ['ok', 'changed', 'failed', 'skipped', 'unreachable', 'locked', 'msg', 'tasks']);
    assert.equal('locked' in doc.hosts.m2, false, 'the report keeps its shape for other masters');
    const recap = formatRecap(summary);
    assert.match(recap, /^m1\s+0\s+0\s+0\s+0\s+locked$/m);
    assert.match(recap, /^m1 locked: master is locked by alice@laptop 42/m);

    await release();
    const after = await runPlaybook(ws, oneFilePlay);
    assert.equal(exitCodeOf(after.summary), 0, 'the lock goes with the agent that held it');
  });

  it('still reads facts, which need no lock', async () => {
    await holdLock(join(ws.lockDir, 'm1'));
    const { summary } = await runPlaybook(ws, { ...oneFilePlay, gather_facts: true, tasks: [] }, { lock: false, limit: ['m1'] });
    assert.equal(task(summary, 'm1', 'Gather facts')?.status, 'ok');
  });

  it('waits for the lock with waitLockMs, then runs', async () => {
    await holdLock(join(ws.lockDir, 'm1'));
    setTimeout(() => void release(), 1500);
    const { summary, events } = await runPlaybook(ws, oneFilePlay, { waitLockMs: 20_000, limit: ['m1'] });
    assert.equal(exitCodeOf(summary), 0);
    const waited = task(summary, 'm1', 'Wait for the run lock');
    assert.equal(waited?.status, 'ok');
    assert.ok(waited!.durationMs >= 1000, `waited ${waited!.durationMs} ms`);
    assert.ok(events.some((e) => e.type === 'task-start' && e.task === 'Wait for the run lock'));
    assert.equal(existsSync(join(ws.root, 'm1')), true);
  });

  it('gives up when the wait is over, and a Ctrl-C ends the wait as an interruption', async () => {
    await holdLock(join(ws.lockDir, 'm1'));
    const started = Date.now();
    const timedOut = await runPlaybook(ws, oneFilePlay, { waitLockMs: 1200, limit: ['m1'] });
    assert.ok(Date.now() - started >= 1200);
    assert.equal(timedOut.summary.hosts.m1.locked, true);
    assert.equal(exitCodeOf(timedOut.summary), 4);

    const controller = new AbortController();
    setTimeout(() => controller.abort(), 300);
    const interrupted = await runPlaybook(ws, oneFilePlay, { waitLockMs: 60_000, limit: ['m1'], signal: controller.signal });
    assert.equal(interrupted.summary.hosts.m1.interrupted, true);
    assert.equal(interrupted.summary.hosts.m1.locked, undefined);
    assert.equal(exitCodeOf(interrupted.summary), 130);
  });

  it('CLI: "locked": true in the JSON report and exit 4, also after --wait-lock', async () => {
    ws.inventory({ m1: masterEntry() });
    await holdLock(ws.lockDir); // the CLI's local agents all use ws.lockDir
    const playbook = ws.write('p.json', oneFilePlay);
    const args = ['apply', playbook, '-i', join(ws.dir, 'inventory.json'), '--state-dir', join(ws.dir, 'state')];
    const json = runCli(ws, [...args, '--json']);
    assert.equal(json.code, 4, json.stderr);
    const m1 = JSON.parse(json.stdout).hosts.m1;
    assert.equal(m1.locked, true);
    assert.equal(m1.unreachable, false);
    const waited = runCli(ws, [...args, '--wait-lock', '1']);
    assert.equal(waited.code, 4);
    assert.match(waited.stdout, /^m1 \| LOCKED \| master is locked by alice@laptop 42/m);
    assert.match(waited.stdout, /^m1\s+0\s+0\s+0\s+0\s+locked$/m);
  });
});
