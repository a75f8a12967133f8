import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RunEvent, RunSummary } from '../../../packages/controller/src/engine/events.js';
import type { RunOptions } from '../../../packages/controller/src/engine/run-plays.js';
import { exitCodeOf } from '../../../packages/controller/src/exit-codes.js';
import { createRenderer } from '../../../packages/controller/src/template/render.js';
import { runPlaybook, task as findTask } from './run-playbook.js';
import { makeWorkspace, masterEntry, type Workspace } from './workspace.js';

const dirOf = '{{root}}/{{master.name}}';

/** A play that exercises files, templates, loops, register, when, tags and a handler. */
const sitePlay = {
  name: 'site',
  hosts: 'masters',
  vars: { names: ['a', 'b'] },
  tasks: [
    { name: 'Make the directory', directory: { path: dirOf, mode: '0755' } },
    { name: 'Write motd', file: { path: `${dirOf}/motd`, content: 'hello {{domain}}\n', mode: '0644' }, notify: ['announce'] },
    { name: 'Write conf', template: { src: 'templates/conf.hbs', path: `${dirOf}/conf` }, notify: ['announce'] },
    { name: 'Write items', loop: '{{names}}', file: { path: `${dirOf}/item-{{item}}`, content: '{{item}}\n' }, register: 'items' },
    { name: 'Look at motd', stat: { path: `${dirOf}/motd` }, register: 'motd' },
    { name: 'Say items changed', when: 'motd.data.exists and items.changed', debug: { msg: 'items changed: {{items.results.length}}' } },
    { name: 'Only elsewhere', when: "master.name == 'nowhere'", file: { path: `${dirOf}/never`, content: 'x' } },
    { name: 'Extra file', tags: ['extra'], file: { path: `${dirOf}/extra`, content: 'extra\n' } },
  ],
  handlers: [
    { name: 'announce', command: { argv: ['sh', '-c', `echo announced >> ${dirOf}/announced`] } },
    { name: 'never notified', command: { argv: ['sh', '-c', `echo wrong >> ${dirOf}/announced`] } },
  ],
};

function run(ws: Workspace, playbook: object, options: Partial<RunOptions> = {}) {
  ws.write('templates/conf.hbs', 'domain={{domain}} master={{master.name}} slaves={{master.slaves.length}}\n');
  return runPlaybook(ws, playbook, options);
}

const task = (summary: RunSummary, host: string, name: string) => findTask(summary, host, name)!;

