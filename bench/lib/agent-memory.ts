// Peak memory of the agents on the lab's masters, and the CPU of a master's processes,
// watched from this machine while a run goes on: every master has its own PID
// namespace, so a process belongs to the master whose init shares that namespace
// (other labs' agents are ignored).
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import type { Lab } from '../../test/lab/index.js';

// The controller starts `node /var/cache/diskless/agent-<sha256>.mjs --stdio`.
const AGENT = /\/agent[^/\0]*\.mjs\0--stdio/;

export function pidNamespace(pid: number | string): string | null {
  try {
    return readlinkSync(`/proc/${pid}/ns/pid`);
  } catch {
    return null;
  }
}

function peakKb(pid: string): number | null {
  try {
    if (!AGENT.test(readFileSync(`/proc/${pid}/cmdline`, 'latin1'))) return null;
    const hwm = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return hwm ? Number(hwm[1]) : null;
  } catch {
    return null; // the process ended meanwhile
  }
}

/** Samples until stopped; `stop()` answers the highest agent VmHWM seen on any master, in MB (null if none was seen). */
export function watchAgentMemory(lab: Lab, everyMs = 25): { stop: () => number | null } {
  const namespaces = new Set(lab.masters.map((m) => pidNamespace(m.pid)).filter((ns): ns is string => ns !== null));
  let peak = 0;
  const sample = () => {
    for (const pid of readdirSync('/proc')) {
      if (!/^\d+$/.test(pid)) continue;
      const ns = pidNamespace(pid);
      if (!ns || !namespaces.has(ns)) continue;
      const kb = peakKb(pid);
      if (kb !== null && kb > peak) peak = kb;
    }
  };
  const timer = setInterval(sample, everyMs);
  return {
    stop: () => {
      clearInterval(timer);
      sample();
      return peak === 0 ? null : Math.round((peak / 1024) * 10) / 10;
    },
  };
}

/**
 * Watches the CPU of every process in the PID namespace of `pid` (a lab master's)
 * until stopped; `stop()` answers the seconds each command used meanwhile. Each
 * process's own time is sampled every `everyMs`: a parent's count of its children
 * would miss in.tftpd's, which are reaped without a wait. A process that ends
 * between two samples loses what it used after the last one.
 */
export function watchNamespaceCpu(pid: number, everyMs = 100): { stop: () => Record<string, number> } {
  const ns = pidNamespace(pid);
  const first = new Map<string, number>();
  const last = new Map<string, { command: string; ticks: number }>();
  const sample = (initial: boolean) => {
    for (const p of readdirSync('/proc')) {
      if (!/^\d+$/.test(p) || pidNamespace(p) !== ns) continue;
      try {
        const stat = readFileSync(`/proc/${p}/stat`, 'utf8');
        const command = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
        // The fields after the command: utime is the 12th, stime the 13th.
        const [utime, stime] = stat.slice(stat.lastIndexOf(')') + 2).split(' ').slice(11, 13).map(Number);
        if (initial) first.set(p, utime + stime);
        last.set(p, { command, ticks: utime + stime });
      } catch {
        // the process ended meanwhile
      }
    }
  };
  sample(true);
  const timer = setInterval(() => sample(false), everyMs);
  return {
    stop: () => {
      clearInterval(timer);
      sample(false);
      const byCommand: Record<string, number> = {};
      for (const [p, { command, ticks }] of last) byCommand[command] = (byCommand[command] ?? 0) + (ticks - (first.get(p) ?? 0)) / 100; // USER_HZ
      return byCommand;
    },
  };
}
