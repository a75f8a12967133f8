// The two tools under test, each run as a whole process and checked: a run that
// failed or did not do the expected work is an error, not a figure.
import { execFileSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type ProcessRun, timeProcess } from './measure.js';
import { slowestTasks, type TaskTime } from './slaves-per-master.js';

export const REPO = fileURLToPath(new URL('../../', import.meta.url));
const CONTROLLER = `${REPO}packages/controller`;
const CLI = `${CONTROLLER}/bin/run.js`;
const ANSIBLE_DIR = `${REPO}bench/ansible`;

export type Tool = 'diskless' | 'ansible';

export interface ToolRun {
  wallMs: number;
  peakRssMb: number;
  /** The tool's own CPU (its process and children on this machine). */
  cpuS: number;
  /** CPU the whole machine spent during the run: the tool, sshd, agents, what they start. */
  machineCpuS: number;
  /** Items changed, summed over the masters. */
  changed: number;
  /** What changed (diskless's JSON report, Ansible's "TASK [name]: host" lines), to explain a failed check. */
  changedTasks?: string[];
  /** diskless only: its slowest tasks in this run (from the JSON report), slowest first. */
  slowest?: TaskTime[];
}

export interface ToolTarget {
  diskless: { inventory: string; stateDir: string };
  ansible: { inventory: string; controlPathDir: string };
  masters: number;
  /** A single run taking longer is killed and fails the benchmark. */
  timeoutMs: number;
}

function fail(what: string, run: ProcessRun): never {
  const output = `${run.stdout}\n${run.stderr}`.trim().split('\n').slice(-15).join('\n');
  throw new Error(`${what} exited ${run.code}:\n${output}`);
}

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

/** The rule of packages/controller/bin/run.js: dist/ runs only when no source is newer (else tsx runs the sources). */
export function controllerDistIsFresh(): boolean {
  try {
    return statSync(`${CONTROLLER}/dist/cli/main.js`).mtimeMs >= newestMtime(`${CONTROLLER}/src`);
  } catch {
    return false;
  }
}

/** `npm run build`: the controller's dist/ and the agent's bundle, so the benchmark measures what users run. */
export function buildController(): void {
  try {
    execFileSync('npm', ['run', '-s', 'build'], { cwd: REPO, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  } catch (e) {
    throw new Error(`npm run build failed, so the controller cannot be measured from dist/:\n${(e as { stderr?: string }).stderr ?? (e as Error).message}`, { cause: e });
  }
  if (!controllerDistIsFresh()) throw new Error('packages/controller/dist is older than src/ after npm run build: check the build');
}

/**
 * The controller's sources may change while a benchmark runs (another checkout, an
 * editor): rebuild then, rather than time a start through tsx.
 */
function ensureBuilt(): void {
  if (controllerDistIsFresh()) return;
  console.error('[bench] packages/controller/src changed during the run: rebuilding dist/');
  buildController();
}

export async function runDiskless(playbook: string, target: ToolTarget, extraFlags: string[] = []): Promise<ToolRun> {
  ensureBuilt();
  const argv = [process.execPath, CLI, 'apply', playbook, '-i', target.diskless.inventory, '--json', '--forks', String(target.masters), '--state-dir', target.diskless.stateDir, ...extraFlags];
  const run = await timeProcess(argv, process.env, target.timeoutMs);
  if (run.code !== 0) fail(`diskless apply ${playbook}`, { ...run, stdout: disklessFailures(run.stdout) });
  const report = JSON.parse(run.stdout) as DisklessReport;
  const hosts = Object.values(report.hosts);
  if (hosts.length !== target.masters) fail(`diskless apply reported ${hosts.length} masters, not ${target.masters}`, run);
  return {
    wallMs: run.wallMs,
    peakRssMb: run.peakRssMb,
    cpuS: run.cpuS,
    machineCpuS: run.machineCpuS,
    changed: hosts.reduce((sum, h) => sum + h.changed, 0),
    changedTasks: disklessChangedTasks(report),
    slowest: slowestTasks(report, 8),
  };
}

interface DisklessReport {
  hosts: Record<string, { changed: number; msg?: string; tasks?: { playbook: string; name: string; status: string; changed: boolean; msg?: string; durationMs?: number }[] }>;
}

/** The failed tasks of a diskless --json report, one line each ("playbook | task: master: message"), or the output as it is when it is not one. */
export function disklessFailures(stdout: string): string {
  let report: DisklessReport;
  try {
    report = JSON.parse(stdout) as DisklessReport;
  } catch {
    return stdout;
  }
  const lines = Object.entries(report.hosts ?? {}).flatMap(([host, h]) => [
    ...(h.msg ? [`${host}: ${h.msg}`] : []),
    ...(h.tasks ?? []).filter((t) => t.status === 'failed').map((t) => `${t.playbook} | ${t.name}: ${host}: ${t.msg ?? ''}`),
  ]);
  return lines.length ? lines.join('\n') : stdout;
}

/** "playbook | task: master" for every task diskless reports as changed (apply --json), in order. */
export function disklessChangedTasks(report: DisklessReport): string[] {
  return Object.entries(report.hosts).flatMap(([host, h]) => (h.tasks ?? []).filter((t) => t.changed).map((t) => `${t.playbook} | ${t.name}: ${host}`));
}

export async function runAnsible(playbook: string, target: ToolTarget, extraVars?: string): Promise<ToolRun> {
  const argv = ['ansible-playbook', `${ANSIBLE_DIR}/${playbook}`, '-i', target.ansible.inventory, '--forks', String(target.masters)];
  if (extraVars) argv.push('--extra-vars', extraVars);
  const env = { ...process.env, ANSIBLE_CONFIG: `${ANSIBLE_DIR}/ansible.cfg`, ANSIBLE_SSH_CONTROL_PATH_DIR: target.ansible.controlPathDir, ANSIBLE_NOCOLOR: '1' };
  const run = await timeProcess(argv, env, target.timeoutMs);
  if (run.code !== 0) fail(`ansible-playbook ${playbook}`, run);
  const changed = recapChanged(run.stdout);
  if (changed.length !== target.masters) fail(`ansible-playbook reported ${changed.length} masters, not ${target.masters}`, run);
  return { wallMs: run.wallMs, peakRssMb: run.peakRssMb, cpuS: run.cpuS, machineCpuS: run.machineCpuS, changed: changed.reduce((sum, n) => sum + n, 0), changedTasks: ansibleChangedTasks(run.stdout) };
}

/** "TASK [name]: host" for every host Ansible reports as changed in a task, in order, once each. */
export function ansibleChangedTasks(stdout: string): string[] {
  const seen = new Set<string>();
  let task = '';
  for (const line of stdout.split('\n')) {
    const header = /^(?:TASK|RUNNING HANDLER) \[(.*)\]/.exec(line);
    if (header) task = header[1];
    const changed = /^changed: \[([^\]]+)\]/.exec(line);
    if (changed) seen.add(`${task}: ${changed[1]}`);
  }
  return [...seen];
}

/** The `changed=` count of every host line in Ansible's PLAY RECAP (ansible-core ships no JSON callback). */
export function recapChanged(stdout: string): number[] {
  const recap = stdout.slice(stdout.lastIndexOf('PLAY RECAP'));
  return [...recap.matchAll(/^\S+\s+:\s+ok=\d+\s+changed=(\d+)/gm)].map((m) => Number(m[1]));
}
