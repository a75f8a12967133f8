// What a benchmark run leaves behind: the results JSON, a table for the terminal and
// bench/README.md, and SVG charts of wall time against the number of masters and of slaves.
import { lineChart } from './chart.js';
import type { Summary } from './measure.js';
import type { TaskTime } from './slaves-per-master.js';
import type { StormResults } from './boot-storm.js';
import { measured, replaceBetween } from './readme-section.js';
import { stormTable } from './storm-report.js';

export interface PairFigures {
  diskless: Summary;
  ansible: Summary;
  /** Ansible's wall time over diskless's, run by run. */
  ratio: Summary;
}

export interface ScaleStep {
  masters: number;
  diskless: {
    wallMs: Summary;
    controllerPeakRssMb: Summary;
    agentPeakRssMb: number | null;
    /** The controller's own CPU time. */
    controllerCpuS: Summary;
    /** CPU the machine spent besides the controller (sshd, agent, commands), per master. */
    cpuPerMasterS: Summary;
  };
  ansible: { wallMs: Summary; controllerPeakRssMb: Summary } | null;
}

/** One slave count of the slaves-per-master step (one master); times in ms. */
export interface SlaveStep {
  slaves: number;
  firstMs: Summary;
  noopMs: Summary;
  /** A run after one slave was added to the inventory (and the lab). */
  addMs: Summary;
  /** A run after that slave was removed again (with --remove-orphan-roots). */
  removeMs: Summary;
  controllerPeakRssMb: number;
  agentPeakRssMb: number | null;
  /**
   * Ansible's site.yml on the same master after diskless's runs (from a reset master:
   * first run, then a no-op), up to --ansible-slaves-max slaves; null (or missing, in
   * results from before it) where it did not run.
   */
  ansible?: { firstMs: Summary; noopMs: Summary } | null;
  /** The slowest tasks of the first run and of the last no-op, add and remove runs. */
  slowest: Record<'first' | 'noop' | 'add' | 'remove', TaskTime[]>;
}

export interface BenchResults {
  date: string;
  mode: 'quick' | 'full';
  machine: { cpus: number; node: string; ansible: string };
  /** The whole benchmark, lab and set-up included. */
  durationS: number;
  options: { n: number; repeat: number; masters: number; siteMasters: number; slavesPerMaster: number; scale: number[]; ansibleScaleMax: number; slaveSteps?: number[]; ansibleSlavesMax?: number; stormClients?: number; steps?: string[] };
  /** Each step is missing when --steps left it out. */
  equalWork?: {
    masters: number;
    items: { files: number; dirs: number; links: number };
    first: PairFigures;
    noop: PairFigures;
    /** Marginal wall time of one more no-op item on every master (diskless, N items against 3). */
    perItemOverheadMs: Summary;
  };
  /** playbooks/site.json against bench/ansible/site.yml, each from a reset master. */
  site?: { masters: number; slavesPerMaster: number; first: PairFigures; noop: PairFigures };
  /** The no-op site run on more and more masters. */
  scaling?: ScaleStep[];
  /** One master with more and more slaves: first run, no-op, adding and removing one. */
  slavesPerMaster?: SlaveStep[];
  /** The step's master's slaves booting at once, one storm per transport. */
  bootStorm?: StormResults;
  targets: Record<string, { target: string; value: number | null; met: boolean | null }>;
}

const s = (ms: number) => (ms / 1000).toFixed(2);
const range = (x: Summary, f: (v: number) => string) => `${f(x.median)} (${f(x.min)}–${f(x.max)})`;

const ratio = (x: Summary) => range(x, (v) => `${v.toFixed(1)}×`);

