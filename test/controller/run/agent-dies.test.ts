import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { BIN, cliEnv, type CliResult } from './cli-harness.js';
import { makeWorkspace, masterEntry, type Workspace } from './workspace.js';

/** Runs the CLI; resolves with its exit code and output, or null if it has not exited after `limitMs`. */
function cliWithin(limitMs: number, env: NodeJS.ProcessEnv, args: string[]) {
  return new Promise<CliResult | null>((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      resolve(null);
    }, limitMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

describe('an agent that dies mid-run', function () {
  this.timeout(60_000);
  let ws: Workspace;

  beforeEach(() => (ws = makeWorkspace()));
  afterEach(() => ws.remove());

  it('reports that master unreachable (exit 4) with a message naming it, and the CLI exits by itself', async () => {
    ws.inventory({ m1: masterEntry() });
    // The command's shell is a child of the agent's supervisor for it, whose parent is the agent: it kills the agent.
    const playbook = ws.write('die.json', {
      name: 'die',
      hosts: 'masters',
      tasks: [
        { name: 'Kill the agent', command: { shell: 'kill -9 $(ps -o ppid= -p $PPID); sleep 1' } },
        { name: 'Still here', command: { argv: ['true'] } },
      ],
    });
    const result = await cliWithin(30_000, cliEnv(ws), [
      'apply', playbook, '-i', join(ws.dir, 'inventory.json'), '--json', '--forks', '4',
    ]);
    assert.ok(result, 'the CLI did not exit within 30 s');
    assert.equal(result.code, 4, 'a lost agent is an unreachable master, not a failed task');
    const doc = JSON.parse(result.stdout);
    assert.equal(doc.ok, false);
    assert.equal(doc.hosts.m1.unreachable, true);
    assert.equal(doc.hosts.m1.failed, 0);
    assert.match(doc.hosts.m1.msg, /^agent on m1 stopped/);
  });
});
