/**
 * `npm run bench`: the diskless controller against Ansible on lab masters this run
 * brings up (and always tears down): equal work first and re-run, playbooks/site.json
 * against its Ansible translation first and re-run, then the no-op site run on more
 * and more masters. Writes bench/results/ and the table in bench/README.md.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { freeManagementNetwork, type Lab, labDown, labExec, labUp } from '../test/lab/index.js';
import { watchAgentMemory } from './lib/agent-memory.js';
import { ANSIBLE_WORK_DIR, ansibleEqualWorkVars, DISKLESS_WORK_DIR, splitItems, writeEqualWorkPlaybook } from './lib/equal-work.js';
import { benchInventory, type BenchInventory, firstMasters, writeAnsibleInventory, writeJson } from './lib/inventory.js';
import { summarize } from './lib/measure.js';
import { type BenchOptions, type BenchStep, parseBenchOptions } from './lib/options.js';
import { type BenchResults, type PairFigures, resultTable, type ScaleStep, scalingChart, type SlaveStep, slavesChart, updateReadme, updateSlavesReadme } from './lib/report.js';
import { updateStormReadme } from './lib/storm-report.js';
import { ANSIBLE_SITE_PLAYBOOK, MASTER_KERNEL_PLAYBOOK, resetScript, SITE_PLAYBOOK, SLAVE_KERNEL_FILES, spreadSlaveKernel } from './lib/site.js';
import { bootStorm, STORM_TRANSPORT_TEXT, type StormFiles, type StormResults, type StormRun } from './lib/boot-storm.js';
import { onlySpmMaster, SPM_MASTER, withSpmMaster } from './lib/slaves-per-master.js';
import { ClientScratch } from '../test/e2e/slave-clients.js';
import { buildController, REPO, runAnsible, runDiskless, type Tool, type ToolRun, type ToolTarget } from './lib/tools.js';

const log = (line: string) => console.error(`[bench] ${line}`);

interface Context {
  opts: BenchOptions;
  lab: Lab;
  dir: string;
  inventory: BenchInventory;
  /** The lab's inventory file (the other steps' masters and the slaves-per-master step's). */
  labName: string;
  managementCidr: string;
  /** The slaves-per-master step's master's management address. */
  spmHost: string;
}

function target(ctx: Context, masters: number): ToolTarget {
  const subset = firstMasters(ctx.inventory, masters);
  return {
    masters,
    // A guard against a hung run, not a measure: generous, since the lab machine is shared.
    timeoutMs: ctx.opts.quick ? 5 * 60_000 : 10 * 60_000,
    diskless: { inventory: writeJson(join(ctx.dir, `inventory-${masters}.json`), subset), stateDir: join(ctx.dir, 'state') },
    ansible: { inventory: writeAnsibleInventory(subset, ctx.dir, join(ctx.dir, `ansible-inventory-${masters}.yml`)), controlPathDir: join(ctx.dir, 'cp') },
  };
}

/** Runs `argv` on each of the first `count` masters at once. */
async function onMasters(ctx: Context, count: number, argv: string[]): Promise<void> {
  await Promise.all(
    ctx.lab.masters.slice(0, count).map(async (m) => {
      const r = await labExec(ctx.lab, m.name, argv);
      if (r.code !== 0) throw new Error(`${m.name}: ${argv.join(' ')} exited ${r.code}: ${r.stderr}`);
    }),
  );
}

/**
 * The lab's masters share this machine's /root, whose shell start-up may run
 * version-manager hooks; Ansible starts a shell for every module, so they would be
 * measured instead of the tools. Masters in the field have a plain root login.
 */
async function plainLoginShells(ctx: Context): Promise<void> {
  await onMasters(ctx, ctx.lab.masters.length, ['sh', '-c', ': > /root/.bashrc; : > /root/.profile']);
}

function check(what: string, run: ToolRun, expectChange: boolean): ToolRun {
  if (expectChange ? run.changed === 0 : run.changed !== 0) {
    const where = run.changedTasks?.length ? `:\n  ${run.changedTasks.slice(0, 20).join('\n  ')}` : '';
    throw new Error(`${what}: expected ${expectChange ? 'changes' : 'no change'}, the tool reported ${run.changed} changed${where}`);
  }
  return run;
}

