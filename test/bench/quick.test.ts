// The benchmark's quick mode, end to end on a lab of its own: it must complete and
// leave a results file of the expected shape. Timings are not asserted.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = fileURLToPath(new URL('../../', import.meta.url));

const isSummary = (x: unknown): boolean => {
  const s = x as { median: unknown; min: unknown; max: unknown; samples: unknown };
  return typeof s?.median === 'number' && typeof s.min === 'number' && typeof s.max === 'number' && Array.isArray(s.samples) && s.min <= s.median && s.median <= s.max;
};

describe('npm run bench -- --quick', function () {
  // 6 to 13 minutes on the shared 2-CPU lab machine under other tests' load (the
  // slaves' initramfs alone took 15 to 290 s); the limit only catches a run that hangs.
  this.timeout(25 * 60_000);
  const resultsDir = mkdtempSync(join(tmpdir(), 'diskless-bench-results-'));
  after(() => rmSync(resultsDir, { recursive: true, force: true }));

  let labName = '';

  it('measures both tools and writes a results file', () => {
    const run = spawnSync('npm', ['run', '-s', 'bench', '--', '--quick', '--results-dir', resultsDir], { cwd: repo, encoding: 'utf8' });
    assert.equal(run.status, 0, `the quick benchmark failed:\n${run.stdout}\n${run.stderr}`);
    assert.match(run.stdout, /\| no-op re-run \|/);
    assert.match(run.stdout, /\| first run \(from a reset master\) \|/);
    // Equal work both ways: diskless finds nothing to do where Ansible ran, and (the
    // scaling step's Ansible run, checked for changed=0) the other way round.
    assert.match(run.stderr, /site, cross-check 1\/1: diskless changes nothing where Ansible ran/);
    assert.match(run.stderr, /scaling, 1 masters, ansible: /);
    labName = /bringing up lab (\w+)/.exec(run.stderr)?.[1] ?? '';
    assert.ok(labName, 'the benchmark did not say which lab it built');

    const files = readdirSync(resultsDir);
    assert.equal(files.length, 1, `expected one results file, found ${files.join(', ')}`);
    assert.match(files[0], /-quick\.json$/);
    const r = JSON.parse(readFileSync(join(resultsDir, files[0]), 'utf8'));
    assert.equal(r.mode, 'quick');
    assert.equal(r.options.n, 10);
    assert.equal(r.equalWork.masters, 2);
    for (const phase of ['first', 'noop']) {
      for (const key of ['diskless', 'ansible', 'ratio']) assert.ok(isSummary(r.equalWork[phase][key]), `equalWork.${phase}.${key}`);
    }
    assert.ok(isSummary(r.equalWork.perItemOverheadMs));
    assert.equal(r.site.masters, 1);
    for (const phase of ['first', 'noop']) {
      for (const key of ['diskless', 'ansible', 'ratio']) assert.ok(isSummary(r.site[phase][key]), `site.${phase}.${key}`);
    }
    assert.deepEqual(r.scaling.map((s: { masters: number }) => s.masters), [1, 2]);
    for (const step of r.scaling) {
      assert.ok(isSummary(step.diskless.wallMs) && isSummary(step.diskless.controllerPeakRssMb), `scaling step ${step.masters}`);
      assert.ok(step.diskless.agentPeakRssMb > 0, `no agent memory seen on ${step.masters} masters`);
      if (step.masters <= r.options.ansibleScaleMax) assert.ok(isSummary(step.ansible.wallMs), `ansible on ${step.masters} masters`);
      else assert.equal(step.ansible, null, `ansible ran on ${step.masters} masters, beyond --ansible-scale-max`);
    }
    assert.equal(r.options.ansibleScaleMax, 1);
    assert.ok(r.site.noop.ratio.median > 0);
    for (const step of r.scaling) assert.ok(step.diskless.controllerCpuS.median > 0 && step.diskless.cpuPerMasterS.median > 0, `CPU figures of step ${step.masters}`);
    assert.ok(r.targets['equal work no-op re-run, Ansible / diskless'].value > 0);
    // Slaves per master: each run checked by the benchmark (changes, then none after it).
    assert.deepEqual(r.slavesPerMaster.map((s: { slaves: number }) => s.slaves), [2, 4]);
    for (const step of r.slavesPerMaster) {
      for (const key of ['firstMs', 'noopMs', 'addMs', 'removeMs']) assert.ok(isSummary(step[key]), `slaves per master ${step.slaves}: ${key}`);
      // The quick mode leaves Ansible out of this step (--ansible-slaves-max 0), so CI time does not grow.
      assert.equal(step.ansible, null, `ansible ran with ${step.slaves} slaves in the quick mode`);
    }
    assert.equal(r.options.ansibleSlavesMax, 0);
    assert.match(run.stdout, /\| per slave \(ms\) \|/);
    assert.match(run.stderr, /slaves per master, 4 slaves, removing one 1\/1: /);
    // The boot storm: every client got every byte (the client checks each size), over each transport.
    assert.equal(r.bootStorm.clients, 4);
    assert.deepEqual(r.bootStorm.runs.map((x: { transport: string }) => x.transport), ['tftp', 'tftp-blksize', 'http']);
    const expected = [...r.bootStorm.files.boot, ...r.bootStorm.files.usr].reduce((a: number, f: { bytes: number }) => a + f.bytes, 0);
    for (const x of r.bootStorm.runs) {
      assert.equal(x.bytesPerClient, expected, `${x.transport}: bytes per client`);
      assert.ok(x.lastMs >= x.doneMs.max && isSummary(x.rootMs) && x.rootEntries.min > 10, `${x.transport}: times and root`);
      assert.ok(x.masterCpuS > 0, `${x.transport}: the master's CPU was not seen`);
    }
    assert.equal(r.bootStorm.runs[1].blksize, r.bootStorm.mtu - 32);
    assert.match(run.stdout, /\| HTTP \(lighttpd\) \|/);
  });

  it('left no lab behind', () => {
    assert.ok(labName, 'the benchmark did not run');
    const leftovers = readdirSync('/run/netns').filter((ns) => ns.startsWith(`${labName}-`));
    assert.deepEqual(leftovers, []);
  });
});
