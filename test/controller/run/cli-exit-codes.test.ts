// The exit codes are a contract: each case pinned to its exact code, through the CLI.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from './cli-harness.js';
import { oneFilePlay } from './run-playbook.js';
import { makeWorkspace, masterEntry, type Workspace } from './workspace.js';

describe('CLI exit codes', function () {
  this.timeout(60_000);
  let ws: Workspace;
  let playbook: string;

  const inventory = () => join(ws.dir, 'inventory.json');
  // One master at a time: local masters run by one CLI share its run lock.
  const apply = (...args: string[]) =>
    runCli(ws, ['apply', playbook, '-i', inventory(), '--forks', '1', '--state-dir', join(ws.dir, 'state'), ...args]);
  const unreachableMaster = () => masterEntry({ host: '127.0.0.1', port: 1, knownHosts: ws.write('known_hosts', ''), timeoutMs: 3000 });

  beforeEach(() => {
    ws = makeWorkspace();
    ws.inventory({ m1: masterEntry(), m2: masterEntry() });
    playbook = ws.write('writes.json', oneFilePlay);
  });
  afterEach(() => ws.remove());

  describe('apply --check --detailed-exitcode', () => {
    it('exits 3 while changes are pending, 0 once there are none, and keeps the report shape', () => {
      const pending = apply('--check', '--detailed-exitcode', '--json');
      assert.equal(pending.code, 3, pending.stderr);
      const doc = JSON.parse(pending.stdout);
      assert.equal(doc.ok, true, 'pending changes are no failure');
      assert.deepEqual(Object.keys(doc.hosts.m1).sort(), ['changed', 'failed', 'ok', 'skipped', 'tasks', 'unreachable']);
      assert.deepEqual(
        doc.hosts.m1.tasks.map((t: { name: string; changed: boolean }) => [t.name, t.changed]),
        [['Write the file', true]],
      );
      assert.equal(existsSync(join(ws.root, 'm1')), false, '--check changed nothing');

      assert.equal(apply('--check').code, 0, 'without --detailed-exitcode pending changes exit 0');
      assert.equal(apply().code, 0);
      const clean = apply('--check', '--detailed-exitcode');
      assert.equal(clean.code, 0, clean.stderr);
    });

    it('exits 2 over 3 when a task fails, 4 over 3 when a master is unreachable', () => {
      ws.inventory({ m1: masterEntry(), down: unreachableMaster() });
      assert.equal(apply('--check', '--detailed-exitcode').code, 4);
      ws.write('writes.json', { ...oneFilePlay, tasks: [...oneFilePlay.tasks, { name: 'Fail', assert: { that: ['false'] } }] });
      assert.equal(apply('--check', '--detailed-exitcode').code, 2);
    });

    it('refuses --detailed-exitcode without --check: exit 1, naming both, with --json too', () => {
      const plain = apply('--detailed-exitcode');
      assert.equal(plain.code, 1);
      assert.match(plain.stderr, /--detailed-exitcode.*--check/);
      const json = apply('--detailed-exitcode', '--json');
      assert.equal(json.code, 1);
      assert.equal(JSON.parse(json.stdout).ok, false);
      assert.equal(existsSync(join(ws.root, 'm1')), false);
    });
  });

  describe('selectors', () => {
    const blanks: Array<[string, string[]]> = [
      ['--limit', ['--limit', '']],
      ['--limit', ['--limit=']],
      ['--limit', ['--limit', ',']],
      ['--limit', ['--limit', 'm1,,m2']],
      ['--limit', ['--limit', 'm1, ']],
      ['--tags', ['--tags', ' ']],
      ['--tags', ['-t', 'a,,b']],
    ];
    for (const [flag, args] of blanks) {
      it(`refuses ${JSON.stringify(args.join(' '))}: exit 1 naming ${flag}, nothing touched`, () => {
        const { code, stdout, stderr } = apply(...args);
        assert.equal(code, 1, stdout);
        assert.match(stderr, new RegExp(`${flag}: an empty entry is not allowed`));
        assert.equal(existsSync(join(ws.root, 'm1')), false);
      });
    }

    it('refuses blank entries with --json too: exit 1 and a JSON error naming the flag', () => {
      for (const [flag, args] of [blanks[0], blanks[5]]) {
        const { code, stdout } = apply(...args, '--json');
        assert.equal(code, 1);
        assert.match(JSON.parse(stdout).error, new RegExp(`${flag}: an empty entry`));
      }
    });

    it('refuses a blank --limit to facts too', () => {
      const facts = runCli(ws, ['facts', '-i', inventory(), '--limit', ',', '--state-dir', join(ws.dir, 'state')]);
      assert.equal(facts.code, 1);
      assert.match(facts.stderr, /--limit: an empty entry/);
    });

    it('refuses a --limit naming no master of the inventory: exit 1, for apply and facts', () => {
      const partly = apply('--limit', 'm1,m9');
      assert.equal(partly.code, 1);
      assert.match(partly.stderr, /--limit names no master called m9/);
      assert.equal(existsSync(join(ws.root, 'm1')), false, 'not even the known master is touched');
      const facts = runCli(ws, ['facts', '-i', inventory(), '--limit', 'm9', '--json', '--state-dir', join(ws.dir, 'state')]);
      assert.equal(facts.code, 1);
      assert.match(JSON.parse(facts.stdout).error, /--limit names no master called m9/);
    });

    it('takes repeated and spaced entries, and leaves a playbook after --limit an argument', () => {
      assert.equal(apply('--limit', 'm1', '--limit', ' m2 ').code, 0);
      assert.ok(existsSync(join(ws.root, 'm2')));
      const before = runCli(ws, ['apply', '--limit', 'm1', playbook, '-i', inventory(), '--forks', '1', '--state-dir', join(ws.dir, 'state')]);
      assert.equal(before.code, 0, before.stderr);
    });
  });

  describe('usage', () => {
    it('exits 1 for an unknown flag or command (oclif would say 2, which means a failed task here)', () => {
      assert.equal(apply('--no-such-flag').code, 1);
      const unknown = runCli(ws, ['nosuch']);
      assert.equal(unknown.code, 1);
      assert.match(unknown.stderr, /unknown command "nosuch": the commands are apply, discover, facts, init, render, status, validate/);
      assert.equal(runCli(ws, ['render', playbook, '-i', inventory(), '--host', 'm9']).code, 1);
    });

    it('exits 0 for --help', () => {
      const help = runCli(ws, ['apply', '--help']);
      assert.equal(help.code, 0);
      assert.match(help.stdout, /--detailed-exitcode/);
      assert.match(help.stdout, /250\s+an\s+internal\s+error/);
    });
  });

  it('facts exits 4 when a master is unreachable', () => {
    ws.inventory({ m1: masterEntry(), down: unreachableMaster() });
    const facts = runCli(ws, ['facts', '-i', inventory(), '--json', '--state-dir', join(ws.dir, 'state')]);
    assert.equal(facts.code, 4, facts.stderr);
    assert.equal(JSON.parse(facts.stdout).hosts.down.unreachable, true);
  });
});
