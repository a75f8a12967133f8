// Faults on real lab masters (lab "flt"), each checked from outside: the --json report
// and exit code, the masters' own disks and processes. A dropped SSH session and a cut
// link, the agent killed while it writes a large file or builds the slaves' initramfs,
// a full disk, a failing validate command, Ctrl-C, two controllers at once, a master
// that accepts TCP and never speaks SSH. The lab, and everything a test adds to it (a
// tmpfs, a downed link, a listener), goes in `after`, also when a test fails.
import assert from 'node:assert/strict';
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { hostname, tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freeManagementNetwork, type InventoryDocument, type Lab, labDown, labExec, labUp, masterRootPath, writeLabInventory } from '../lab/index.js';
import { processesRootedUnder } from '../lab/processes.js';
import { type HostRecap, repoRoot } from './slave-clients.js';
import { needs, rootMissing } from '../needs.js';

const LAB = 'flt';
const BIN = join(repoRoot, 'packages/controller/bin/run.js');
const MASTERS = ['master-a', 'master-b'];
// master-a works longer in the slow task, so it is still at work when its connection goes
const NAP = { 'master-a': 12, 'master-b': 3 };
const FAST_KEEPALIVE = { keepaliveIntervalMs: 500, keepaliveCountMax: 2 }; // a cut link shows after 1.5 s
const MUTE_TIMEOUT_MS = 2000;
const MUTE_PORT = 2222;

interface Run {
  child: ChildProcess;
  done: Promise<{ code: number | null; stdout: string; stderr: string; ms: number }>;
}

/** The CLI as a user runs it, in the background. */
function startCli(args: string[]): Run {
  const started = Date.now();
  const child = spawn(process.execPath, [BIN, ...args], { cwd: repoRoot, env: { ...process.env, NO_COLOR: '1' } });
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const done = new Promise<{ code: number | null; stdout: string; stderr: string; ms: number }>((resolve) =>
    child.on('close', (code) => resolve({ code, stdout, stderr, ms: Date.now() - started })),
  );
  return { child, done };
}

interface Report {
  code: number | null;
  ms: number;
  hosts: Record<string, HostRecap & { locked?: boolean; msg?: string }>;
  text: string;
}

async function finished(run: Run): Promise<Report> {
  const r = await run.done;
  try {
    return { code: r.code, ms: r.ms, hosts: JSON.parse(r.stdout).hosts, text: r.stdout + r.stderr };
  } catch {
    throw new Error(`diskless exited ${r.code} without a JSON report:\n${r.stdout}\n${r.stderr}`);
  }
}

const describeReport = (report: Report) => JSON.stringify(report.hosts, (k, v) => (k === 'diff' ? undefined : v));

async function until(what: string, test: () => boolean, limitMs: number, everyMs = 20): Promise<number> {
  const started = Date.now();
  while (!test()) {
    if (Date.now() - started > limitMs) throw new Error(`${what}: not within ${limitMs} ms`);
    await sleep(everyMs);
  }
  return Date.now() - started;
}

const sha256 = (data: Buffer | string) => createHash('sha256').update(data).digest('hex');
const MAKE_DIR = { name: 'Make the directory', directory: { path: '/srv/faults' } };