const pair = (d: number[], a: number[]): PairFigures => ({ diskless: summarize(d), ansible: summarize(a), ratio: summarize(a.map((x, i) => x / d[i])) });

async function equalWork(ctx: Context): Promise<BenchResults['equalWork']> {
  const { opts } = ctx;
  const t = target(ctx, opts.masters);
  const playbook = writeEqualWorkPlaybook(ctx.dir, opts.n);
  const smallest = writeEqualWorkPlaybook(ctx.dir, 3);
  const vars = ansibleEqualWorkVars(opts.n);
  const run = (tool: Tool) => (tool === 'diskless' ? runDiskless(playbook, t) : runAnsible('equal-work.yml', t, vars));
  const wall = { first: { diskless: [] as number[], ansible: [] as number[] }, noop: { diskless: [] as number[], ansible: [] as number[] } };
  const perItem: number[] = [];
  for (let rep = 0; rep < opts.repeat; rep++) {
    // Alternate which tool goes first, so neither always meets a warmer machine.
    const order: Tool[] = rep % 2 === 0 ? ['diskless', 'ansible'] : ['ansible', 'diskless'];
    await onMasters(ctx, opts.masters, ['rm', '-rf', DISKLESS_WORK_DIR, ANSIBLE_WORK_DIR]);
    for (const phase of ['first', 'noop'] as const) {
      for (const tool of order) {
        const r = check(`${tool} equal-work ${phase} run`, await run(tool), phase === 'first');
        wall[phase][tool].push(r.wallMs);
        log(`equal work, ${phase} run ${rep + 1}/${opts.repeat}, ${tool}: ${(r.wallMs / 1000).toFixed(2)} s`);
      }
    }
    const small = check('diskless 3-item no-op run', await runDiskless(smallest, t), false);
    perItem.push((wall.noop.diskless[rep] - small.wallMs) / (opts.n - 3));
  }
  return { masters: opts.masters, items: splitItems(opts.n), first: pair(wall.first.diskless, wall.first.ansible), noop: pair(wall.noop.diskless, wall.noop.ansible), perItemOverheadMs: summarize(perItem) };
}

/**
 * Builds the slaves' kernel and initramfs once, on the first master, and lays them into
 * the others' /diskless: both site playbooks skip building them when present, and
 * mkinitramfs is not what the comparison is about.
 */
async function seedSlaveKernel(ctx: Context): Promise<void> {
  const r = await runDiskless(MASTER_KERNEL_PLAYBOOK, { ...target(ctx, 1), timeoutMs: 15 * 60_000 });
  log(`slave kernel and initramfs built on ${ctx.lab.masters[0].name} in ${(r.wallMs / 1000).toFixed(1)} s, laid into the other masters' /diskless`);
  spreadSlaveKernel(ctx.lab);
}

/** Takes the first `count` masters back to before site.json (see lib/site.ts). */
const resetMasters = (ctx: Context, count: number) => onMasters(ctx, count, ['sh', '-c', resetScript()]);

const runSite = (tool: Tool, t: ToolTarget) => (tool === 'diskless' ? runDiskless(SITE_PLAYBOOK, t) : runAnsible(ANSIBLE_SITE_PLAYBOOK, t));

async function site(ctx: Context): Promise<BenchResults['site']> {
  const { opts } = ctx;
  const t = target(ctx, opts.siteMasters);
  const wall = { first: { diskless: [] as number[], ansible: [] as number[] }, noop: { diskless: [] as number[], ansible: [] as number[] } };
  for (let rep = 0; rep < opts.repeat; rep++) {
    const order: Tool[] = rep % 2 === 0 ? ['diskless', 'ansible'] : ['ansible', 'diskless'];
    for (const tool of order) {
      // Each tool's first run starts from a reset master, its no-op from its own first run.
      await resetMasters(ctx, opts.siteMasters);
      for (const phase of ['first', 'noop'] as const) {
        const r = check(`${tool} site ${phase} run`, await runSite(tool, t), phase === 'first');
        wall[phase][tool].push(r.wallMs);
        log(`site, ${phase} run ${rep + 1}/${opts.repeat}, ${tool}: ${(r.wallMs / 1000).toFixed(2)} s, ${r.changed} changed`);
      }
      // Equal work, checked: diskless must find nothing to do on masters Ansible
      // configured (untimed). The other way round is the scaling step's Ansible run.
      if (tool === 'ansible') {
        check('diskless site run on the masters site.yml configured', await runSite('diskless', t), false);
        log(`site, cross-check ${rep + 1}/${opts.repeat}: diskless changes nothing where Ansible ran`);
      }
    }
  }
  return { masters: opts.siteMasters, slavesPerMaster: opts.slavesPerMaster, first: pair(wall.first.diskless, wall.first.ansible), noop: pair(wall.noop.diskless, wall.noop.ansible) };
}

