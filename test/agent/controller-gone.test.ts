// An agent whose controller is gone, or that is itself killed, leaves nothing running
// and holds the master no longer than its commands live.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { AgentProcess, expectOk, tempDir } from './agent-process.js';

/** Whether a process still runs (a zombie waiting to be reaped counts as gone). */
function running(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z /.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

async function until(what: string, test: () => boolean, limitMs: number): Promise<number> {
  const started = Date.now();
  while (!test()) {
    if (Date.now() - started > limitMs) throw new Error(`${what}: not within ${limitMs} ms`);
    await sleep(25);
  }
  return Date.now() - started;
}

const readPids = (file: string): number[] => readFileSync(file, 'utf8').trim().split(/\s+/).map(Number);

describe('agent: commands never outlive it, the lock goes with them', function () {
  this.timeout(30_000);
  let tmp: ReturnType<typeof tempDir>;
  let env: Record<string, string>;
  const agents: AgentProcess[] = [];
  const start = (options?: ConstructorParameters<typeof AgentProcess>[1]): AgentProcess => {
    const agent = new AgentProcess(env, options);
    agents.push(agent);
    return agent;
  };
  /** A command that records its pid and a background child's, then runs long. */
  const longCommand = (extra = '') => {
    const pids = path.join(tmp.dir, `pids-${agents.length}`);
    const marker = path.join(tmp.dir, `finished-${agents.length}`);
    const shell = `${extra} sleep 30 & echo $$ $! > ${pids}.tmp && mv ${pids}.tmp ${pids}; wait; touch ${marker}`;
    return { pids, marker, shell };
  };
  /** Takes the lock with a new agent, asking again while it is refused; resolves with the wait. */
  const lockWhenFree = async (holder: string, limitMs: number): Promise<number> => {
    const agent = start();
    const started = Date.now();
    for (;;) {
      const answer = await agent.request('lock', { holder });
      if (answer.ok) return Date.now() - started;
      assert.equal(answer.error?.code, 'ELOCKED');
      if (Date.now() - started > limitMs) throw new Error(`the lock is still held after ${limitMs} ms: ${answer.error?.message}`);
      await sleep(50);
    }
  };

  beforeEach(() => {
    tmp = tempDir();
    env = { DISKLESS_LOCK_DIR: path.join(tmp.dir, 'lock') };
  });
  afterEach(async () => {
    for (const agent of agents.splice(0)) {
      if (agent.child.exitCode === null && agent.child.signalCode === null) agent.child.kill('SIGKILL');
    }
    tmp.remove();
  });

  it('a command and its children end when the agent is killed with SIGKILL; the master stays locked until they have', async () => {
    const first = start();
    expectOk(await first.request('lock', { holder: 'first 1' }));
    // it takes a second to end on SIGTERM, as a careful script would
    const command = longCommand(`trap 'sleep 1; exit 143' TERM;`);
    void first.request('command', { shell: command.shell });
    await until('the command started', () => existsSync(command.pids), 5000);
    const [shell, child] = readPids(command.pids);
    first.child.kill('SIGKILL');
    const killed = Date.now();
    await first.exited;

    const second = start();
    const refused = await second.request('lock', { holder: 'second 2' });
    assert.equal(refused.error?.code, 'ELOCKED', 'the dying command still holds the master');
    assert.match(refused.error!.message, /locked by first 1 .*that agent has exited and the commands it started are being stopped/);
    assert.equal(refused.data?.agentAlive, false);

    await until('the command and its child end', () => !running(shell) && !running(child), 8000);
    const ms = Date.now() - killed;
    assert.ok(ms >= 900, `ended ${ms} ms after the agent: the command was given its SIGTERM grace`);
    await lockWhenFree('second 2', 2000);
    assert.equal(existsSync(command.marker), false, 'the command did not run to its end');
  });

  it('a command that ignores SIGTERM gets SIGKILL after the grace', async () => {
    const agent = start();
    const command = longCommand(`trap '' TERM;`);
    void agent.request('command', { shell: command.shell });
    await until('the command started', () => existsSync(command.pids), 5000);
    const [shell, child] = readPids(command.pids);
    agent.child.kill('SIGKILL');
    const ms = await until('the command ends', () => !running(shell) && !running(child), 10_000);
    assert.ok(ms >= 4000, `ended after ${ms} ms`);
  });

  it('stdin closed and the controller no longer reading: the command ends, the lock and the temp file go', async () => {
    const agent = start();
    expectOk(await agent.request('lock', { holder: 'gone 3' }));
    // a write held up in its validate command
    const command = longCommand();
    const target = path.join(tmp.dir, 'dhcpd.conf');
    void agent.request('file', { path: target, content: 'new\n', validate: `${command.shell}; true %s` });
    await until('the validate command started', () => existsSync(command.pids), 5000);
    assert.equal(tempFiles(tmp.dir).length, 1);
    const [shell, child] = readPids(command.pids);

    agent.child.stdout.destroy(); // what an SSH channel does when its controller dies
    agent.child.stdin.end();
    const code = await Promise.race([agent.exited, sleep(5000).then(() => 'still running')]);
    assert.equal(code, 1);
    assert.match(agent.stderr, /agent: stopping: the controller's channel is closed .*; ending 1 running command/);
    await until('the command ends', () => !running(shell) && !running(child), 3000);
    assert.deepEqual(tempFiles(tmp.dir), [], 'the agent removed its own temp file');
    assert.equal(existsSync(target), false);
    await lockWhenFree('next 4', 2000);
  });

  it('stdin closed by a controller still reading: requests in flight are answered', async () => {
    const agent = start();
    const answer = agent.answerFor('slow');
    agent.child.stdin.write(JSON.stringify({ id: 'slow', op: 'command', args: { shell: 'sleep 1.5; echo done' } }) + '\n');
    agent.child.stdin.end();
    assert.equal((await answer).data?.stdout, 'done\n');
    assert.equal(await agent.exited, 0);
  });

  it('--controller-timeout: empty lines keep it going; silence stops it, its commands and its lock', async () => {
    const agent = start({ args: ['--controller-timeout', '800'] });
    expectOk(await agent.request('lock', { holder: 'silent 5' }));
    const command = longCommand();
    void agent.request('command', { shell: command.shell });
    await until('the command started', () => existsSync(command.pids), 5000);
    const [shell, child] = readPids(command.pids);
    for (let i = 0; i < 8; i++) {
      agent.child.stdin.write('\n');
      await sleep(250);
    }
    assert.equal(agent.child.exitCode, null, 'heartbeats kept the agent going');
    const stopped = Date.now();
    const code = await Promise.race([agent.exited, sleep(5000).then(() => 'still running')]);
    assert.equal(code, 1);
    assert.ok(Date.now() - stopped < 2500, `stopped ${Date.now() - stopped} ms after the last word`);
    assert.match(agent.stderr, /no word from the controller for \d+ s/);
    await until('the commands end', () => !running(shell) && !running(child), 3000);
    await lockWhenFree('next 6', 2000);
  });

  it('refuses a bad --controller-timeout', async () => {
    const agent = start({ args: ['--controller-timeout', 'soon'] });
    assert.equal(await agent.exited, 2);
    assert.match(agent.stderr, /usage: .*--controller-timeout MS/);
  });

  it('a command killed by a signal reports 128 + the signal number', async () => {
    const answer = await start().request('command', { shell: 'kill -9 $$' });
    assert.equal(answer.error?.code, 'ECOMMAND');
    assert.equal(answer.data?.rc, 137);
  });
});

function tempFiles(dir: string): string[] {
  return readdirNames(dir).filter((name) => /\.diskless-.*\.tmp$/.test(name));
}

function readdirNames(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}
