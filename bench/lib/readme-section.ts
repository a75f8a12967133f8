// A section of bench/README.md between two markers, rewritten by a run, and the line
// that says when and where its figures were measured.
import { readFileSync, writeFileSync } from 'node:fs';
import type { BenchResults } from './report.js';

/** Replaces what lies between two markers of the README. */
export function replaceBetween(file: string, begin: string, end: string, body: string): void {
  const text = readFileSync(file, 'utf8');
  const start = text.indexOf(begin);
  const stop = text.indexOf(end);
  if (start < 0 || stop < start) throw new Error(`${file}: the markers ${begin} and ${end} are missing`);
  writeFileSync(file, `${text.slice(0, start + begin.length)}\n${body}\n${text.slice(stop)}`);
}

export const measured = (r: BenchResults) => `Measured ${r.date} (${r.machine.cpus} CPUs, Node ${r.machine.node}, ${r.machine.ansible === 'not used' ? 'no Ansible run' : r.machine.ansible}); the whole benchmark took ${(r.durationS / 60).toFixed(1)} min.`;
