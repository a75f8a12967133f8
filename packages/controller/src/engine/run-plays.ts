// Runs plays across masters: one agent per master, up to `forks` masters at once.
// A master stops at its first failing task; the other masters carry on.
import type { Facts } from '@diskless/agent/facts';
import { hostname, userInfo } from 'node:os';
import { performance } from 'node:perf_hooks';
import { UnreachableError } from '../errors.js';
import type { Inventory, Master, Play } from '../types.js';
import type { AgentConnection } from '../transport/connection.js';
import { eachMaster, forksOf, type FanOutOptions, type MasterWork } from './each-master.js';
import { countResult, emptyStats, type EmitEvent, type HostReport, type RunSummary, type TaskResult } from './events.js';
import { limitMasters, playTargets, taskSelected } from './host-selection.js';
import { type AgentRequester, createMasterState, type HostContextBuilder } from './master-state.js';
import { takeRunLock } from './run-lock.js';
import { messageOf, runTask, type Renderer, type TaskOptions } from './run-task.js';

export interface RunOptions extends FanOutOptions {
  renderer: Renderer;
  hostContext: HostContextBuilder;
  emit: EmitEvent;
  check?: boolean;
  diff?: boolean;
  limit?: string[];
  tags?: string[];
  /** Aborting stops new tasks; tasks in flight finish, agents close, the recap is still made. */
  signal?: AbortSignal;
  /** Take each master's run lock first (default); reading facts alone does not need it. */
  lock?: boolean;
  /** How long to wait for a master whose lock another run holds (default 0: report it locked). */
  waitLockMs?: number;
  /** Called with each master's facts as soon as they are gathered (e.g. to cache them). */
  onFacts?: (master: Master, facts: Facts) => void | Promise<void>;
}

const WAIT_FOR_LOCK = 'Wait for the run lock';

/** Who holds a master's run lock: "user@host pid". */
export function lockHolder(): string {
  return `${userInfo().username}@${hostname()} ${process.pid}`;
}

function setupResult(name: string, started: number, error?: unknown): TaskResult {
  return {
    playbook: 'setup',
    name,
    status: error ? 'failed' : 'ok',
    changed: false,
    durationMs: Math.round((performance.now() - started) * 10) / 10,
    ...(error ? { msg: messageOf(error) } : {}),
  };
}

class MasterRun implements MasterWork<HostReport> {
  readonly report: HostReport = { ...emptyStats(), tasks: [] };
  private stopped = false;

  constructor(
    private readonly master: Master,
    private readonly inventory: Inventory,
    private readonly plays: Play[],
    private readonly options: RunOptions,
  ) {}

  private record(result: TaskResult): boolean {
    this.report.tasks.push(result);
    countResult(this.report, result);
    const fatal = result.status === 'failed' && !result.ignored;
    if (fatal) this.stopped = true;
    return !fatal;
  }

  /** Whether to start nothing more: a fatal failure, or Ctrl-C (noted in the report). */
  private shouldStop(): boolean {
    if (this.options.signal?.aborted && !this.stopped) {
      this.report.interrupted = true;
      this.stopped = true;
    }
    return this.stopped;
  }

  async run(connection: AgentConnection): Promise<HostReport> {
    if (!this.shouldStop()) await this.runOn(connection);
    return this.report;
  }

  unreachable(error: UnreachableError): HostReport {
    this.markUnreachable(error.message);
    return this.report;
  }

  done(): void {
    const { tasks: _tasks, ...stats } = this.report;
    this.options.emit({ type: 'host-done', host: this.master.name, stats });
  }

  private async setupStep<T>(name: string, step: () => Promise<T>, visible: boolean): Promise<T | undefined> {
    const started = performance.now();
    try {
      const value = await step();
      if (visible) this.emitAndRecord(setupResult(name, started));
      return value;
    } catch (error) {
      // As for a task: a lost agent makes the master unreachable, anything else fails the step.
      if (error instanceof UnreachableError) throw error;
      this.emitAndRecord(setupResult(name, started, error));
      return undefined;
    }
  }

  /** The master is out of this run: unreachable, or locked by another run (`locked`). */
  private markUnreachable(message: string, locked = false): void {
    if (locked) this.report.locked = true;
    else this.report.unreachable = true;
    this.report.message = message;
    this.options.emit({ type: 'host-unreachable', host: this.master.name, message, ...(locked ? { locked } : {}) });
  }