async function scaling(ctx: Context): Promise<ScaleStep[]> {
  const { opts } = ctx;
  const steps: ScaleStep[] = [];
  // One diskless run brings every master to state; both playbooks leave the same files, so it is either tool's no-op.
  const all = Math.max(...opts.scale);
  const prepared = await runDiskless(SITE_PLAYBOOK, target(ctx, all));
  log(`scaling: site.json applied to ${all} masters in ${(prepared.wallMs / 1000).toFixed(1)} s`);
  for (const masters of opts.scale) {
    const t = target(ctx, masters);
    const wall: number[] = [];
    const rss: number[] = [];
    const controllerCpu: number[] = [];
    const masterCpu: number[] = [];
    let agentPeak: number | null = null;
    for (let rep = 0; rep < opts.repeat; rep++) {
      const watch = watchAgentMemory(ctx.lab);
      let agent: number | null = null;
      const r = await runSite('diskless', t).finally(() => (agent = watch.stop()));
      check(`diskless no-op site run on ${masters} masters`, r, false);
      if (agent !== null) agentPeak = Math.max(agentPeak ?? 0, agent);
      wall.push(r.wallMs);
      rss.push(r.peakRssMb);
      controllerCpu.push(r.cpuS);
      // Everything else the machine did meanwhile: each master's sshd, agent and the commands it ran.
      masterCpu.push((r.machineCpuS - r.cpuS) / masters);
      log(`scaling, ${masters} masters, run ${rep + 1}/${opts.repeat}, diskless: ${(r.wallMs / 1000).toFixed(2)} s, controller ${r.peakRssMb.toFixed(0)} MB and ${r.cpuS.toFixed(2)} s CPU, per master ${((r.machineCpuS - r.cpuS) / masters).toFixed(2)} s CPU, agent ${agent ?? 'n/a'} MB`);
    }
    let ansible: ScaleStep['ansible'] = null;
    if (masters <= opts.ansibleScaleMax) {
      // One run per step: Ansible's no-op takes long enough that its spread is small beside the gap.
      // On masters diskless configured, so it is also the check that site.yml finds nothing to do there.
      const r = check(`ansible no-op site run on ${masters} masters (configured by diskless)`, await runSite('ansible', t), false);
      log(`scaling, ${masters} masters, ansible: ${(r.wallMs / 1000).toFixed(2)} s, ${r.peakRssMb.toFixed(0)} MB`);
      ansible = { wallMs: summarize([r.wallMs]), controllerPeakRssMb: summarize([r.peakRssMb]) };
    }
    steps.push({
      masters,
      diskless: { wallMs: summarize(wall), controllerPeakRssMb: summarize(rss), agentPeakRssMb: agentPeak, controllerCpuS: summarize(controllerCpu), cpuPerMasterS: summarize(masterCpu) },
      ansible,
    });
  }
  return steps;
}

/** Brings the lab to `inventory` (the step's master's slaves follow it) and answers the tools' target for that master alone; `label` names the files. */
async function spmLab(ctx: Context, inventory: BenchInventory, label: string): Promise<ToolTarget> {
  ctx.lab = await labUp({ name: ctx.labName, inventoryFile: writeJson(join(ctx.dir, `lab-inventory-${label}.json`), inventory), managementCidr: ctx.managementCidr });
  const only = onlySpmMaster(inventory);
  return {
    masters: 1,
    timeoutMs: 15 * 60_000,
    diskless: { inventory: writeJson(join(ctx.dir, `inventory-${label}.json`), only), stateDir: join(ctx.dir, 'state') },
    ansible: { inventory: writeAnsibleInventory(only, ctx.dir, join(ctx.dir, `ansible-inventory-${label}.yml`)), controlPathDir: join(ctx.dir, 'cp') },
  };
}

