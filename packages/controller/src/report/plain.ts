// Output for logs and pipes: one line per task result, then the recap. A task that
// runs long gets a "still running" line now and then, so a log shows it is alive.
import type { RunEvent } from '../engine/events.js';
import { formatRecap } from './recap.js';
import type { RendererOptions, RunRenderer } from './renderer.js';
import { formatTaskLine, formatUnreachableLine, indent, lastLine } from './task-line.js';

const HEARTBEAT_MS = 60_000;

interface RunningTask {
  label: string;
  started: number;
  lastOutput?: string;
}

export class PlainRenderer implements RunRenderer {
  private readonly running = new Map<string, RunningTask>();
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly options: RendererOptions, heartbeatMs = HEARTBEAT_MS) {
    this.timer = setInterval(() => this.heartbeat(), heartbeatMs);
    this.timer.unref();
  }

  handle(event: RunEvent): void {
    const { write, diff, verbose } = this.options;
    switch (event.type) {
      case 'task-start':
        this.running.set(event.host, { label: `${event.host} | ${event.playbook} | ${event.task}`, started: Date.now() });
        break;
      case 'task-result':
        this.running.delete(event.host);
        write(formatTaskLine(event.host, event.result, verbose) + '\n');
        if (diff && event.result.diff) write(indent(event.result.diff) + '\n');
        break;
      case 'output': {
        const task = this.running.get(event.host);
        const last = lastLine(event.data);
        if (task && last) task.lastOutput = last;
        if (verbose) write(indent(event.data, `${event.host} | ${event.stream}: `) + '\n');
        break;
      }
      case 'host-unreachable':
        this.running.delete(event.host);
        write(formatUnreachableLine(event.host, event.message, event.locked) + '\n');
        break;
      case 'recap':
        clearInterval(this.timer);
        write(formatRecap(event.summary));
        break;
    }
  }

  private heartbeat(): void {
    for (const task of this.running.values()) {
      const seconds = Math.round((Date.now() - task.started) / 1000);
      const last = task.lastOutput && !this.options.verbose ? `: ${task.lastOutput}` : '';
      this.options.write(`${task.label} | still running (${seconds}s)${last}\n`);
    }
  }
}
