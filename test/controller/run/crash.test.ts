// A bug in the controller: exit 250 and a short message saying so; the stack only on
// request. The real `apply` command runs in this process with one broken engine part.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import Apply from '../../../packages/controller/src/commands/apply.js';
import type { EngineParts } from '../../../packages/controller/src/engine/engine-parts.js';
import { CONTROLLER_ROOT } from '../../../packages/controller/src/package-root.js';
import { makeWorkspace, masterEntry, type Workspace } from './workspace.js';

class ApplyWithBrokenConnector extends Apply {
  protected engineParts(): EngineParts {
    return {
      ...super.engineParts(),
      connector: async () => {
        throw new TypeError("Cannot read properties of undefined (reading 'host')");
      },
    };
  }
}

/** Runs the command here, catching what it prints and the exit code it sets. */
async function runInProcess(argv: string[], debug?: string) {
  const saved = { exitCode: process.exitCode, stdout: process.stdout.write, stderr: process.stderr.write, debug: process.env.DISKLESS_DEBUG };
  let stdout = '';
  let stderr = '';
  process.stdout.write = ((chunk: string) => ((stdout += chunk), true)) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string) => ((stderr += chunk), true)) as typeof process.stderr.write;
  setDebug(debug);
  try {
    await ApplyWithBrokenConnector.run(argv, CONTROLLER_ROOT);
    return { code: process.exitCode, stdout, stderr };
  } finally {
    Object.assign(process.stdout, { write: saved.stdout });
    Object.assign(process.stderr, { write: saved.stderr });
    setDebug(saved.debug);
    process.exitCode = saved.exitCode;
  }
}

function setDebug(value: string | undefined): void {
  if (value === undefined) delete process.env.DISKLESS_DEBUG;
  else process.env.DISKLESS_DEBUG = value;
}

const STACK_LINE = /^\s+at /m;

describe('a crash inside the controller', function () {
  this.timeout(30_000);
  let ws: Workspace;
  let args: string[];

  beforeEach(() => {
    ws = makeWorkspace();
    ws.inventory({ m1: masterEntry() });
    const playbook = ws.write('p.json', { name: 'p', hosts: 'masters', tasks: [{ name: 'Write', file: { path: '{{root}}/x', content: 'x' } }] });
    args = [playbook, '-i', join(ws.dir, 'inventory.json'), '--state-dir', join(ws.dir, 'state')];
  });
  afterEach(() => ws.remove());

  it('exits 250 with a short message saying it is a bug, and no stack trace', async () => {
    const { code, stderr } = await runInProcess(args);
    assert.equal(code, 250);
    assert.match(stderr, /^error: internal error, a bug in diskless: Cannot read properties of undefined \(reading 'host'\)$/m);
    assert.match(stderr, /DISKLESS_DEBUG=1/, 'says how to see more');
    assert.doesNotMatch(stderr, STACK_LINE);
    assert.equal(existsSync(join(ws.root, 'x')), false);
  });

  it('says so in JSON with --json, still 250', async () => {
    const { code, stdout } = await runInProcess([...args, '--json']);
    assert.equal(code, 250);
    assert.deepEqual(JSON.parse(stdout), { ok: false, error: "internal error, a bug in diskless: Cannot read properties of undefined (reading 'host')" });
  });

  it('prints the stack with --verbose or DISKLESS_DEBUG=1', async () => {
    const verbose = await runInProcess([...args, '--verbose']);
    assert.equal(verbose.code, 250);
    assert.match(verbose.stderr, /^TypeError: Cannot read properties/m);
    assert.match(verbose.stderr, STACK_LINE);
    const debug = await runInProcess(args, '1');
    assert.equal(debug.code, 250);
    assert.match(debug.stderr, STACK_LINE);
  });
});