/**
 * The slaves-per-master step: for each slave count, the step's master (the lab's last,
 * used by no other step) is reset and given that many slaves (the lab follows the
 * inventory), then site.json runs first, again (no-op), with one slave more, and with
 * it removed again. Each add and remove is followed by an untimed check that a re-run
 * changes nothing. Up to --ansible-slaves-max slaves, site.yml then runs on the master,
 * reset again after diskless's timed runs: first run and no-op, checked as in the site
 * step, and diskless's run after it must change nothing (untimed).
 */
async function slavesPerMaster(ctx: Context): Promise<SlaveStep[]> {
  const { opts } = ctx;
  const steps: SlaveStep[] = [];
  const follow = (slaves: number) => spmLab(ctx, withSpmMaster(ctx.inventory, ctx.spmHost, slaves), `spm-${slaves}`);
  const timed = async (what: string, t: ToolTarget, expectChange: boolean, flags: string[] = []) => {
    const watch = watchAgentMemory(ctx.lab);
    let agent: number | null = null;
    const r = await runDiskless(SITE_PLAYBOOK, t, flags).finally(() => (agent = watch.stop()));
    check(what, r, expectChange);
    log(`slaves per master, ${what}: ${(r.wallMs / 1000).toFixed(2)} s, ${r.changed} changed, controller ${r.peakRssMb.toFixed(0)} MB, agent ${agent ?? 'n/a'} MB; slowest: ${(r.slowest ?? []).slice(0, 4).map((x) => `${x.task} ${(x.ms / 1000).toFixed(2)} s`).join('; ')}`);
    return { ...r, agentPeakRssMb: agent as number | null };
  };
  for (const count of opts.slaveSteps) {
    const t = await follow(count);
    const r = await labExec(ctx.lab, SPM_MASTER, ['sh', '-c', resetScript()]);
    if (r.code !== 0) throw new Error(`${SPM_MASTER}: resetting it failed: ${r.stderr}`);
    const first = await timed(`${count} slaves, first run`, t, true);
    const wall = { noop: [] as number[], add: [] as number[], remove: [] as number[] };
    const runs = [first];
    for (let rep = 0; rep < opts.repeat; rep++) {
      const noop = await timed(`${count} slaves, no-op ${rep + 1}/${opts.repeat}`, t, false);
      const withOne = await follow(count + 1);
      const add = await timed(`${count} slaves, adding one ${rep + 1}/${opts.repeat}`, withOne, true);
      check(`${count + 1} slaves, the run after adding one`, await runDiskless(SITE_PLAYBOOK, withOne), false);
      const back = await follow(count);
      const remove = await timed(`${count} slaves, removing one ${rep + 1}/${opts.repeat}`, back, true, ['--remove-orphan-roots']);
      check(`${count} slaves, the run after removing one`, await runDiskless(SITE_PLAYBOOK, back), false);
      wall.noop.push(noop.wallMs);
      wall.add.push(add.wallMs);
      wall.remove.push(remove.wallMs);
      runs.push(noop, add, remove);
    }
    const last = runs.slice(-3);
    // After diskless's timed runs, so as not to disturb them; the next count resets the master anyway.
    const ansible = count <= opts.ansibleSlavesMax ? await ansibleOnSpm(ctx, count, t) : null;
    steps.push({
      slaves: count,
      firstMs: summarize([first.wallMs]),
      noopMs: summarize(wall.noop),
      addMs: summarize(wall.add),
      removeMs: summarize(wall.remove),
      controllerPeakRssMb: Math.max(...runs.map((x) => x.peakRssMb)),
      agentPeakRssMb: Math.max(0, ...runs.map((x) => x.agentPeakRssMb ?? 0)) || null,
      ansible,
      slowest: { first: first.slowest ?? [], noop: last[0].slowest ?? [], add: last[1].slowest ?? [], remove: last[2].slowest ?? [] },
    });
  }
  return steps;
}