export function resultTable(r: BenchResults): string {
  const w = r.equalWork;
  const site = r.site;
  const lines: string[] = [];
  if (site) {
    lines.push(
      `Site: playbooks/site.json against bench/ansible/site.yml, ${site.masters} master(s) with ${site.slavesPerMaster} slaves each, ${r.options.repeat} run(s) each; median (min–max)`,
      '',
      '| run | diskless (s) | Ansible (s) | Ansible / diskless |',
      '|---|---|---|---|',
      `| first run (from a reset master) | ${range(site.first.diskless, s)} | ${range(site.first.ansible, s)} | ${ratio(site.first.ratio)} |`,
      `| no-op re-run | ${range(site.noop.diskless, s)} | ${range(site.noop.ansible, s)} | ${ratio(site.noop.ratio)} |`,
      '',
    );
  }
  if (w) {
    lines.push(
      `Equal work: ${r.options.n} items per master (${w.items.files} files, ${w.items.dirs} directories, ${w.items.links} links), ${w.masters} masters, ${r.options.repeat} run(s) each; median (min–max)`,
      '',
      '| run | diskless (s) | Ansible (s) | Ansible / diskless |',
      '|---|---|---|---|',
      `| first run (all changed) | ${range(w.first.diskless, s)} | ${range(w.first.ansible, s)} | ${ratio(w.first.ratio)} |`,
      `| no-op re-run | ${range(w.noop.diskless, s)} | ${range(w.noop.ansible, s)} | ${ratio(w.noop.ratio)} |`,
      '',
      `Marginal cost of one no-op item per master (diskless, over SSH): ${range(w.perItemOverheadMs, (v) => v.toFixed(2))} ms`,
      '',
    );
  }
  if (r.scaling) {
    lines.push(
      `Scaling: no-op site.json / site.yml re-run, ${r.options.slavesPerMaster} slaves per master; Ansible up to ${r.options.ansibleScaleMax} masters, one run per step`,
      '',
      '| masters | diskless (s) | controller CPU (s) | CPU per master (s) | controller peak RSS (MB) | agent peak RSS (MB) | Ansible (s) | Ansible peak RSS (MB) |',
      '|---|---|---|---|---|---|---|---|',
      ...r.scaling.map(
        (x) =>
          `| ${x.masters} | ${range(x.diskless.wallMs, s)} | ${x.diskless.controllerCpuS?.median.toFixed(2) ?? 'n/a'} | ${x.diskless.cpuPerMasterS?.median.toFixed(2) ?? 'n/a'} | ${x.diskless.controllerPeakRssMb.median.toFixed(0)} | ${x.diskless.agentPeakRssMb ?? 'n/a'} | ${x.ansible ? range(x.ansible.wallMs, s) : 'not run'} | ${x.ansible ? x.ansible.controllerPeakRssMb.median.toFixed(0) : ''} |`,
      ),
      '',
      cpuBound(r),
      '',
    );
  }
  if (r.slavesPerMaster) lines.push(slaveTable(r), '');
  if (r.bootStorm) lines.push(stormTable(r.bootStorm), '');
  lines.push(
    '| target | wanted | measured | met |',
    '|---|---|---|---|',
    ...Object.entries(r.targets).map(([name, t]) => `| ${name} | ${t.target} | ${t.value ?? 'n/a'} | ${t.met === null ? 'not measured' : t.met ? 'yes' : 'NO'} |`),
  );
  return lines.join('\n');
}

type SlaveRun = 'firstMs' | 'noopMs' | 'addMs' | 'removeMs' | 'ansibleFirstMs' | 'ansibleNoopMs';

/** One run's figures of a step, missing where that run was not made (Ansible's beyond --ansible-slaves-max). */
function slaveRun(x: SlaveStep, run: SlaveRun): Summary | undefined {
  if (run === 'ansibleFirstMs') return x.ansible?.firstMs;
  if (run === 'ansibleNoopMs') return x.ansible?.noopMs;
  return x[run];
}

/** What one more slave costs in a run: the difference between the largest and smallest step that made it, per slave (ms). */
export function perSlaveMs(steps: SlaveStep[], run: SlaveRun): number | null {
  const made = steps.filter((x) => slaveRun(x, run));
  if (made.length < 2) return null;
  const a = made[0];
  const b = made[made.length - 1];
  return (slaveRun(b, run)!.median - slaveRun(a, run)!.median) / (b.slaves - a.slaves);
}

/** The slaves-per-master table: one row per slave count and one per-slave row, and each run's slowest tasks at the largest count. */
export function slaveTable(r: BenchResults): string {
  const steps = r.slavesPerMaster ?? [];
  const perSlave = (run: SlaveRun, missing = 'n/a') => {
    const v = perSlaveMs(steps, run);
    return v === null ? missing : v.toFixed(1);
  };
  const ansible = (v: Summary | undefined) => (v ? range(v, s) : '');
  const ansibleUpTo = r.options.ansibleSlavesMax ?? 0;
  const largest = steps[steps.length - 1];
  const slowest = largest
    ? (['first', 'noop', 'add', 'remove'] as const).map(
        (run) => `- ${run}: ${largest.slowest[run].slice(0, 4).map((t) => `${t.task} ${(t.ms / 1000).toFixed(2)} s`).join('; ') || 'n/a'}`,
      )
    : [];
  return [
    `Slaves per master: playbooks/site.json on one master; first run from a reset master (once), then ${r.options.repeat} time(s) a no-op re-run, a run after adding one slave and one after removing it (\`--remove-orphan-roots\`); median (min–max). ${
      ansibleUpTo > 0
        ? `Then, up to ${ansibleUpTo} slaves, bench/ansible/site.yml on the same master, reset again: its first run and a no-op re-run, once each.`
        : 'Ansible did not run in this step.'
    }`,
    '',
    '| slaves | first run (s) | no-op (s) | add one (s) | remove one (s) | Ansible first (s) | Ansible no-op (s) | controller peak RSS (MB) | agent peak RSS (MB) |',
    '|---|---|---|---|---|---|---|---|---|',
    ...steps.map(
      (x) =>
        `| ${x.slaves} | ${range(x.firstMs, s)} | ${range(x.noopMs, s)} | ${range(x.addMs, s)} | ${range(x.removeMs, s)} | ${ansible(x.ansible?.firstMs)} | ${ansible(x.ansible?.noopMs)} | ${x.controllerPeakRssMb.toFixed(0)} | ${x.agentPeakRssMb ?? 'n/a'} |`,
    ),
    `| per slave (ms) | ${perSlave('firstMs')} | ${perSlave('noopMs')} | ${perSlave('addMs')} | ${perSlave('removeMs')} | ${perSlave('ansibleFirstMs', '')} | ${perSlave('ansibleNoopMs', '')} | | |`,
    '',
    ...(largest ? [`Slowest tasks with ${largest.slaves} slaves:`, '', ...slowest] : []),
  ].join('\n');
}

