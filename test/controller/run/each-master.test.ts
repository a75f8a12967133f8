// The fan-out over masters (engine/each-master.ts) with connections that only record
// what happens to them: how many are open at once, that each is closed, and what a
// master that cannot be reached, or a bug, does to the others; then askMasters, its
// one-question use, with real local agents.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { askMasters, summaryOf } from '../../../packages/controller/src/day2/ask-masters.js';
import { eachMaster, type FanOutOptions, type MasterWork } from '../../../packages/controller/src/engine/each-master.js';
import { UnreachableError } from '../../../packages/controller/src/errors.js';
import { exitCodeOf } from '../../../packages/controller/src/exit-codes.js';
import { loadInventory } from '../../../packages/controller/src/inventory/load-inventory.js';
import type { AgentClient } from '../../../packages/controller/src/transport/agent-client.js';
import type { Connector } from '../../../packages/controller/src/transport/connect.js';
import type { ConnectOptions } from '../../../packages/controller/src/transport/connection.js';
import type { Master } from '../../../packages/controller/src/types.js';
import { makeWorkspace, masterEntry } from './workspace.js';

const mastersNamed = (...names: string[]) => names.map((name) => ({ name }) as Master);

/** A connector whose connections are fakes; "down*" masters cannot be reached, "bug" throws a TypeError. */
function fakeConnector() {
  const log: string[] = [];
  const options: Record<string, ConnectOptions> = {};
  let open = 0;
  let mostOpen = 0;
  const connector: Connector = async (master, connectOptions) => {
    options[master.name] = connectOptions;
    await sleep(5);
    if (master.name.startsWith('down')) throw new UnreachableError(master.name, `${master.name}: connect ECONNREFUSED`);
    if (master.name === 'bug') throw new TypeError('connector bug');
    open += 1;
    mostOpen = Math.max(mostOpen, open);
    log.push(`open ${master.name}`);
    return {
      agent: {} as AgentClient,
      close: async () => {
        open -= 1;
        log.push(`close ${master.name}`);
      },
    };
  };
  return { connector, log, options, mostOpen: () => mostOpen, open: () => open };
}

/** Work that waits `ms` (or until stopped), then answers the master's name; records done. */
function namedWork(log: string[], ms = 20) {
  return (master: Master, signal: AbortSignal): MasterWork<string> => {
    log.push(`start ${master.name}`);
    return {
      async run() {
        await sleep(ms, undefined, { signal }).catch(() => undefined);
        if (master.name.startsWith('lost')) throw new UnreachableError(master.name, `${master.name}: agent lost`);
        return `ran ${master.name}${signal.aborted ? ' (stopped)' : ''}`;
      },
      unreachable: (error) => `unreachable: ${error.message}`,
      done: (result) => log.push(`done ${master.name}: ${result}`),
    };
  };
}

describe('eachMaster: the fan-out over masters', () => {
  it('works on at most `forks` masters at once, closes every connection, and passes the connect options on', async () => {
    const fake = fakeConnector();
    const options: FanOutOptions = { connector: fake.connector, forks: 2, acceptNewHostKeys: true, becomePassword: 'pw' };
    const results = await eachMaster(mastersNamed('m1', 'm2', 'm3', 'm4', 'm5'), options, namedWork(fake.log));
    assert.equal(fake.mostOpen(), 2);
    assert.equal(fake.open(), 0);
    assert.deepEqual([...results.entries()].sort(), [1, 2, 3, 4, 5].map((n) => [`m${n}`, `ran m${n}`]));
    assert.deepEqual(fake.options.m3, { acceptNewHostKeys: true, becomePassword: 'pw' });
    // done comes after the connection is closed
    assert.ok(fake.log.indexOf('close m1') < fake.log.indexOf('done m1: ran m1'));
  });

  it('makes a master unreachable, at connect or when its agent is lost, and the others carry on', async () => {
    const fake = fakeConnector();
    const results = await eachMaster(mastersNamed('down', 'm1', 'lost', 'm2'), { connector: fake.connector, forks: 1 }, namedWork(fake.log));
    assert.deepEqual(Object.fromEntries(results), {
      down: 'unreachable: down: connect ECONNREFUSED',
      m1: 'ran m1',
      lost: 'unreachable: lost: agent lost',
      m2: 'ran m2',
    });
    assert.ok(fake.log.includes('close lost'), 'the lost agent is closed too');
    assert.equal(fake.open(), 0);
  });

  it('on a bug, stops the masters started, starts no more, closes their connections, then rejects with it', async () => {
    const fake = fakeConnector();
    const work = namedWork(fake.log, 10_000);
    const started = Date.now();
    await assert.rejects(
      eachMaster(mastersNamed('m1', 'bug', 'm2', 'm3'), { connector: fake.connector, forks: 2 }, work),
      (error: Error) => error instanceof TypeError && error.message === 'connector bug',
    );
    assert.ok(Date.now() - started < 5_000, 'm1 was told to stop');
    assert.deepEqual(fake.log, ['start m1', 'start bug', 'open m1', 'close m1', 'done m1: ran m1 (stopped)']);
  });

  it("starts no master still waiting once the caller's signal is aborted, and gives those none", async () => {
    const fake = fakeConnector();
    const interrupt = new AbortController();
    const work = (master: Master, signal: AbortSignal) => {
      if (master.name === 'm2') interrupt.abort();
      return namedWork(fake.log)(master, signal);
    };
    const results = await eachMaster(mastersNamed('m1', 'm2', 'm3'), { connector: fake.connector, forks: 1, signal: interrupt.signal }, work);
    assert.deepEqual(Object.fromEntries(results), { m1: 'ran m1', m2: 'ran m2 (stopped)' });
    assert.equal(fake.open(), 0);
  });
});

describe('askMasters: one question to each master (local agents)', function () {
  this.timeout(30_000);

  it("gives each master's answer, a refusal or its being unreachable, in the masters' order, with their exit codes", async () => {
    const ws = makeWorkspace();
    try {
      const knownHosts = ws.write('known_hosts', '');
      ws.write('root/here', 'x');
      ws.inventory({ m1: masterEntry(), down: masterEntry({ host: '127.0.0.1', port: 1, knownHosts, timeoutMs: 3000 }), m2: masterEntry() });
      const { masters } = await loadInventory(join(ws.dir, 'inventory.json'));
      // m2 is asked about a relative path, which its agent refuses.
      const argsFor = (master: Master) => ({ path: master.name === 'm2' ? 'here' : join(ws.root, 'here') });
      const answers = await askMasters(masters, 'stat', argsFor, { connector: ws.connector, forks: 2 });
      assert.deepEqual(Object.keys(answers), ['m1', 'down', 'm2']);
      assert.equal(answers.m1.unreachable, false);
      assert.equal(answers.m1.data?.exists, true);
      assert.equal(answers.m1.msg, undefined);
      assert.equal(answers.down.unreachable, true);
      assert.match(answers.down.msg ?? '', /^ssh root@\[127.0.0.1\]:1: connect ECONNREFUSED/);
      assert.equal(answers.m2.unreachable, false);
      assert.equal(answers.m2.msg, 'stat: argument "path" must be an absolute path, got "here"');
      // A refusal counts before an unreachable master, as a failed task does in a run.
      assert.equal(exitCodeOf(summaryOf(answers)), 2);
      assert.equal(exitCodeOf(summaryOf({ m1: answers.m1, down: answers.down })), 4);
      assert.equal(exitCodeOf(summaryOf({ m1: answers.m1 })), 0);
    } finally {
      ws.remove();
    }
  });
});