describe('faults on real masters (lab "flt")', function () {
  this.timeout(5 * 60_000);
  let dir: string;
  let lab: Lab;
  let inventory: string;
  let fastInventory: string;
  const children: ChildProcess[] = [];
  const cleanups: (() => Promise<void> | void)[] = [];

  const onMaster = (master: string, path: string) => join(masterRootPath(lab, master), path);
  const masterOf = (name: string) => lab.masters.find((m) => m.name === name)!;
  const book = (name: string, doc: unknown) => {
    const file = join(dir, `${name}.json`);
    writeFileSync(file, JSON.stringify(doc, null, 2));
    return file;
  };
  /** A playbook of these tasks on every master, without facts; `MAKE_DIR` first where /srv/faults may be missing. */
  const playbookOf = (name: string, ...tasks: object[]) => book(name, { name, hosts: 'masters', gather_facts: false, tasks });
  const cli = (args: string[]) => {
    const run = startCli(args);
    children.push(run.child);
    return run;
  };
  const apply = (playbook: string, inv = inventory, extra: string[] = []) => cli(['apply', playbook, '-i', inv, '--json', ...extra]);
  /** The master's processes, seen from this machine: host pid and command line. */
  const processes = (master: string) =>
    processesRootedUnder(masterRootPath(lab, master)).flatMap((pid) => {
      try {
        return [{ pid, cmd: readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim() }];
      } catch {
        return [];
      }
    });
  const agentOn = (master: string) => processes(master).find((p) => /\/var\/cache\/diskless\/agent-\w+\.mjs --stdio/.test(p.cmd));
  const running = (master: string, pattern: RegExp) => processes(master).filter((p) => pattern.test(p.cmd));
  const tempFilesIn = (master: string, path: string) => readdirSync(onMaster(master, path)).filter((n) => n.includes('.diskless-') || n.includes('.new'));

  /** A playbook whose second task works `nap` seconds per master, guarded by a marker it leaves. */
  const slowPlaybook = () =>
    playbookOf(
      'slow',
      MAKE_DIR,
      { name: 'Work a while', command: { shell: 'echo $$ > /srv/faults/slow.pid; sleep {{nap}}; touch /srv/faults/slow.done', creates: '/srv/faults/slow.done' } },
      { name: 'Write after it', file: { path: '/srv/faults/after', content: 'after on {{master.name}}\n' } },
    );

  /** A dropped master was given up, the other finished, and nothing of the run goes on there. */
  async function droppedMidRun(report: Report, message: RegExp) {
    assert.equal(report.code, 4, describeReport(report));
    assert.equal(report.hosts['master-a'].unreachable, true);
    assert.match(report.hosts['master-a'].msg ?? '', message);
    assert.equal(report.hosts['master-b'].failed, 0, describeReport(report));
    assert.equal(report.hosts['master-b'].unreachable, false);
    assert.ok(existsSync(onMaster('master-b', '/srv/faults/slow.done')) && existsSync(onMaster('master-b', '/srv/faults/after')));
    // the agent behind the lost connection stops, and its command with it
    await until('the agent and its command on master-a end', () => !agentOn('master-a') && running('master-a', /^sleep 12$/).length === 0, 15_000);
    assert.equal(existsSync(onMaster('master-a', '/srv/faults/slow.done')), false, 'the command was stopped before its end');
    assert.equal(existsSync(onMaster('master-a', '/srv/faults/after')), false);
  }

  /** A second run converges on every master and a third changes nothing. */
  async function converges(playbook: string) {
    const again = await finished(apply(playbook));
    assert.equal(again.code, 0, describeReport(again));
    assert.ok(MASTERS.every((m) => existsSync(onMaster(m, '/srv/faults/after'))));
    const third = await finished(apply(playbook));
    assert.equal(third.code, 0, describeReport(third));
    for (const m of MASTERS) assert.equal(third.hosts[m].changed, 0, m);
  }

  before(async function () {
    needs(this, rootMissing('a lab'));
    assert.ok(!existsSync('/srv/faults'), '/srv/faults exists on this machine; the test could not tell the masters\' disks from it');
    dir = mkdtempSync(join(tmpdir(), 'diskless-faults-'));
    const gateway = await freeManagementNetwork();
    const example = join(repoRoot, 'examples/lab/inventory.json');
    const labInventory = writeLabInventory(example, dir, gateway);
    lab = await labUp({ inventoryFile: labInventory, name: LAB, managementCidr: `${gateway}/24` });
    // the CLI's inventories: the lab's, with each master's nap, and one with short keepalives
    const cliInventory = (name: string, ssh: object) => {
      const doc = JSON.parse(readFileSync(labInventory, 'utf8')) as InventoryDocument;
      for (const [master, entry] of Object.entries(doc.masters)) {
        entry.vars = { ...(entry.vars as object), nap: NAP[master as keyof typeof NAP] };
        entry.ssh = { ...entry.ssh, ...ssh };
      }
      const file = join(dir, `${name}.json`);
      writeFileSync(file, JSON.stringify(doc, null, 2));
      return file;
    };
    inventory = cliInventory('inventory', {});
    fastInventory = cliInventory('inventory-fast', FAST_KEEPALIVE);
  });

  beforeEach(() => {
    for (const m of MASTERS) rmSync(onMaster(m, '/srv/faults'), { recursive: true, force: true });
  });

  afterEach(async () => {
    for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  after(async function () {
    if (process.getuid?.() !== 0) return;
    await labDown({ name: LAB });
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("the master's SSH session killed mid-run: that master unreachable, the other finishes, its agent stops its command and lets go, a re-run converges", async () => {
    const playbook = slowPlaybook();
    const run = apply(playbook);
    await until('master-a is at work', () => existsSync(onMaster('master-a', '/srv/faults/slow.pid')), 60_000);
    const agent = agentOn('master-a')!;
    const session = Number(readFileSync(`/proc/${agent.pid}/stat`, 'utf8').split(') ')[1].split(' ')[1]);
    assert.match(readFileSync(`/proc/${session}/cmdline`, 'utf8'), /^sshd: root/, "the agent's parent is its sshd session");
    process.kill(session, 'SIGKILL');
    const report = await finished(run);
    await droppedMidRun(report, /agent on master-a stopped \((its SSH channel closed|the SSH connection (ended|closed))/);
    await converges(playbook);
  });

  it('the link to a master cut mid-run: given up after ssh.keepaliveIntervalMs × (keepaliveCountMax + 1); its agent, hearing nothing, stops too; a re-run converges', async () => {
    const playbook = slowPlaybook();
    const veth = masterOf('master-a').managementVeth;
    const run = apply(playbook, fastInventory);
    await until('master-a is at work', () => existsSync(onMaster('master-a', '/srv/faults/slow.pid')), 60_000);
    execFileSync('ip', ['link', 'set', veth, 'down']);
    const cut = Date.now();
    cleanups.push(() => void execFileSync('ip', ['link', 'set', veth, 'up']));
    const report = await finished(run);
    assert.ok(Date.now() - cut < 10_000, `the run ended ${Date.now() - cut} ms after the cut (master-a alone would work 12 s)`);
    await droppedMidRun(report, /Keepalive timeout/);
    const stopped = Date.now() - cut;
    assert.ok(stopped < 8000, `master-a's agent stopped ${stopped} ms after the cut`);
    execFileSync('ip', ['link', 'set', veth, 'up']);
    await converges(playbook);
  });

  it('the agent killed with SIGKILL while it writes a large file: the file is the old one, never part of the new; the re-run writes it whole and leaves no temp file', async () => {
    const path = '/srv/faults/big';
    const big = 'B'.repeat(64 * 1024 * 1024);
    writeFileSync(join(dir, 'big.txt'), big);
    const write = (what: 'old' | 'big') =>
      playbookOf('big', MAKE_DIR, { name: 'Write the large file', ...(what === 'old' ? { file: { path, content: 'old\n' } } : { template: { src: 'big.txt', path } }) });
    const old = await finished(apply(write('old'), inventory, ['--limit', 'master-a']));
    assert.equal(old.code, 0, describeReport(old));

    const run = apply(write('big'), inventory, ['--limit', 'master-a']);
    let agent: { pid: number } | undefined;
    await until('the agent runs', () => (agent = agentOn('master-a')) !== undefined, 60_000, 5);
    let seen = -1;
    await until('the write begins', () => tempFilesIn('master-a', '/srv/faults').length > 0, 60_000, 2);
    const temp = tempFilesIn('master-a', '/srv/faults')[0];
    try {
      seen = statSync(onMaster('master-a', `/srv/faults/${temp}`)).size;
    } catch {
      // renamed already
    }
    process.kill(agent!.pid, 'SIGKILL');
    const report = await finished(run);
    console.log(`      (killed the agent with ${seen} of ${big.length} bytes in ${temp})`);
    assert.equal(report.code, 4, describeReport(report));
    assert.match(report.hosts['master-a'].msg ?? '', /agent on master-a stopped/);
    const now = readFileSync(onMaster('master-a', path));
    assert.ok(now.equals(Buffer.from('old\n')) || sha256(now) === sha256(big), `${path} is ${now.length} bytes: part of the new content`);
    assert.ok(now.equals(Buffer.from('old\n')), 'killed before the rename, the old file stays');
    assert.deepEqual(tempFilesIn('master-a', '/srv/faults'), [temp], 'SIGKILL leaves the temp file; the next write removes it');

    const again = await finished(apply(write('big'), inventory, ['--limit', 'master-a']));
    assert.equal(again.code, 0, describeReport(again));
    assert.equal(sha256(readFileSync(onMaster('master-a', path))), sha256(big));
    assert.deepEqual(tempFilesIn('master-a', '/srv/faults'), []);
  });

  it("the agent killed while it builds the slaves' initramfs: the build stops with it, a run started at once converges, and initrd.img (the creates: guard) only ever appears whole", async () => {
    // A stand-in mkinitramfs on master-a (first on PATH): slow, and its output says whether it is whole.
    const stub = onMaster('master-a', '/usr/local/sbin/mkinitramfs');
    writeFileSync(
      stub,
      [
        '#!/bin/sh',
        'while [ $# -gt 0 ]; do case "$1" in -o) out="$2"; shift;; esac; shift; done',
        'echo $$ > /srv/faults/mkinitramfs.pid',
        'echo "stand-in initramfs" > "$out"',
        'i=0; while [ $i -lt 40 ]; do echo "part $i" >> "$out"; sleep 0.1; i=$((i + 1)); done',
        'echo whole >> "$out"',
      ].join('\n') + '\n',
      { mode: 0o755 },
    );
    cleanups.push(() => rmSync(stub, { force: true }));
    for (const f of ['initrd.img', 'bzImage']) rmSync(onMaster('master-a', `/diskless/${f}`), { force: true });
    const kernelPlaybook = join(repoRoot, 'playbooks/master-kernel.json');
    const initrd = onMaster('master-a', '/diskless/initrd.img');
    const whole = ['stand-in initramfs', ...Array.from({ length: 40 }, (_, i) => `part ${i}`), 'whole', ''].join('\n');
    const prepare = await finished(apply(playbookOf('dir', MAKE_DIR), inventory, ['--limit', 'master-a']));
    assert.equal(prepare.code, 0, describeReport(prepare));

    const first = apply(kernelPlaybook, inventory, ['--limit', 'master-a']);
    await until('mkinitramfs runs', () => existsSync(onMaster('master-a', '/srv/faults/mkinitramfs.pid')), 120_000);
    process.kill(agentOn('master-a')!.pid, 'SIGKILL');
    const killed = Date.now();
    const report = await finished(first);
    assert.equal(report.code, 4, describeReport(report));
    // the next run, started at once, waits for the lock the dying build still holds
    const second = apply(kernelPlaybook, inventory, ['--limit', 'master-a']);
    await until('the build is gone', () => running('master-a', /diskless-slave-kernel|mkinitramfs/).length === 0, 10_000);
    console.log(`      (the build ended ${Date.now() - killed} ms after its agent)`);
    assert.equal(existsSync(initrd), false, 'no initrd.img from the stopped build');
    const rerun = await finished(second);
    assert.equal(rerun.code, 0, describeReport(rerun));
    assert.equal(readFileSync(initrd, 'utf8'), whole);
    assert.deepEqual(tempFilesIn('master-a', '/diskless'), [], 'no .initrd.img.new* or .bzImage.new* left');
    const third = await finished(apply(kernelPlaybook, inventory, ['--limit', 'master-a']));
    assert.equal(third.code, 0);
    assert.equal(third.hosts['master-a'].changed, 0);
  });

  it("the master's disk full at the target: ENOSPC naming the path, the old file whole, no temp file left", async () => {
    await labExec(lab, 'master-a', ['mkdir', '-p', '/srv/faults/full']);
    // a 1 MiB tmpfs in master-a's own mount namespace
    await labExec(lab, 'master-a', ['mount', '-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', '/srv/faults/full']);
    cleanups.push(async () => void (await labExec(lab, 'master-a', ['umount', '/srv/faults/full'])));
    await labExec(lab, 'master-a', ['sh', '-c', 'echo old > /srv/faults/full/conf']);
    const playbook = playbookOf('full', { name: 'Write a large file', file: { path: '/srv/faults/full/conf', content: 'x'.repeat(2 * 1024 * 1024) } });
    const report = await finished(apply(playbook, inventory, ['--limit', 'master-a']));
    assert.equal(report.code, 2, describeReport(report));
    const failed = report.hosts['master-a'].tasks.find((t) => t.status === 'failed');
    assert.match(failed?.msg ?? '', /ENOSPC/);
    assert.match(failed?.msg ?? '', /cannot write \/srv\/faults\/full\/conf: no space left on the filesystem of \/srv\/faults\/full .*the old file is kept/);
    assert.equal((await labExec(lab, 'master-a', ['cat', '/srv/faults/full/conf'])).stdout, 'old\n');
    assert.equal((await labExec(lab, 'master-a', ['ls', '-A', '/srv/faults/full'])).stdout, 'conf\n');
  });

  it('a failing validate command: the task fails with its output, the old file stays byte for byte, no temp file', async () => {
    const target = onMaster('master-a', '/srv/faults/dhcpd.conf');
    const playbook = playbookOf('validate', {
      name: 'Write a checked file',
      file: { path: '/srv/faults/dhcpd.conf', content: 'broken\n', validate: "grep -q '^ok' %s || { echo 'line 1: not ok' >&2; exit 1; }" },
    });
    const first = await finished(apply(playbookOf('seed', MAKE_DIR), inventory, ['--limit', 'master-a']));
    assert.equal(first.code, 0);
    writeFileSync(target, 'ok old\n', { mode: 0o640 });
    const before = statSync(target);
    const report = await finished(apply(playbook, inventory, ['--limit', 'master-a']));
    assert.equal(report.code, 2, describeReport(report));
    const failed = report.hosts['master-a'].tasks.find((t) => t.status === 'failed');
    assert.match(failed?.msg ?? '', /validate .* failed for \/srv\/faults\/dhcpd\.conf \(exit 1\), the old file is kept: line 1: not ok/);
    assert.equal(readFileSync(target, 'utf8'), 'ok old\n');
    const after = statSync(target);
    assert.equal(after.ino, before.ino);
    assert.equal(after.mode, before.mode);
    assert.deepEqual(tempFilesIn('master-a', '/srv/faults'), []);
  });

  it('SIGINT: the running tasks finish, nothing more starts, the recap is printed, exit 130', async () => {
    const playbook = playbookOf(
      'int',
      MAKE_DIR,
      { name: 'Work three seconds', command: { shell: 'touch /srv/faults/int.started; sleep 3; touch /srv/faults/int.done' } },
      { name: 'Never reached', file: { path: '/srv/faults/int.second', content: 'x\n' } },
    );
    const run = cli(['apply', playbook, '-i', inventory]); // plain output, as in a terminal log
    await until('both masters at work', () => MASTERS.every((m) => existsSync(onMaster(m, '/srv/faults/int.started'))), 60_000);
    run.child.kill('SIGINT');
    const r = await run.done;
    assert.equal(r.code, 130, r.stdout + r.stderr);
    for (const m of MASTERS) {
      assert.ok(existsSync(onMaster(m, '/srv/faults/int.done')), `${m}: the task in flight finished`);
      assert.equal(existsSync(onMaster(m, '/srv/faults/int.second')), false, `${m}: no task started after Ctrl-C`);
      assert.match(r.stdout, new RegExp(`^${m} \\| int \\| Work three seconds \\| changed`, 'm'));
      assert.match(r.stdout, new RegExp(`^${m}\\s+\\d+\\s+\\d+\\s+0\\s+\\d+\\s+interrupted$`, 'm'));
    }
    assert.match(r.stdout, /^RECAP$/m);
    assert.match(r.stdout, /^interrupted in [\d.]+s$/m);
  });

  it('two controllers on one master: never interleaved, the second names the holder; of two started together the earlier gets every master', async () => {
    const race = (run: string, seconds = 2) =>
      playbookOf(`race-${run}`, MAKE_DIR, {
        name: 'Work',
        command: { shell: `echo "${run} start" >> /srv/faults/race.log; sleep ${seconds}; echo "${run} end" >> /srv/faults/race.log` },
      });
    const logOf = (m: string) => readFileSync(onMaster(m, '/srv/faults/race.log'), 'utf8').trim().split('\n');
    const holderOf = (run: Run) => `${userInfo().username}@${hostname()} ${run.child.pid}`;
    const first = apply(race('A'), inventory, ['--limit', 'master-a']);
    await until('A is at work', () => existsSync(onMaster('master-a', '/srv/faults/race.log')), 60_000);
    const second = await finished(apply(race('B'), inventory, ['--limit', 'master-a']));
    assert.equal(second.code, 4, describeReport(second));
    assert.equal(second.hosts['master-a'].locked, true);
    assert.ok(second.hosts['master-a'].msg?.includes(`master is locked by ${holderOf(first)}`), second.hosts['master-a'].msg);
    assert.equal((await finished(first)).code, 0);
    assert.equal(readFileSync(onMaster('master-a', '/srv/faults/race.log'), 'utf8'), 'A start\nA end\n');

    // two controllers started 0.05 s apart on both masters: the first gets every master
    rmSync(onMaster('master-a', '/srv/faults/race.log'));
    const a = apply(race('A'));
    await sleep(50);
    const b = apply(race('B'));
    const [ra, rb] = [await finished(a), await finished(b)];
    assert.equal(ra.code, 0, `the earlier run gets every master: ${describeReport(ra)}`);
    assert.ok(rb.code === 0 || rb.code === 4, describeReport(rb));
    for (const m of MASTERS) {
      const log = logOf(m);
      const runs = log.filter((line) => line.endsWith(' start')).map((line) => line[0]);
      assert.deepEqual(log, runs.flatMap((r) => [`${r} start`, `${r} end`]), `${m}: runs interleaved: ${log.join(', ')}`);
      assert.ok(runs.includes('A'), `${m}: the earlier run did not work there`);
      if (rb.hosts[m].locked) assert.ok(rb.hosts[m].msg?.includes(`master is locked by ${holderOf(a)}`), rb.hosts[m].msg);
      else assert.ok(runs.includes('B'), `${m}: B neither ran nor was refused`);
    }
    console.log(`      (B: ${MASTERS.map((m) => `${m} ${rb.hosts[m].locked ? 'locked' : 'ran'}`).join(', ')})`);

    // the earlier run (one master at a time) finds master-b taken by a later run: it waits
    // for it, without --wait-lock, and still gets every master
    for (const m of MASTERS) rmSync(onMaster(m, '/srv/faults/race.log'), { force: true });
    const earlier = apply(race('A'), inventory, ['--forks', '1']);
    await sleep(50);
    const later = await finished(apply(race('B', 4), inventory, ['--limit', 'master-b']));
    const done = await finished(earlier);
    assert.equal(later.code, 0, describeReport(later));
    assert.equal(done.code, 0, describeReport(done));
    const waited = done.hosts['master-b'].tasks.find((t) => t.name === 'Wait for the run lock');
    assert.equal(waited?.status, 'ok', describeReport(done));
    assert.deepEqual(logOf('master-b'), ['B start', 'B end', 'A start', 'A end']);
    assert.deepEqual(logOf('master-a'), ['A start', 'A end']);
  });

  it('a master that accepts TCP but never speaks SSH: unreachable within its connect timeout, the others unaffected', async () => {
    const b = masterOf('master-b');
    // a listener on master-b's address that never says a word
    const listener = spawn('ip', ['netns', 'exec', b.netns, process.execPath, '-e', `require('net').createServer((s) => s.on('error', () => {})).listen(${MUTE_PORT}, '${b.sshHost}')`], { stdio: 'ignore' });
    children.push(listener);
    await until('the listener listens', () => existsSync(`/proc/${listener.pid}`), 5000);
    const listening = async () =>
      new Promise<boolean>((resolve) => {
        const socket = connect({ host: b.sshHost, port: MUTE_PORT }, () => (socket.destroy(), resolve(true)));
        socket.on('error', () => resolve(false));
      });
    for (let i = 0; !(await listening()); i++) {
      if (i > 100) throw new Error('the silent listener did not start');
      await sleep(50);
    }
    const doc = JSON.parse(readFileSync(inventory, 'utf8')) as InventoryDocument;
    doc.masters.mute = {
      ...structuredClone(doc.masters['master-b']),
      ssh: { host: b.sshHost, port: MUTE_PORT, timeoutMs: MUTE_TIMEOUT_MS },
      lan: { interface: 'lan0', address: '192.168.9.1', prefix: 24 },
      slaves: {},
    };
    const withMute = join(dir, 'inventory-mute.json');
    writeFileSync(withMute, JSON.stringify(doc, null, 2));
    const playbook = playbookOf('small', MAKE_DIR);
    const report = await finished(apply(playbook, withMute));
    assert.equal(report.code, 4, describeReport(report));
    assert.equal(report.hosts.mute.unreachable, true);
    assert.match(report.hosts.mute.msg ?? '', /Timed out while waiting for handshake/);
    for (const m of MASTERS) assert.equal(report.hosts[m].failed + Number(report.hosts[m].unreachable), 0, m);
    assert.ok(report.ms < MUTE_TIMEOUT_MS + 15_000, `took ${report.ms} ms`);
  });
});