/** site.yml on the slaves-per-master step's master with `count` slaves, from a reset master: first run and no-op, then diskless's cross-check. */
async function ansibleOnSpm(ctx: Context, count: number, t: ToolTarget): Promise<SlaveStep['ansible']> {
  // site.yml runs some fifteen tasks per slave, each a module over SSH: with tens of slaves a run takes many minutes.
  const slow = { ...t, timeoutMs: 60 * 60_000 };
  const reset = await labExec(ctx.lab, SPM_MASTER, ['sh', '-c', resetScript()]);
  if (reset.code !== 0) throw new Error(`${SPM_MASTER}: resetting it failed: ${reset.stderr}`);
  const wall: Record<'first' | 'noop', number> = { first: 0, noop: 0 };
  for (const phase of ['first', 'noop'] as const) {
    const r = check(`ansible site ${phase} run with ${count} slaves`, await runSite('ansible', slow), phase === 'first');
    wall[phase] = r.wallMs;
    log(`slaves per master, ${count} slaves, ansible ${phase} run: ${(r.wallMs / 1000).toFixed(2)} s, ${r.changed} changed, ${r.peakRssMb.toFixed(0)} MB`);
  }
  check(`diskless site run with ${count} slaves on the master site.yml configured`, await runSite('diskless', t), false);
  log(`slaves per master, ${count} slaves, cross-check: diskless changes nothing where Ansible ran`);
  return { firstMs: summarize([wall.first]), noopMs: summarize([wall.noop]) };
}

/** The files the storm's clients fetch, with their sizes on the master: the boot files, and bash with the libraries it loads (all under /usr). */
async function stormFiles(ctx: Context, server: string): Promise<StormFiles> {
  const sizes = async (paths: string[]) => {
    const r = await labExec(ctx.lab, SPM_MASTER, ['stat', '-L', '-c', '%s', ...paths]);
    if (r.code !== 0) throw new Error(`${SPM_MASTER}: ${r.stderr}`);
    return r.stdout.trim().split('\n').map(Number);
  };
  const boot = SLAVE_KERNEL_FILES;
  const libs = await labExec(ctx.lab, SPM_MASTER, ['sh', '-c', "{ echo /usr/bin/bash; ldd /usr/bin/bash | grep -o '/[^ ]*'; } | xargs -n1 readlink -f | grep '^/usr/' | sort -u"]);
  const usr = libs.stdout.trim().split('\n').filter(Boolean);
  const [bootSizes, usrSizes] = [await sizes(boot.map((f) => `/diskless/${f}`)), await sizes(usr)];
  return { server, boot: boot.map((name, i) => ({ name, bytes: bootSizes[i] })), usr: usr.map((path, i) => ({ path, bytes: usrSizes[i] })) };
}

/**
 * The boot storm: the step's master gets --storm-clients slaves and boot.transport
 * http (lighttpd beside tftpd), site.json brings it to state (untimed), then every
 * slave boots at once, as far as the master sees it, once per transport.
 */
async function bootStormStep(ctx: Context): Promise<StormResults> {
  const { opts } = ctx;
  const inventory = withSpmMaster(ctx.inventory, ctx.spmHost, opts.stormClients, { transport: 'http' });
  const t = await spmLab(ctx, inventory, 'storm');
  const master = onlySpmMaster(inventory).masters[SPM_MASTER];
  const applied = await runDiskless(SITE_PLAYBOOK, t);
  log(`boot storm: site.json brought ${SPM_MASTER} with ${opts.stormClients} slaves and HTTP boot to state in ${(applied.wallMs / 1000).toFixed(1)} s`);
  const files = await stormFiles(ctx, master.lan.address);
  const mtu = Number((await labExec(ctx.lab, SPM_MASTER, ['cat', `/sys/class/net/${master.lan.interface}/mtu`])).stdout.trim());
  const scratch = new ClientScratch();
  try {
    const runs: StormRun[] = [];
    for (const transport of opts.stormTransports) {
      const run = await bootStorm({
        lab: ctx.lab,
        masterPid: ctx.lab.masters.find((m) => m.name === SPM_MASTER)!.pid,
        clients: Object.entries(master.slaves).map(([name, slave]) => ({ target: `${SPM_MASTER}/${name}`, ip: slave.ip })),
        files,
        transport,
        barrier: join(scratch.dir, 'barrier'),
        dhcpEvents: scratch.dhcpScript,
        mtu,
        timeoutMs: 30 * 60_000,
      });
      log(`boot storm, ${opts.stormClients} clients, ${STORM_TRANSPORT_TEXT[transport]}: the last had everything after ${(run.lastMs / 1000).toFixed(2)} s (median ${(run.doneMs.median / 1000).toFixed(2)} s), master CPU ${run.masterCpuS} s, clients' CPU ${run.clientsCpuS} s`);
      runs.push(run);
    }
    return { clients: opts.stormClients, mtu, files, runs };
  } finally {
    scratch.remove();
  }
}

