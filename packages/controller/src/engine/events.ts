// The one stream of events a run produces; every renderer consumes it.

export type TaskStatus = 'ok' | 'changed' | 'failed' | 'skipped';

export interface TaskResult {
  playbook: string;
  name: string;
  op?: string; // the operation, for renderers (not part of the JSON report)
  status: TaskStatus;
  changed: boolean;
  durationMs: number;
  diff?: string;
  msg?: string;
  ignored?: boolean; // failed, but the task says ignore_errors
  handler?: boolean;
}

export interface HostStats {
  ok: number; // tasks that succeeded, changed or not (as Ansible counts)
  changed: number;
  failed: number;
  skipped: number;
  unreachable: boolean;
  locked?: boolean; // another run held its run lock: not worked on, counted like unreachable
  interrupted?: boolean;
  message?: string; // why the master was unreachable or locked
}

export interface HostReport extends HostStats {
  tasks: TaskResult[];
}

export interface RunSummary {
  ok: boolean;
  durationMs: number;
  interrupted: boolean;
  hosts: Record<string, HostReport>;
}

export type RunEvent =
  | { type: 'run-start'; hosts: string[]; forks: number }
  | { type: 'host-start'; host: string }
  | { type: 'task-start'; host: string; playbook: string; task: string }
  | { type: 'task-result'; host: string; result: TaskResult }
  | { type: 'output'; host: string; task: string; stream: 'stdout' | 'stderr'; data: string }
  | { type: 'host-unreachable'; host: string; message: string; locked?: boolean }
  | { type: 'host-done'; host: string; stats: HostStats }
  | { type: 'recap'; summary: RunSummary };

export type EmitEvent = (event: RunEvent) => void;

export function emptyStats(): HostStats {
  return { ok: 0, changed: 0, failed: 0, skipped: 0, unreachable: false };
}

/** Adds one task result to a master's counts. */
export function countResult(stats: HostStats, result: TaskResult): void {
  if (result.status === 'skipped') stats.skipped++;
  else if (result.status === 'failed' && !result.ignored) stats.failed++;
  else stats.ok++;
  if (result.changed) stats.changed++;
}