  /** Takes the run lock, waiting for it if asked; false when the master is not to be worked on. */
  private async lockMaster(agent: AgentRequester): Promise<boolean> {
    let waitStarted: number | undefined;
    const outcome = await this.setupStep(
      'Take the run lock',
      () =>
        takeRunLock(agent, {
          holder: lockHolder(),
          waitMs: this.options.waitLockMs ?? 0,
          signal: this.options.signal,
          onWait: () => {
            waitStarted = performance.now();
            this.options.emit({ type: 'task-start', host: this.master.name, playbook: 'setup', task: WAIT_FOR_LOCK });
          },
        }),
      false,
    );
    if (!outcome || this.shouldStop()) return false; // the step failed, or Ctrl-C
    if (outcome.lockedBy) {
      this.markUnreachable(outcome.lockedBy, true);
      return false;
    }
    if (waitStarted !== undefined) this.emitAndRecord(setupResult(WAIT_FOR_LOCK, waitStarted));
    return true;
  }

  private emitAndRecord(result: TaskResult): void {
    this.options.emit({ type: 'task-result', host: this.master.name, result });
    this.record(result);
  }

  private async runOn(connection: AgentConnection): Promise<void> {
    const { agent } = connection;
    if (this.options.lock !== false && !(await this.lockMaster(agent))) return;
    let facts: Partial<Facts> = {};
    // As in Ansible, plays may say they need no facts; the master is asked only if one
    // does (or if there are no plays: then facts are what the run is for).
    if (this.plays.length === 0 || this.plays.some((play) => play.gatherFacts && playTargets(play, this.master))) {
      const answer = await this.setupStep('Gather facts', () => agent.request('facts', {}), true);
      if (!answer) return;
      const gathered = answer.data as Facts;
      facts = gathered;
      await this.options.onFacts?.(this.master, gathered);
    }

    const { inventory, master } = this;
    const state = createMasterState(inventory, master, facts, agent, this.options.hostContext);
    const taskOptions: TaskOptions = {
      check: this.options.check ?? false,
      diff: this.options.diff ?? false,
      renderer: this.options.renderer,
      emit: this.options.emit,
    };

    for (const play of this.plays) {
      if (!playTargets(play, master)) continue;
      const notified = new Set<string>();
      for (const task of play.tasks) {
        if (this.shouldStop()) return;
        if (!taskSelected(play, task, this.options.tags)) continue;
        const result = await runTask(play, task, state, taskOptions);
        if (!this.record(result)) return;
        if (result.changed) task.notify?.forEach((name) => notified.add(name));
      }
      // Handlers run once, in the order they are declared, and only if notified.
      for (const handler of play.handlers) {
        if (!notified.has(handler.name)) continue;
        if (this.shouldStop()) return;
        if (!this.record(await runTask(play, handler, state, taskOptions, true))) return;
      }
    }
  }
}

/** Runs the plays on the selected masters and resolves with the run's summary. */
export async function runPlays(inventory: Inventory, plays: Play[], options: RunOptions): Promise<RunSummary> {
  const started = performance.now();
  const masters = limitMasters(inventory, options.limit);
  const forks = forksOf(options.forks);
  options.emit({ type: 'run-start', hosts: masters.map((m) => m.name), forks });
  // A bug on one master ends the run: the others start no more tasks and close their
  // agents before the error goes up to the CLI, instead of running on unwatched.
  const reports = await eachMaster(masters, { ...options, forks }, (master, signal) => {
    options.emit({ type: 'host-start', host: master.name });
    return new MasterRun(master, inventory, plays, { ...options, signal });
  });
  const hosts: Record<string, HostReport> = {};
  for (const master of masters) {
    // A master the queue never started (interrupted before its turn) is reported as such.
    hosts[master.name] = reports.get(master.name) ?? { ...emptyStats(), interrupted: true, tasks: [] };
  }
  const interrupted = Boolean(options.signal?.aborted);
  const all = Object.values(hosts);
  const summary: RunSummary = {
    ok: !interrupted && all.every((h) => h.failed === 0 && !h.unreachable && !h.locked),
    durationMs: Math.round(performance.now() - started),
    interrupted,
    hosts,
  };
  options.emit({ type: 'recap', summary });
  return summary;
}
