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
import { type BenchOptions, parseBenchOptions } from './lib/options.js';
import { type BenchResults, type PairFigures, resultTable, type ScaleStep, scalingChart, updateReadme } from './lib/report.js';
import { ANSIBLE_SITE_PLAYBOOK, MASTER_KERNEL_PLAYBOOK, resetScript, SITE_PLAYBOOK, spreadSlaveKernel } from './lib/site.js';
import { buildController, REPO, runAnsible, runDiskless, type Tool, type ToolRun, type ToolTarget } from './lib/tools.js';

const log = (line: string) => console.error(`[bench] ${line}`);

interface Context {
  opts: BenchOptions;
  lab: Lab;
  dir: string;
  inventory: BenchInventory;
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

/** The targets: equal work against Ansible, the cost of one task, and scaling; the site run has its own table. */
function targets(w: BenchResults['equalWork'], steps: ScaleStep[]): BenchResults['targets'] {
  const one = steps.find((x) => x.masters === 1);
  const many = steps.find((x) => x.masters === 32);
  const at = (value: number | null, ok: (v: number) => boolean, target: string) => ({ target, value: value === null ? null : Math.round(value * 100) / 100, met: value === null ? null : ok(value) });
  const maxAgent = Math.max(...steps.map((x) => x.diskless.agentPeakRssMb ?? 0));
  return {
    'equal work no-op re-run, Ansible / diskless': at(w.noop.ratio.median, (v) => v >= 30, '≥ 30'),
    'equal work first run, Ansible / diskless': at(w.first.ratio.median, (v) => v >= 10, '≥ 10'),
    'marginal cost of a no-op item (ms)': at(w.perItemOverheadMs.median, (v) => v < 2, '< 2'),
    'no-op site run, 32 masters / 1 master, wall time': at(one && many ? many.diskless.wallMs.median / one.diskless.wallMs.median : null, (v) => v <= 3, '≤ 3'),
    'controller peak RSS at 32 masters (MB)': at(many ? many.diskless.controllerPeakRssMb.median : null, (v) => v < 300, '< 300'),
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
  writeFileSync(join(opts.resultsDir, 'latest.json'), text);
  writeFileSync(join(REPO, 'bench/scaling.svg'), scalingChart(results.scaling));
  updateReadme(join(REPO, 'bench/README.md'), results, 'scaling.svg');
  log('bench/README.md, bench/scaling.svg and bench/results/latest.json updated');
}

async function main(): Promise<void> {
  const opts = parseBenchOptions(process.argv.slice(2));
  const ansible = ansibleVersion();
  const started = process.hrtime.bigint();
  // packages/controller/bin/run.js runs the sources through tsx when dist/ is older: measure dist/.
  buildController();
  const totalMasters = Math.max(opts.masters, opts.siteMasters, ...opts.scale);
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
    const inventory = benchInventory(gateway, totalMasters, opts.slavesPerMaster);
    const inventoryFile = writeJson(join(dir, 'inventory.json'), inventory);
    log(`bringing up lab ${labName}: ${totalMasters} masters, ${opts.slavesPerMaster} slaves each, management ${gateway}/24`);
    const lab = await labUp({ name: labName, inventoryFile, managementCidr: `${gateway}/24` });
    const ctx: Context = { opts, lab, dir, inventory };
    mkdirSync(join(dir, 'cp'));
    await plainLoginShells(ctx);
    await seedSlaveKernel(ctx);
    const w = await equalWork(ctx);
    const siteFigures = await site(ctx);
    const steps = await scaling(ctx);
    const results: BenchResults = {
      date: new Date().toISOString(),
      mode: opts.quick ? 'quick' : 'full',
      machine: { cpus: cpus().length, node: process.version, ansible },
      durationS: Math.round(Number(process.hrtime.bigint() - started) / 1e9),
      options: { n: opts.n, repeat: opts.repeat, masters: opts.masters, siteMasters: opts.siteMasters, slavesPerMaster: opts.slavesPerMaster, scale: opts.scale, ansibleScaleMax: opts.ansibleScaleMax },
      equalWork: w,
      site: siteFigures,
      scaling: steps,
      targets: targets(w, steps),
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