/** The targets: equal work against Ansible, the cost of one task, scaling and slaves per master; the site run has its own table. */
function targets(w: BenchResults['equalWork'], steps: ScaleStep[] | undefined, slaves: SlaveStep[] | undefined): BenchResults['targets'] {
  const one = steps?.find((x) => x.masters === 1);
  const many = steps?.find((x) => x.masters === 32);
  const few = slaves?.find((x) => x.slaves === 8);
  const lots = slaves?.find((x) => x.slaves === 250);
  const at = (value: number | null | undefined, ok: (v: number) => boolean, target: string) =>
    value === null || value === undefined ? { target, value: null, met: null } : { target, value: Math.round(value * 100) / 100, met: ok(value) };
  const maxAgent = Math.max(0, ...(steps ?? []).map((x) => x.diskless.agentPeakRssMb ?? 0), ...(slaves ?? []).map((x) => x.agentPeakRssMb ?? 0));
  const maxController = lots?.controllerPeakRssMb;
  return {
    'equal work no-op re-run, Ansible / diskless': at(w?.noop.ratio.median, (v) => v >= 30, '≥ 30'),
    'equal work first run, Ansible / diskless': at(w?.first.ratio.median, (v) => v >= 10, '≥ 10'),
    'marginal cost of a no-op item (ms)': at(w?.perItemOverheadMs.median, (v) => v < 2, '< 2'),
    'no-op site run, 32 masters / 1 master, wall time': at(one && many ? many.diskless.wallMs.median / one.diskless.wallMs.median : null, (v) => v <= 3, '≤ 3'),
    'controller peak RSS at 32 masters (MB)': at(many?.diskless.controllerPeakRssMb.median, (v) => v < 300, '< 300'),
    'no-op site run, 250 slaves / 8 slaves on one master, wall time': at(few && lots ? lots.noopMs.median / few.noopMs.median : null, (v) => v <= 2, '≤ 2'),
    'adding one slave to a master with 250 (s)': at(lots ? lots.addMs.median / 1000 : null, (v) => v <= 4, '≤ 4'),
    'first site run, one master with 250 slaves (s)': at(lots ? lots.firstMs.median / 1000 : null, (v) => v <= 20, '≤ 20'),
    'controller peak RSS with 250 slaves (MB)': at(maxController, (v) => v < 300, '< 300'),
    'agent peak RSS (MB)': at(maxAgent || null, (v) => v < 60, '< 60'),
  };
}

function ansibleVersion(): string {
  try {
    return execFileSync('ansible-playbook', ['--version'], { encoding: 'utf8' }).split('\n')[0].trim();
  } catch {
    throw new Error('ansible-playbook is not installed: apt-get install ansible-core');
  }
}

function publish(opts: BenchOptions, results: BenchResults): void {
  mkdirSync(opts.resultsDir, { recursive: true });
  const stamp = results.date.replace(/[:.]/g, '-');
  const file = join(opts.resultsDir, `${stamp}${opts.quick ? '-quick' : ''}.json`);
  const text = `${JSON.stringify(results, null, 2)}\n`;
  writeFileSync(file, text);
  log(`results written to ${file}`);
  if (!opts.publish) return;
  // The slaves-per-master table has a section of its own, so that step can be run and published alone.
  if (results.slavesPerMaster) {
    writeFileSync(join(REPO, 'bench/slaves.svg'), slavesChart(results.slavesPerMaster));
    updateSlavesReadme(join(REPO, 'bench/README.md'), results, 'slaves.svg');
    log('bench/README.md and bench/slaves.svg: slaves-per-master table and chart updated');
  }
  if (results.bootStorm) {
    updateStormReadme(join(REPO, 'bench/README.md'), results);
    log('bench/README.md: boot storm table updated');
  }
  if (!results.equalWork || !results.site || !results.scaling) return;
  writeFileSync(join(opts.resultsDir, 'latest.json'), text);
  writeFileSync(join(REPO, 'bench/scaling.svg'), scalingChart(results.scaling));
  updateReadme(join(REPO, 'bench/README.md'), results, 'scaling.svg');
  log('bench/README.md, bench/scaling.svg and bench/results/latest.json updated');
}

