// Output for a terminal: one live line per master (current playbook and task, counts,
// how long the task has run and its last output line), redrawn in place. Failures,
// unreachable masters and diffs are printed above the live lines so they stay.
import { createLogUpdate } from 'log-update';
import type { HostStats, RunEvent } from '../engine/events.js';
import { countResult, emptyStats } from '../engine/events.js';
import { formatRecap } from './recap.js';
import type { RendererOptions, RunRenderer } from './renderer.js';
import { formatTaskLine, formatUnreachableLine, indent, lastLine } from './task-line.js';

interface HostLine {
  state: 'queued' | 'running' | 'done' | 'failed' | 'unreachable' | 'locked';
  playbook?: string;
  task?: string;
  taskStarted: number;
  lastOutput?: string;
  stats: HostStats;
}

const SPINNER = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
const TICK_MS = 200;

export class TtyRenderer implements RunRenderer {
  private readonly hosts = new Map<string, HostLine>();
  private readonly live: ReturnType<typeof createLogUpdate>;
  private readonly timer: NodeJS.Timeout;
  private frame = 0;
  private forks = 0;

  /** `terminal` is where the live lines are drawn; finished lines go to options.write. */
  constructor(
    private readonly options: RendererOptions,
    private readonly terminal: NodeJS.WriteStream = process.stdout,
  ) {
    this.live = createLogUpdate(terminal);
    this.timer = setInterval(() => {
      this.frame++;
      this.draw();
    }, TICK_MS);
    this.timer.unref();
  }

  handle(event: RunEvent): void {
    const host = 'host' in event ? this.line(event.host) : undefined;
    switch (event.type) {
      case 'run-start':
        // Every master gets its line at once; those beyond --forks wait their turn.
        this.forks = event.forks;
        for (const name of event.hosts) this.hosts.set(name, { state: 'queued', taskStarted: Date.now(), stats: emptyStats() });
        break;
      case 'host-start':
        Object.assign(host!, { state: 'running', playbook: undefined, task: undefined, taskStarted: Date.now() });
        break;
      case 'task-start':
        Object.assign(host!, { playbook: event.playbook, task: event.task, taskStarted: Date.now(), lastOutput: undefined });
        break;
      case 'output': {
        const last = lastLine(event.data);
        if (last) host!.lastOutput = last;
        if (this.options.verbose) this.print(indent(event.data, `${event.host} | ${event.stream}: `));
        break;
      }
      case 'task-result': {
        const { result } = event;
        countResult(host!.stats, result);
        if (result.status === 'failed' || this.options.verbose) this.print(formatTaskLine(event.host, result, this.options.verbose));
        if (this.options.diff && result.diff) this.print(`${event.host} | ${result.name}\n${colorDiff(result.diff)}`);
        break;
      }
      case 'host-unreachable':
        host!.state = event.locked ? 'locked' : 'unreachable';
        this.print(formatUnreachableLine(event.host, event.message, event.locked));
        break;
      case 'host-done':
        if (host!.state === 'running') host!.state = event.stats.failed > 0 ? 'failed' : 'done';
        host!.stats = event.stats;
        break;
      case 'recap':
        clearInterval(this.timer);
        this.draw();
        this.live.done();
        this.options.write(formatRecap(event.summary));
        return;
    }
    this.draw();
  }

  private line(name: string): HostLine {
    let line = this.hosts.get(name);
    if (!line) {
      line = { state: 'running', taskStarted: Date.now(), stats: emptyStats() };
      this.hosts.set(name, line);
    }
    return line;
  }

  /** Prints text that stays, above the live lines. */
  private print(text: string): void {
    this.live.clear();
    this.options.write(text.replace(/\n?$/, '\n'));
    this.draw();
  }

  private draw(): void {
    const width = Math.max(...[...this.hosts.keys()].map((n) => n.length), 6);
    const columns = this.terminal.columns || 100;
    const lines = [...this.hosts.entries()].map(([name, h]) => {
      const s = h.stats;
      const counts = `ok ${s.ok} changed ${s.changed} failed ${s.failed} skipped ${s.skipped}`;
      const mark = { queued: '·', running: SPINNER[this.frame % SPINNER.length], done: '✔', failed: '✖', unreachable: '✖', locked: '✖' }[h.state];
      let text = `${mark} ${name.padEnd(width)}  ${counts}`;
      if (h.state === 'unreachable' || h.state === 'locked') text += `  ${h.state}`;
      if (h.state === 'queued') text += `  waiting for one of the ${this.forks} forks`;
      if (h.state === 'running' && !h.task) text += '  connecting';
      if (h.state === 'running' && h.task) {
        const seconds = Math.floor((Date.now() - h.taskStarted) / 1000);
        text += `  ${h.playbook} › ${h.task}${seconds >= 2 ? ` (${seconds}s)` : ''}`;
        if (h.lastOutput && seconds >= 2) text += `  │ ${h.lastOutput}`;
      }
      return text.length > columns ? text.slice(0, columns - 1) + '…' : text;
    });
    this.live(lines.join('\n'));
  }
}

function colorDiff(diff: string): string {
  if (process.env.NO_COLOR) return diff;
  return diff
    .split('\n')
    .map((l) =>
      l.startsWith('+') && !l.startsWith('+++') ? `\x1b[32m${l}\x1b[0m` : l.startsWith('-') && !l.startsWith('---') ? `\x1b[31m${l}\x1b[0m` : l,
    )
    .join('\n');
}
