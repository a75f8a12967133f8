import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { AgentProcess, expectOk, tempDir } from './agent-process.js';

describe('agent: run lock', () => {
  let tmp: ReturnType<typeof tempDir>;
  let env: Record<string, string>;
  const agents: AgentProcess[] = [];
  const start = (): AgentProcess => {
    const agent = new AgentProcess(env);
    agents.push(agent);
    return agent;
  };
  beforeEach(() => {
    tmp = tempDir();
    env = { DISKLESS_LOCK_DIR: path.join(tmp.dir, 'run/diskless') };
  });
  afterEach(async () => {
    await Promise.all(agents.splice(0).map((a) => a.close()));
    tmp.remove();
  });

  it('a second controller gets ELOCKED naming the holder; the lock goes when the holder exits', async () => {
    const first = start();
    const second = start();
    expectOk(await first.request('lock', { holder: 'alice@laptop 100' }));
    assert.equal(expectOk(await first.request('lock', { holder: 'alice@laptop 100' })).changed, false);
    const refused = await second.request('lock', { holder: 'bob@desk 200' });
    assert.equal(refused.error?.code, 'ELOCKED');
    assert.match(refused.error!.message, /locked by alice@laptop 100/);
    await first.close();
    assert.equal(existsSync(path.join(env.DISKLESS_LOCK_DIR, 'run.lock')), false);
    expectOk(await second.request('lock', { holder: 'bob@desk 200' }));
    assert.match(readFileSync(path.join(env.DISKLESS_LOCK_DIR, 'run.lock'), 'utf8'), /bob@desk 200/);
  });

  it('takes over a stale lock left by a dead process', async () => {
    mkdirSync(env.DISKLESS_LOCK_DIR, { recursive: true });
    // pid 2^22 + 1 is above Linux's pid_max: no such process can exist
    writeFileSync(path.join(env.DISKLESS_LOCK_DIR, 'run.lock'), JSON.stringify({ pid: 4194305, holder: 'ghost', since: 'then' }));
    expectOk(await start().request('lock', { holder: 'carol@host 300' }));
  });

  it('a holder killed with SIGKILL leaves no lock behind', async () => {
    const first = start();
    expectOk(await first.request('lock', { holder: 'crashed 1' }));
    first.child.kill('SIGKILL');
    await first.exited;
    expectOk(await start().request('lock', { holder: 'next 2' }));
  });

  it('of many controllers starting at once, exactly one gets the lock', async () => {
    const contenders = Array.from({ length: 6 }, start);
    const answers = await Promise.all(contenders.map((agent, i) => agent.request('lock', { holder: `c${i}` })));
    assert.equal(answers.filter((a) => a.ok).length, 1);
    assert.ok(answers.filter((a) => !a.ok).every((a) => a.error?.code === 'ELOCKED'));
  });

  it('refuses a missing holder', async () => {
    const answer = await start().request('lock', {});
    assert.equal(answer.error?.code, 'EARGS');
    assert.match(answer.error!.message, /"holder" is missing/);
  });
});