describe('engine (local agent)', function () {
  this.timeout(60_000);
  let ws: Workspace;
  beforeEach(() => {
    ws = makeWorkspace();
    ws.inventory({ m1: masterEntry() });
  });
  afterEach(() => ws.remove());

  it('runs tasks in order, notifies a handler once, and changes nothing the second time', async () => {
    const first = await run(ws, sitePlay);
    const dir = join(ws.root, 'm1');
    assert.equal(exitCodeOf(first.summary), 0);
    assert.equal(readFileSync(join(dir, 'motd'), 'utf8'), 'hello example.test\n');
    assert.equal(readFileSync(join(dir, 'conf'), 'utf8'), 'domain=example.test master=m1 slaves=1\n');
    assert.equal(readFileSync(join(dir, 'item-b'), 'utf8'), 'b\n');
    assert.equal(readFileSync(join(dir, 'announced'), 'utf8'), 'announced\n', 'handler ran once although notified twice');
    assert.equal(existsSync(join(dir, 'never')), false);
    const host = first.summary.hosts.m1;
    assert.equal(host.failed, 0);
    assert.equal(task(first.summary, 'm1', 'Write motd').status, 'changed');
    assert.equal(task(first.summary, 'm1', 'Say items changed').msg, 'items changed: 2');
    assert.equal(task(first.summary, 'm1', 'Only elsewhere').status, 'skipped');
    assert.equal(task(first.summary, 'm1', 'announce').status, 'changed');

    const second = await run(ws, sitePlay);
    assert.equal(second.summary.hosts.m1.changed, 0);
    assert.equal(task(second.summary, 'm1', 'Say items changed').status, 'skipped');
    assert.equal(task(second.summary, 'm1', 'announce'), undefined, 'handler not run without a change');
    assert.equal(readFileSync(join(dir, 'announced'), 'utf8'), 'announced\n');
  });

  it('emits one event stream from run start to recap', async () => {
    const { events } = await run(ws, sitePlay);
    assert.deepEqual(events[0], { type: 'run-start', hosts: ['m1'], forks: 20 }, 'the default number of forks');
    assert.deepEqual(events[1], { type: 'host-start', host: 'm1' });
    assert.equal(events.at(-1)!.type, 'recap');
    assert.equal(events.at(-2)!.type, 'host-done');
    const starts = events.filter((e) => e.type === 'task-start').length;
    const results = events.filter((e) => e.type === 'task-result').length;
    assert.equal(results, starts + 1, 'every task that starts ends; facts gathering is reported too');
  });

  it('changes nothing in check mode but says what would change', async () => {
    mkdirSync(join(ws.root, 'm1'));
    const { summary } = await run(ws, sitePlay, { check: true, diff: true });
    assert.deepEqual(readdirSync(join(ws.root, 'm1')), []);
    assert.equal(task(summary, 'm1', 'Write motd').status, 'changed');
    assert.match(task(summary, 'm1', 'Write motd').diff ?? '', /\+hello example\.test/);
  });

  it('runs only the tasks selected by tags', async () => {
    const tagged = { ...sitePlay, tasks: [{ ...sitePlay.tasks[0], tags: ['extra'] }, ...sitePlay.tasks.slice(1)] };
    const { summary } = await run(ws, tagged, { tags: ['extra'] });
    assert.equal(existsSync(join(ws.root, 'm1', 'extra')), true);
    assert.equal(existsSync(join(ws.root, 'm1', 'motd')), false);
    assert.deepEqual(summary.hosts.m1.tasks.map((t) => t.name), ['Gather facts', 'Make the directory', 'Extra file']);
  });

  it('asks for no facts when every play says gather_facts false, and says so when a template wants them', async () => {
    const noFacts = { ...sitePlay, gather_facts: false };
    const { summary } = await run(ws, noFacts);
    assert.equal(exitCodeOf(summary), 0);
    assert.equal(task(summary, 'm1', 'Gather facts'), undefined);
    assert.equal(task(summary, 'm1', 'Write items').status, 'changed');

    const second = { name: 'facts', hosts: 'masters', tasks: [{ name: 'Show the OS', debug: { msg: 'os={{facts.os.id}}' } }] };
    const both = await run(ws, [noFacts, second]);
    assert.equal(task(both.summary, 'm1', 'Gather facts').status, 'ok', 'one play that wants facts is enough');
    assert.match(task(both.summary, 'm1', 'Show the OS').msg ?? '', /^os=\w+/);

    const wanting = await run(ws, [{ ...second, gather_facts: false }]);
    assert.equal(exitCodeOf(wanting.summary), 2);
    assert.match(task(wanting.summary, 'm1', 'Show the OS').msg ?? '', /facts/);
  });

  it('stops a failing master without stopping the others, and skips its handlers', async () => {
    ws.inventory({ m1: masterEntry(), m2: masterEntry() });
    const failing = {
      ...sitePlay,
      tasks: [
        ...sitePlay.tasks.slice(0, 2),
        { name: 'Fail on m1', when: "master.name == 'm1'", command: { argv: ['false'] } },
        { name: 'Ignored failure', command: { argv: ['sh', '-c', 'exit 3'] }, ignore_errors: true, register: 'ignored' },
        { name: 'Show rc', debug: { msg: 'rc={{ignored.data.rc}} failed={{ignored.failed}}' } },
        ...sitePlay.tasks.slice(2),
      ],
    };
    const { summary } = await run(ws, failing, { forks: 2 });
    assert.equal(exitCodeOf(summary), 2);
    assert.equal(summary.ok, false);
    assert.equal(summary.hosts.m1.failed, 1);
    assert.match(task(summary, 'm1', 'Fail on m1').msg ?? '', /ECOMMAND/);
    assert.equal(task(summary, 'm1', 'Write conf'), undefined, 'm1 stopped at its failure');
    assert.equal(existsSync(join(ws.root, 'm1', 'announced')), false, 'no handlers on a failed master');
    assert.equal(summary.hosts.m2.failed, 0);
    assert.equal(task(summary, 'm2', 'Ignored failure').status, 'failed');
    assert.equal(task(summary, 'm2', 'Show rc').msg, 'rc=3 failed=true', 'a failed result is registered with its data');
    assert.equal(existsSync(join(ws.root, 'm2', 'conf')), true);
    assert.equal(existsSync(join(ws.root, 'm2', 'announced')), true);
  });

  it('works on at most --forks masters at once', async () => {
    ws.inventory({ m1: masterEntry(), m2: masterEntry(), m3: masterEntry() });
    const order = (events: RunEvent[]) => events.filter((e) => e.type === 'host-start' || e.type === 'host-done').map((e) => `${e.type}:${'host' in e ? e.host : ''}`);
    const serial = await run(ws, sitePlay, { forks: 1 });
    assert.deepEqual(order(serial.events), ['host-start:m1', 'host-done:m1', 'host-start:m2', 'host-done:m2', 'host-start:m3', 'host-done:m3']);
    const parallel = await run(ws, sitePlay, { forks: 3 });
    assert.deepEqual(order(parallel.events).slice(0, 3), ['host-start:m1', 'host-start:m2', 'host-start:m3']);
    assert.equal(exitCodeOf(parallel.summary), 0);
  });

  it('reports a master it cannot reach and still runs the others', async () => {
    const knownHosts = ws.write('known_hosts', '');
    ws.inventory({ m1: masterEntry(), down: masterEntry({ host: '127.0.0.1', port: 1, knownHosts, timeoutMs: 3000 }) });
    const { summary, events } = await run(ws, sitePlay);
    assert.equal(summary.hosts.down.unreachable, true);
    assert.match(summary.hosts.down.message ?? '', /^ssh root@\[127.0.0.1\]:1: connect ECONNREFUSED/);
    assert.ok(events.some((e) => e.type === 'host-unreachable' && e.host === 'down'));
    assert.equal(summary.hosts.m1.failed, 0);
    assert.equal(existsSync(join(ws.root, 'm1', 'conf')), true);
    assert.equal(exitCodeOf(summary), 4);
  });

  it('fails the task, not the master, on an unexpected exception in the controller (exit 2)', async () => {
    const real = createRenderer();
    // A bug that shows only in the second task's arguments.
    const renderer = {
      ...real,
      renderValue: (value: unknown, ctx: object, where: { pointer?: string }) => {
        if (where.pointer?.startsWith('/tasks/1/')) throw new TypeError("Cannot read properties of undefined (reading 'path')");
        return real.renderValue(value, ctx, where as never);
      },
    };
    const { summary } = await run(ws, sitePlay, { renderer });
    assert.equal(task(summary, 'm1', 'Make the directory').status, 'changed');
    assert.equal(task(summary, 'm1', 'Write motd').status, 'failed');
    assert.equal(task(summary, 'm1', 'Write motd').msg, "Cannot read properties of undefined (reading 'path')");
    assert.equal(summary.hosts.m1.unreachable, false);
    assert.equal(exitCodeOf(summary), 2);
  });

  it('ends the run on a crash outside any task: the error goes up, and no other master is started', async () => {
    ws.inventory({ m1: masterEntry(), m2: masterEntry() });
    const crash = new TypeError('connector bug');
    const connector: RunOptions['connector'] = (master, options) => (master.name === 'm1' ? Promise.reject(crash) : ws.connector(master, options));
    await assert.rejects(run(ws, sitePlay, { connector, forks: 1 }), (error) => error === crash);
    assert.equal(existsSync(join(ws.root, 'm2')), false);
  });

  it('fails a task whose template uses an undefined variable, naming the file and variable', async () => {
    ws.write('templates/bad.hbs', 'x={{nosuch}}\n');
    const play = { ...sitePlay, tasks: [{ name: 'Bad template', template: { src: 'templates/bad.hbs', path: `${dirOf}/bad` } }] };
    const { summary } = await run(ws, play);
    assert.match(task(summary, 'm1', 'Bad template').msg ?? '', /bad\.hbs:1.*undefined variable "nosuch"/);
    assert.equal(exitCodeOf(summary), 2);
  });

  it('stops starting tasks once interrupted and reports the run as interrupted', async () => {
    const controller = new AbortController();
    const { summary } = await run(ws, sitePlay, {
      signal: controller.signal,
      emit: (e) => {
        if (e.type === 'task-result' && e.result.name === 'Write motd') controller.abort();
      },
    });
    assert.equal(summary.interrupted, true);
    assert.equal(summary.hosts.m1.interrupted, true);
    assert.equal(exitCodeOf(summary), 130);
    assert.equal(existsSync(join(ws.root, 'm1', 'motd')), true);
    assert.equal(existsSync(join(ws.root, 'm1', 'conf')), false);
  });

  it("sends a loop's items without waiting, yet each item sees the earlier ones' files and results keep the items' order", async () => {
    // Each directory lies inside the one before: it fails unless the agent made the earlier one first.
    const depth = Array.from({ length: 60 }, (_, i) => Array.from({ length: i + 1 }, (_, j) => `d${j}`).join('/'));
    const play = {
      name: 'loops',
      hosts: 'masters',
      vars: { depth, missing: ['motd', 'nothing-here', 'motd'] },
      tasks: [
        { name: 'Nest', loop: '{{depth}}', directory: { path: `${dirOf}/{{item}}`, mode: '0755' }, register: 'nested' },
        { name: 'Write motd', file: { path: `${dirOf}/motd`, content: 'x\n' } },
        { name: 'Look', loop: '{{missing}}', stat: { path: `${dirOf}/{{item}}` }, register: 'looked' },
        { name: 'Report', debug: { msg: '{{#each looked.results}}{{data.exists}} {{/each}}|{{nested.results.length}}' } },
        { name: 'One item fails, the others run', loop: ['ok1', 'd0/d1/../../../../../no/such/dir/f', 'ok2'], file: { path: `${dirOf}/{{item}}`, content: 'x\n' } },
      ],
      handlers: [],
    };
    const { summary } = await run(ws, play);
    const dir = join(ws.root, 'm1');
    assert.equal(task(summary, 'm1', 'Nest').status, 'changed');
    assert.equal(existsSync(join(dir, depth[depth.length - 1])), true);
    assert.equal(task(summary, 'm1', 'Report').msg, 'true false true |60');
    const failing = task(summary, 'm1', 'One item fails, the others run');
    assert.equal(failing.status, 'failed');
    assert.match(failing.msg ?? '', /no\/such\/dir/);
    assert.equal(readFileSync(join(dir, 'ok1'), 'utf8'), 'x\n');
    assert.equal(readFileSync(join(dir, 'ok2'), 'utf8'), 'x\n');
  });
});
