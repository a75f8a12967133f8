// Runs one whole process and measures it from outside: wall time with hrtime, peak
// resident memory and CPU time from GNU time (the process and every child it waited
// for), and the CPU time the whole machine spent meanwhile, from /proc/stat.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface ProcessRun {
  wallMs: number;
  peakRssMb: number;
  /** User and system CPU of the process and its children. */
  cpuS: number;
  /** CPU the whole machine spent (all processes, all CPUs) while the process ran. */
  machineCpuS: number;
  code: number;
  stdout: string;
  stderr: string;
}

const GNU_TIME = '/usr/bin/time';

/** A run that outlives `timeoutMs` is killed (its whole process group) and reported as an error. */
export async function timeProcess(argv: string[], env: NodeJS.ProcessEnv = process.env, timeoutMs = 10 * 60_000): Promise<ProcessRun> {
  const scratch = mkdtempSync(join(tmpdir(), 'diskless-bench-time-'));
  const rssFile = join(scratch, 'rss');
  try {
    // Its own process group, so that a timeout ends the tool's children too.
    const busyBefore = machineBusyS();
    const child = spawn(GNU_TIME, ['-f', '%M %U %S', '-o', rssFile, ...argv], { env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      process.kill(-child.pid!, 'SIGKILL');
    }, timeoutMs);
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => stdout.push(b));
    child.stderr.on('data', (b: Buffer) => stderr.push(b));
    const start = process.hrtime.bigint();
    const code = await new Promise<number>((done, fail) => {
      child.once('error', (e) => fail(new Error(`cannot start ${GNU_TIME} (GNU time, Debian package "time"): ${e.message}`)));
      child.once('close', (c) => done(c ?? 1));
    }).finally(() => clearTimeout(timer));
    if (timedOut) throw new Error(`${argv.join(' ')} did not finish within ${timeoutMs / 1000} s and was killed; its output:\n${Buffer.concat([...stdout, ...stderr]).toString().slice(-2000)}`);
    const wallMs = Number(process.hrtime.bigint() - start) / 1e6;
    const machineCpuS = machineBusyS() - busyBefore;
    // GNU time writes "Command exited with non-zero status N" before the figures.
    const [kb, user, sys] = readFileSync(rssFile, 'utf8').trim().split('\n').pop()!.split(' ').map(Number);
    return { wallMs, peakRssMb: kb / 1024, cpuS: user + sys, machineCpuS, code, stdout: Buffer.concat(stdout).toString(), stderr: Buffer.concat(stderr).toString() };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

/** CPU seconds the machine has spent busy since boot: every CPU's time but idle and iowait. */
export function machineBusyS(stat = readFileSync('/proc/stat', 'utf8')): number {
  const fields = stat.split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  // cpu  user nice system idle iowait irq softirq steal (guest time is inside user)
  const [user, nice, system, , , irq, softirq, steal] = fields;
  return (user + nice + system + irq + softirq + (steal ?? 0)) / 100; // USER_HZ
}

export interface Summary {
  median: number;
  min: number;
  max: number;
  samples: number[];
}

export function summarize(samples: number[]): Summary {
  if (samples.length === 0) throw new Error('no samples to summarize');
  const sorted = [...samples].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  const round = (x: number) => Math.round(x * 100) / 100;
  return { median: round(median), min: round(sorted[0]), max: round(sorted[sorted.length - 1]), samples: samples.map(round) };
}
