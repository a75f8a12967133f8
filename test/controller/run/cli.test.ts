import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BIN, cliEnv, runCli } from './cli-harness.js';
import { makeWorkspace, masterEntry, type Workspace } from './workspace.js';

const play = {
  name: 'files',
  hosts: 'masters',
  tasks: [
    { name: 'Make the directory', directory: { path: '{{root}}/{{master.name}}' } },
    { name: 'Write motd', file: { path: '{{root}}/{{master.name}}/motd', content: 'hi {{facts.hostname}}\n' } },
    { name: 'Write conf', template: { src: 'conf.hbs', path: '{{root}}/{{master.name}}/conf' } },
  ],
};

describe('diskless CLI', function () {
  this.timeout(60_000);
  let ws: Workspace;
  let stateDir: string;

  const cli = (...args: string[]) => runCli(ws, args);
  const inventory = () => join(ws.dir, 'inventory.json');

  beforeEach(() => {
    ws = makeWorkspace();
    stateDir = join(ws.dir, 'state');
    ws.inventory({ m1: masterEntry() });
    ws.write('playbooks/conf.hbs', 'master={{master.name}} os={{facts.os.family}}\n');
    ws.write('playbooks/files.json', play);
  });
  afterEach(() => ws.remove());

  it('applies with --json, exit 0, and a second run changes nothing', () => {
    const first = cli('apply', join(ws.dir, 'playbooks/files.json'), '-i', inventory(), '--json', '--state-dir', stateDir);
    assert.equal(first.code, 0, first.stderr);
    const doc = JSON.parse(first.stdout);
    assert.equal(doc.ok, true);
    assert.equal(typeof doc.durationMs, 'number');
    const m1 = doc.hosts.m1;
    assert.deepEqual(Object.keys(m1).sort(), ['changed', 'failed', 'ok', 'skipped', 'tasks', 'unreachable']);
    assert.equal(m1.failed, 0);
    assert.equal(m1.unreachable, false);
    assert.equal(m1.changed, 3);
    const motd = m1.tasks.find((t: { name: string }) => t.name === 'Write motd');
    for (const key of ['playbook', 'name', 'status', 'changed', 'durationMs']) assert.ok(key in motd, key);
    assert.equal(motd.playbook, 'files');
    assert.equal(motd.status, 'changed');
    assert.match(readFileSync(join(ws.root, 'm1', 'conf'), 'utf8'), /^master=m1 os=\w+/);
    assert.ok(existsSync(join(stateDir, 'facts', 'm1.json')), 'facts cached by apply');

    const second = cli('apply', join(ws.dir, 'playbooks/files.json'), '-i', inventory(), '--json', '--state-dir', stateDir);
    assert.equal(second.code, 0);
    assert.equal(JSON.parse(second.stdout).hosts.m1.changed, 0);
  });

  it('prints one plain line per task and a recap when stdout is not a terminal', () => {
    const { code, stdout } = cli('apply', join(ws.dir, 'playbooks/files.json'), '-i', inventory(), '--state-dir', stateDir, '--diff');
    assert.equal(code, 0);
    assert.match(stdout, /^m1 \| files \| Write motd \| changed \(\d+m?s\)$/m);
    assert.match(stdout, /^\s+\+hi /m, '--diff shows the diff');
    assert.match(stdout, /^MASTER\s+OK\s+CHANGED\s+FAILED\s+SKIPPED\s+UNREACHABLE$/m);
    assert.match(stdout, /^m1\s+4\s+3\s+0\s+0\s+no$/m);
  });

  it('exits 2 when a task fails, 4 when a master is unreachable, 2 when both', () => {
    const knownHosts = ws.write('known_hosts', '');
    const down = masterEntry({ host: '127.0.0.1', port: 1, knownHosts, timeoutMs: 3000 });
    ws.write('fail.json', { name: 'fail', hosts: 'm1', tasks: [{ name: 'Fail', command: { argv: ['false'] } }] });

    ws.inventory({ m1: masterEntry(), down });
    const unreachable = cli('apply', join(ws.dir, 'playbooks/files.json'), '-i', inventory(), '--json', '--state-dir', stateDir);
    assert.equal(unreachable.code, 4, unreachable.stderr);
    const doc = JSON.parse(unreachable.stdout);
    assert.equal(doc.ok, false);
    assert.equal(doc.hosts.down.unreachable, true);
    assert.match(doc.hosts.down.msg, /ECONNREFUSED/);
    assert.equal(doc.hosts.m1.failed, 0);

    const both = cli('apply', join(ws.dir, 'fail.json'), '-i', inventory(), '--json', '--state-dir', stateDir);
    assert.equal(both.code, 2);

    const failed = cli('apply', join(ws.dir, 'fail.json'), '-i', inventory(), '--limit', 'm1', '--state-dir', stateDir);
    assert.equal(failed.code, 2);
    assert.match(failed.stdout, /m1 \| fail \| Fail \| failed/);
  });

  it('exits 1 with one clear message on bad input, touching nothing', () => {
    const missing = cli('apply', join(ws.dir, 'nope.json'), '-i', inventory(), '--state-dir', stateDir);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /nope\.json.*not found/);
    assert.doesNotMatch(missing.stderr, /^\s+at /m, 'no stack trace');

    const json = cli('apply', join(ws.dir, 'nope.json'), '-i', inventory(), '--json', '--state-dir', stateDir);
    assert.equal(json.code, 1);
    assert.equal(JSON.parse(json.stdout).ok, false);

    const limit = cli('apply', join(ws.dir, 'playbooks/files.json'), '-i', inventory(), '--limit', 'm9', '--state-dir', stateDir);
    assert.equal(limit.code, 1);
    assert.match(limit.stderr, /--limit names no master called m9/);

    const usage = cli('apply', join(ws.dir, 'playbooks/files.json'));
    assert.equal(usage.code, 1);
    assert.match(usage.stderr, /inventory/);

    assert.equal(existsSync(join(ws.root, 'm1')), false);
  });

  it('validate reports every problem at once and connects to nothing', () => {
    ws.write('bad.json', {
      name: 'bad',
      hosts: 'masters',
      tasks: [
        { name: 'Bad condition', when: 'facts.os ===', debug: { msg: 'x' } },
        { name: 'Bad assert', assert: { that: ['a b'] } },
      ],
    });
    const { code, stderr } = cli('validate', join(ws.dir, 'bad.json'), '-i', inventory());
    assert.equal(code, 1);
    assert.match(stderr, /2 problems found/);
    assert.match(stderr, /bad\.json:\d+:\d+ at \/tasks\/0\/when: .*column 12/);
    assert.match(stderr, /bad\.json:\d+:\d+ at \/tasks\/1\/assert\/that\/0: unexpected token/);

    const good = cli('validate', join(ws.dir, 'playbooks/files.json'), '-i', inventory());
    assert.equal(good.code, 0, good.stderr);
    assert.match(good.stdout, /ok: 1 master\(s\), 1 play\(s\), 3 task\(s\)/);
  });

  it('facts caches what render then uses offline', () => {
    const facts = cli('facts', '-i', inventory(), '--json', '--state-dir', stateDir);
    assert.equal(facts.code, 0, facts.stderr);
    const family = JSON.parse(facts.stdout).hosts.m1.facts.os.family;
    assert.equal(typeof family, 'string');

    const table = cli('facts', '-i', inventory(), '--state-dir', stateDir);
    assert.equal(table.code, 0);
    assert.match(table.stdout, /^MASTER\s+HOSTNAME\s+OS\s+INIT\s+PACKAGES\s+KERNEL\s+INTERFACES\n/);
    assert.match(table.stdout, new RegExp(`^m1\\s+\\S+\\s+${family}`, 'm'));

    const render = cli('render', join(ws.dir, 'playbooks/files.json'), '-i', inventory(), '--limit', 'm1', '--state-dir', stateDir);
    assert.equal(render.code, 0, render.stderr);
    assert.match(render.stdout, new RegExp(`==> ${ws.root}/m1/conf  \\(files: Write conf\\)\\nmaster=m1 os=${family}\\n`));
    assert.equal(existsSync(join(ws.root, 'm1')), false, 'render writes nothing');

    const noFacts = cli('render', join(ws.dir, 'playbooks/files.json'), '-i', inventory(), '--limit', 'm1', '--state-dir', join(ws.dir, 'empty'));
    assert.equal(noFacts.code, 1);
    assert.match(noFacts.stderr, /no cached facts for m1/);
    assert.match(noFacts.stderr, /conf\.hbs:1:\d+: undefined variable "facts\.os/);
  });
});