/**
 * The lab's masters share this machine's CPUs, so the scaling step is bound by the sum
 * of their CPU time; real masters each bring their own. Says both.
 */
export function cpuBound(r: BenchResults): string {
  if (!r.scaling) return '';
  const many = r.scaling.reduce<ScaleStep | undefined>((a, x) => (!a || x.masters > a.masters ? x : a), undefined);
  const one = r.scaling.find((x) => x.masters === 1);
  if (!many?.diskless.cpuPerMasterS || !one) return '';
  const d = many.diskless;
  const shared = (d.controllerCpuS.median + many.masters * d.cpuPerMasterS.median) / r.machine.cpus;
  const own = Math.max(d.controllerCpuS.median, one.diskless.wallMs.median / 1000);
  return (
    `CPU bound: at ${many.masters} masters the controller used ${d.controllerCpuS.median.toFixed(2)} s of CPU and each master ${d.cpuPerMasterS.median.toFixed(2)} s ` +
    `(its sshd, agent and the commands it ran). On ${r.machine.cpus} shared CPUs that is at least ${shared.toFixed(1)} s of wall time, whatever the tool does; ` +
    `with a CPU of its own per master, as real masters have, the floor is the larger of the controller's CPU and one master's run, ${own.toFixed(1)} s ` +
    `(${(own / (one.diskless.wallMs.median / 1000)).toFixed(1)}× the 1-master run).`
  );
}

const BEGIN = '<!-- bench:results:begin -->';
const END = '<!-- bench:results:end -->';
const SLAVES_BEGIN = '<!-- bench:slaves:begin -->';
const SLAVES_END = '<!-- bench:slaves:end -->';


/** Replaces what lies between the README's result markers. */
export function updateReadme(file: string, r: BenchResults, chart: string): void {
  // The slaves-per-master step has its own section (updateSlavesReadme).
  const others = { ...r, slavesPerMaster: undefined, bootStorm: undefined, targets: Object.fromEntries(Object.entries(r.targets).filter(([name]) => !/slave/.test(name))) };
  replaceBetween(file, BEGIN, END, [measured(r), '', resultTable(others), '', `![wall time against masters](${chart})`].join('\n'));
}

/** Replaces the README's slaves-per-master section, with the targets that step measures and its chart (a path beside the README). */
export function updateSlavesReadme(file: string, r: BenchResults, chart: string): void {
  const own = Object.entries(r.targets).filter(([name]) => /slave/.test(name) || name === 'agent peak RSS (MB)');
  const rows = own.map(([name, t]) => `| ${name} | ${t.target} | ${t.value ?? 'n/a'} | ${t.met === null ? 'not measured' : t.met ? 'yes' : 'NO'} |`);
  replaceBetween(file, SLAVES_BEGIN, SLAVES_END, [measured(r), '', slaveTable(r), '', '| target | wanted | measured | met |', '|---|---|---|---|', ...rows, '', `![wall time against slaves](${chart})`].join('\n'));
}

/** Wall time (s) of the no-op site run against the number of masters, one line per tool. */
export function scalingChart(steps: ScaleStep[]): string {
  return lineChart({
    xLabel: 'masters',
    yLabel: 'wall time of a no-op site run (s, log scale)',
    xTicks: steps.map((x) => x.masters),
    series: [
      { name: 'diskless', color: '#1f77b4', points: steps.map((x) => [x.masters, x.diskless.wallMs.median / 1000] as const) },
      { name: 'Ansible', color: '#d62728', points: steps.filter((x) => x.ansible).map((x) => [x.masters, x.ansible!.wallMs.median / 1000] as const) },
    ],
  });
}

/**
 * Wall time (s) of each run of the slaves-per-master step against the number of slaves:
 * diskless's four runs, and Ansible's first run and no-op (dashed) where it ran.
 */
export function slavesChart(steps: SlaveStep[]): string {
  const line = (name: string, color: string, value: (x: SlaveStep) => Summary | undefined, dashed = false) => ({
    name,
    color,
    dashed,
    points: steps.flatMap((x) => {
      const v = value(x);
      return v ? [[x.slaves, v.median / 1000] as const] : [];
    }),
  });
  return lineChart({
    xLabel: 'slaves on one master',
    yLabel: 'wall time of a site run (s, log scale)',
    xTicks: steps.map((x) => x.slaves),
    series: [
      line('diskless first run', '#1f77b4', (x) => x.firstMs),
      line('diskless no-op', '#2ca02c', (x) => x.noopMs),
      line('diskless add one', '#9467bd', (x) => x.addMs),
      line('diskless remove one', '#8c564b', (x) => x.removeMs),
      line('Ansible first run', '#d62728', (x) => x.ansible?.firstMs, true),
      line('Ansible no-op', '#ff7f0e', (x) => x.ansible?.noopMs, true),
    ],
  });
}
