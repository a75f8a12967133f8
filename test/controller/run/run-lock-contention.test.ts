// Locks a run waits for without --wait-lock: one taken by a run started after it (so
// of two runs started together the earlier gets every master), one whose agent has
// exited while its commands end, one held for a controller of this machine that has
// exited. A lock held by an earlier, live run is still reported at once.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { hostname, userInfo } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { exitCodeOf } from '../../../packages/controller/src/exit-codes.js';
import { reasonToWait, RUN_STARTED } from '../../../packages/controller/src/engine/run-lock.js';
import { AgentProcess, expectOk } from '../../agent/agent-process.js';
import { oneFilePlay, runPlaybook, task } from './run-playbook.js';
import { makeWorkspace, masterEntry, type Workspace } from './workspace.js';

/** A pid no process has now (one that just exited). */
function deadPid(): number {
  return Number(spawnSync('sh', ['-c', 'echo $$'], { encoding: 'utf8' }).stdout.trim());
}

describe('run lock: who waits for whom', function () {
  this.timeout(60_000);
  let ws: Workspace;
  const others: AgentProcess[] = [];
  /** Another run's agent on `master`, holding its lock. */
  const holdLock = async (master: string, args: Record<string, unknown>): Promise<AgentProcess> => {
    const agent = new AgentProcess({ DISKLESS_LOCK_DIR: join(ws.lockDir, master) });
    others.push(agent);
    expectOk(await agent.request('lock', args));
    return agent;
  };

  beforeEach(() => {
    ws = makeWorkspace();
    ws.inventory({ m1: masterEntry(), m2: masterEntry() });
  });
  afterEach(async () => {
    for (const agent of others.splice(0)) {
      if (agent.child.exitCode === null && agent.child.signalCode === null) agent.child.kill('SIGKILL');
      await agent.exited;
    }
    ws.remove();
  });

  it('reasons to wait, from the record the agent sends with ELOCKED', () => {
    const me = { holder: 'me@here 1', runStarted: 1000 };
    assert.equal(reasonToWait({ holder: 'x@y 2', runStarted: 999 }, me), null, 'an earlier run goes first');
    assert.equal(reasonToWait({ holder: 'x@y 2' }, me), null, 'a holder that says nothing of its start');
    assert.match(reasonToWait({ holder: 'x@y 2', runStarted: 1001 }, me)!.why, /started after this run/);
    assert.equal(reasonToWait({ holder: 'x@y 2', runStarted: 1001 }, me)!.limitMs, undefined, 'as long as it takes');
    assert.match(reasonToWait({ holder: 'me@here 2', runStarted: 1000 }, me)!.why, /started after this run/, 'a tie goes by name');
    assert.equal(reasonToWait({ holder: 'me@here 0', runStarted: 1000 }, me), null);
    assert.match(reasonToWait({ holder: 'x@y 2', runStarted: 1, agentAlive: false }, me)!.why, /agent has exited/);
    assert.match(reasonToWait(undefined, me)!.why, /just taken/);
    const gone = reasonToWait({ holder: `${userInfo().username}@${hostname()} ${deadPid()}`, runStarted: 1, controllerTimeoutMs: 75_000 }, me)!;
    assert.match(gone.why, /its controller \(pid \d+\) has exited/);
    assert.equal(gone.limitMs, 90_000);
    assert.equal(reasonToWait({ holder: `${userInfo().username}@${hostname()} ${process.pid}`, runStarted: 1 }, me), null, 'a live controller here');
  });

  it('a master held by a run started after this one is waited for: this run gets every master', async () => {
    const later = await holdLock('m2', { holder: 'bob@desk 7', runStarted: RUN_STARTED + 50 });
    setTimeout(() => void later.close(), 1500);
    const { summary, events } = await runPlaybook(ws, oneFilePlay);
    assert.equal(exitCodeOf(summary), 0, JSON.stringify(summary.hosts));
    const waited = task(summary, 'm2', 'Wait for the run lock');
    assert.ok(waited && waited.durationMs >= 1000, `waited ${waited?.durationMs} ms`);
    assert.equal(task(summary, 'm1', 'Wait for the run lock'), undefined);
    assert.ok(existsSync(join(ws.root, 'm1')) && existsSync(join(ws.root, 'm2')));
    assert.ok(events.some((e) => e.type === 'task-start' && e.host === 'm2' && e.task === 'Wait for the run lock'));
  });

  it('a master held by a run started before this one is reported locked at once', async () => {
    await holdLock('m2', { holder: 'alice@laptop 42', runStarted: RUN_STARTED - 50 });
    const started = Date.now();
    const { summary } = await runPlaybook(ws, oneFilePlay);
    assert.ok(Date.now() - started < 5000);
    assert.equal(summary.hosts.m2.locked, true);
    assert.match(summary.hosts.m2.message ?? '', /locked by alice@laptop 42/);
    assert.equal(exitCodeOf(summary), 4);
    assert.ok(existsSync(join(ws.root, 'm1')), 'the other master is worked on');
  });

  it('a lock kept by the commands of an agent that has exited is waited for until they end', async () => {
    const dying = await holdLock('m1', { holder: 'carol@box 9', runStarted: RUN_STARTED - 50 });
    // a command that takes a second to end on SIGTERM
    void dying.request('command', { shell: "trap 'sleep 1; exit 143' TERM; sleep 30 & wait" });
    await sleep(300);
    dying.child.kill('SIGKILL');
    await dying.exited;
    const { summary } = await runPlaybook(ws, oneFilePlay, { limit: ['m1'] });
    assert.equal(exitCodeOf(summary), 0, JSON.stringify(summary.hosts));
    assert.ok(task(summary, 'm1', 'Wait for the run lock'), 'it waited');
  });

  it('a lock held for a controller of this machine that has exited is waited for until its agent lets go', async () => {
    const orphan = await holdLock('m1', { holder: `${userInfo().username}@${hostname()} ${deadPid()}`, runStarted: RUN_STARTED - 50 });
    setTimeout(() => void orphan.close(), 1500);
    const { summary } = await runPlaybook(ws, oneFilePlay, { limit: ['m1'] });
    assert.equal(exitCodeOf(summary), 0, JSON.stringify(summary.hosts));
    assert.ok(task(summary, 'm1', 'Wait for the run lock'), 'it waited');
  });
});
