// The exit code a finished run maps to, case by case, and which code wins over which.
import assert from 'node:assert/strict';
import type { HostReport, RunSummary } from '../../../packages/controller/src/engine/events.js';
import { InputError, UnreachableError } from '../../../packages/controller/src/errors.js';
import { ExitCode, exitCodeOf, exitCodeOfError } from '../../../packages/controller/src/exit-codes.js';

const host = (over: Partial<HostReport> = {}): HostReport => ({ ok: 1, changed: 0, failed: 0, skipped: 0, unreachable: false, tasks: [], ...over });
const summary = (hosts: HostReport[], interrupted = false): RunSummary => ({
  ok: false,
  durationMs: 1,
  interrupted,
  hosts: Object.fromEntries(hosts.map((h, i) => [`m${i}`, h])),
});

describe('exit codes', () => {
  it('has one table with the codes the README promises', () => {
    assert.deepEqual(Object.values(ExitCode), [0, 1, 2, 3, 4, 130, 250]);
  });

  it('maps a run: 130 over 2 over 4 over 3; 3 only when asked for', () => {
    const changed = host({ changed: 1 });
    const failed = host({ failed: 1 });
    const down = host({ unreachable: true });
    const detailed = { detailedExitCode: true };
    assert.equal(exitCodeOf(summary([host()]), detailed), 0);
    assert.equal(exitCodeOf(summary([changed])), 0);
    assert.equal(exitCodeOf(summary([changed]), detailed), 3);
    assert.equal(exitCodeOf(summary([changed, down]), detailed), 4);
    assert.equal(exitCodeOf(summary([changed, failed]), detailed), 2);
    assert.equal(exitCodeOf(summary([down, failed]), detailed), 2);
    assert.equal(exitCodeOf(summary([down, failed], true), detailed), 130);
  });

  it('maps an error: bad input 1, unreachable 4, anything else a bug (250)', () => {
    assert.equal(exitCodeOfError(new InputError('bad')), 1);
    assert.equal(exitCodeOfError(new UnreachableError('m1', 'gone')), 4);
    assert.equal(exitCodeOfError(new TypeError('x is undefined')), 250);
    assert.equal(exitCodeOfError('a string thrown'), 250);
  });
});
