// Mounts, read from /proc/self/mountinfo so `down` finds them even without a record.
import { readFileSync } from 'node:fs';
import { sep } from 'node:path';
import { run, runCommand } from './run.js';

/** Mount points listed in mountinfo text, in mount order; octal escapes ("\040") decoded. */
export function parseMountPoints(mountinfo: string): string[] {
  return mountinfo
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => line.split(' ')[4].replace(/\\([0-7]{3})/g, (_, oct: string) => String.fromCharCode(parseInt(oct, 8))));
}

export function isUnder(path: string, dir: string): boolean {
  return path === dir || path.startsWith(dir.endsWith(sep) ? dir : dir + sep);
}

/** Mount points at or below `dir`, most recent first (the order to unmount them in). */
export function mountsUnder(dir: string): string[] {
  return parseMountPoints(readFileSync('/proc/self/mountinfo', 'utf8'))
    .filter((p) => isUnder(p, dir))
    .reverse();
}

export function isMounted(path: string): boolean {
  return parseMountPoints(readFileSync('/proc/self/mountinfo', 'utf8')).includes(path);
}

export async function mount(args: string[]): Promise<void> {
  await run(['mount', ...args]);
}

/** Unmounts everything at or below `dir`; a busy mount is detached lazily. */
export async function unmountAllUnder(dir: string): Promise<string[]> {
  const done: string[] = [];
  for (const point of mountsUnder(dir)) {
    const r = await runCommand(['umount', point]);
    if (r.code !== 0) await run(['umount', '-l', point]);
    done.push(point);
  }
  return done;
}
