// The equal-work playbook: N managed items per master (about a third each files,
// directories and links) under one directory, written for the diskless controller.
// bench/ansible/equal-work.yml does the same work with the same loops.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const DISKLESS_WORK_DIR = '/var/tmp/bench-diskless';
export const ANSIBLE_WORK_DIR = '/var/tmp/bench-ansible';

/** How N items split into files, directories and links (the same split Ansible gets). */
export function splitItems(n: number): { files: number; dirs: number; links: number } {
  if (!Number.isInteger(n) || n < 3) throw new Error(`N must be a whole number of at least 3, got ${n}`);
  const files = Math.ceil(n / 3);
  const dirs = Math.ceil((n - files) / 2);
  return { files, dirs, links: n - files - dirs };
}

const range = (count: number) => Array.from({ length: count }, (_, i) => i);

export function equalWorkPlaybook(n: number, work: string) {
  const { files, dirs, links } = splitItems(n);
  return {
    name: 'equal-work',
    hosts: 'masters',
    // As bench/ansible/equal-work.yml: the tasks read no facts.
    gather_facts: false,
    vars: { work },
    tasks: [
      { name: 'Create the work directory', directory: { path: '{{work}}', mode: '0755' } },
      { name: 'Write the files', loop: range(files), file: { path: '{{work}}/f{{item}}', content: 'file {{item}}\n', mode: '0644' } },
      { name: 'Create the directories', loop: range(dirs), directory: { path: '{{work}}/d{{item}}', mode: '0755' } },
      { name: 'Create the links', loop: range(links), link: { path: '{{work}}/l{{item}}', target: 'f{{item}}' } },
    ],
  };
}

/** Writes the playbook for `work` (either tool's directory: the diskless controller prepares Ansible's no-op state too). */
export function writeEqualWorkPlaybook(dir: string, n: number, work = DISKLESS_WORK_DIR): string {
  const file = join(dir, `equal-work-${n}${work === DISKLESS_WORK_DIR ? '' : '-ansible'}.json`);
  writeFileSync(file, `${JSON.stringify(equalWorkPlaybook(n, work), null, 2)}\n`);
  return file;
}

/** The extra variables that give bench/ansible/equal-work.yml the same split. */
export function ansibleEqualWorkVars(n: number): string {
  return JSON.stringify({ work: ANSIBLE_WORK_DIR, ...splitItems(n) });
}