async function main(): Promise<void> {
  const opts = parseBenchOptions(process.argv.slice(2));
  const wants = (step: BenchStep) => opts.steps.includes(step);
  const ansibleSlaves = wants('slaves') && opts.slaveSteps.some((n) => n <= opts.ansibleSlavesMax);
  const ansible = wants('equal') || wants('site') || wants('scale') || ansibleSlaves ? ansibleVersion() : 'not used';
  const started = process.hrtime.bigint();
  // packages/controller/bin/run.js runs the sources through tsx when dist/ is older: measure dist/.
  buildController();
  const totalMasters = Math.max(wants('equal') ? opts.masters : 1, wants('site') ? opts.siteMasters : 1, ...(wants('scale') ? opts.scale : [1]));
  const labName = `bench${process.pid % 1000}`;
  // Short: ssh's control sockets live under it and their paths have a length limit.
  const dir = mkdtempSync(join(tmpdir(), 'dlb-'));
  let torn = false;
  const tearDown = async () => {
    if (torn) return;
    torn = true;
    await labDown({ name: labName }).catch((e: Error) => log(`tearing down lab ${labName} failed: ${e.message}; run \`npm run lab -- down --name ${labName}\``));
    rmSync(dir, { recursive: true, force: true });
  };
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      log(`${signal}: tearing the lab down`);
      void tearDown().then(() => process.exit(130));
    });
  }
  try {
    const gateway = await freeManagementNetwork();
    const managementCidr = `${gateway}/24`;
    const inventory = benchInventory(gateway, totalMasters, opts.slavesPerMaster);
    // The slaves-per-master step's master comes last, without slaves until the step gives it some.
    const spmHost = `${gateway.split('.').slice(0, 3).join('.')}.${10 + totalMasters}`;
    const spmStep = wants('slaves') || wants('storm');
    const labInventory = spmStep ? withSpmMaster(inventory, spmHost, 0) : inventory;
    const inventoryFile = writeJson(join(dir, 'inventory.json'), labInventory);
    log(`bringing up lab ${labName}: ${totalMasters} masters, ${opts.slavesPerMaster} slaves each${spmStep ? `, and master ${SPM_MASTER} for the slaves-per-master step and the boot storm` : ''}, management ${managementCidr}`);
    const lab = await labUp({ name: labName, inventoryFile, managementCidr });
    const ctx: Context = { opts, lab, dir, inventory, labName, managementCidr, spmHost };
    mkdirSync(join(dir, 'cp'));
    await plainLoginShells(ctx);
    await seedSlaveKernel(ctx);
    const w = wants('equal') ? await equalWork(ctx) : undefined;
    const siteFigures = wants('site') ? await site(ctx) : undefined;
    const steps = wants('scale') ? await scaling(ctx) : undefined;
    const slaves = wants('slaves') ? await slavesPerMaster(ctx) : undefined;
    const storm = wants('storm') ? await bootStormStep(ctx) : undefined;
    const results: BenchResults = {
      date: new Date().toISOString(),
      mode: opts.quick ? 'quick' : 'full',
      machine: { cpus: cpus().length, node: process.version, ansible },
      durationS: Math.round(Number(process.hrtime.bigint() - started) / 1e9),
      options: { n: opts.n, repeat: opts.repeat, masters: opts.masters, siteMasters: opts.siteMasters, slavesPerMaster: opts.slavesPerMaster, scale: opts.scale, ansibleScaleMax: opts.ansibleScaleMax, slaveSteps: opts.slaveSteps, ansibleSlavesMax: opts.ansibleSlavesMax, stormClients: opts.stormClients, steps: opts.steps },
      equalWork: w,
      site: siteFigures,
      scaling: steps,
      slavesPerMaster: slaves,
      bootStorm: storm,
      targets: targets(w, steps, slaves),
    };
    console.log(resultTable(results));
    publish(opts, results);
  } finally {
    await tearDown();
  }
}

main().catch((e: Error) => {
  log(`failed: ${e.message}`);
  process.exitCode = 1;
});