describe('diskless CLI interrupted', function () {
  this.timeout(60_000);

  it('lets the task in flight finish on Ctrl-C, prints the recap and exits 130', async () => {
    const { spawn } = await import('node:child_process');
    const ws = makeWorkspace();
    try {
      ws.inventory({ m1: masterEntry() });
      const marker = join(ws.root, 'slow-done');
      ws.write('slow.json', {
        name: 'slow',
        hosts: 'masters',
        tasks: [
          { name: 'Slow', command: { shell: `echo started; sleep 2; touch ${marker}` } },
          { name: 'After', file: { path: join(ws.root, 'after'), content: 'x' } },
        ],
      });
      const child = spawn(process.execPath, [BIN, 'apply', join(ws.dir, 'slow.json'), '-i', join(ws.dir, 'inventory.json'), '-v', '--state-dir', join(ws.dir, 'state')], {
        env: cliEnv(ws),
      });
      let stdout = '';
      let stderr = '';
      child.stderr.on('data', (d) => (stderr += d));
      const code = await new Promise<number | null>((resolve) => {
        child.stdout.on('data', (d) => {
          stdout += d;
          if (stdout.includes('stdout: started') && !child.killed) child.kill('SIGINT');
        });
        child.on('exit', (c) => resolve(c));
      });
      assert.equal(code, 130, stderr);
      assert.match(stderr, /interrupted: finishing the tasks in flight/);
      assert.ok(existsSync(marker), 'the task in flight finished');
      assert.equal(existsSync(join(ws.root, 'after')), false, 'no task started after Ctrl-C');
      assert.match(stdout, /m1 \| slow \| Slow \| changed/);
      assert.match(stdout, /^m1\s+2\s+1\s+0\s+0\s+interrupted$/m);
      assert.match(stdout, /interrupted in \d/);
    } finally {
      ws.remove();
    }
  });
});
