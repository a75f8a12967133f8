import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeWorkspace, masterEntry, type Workspace } from './workspace.js';

const BIN = fileURLToPath(new URL('../../../packages/controller/bin/run.js', import.meta.url));

/** Runs the CLI; resolves with its exit code and output, or null if it has not exited after `limitMs`. */
function cliWithin(limitMs: number, env: NodeJS.ProcessEnv, args: string[]) {
  return new Promise<{ code: number | null; stdout: string; stderr: string } | null>((resolve) => {
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

  it('fails that master with a message naming it, and the CLI exits by itself', async () => {
    ws.inventory({ m1: masterEntry() });
    // The command's shell is a child of the agent: it kills the agent.
    const playbook = ws.write('die.json', {
      name: 'die',
      hosts: 'masters',
      tasks: [
        { name: 'Kill the agent', command: { shell: 'kill -9 $PPID; sleep 1' } },
        { name: 'Still here', command: { argv: ['true'] } },
      ],
    });
    const result = await cliWithin(30_000, { ...process.env, DISKLESS_LOCK_DIR: ws.lockDir, NO_COLOR: '1' }, [
      'apply', playbook, '-i', join(ws.dir, 'inventory.json'), '--json', '--forks', '4',
    ]);
    assert.ok(result, 'the CLI did not exit within 30 s');
    assert.notEqual(result.code, 0);
    const doc = JSON.parse(result.stdout);
    assert.equal(doc.ok, false);
    const m1 = JSON.stringify(doc.hosts.m1);
    assert.match(m1, /agent on m1 stopped/);
    assert.ok(doc.hosts.m1.failed > 0 || doc.hosts.m1.unreachable, m1);
  });
});
