// The copy op's rsync-free check must agree with rsync itself: every case here asks
// real rsync (--dry-run --itemize-changes) and the check the same question.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, lstatSync, mkdirSync, readdirSync, rmSync, symlinkSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseItemized, rsyncArgv } from '../../packages/agent/src/ops/copy.js';
import { copyIsUnchanged, type CopyOptions } from '../../packages/agent/src/ops/copy-unchanged.js';
import { excludeMatcher } from '../../packages/agent/src/lib/rsync-exclude.js';
import { forgetWhenOthersRun, nextDiskGeneration } from '../../packages/agent/src/lib/disk-generation.js';
import { tempDir } from './agent-process.js';
import { needs, rootMissing } from '../needs.js';

const T0 = new Date('2024-05-01T10:00:00.250Z');

function rsyncChanges(src: string, dest: string, options: CopyOptions): string[] {
  const argv = rsyncArgv(src, dest, { ...options, check: true });
  return parseItemized(execFileSync(argv[0], argv.slice(1), { encoding: 'utf8' }));
}

/** A small root-like tree: files, a subdirectory, links, a device, a fifo, things to exclude. */
function makeTree(root: string): void {
  mkdirSync(path.join(root, 'etc/rc2.d'), { recursive: true });
  mkdirSync(path.join(root, 'etc/cache'), { recursive: true });
  mkdirSync(path.join(root, 'dev'));
  writeFileSync(path.join(root, 'etc/hostname'), 'master\n');
  writeFileSync(path.join(root, 'etc/fstab'), 'proc /proc proc defaults 0 0\n');
  writeFileSync(path.join(root, 'etc/cache/big'), 'x'.repeat(100));
  writeFileSync(path.join(root, 'top.log'), 'log\n');
  writeFileSync(path.join(root, 'etc/rc2.d/README'), 'links\n');
  symlinkSync('../init.d/isc-dhcp-server', path.join(root, 'etc/rc2.d/S01isc-dhcp-server'));
  symlinkSync('../init.d/ssh', path.join(root, 'etc/rc2.d/S01ssh'));
  symlinkSync('usr/bin', path.join(root, 'bin'));
  execFileSync('mknod', [path.join(root, 'dev/console'), 'c', '5', '1']);
  execFileSync('mkfifo', [path.join(root, 'dev/initctl')]);
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const p = path.join(dir, name);
      if (lstatSync(p).isDirectory()) walk(p);
      if (!lstatSync(p).isSymbolicLink()) utimesSync(p, T0, T0);
    }
  };
  walk(root);
  utimesSync(root, T0, T0);
}

const EXCLUDES = ['/etc/hostname', 'rc?.d/[SK]??isc-dhcp-server', '*.log', 'cache/'];

interface Case {
  name: string;
  options?: Partial<CopyOptions>;
  contentsOnly?: boolean;
  change?: (dest: string) => void;
  /** rsync itself finds nothing to do. */
  same?: true;
}

const touch = (p: string, when: Date) => utimesSync(p, when, when);

const CASES: Case[] = [
  { same: true, name: 'nothing changed' },
  { same: true, name: 'nothing changed, with excludes and delete', options: { exclude: EXCLUDES, delete: true } },
  { same: true, name: 'nothing changed, the source named without a slash', contentsOnly: false },
  {
    same: true, name: 'other content of the same size and second (rsync quick check ignores it)',
    change: (d) => {
      writeFileSync(path.join(d, 'etc/fstab'), 'proc /proc proc defaults 0 1\n');
      touch(path.join(d, 'etc/fstab'), new Date(T0.getTime() + 500));
    },
  },
  { name: 'a file one second newer', change: (d) => touch(path.join(d, 'etc/fstab'), new Date(T0.getTime() + 1000)) },
  { name: 'a file of another size', change: (d) => writeFileSync(path.join(d, 'etc/fstab'), 'x') },
  { name: 'a file with other permissions', change: (d) => chmodSync(path.join(d, 'etc/fstab'), 0o600) },
  { name: 'a file with another owner', change: (d) => chownSync(path.join(d, 'etc/fstab'), 1234, 1234) },
  { name: 'a missing file', change: (d) => unlinkSync(path.join(d, 'etc/fstab')) },
  { name: 'a link with another target', change: (d) => (unlinkSync(path.join(d, 'bin')), symlinkSync('usr/sbin', path.join(d, 'bin'))) },
  { name: 'a device with other numbers', change: (d) => (unlinkSync(path.join(d, 'dev/console')), execFileSync('mknod', [path.join(d, 'dev/console'), 'c', '4', '1'])) },
  { name: 'a directory where a file was', change: (d) => (unlinkSync(path.join(d, 'etc/fstab')), mkdirSync(path.join(d, 'etc/fstab'))) },
  { name: 'a directory with another time', change: (d) => touch(path.join(d, 'etc'), new Date(2000, 0, 1)) },
  { same: true, name: 'a directory with another time, directory times omitted', options: { dirTimes: false }, change: (d) => touch(path.join(d, 'etc'), new Date(2000, 0, 1)) },
  { name: 'the destination root with other permissions', change: (d) => chmodSync(d, 0o700) },
  { same: true, name: 'an extra file, without delete', change: (d) => (writeFileSync(path.join(d, 'etc/extra'), 'x'), touch(path.join(d, 'etc'), T0)) },
  { name: 'an extra file, with delete', options: { delete: true }, change: (d) => (writeFileSync(path.join(d, 'etc/extra'), 'x'), touch(path.join(d, 'etc'), T0)) },
  { same: true, name: 'an extra excluded file, with delete', options: { exclude: EXCLUDES, delete: true }, change: (d) => (writeFileSync(path.join(d, 'etc/new.log'), 'x'), touch(path.join(d, 'etc'), T0)) },
  { same: true, name: 'an anchored excluded file differs', options: { exclude: EXCLUDES }, change: (d) => writeFileSync(path.join(d, 'etc/hostname'), 'slave21') },
  { same: true, name: 'an excluded link is missing', options: { exclude: EXCLUDES }, change: (d) => (unlinkSync(path.join(d, 'etc/rc2.d/S01isc-dhcp-server')), touch(path.join(d, 'etc/rc2.d'), T0)) },
  { same: true, name: 'an excluded directory is missing', options: { exclude: EXCLUDES }, change: (d) => (rmSync(path.join(d, 'etc/cache'), { recursive: true }), touch(path.join(d, 'etc'), T0)) },
  { name: 'a link the exclude does not cover is missing', options: { exclude: EXCLUDES }, change: (d) => unlinkSync(path.join(d, 'etc/rc2.d/S01ssh')) },
  { name: 'an anchored exclude does not cover the same name deeper', options: { exclude: ['/fstab'] }, change: (d) => writeFileSync(path.join(d, 'etc/fstab'), 'x') },
];

describe('agent: copy without rsync when nothing would change', () => {
  let tmp: ReturnType<typeof tempDir>;
  let src: string;
  before(function () {
    needs(this, rootMissing('the tree has a device node, made with mknod'));
    tmp = tempDir();
    src = path.join(tmp.dir, 'src');
    mkdirSync(src);
    makeTree(src);
  });
  after(() => tmp?.remove());

  CASES.forEach((c, i) => {
    it(`agrees with rsync: ${c.name}`, () => {
      const options: CopyOptions = { exclude: [], delete: false, dirTimes: true, ...c.options };
      const contentsOnly = c.contentsOnly ?? true;
      const from = contentsOnly ? `${src}/` : src;
      const dest = path.join(tmp.dir, `dest${i}`);
      execFileSync('rsync', ['-a', from, dest]);
      c.change?.(contentsOnly ? dest : path.join(dest, 'src'));
      const changes = rsyncChanges(from, dest, options);
      assert.equal(changes.length === 0, c.same === true, `the case itself: rsync would change ${changes.join(', ') || 'nothing'}`);
      assert.equal(copyIsUnchanged(from, dest, options), changes.length === 0, `rsync would change: ${changes.join(', ') || 'nothing'}`);
    });
  });

  it('excludes what rsync excludes, pattern by pattern', () => {
    const patterns = ['hostname', '/hostname', '/etc/hostname', 'etc/hostname', 'rc?.d/S01*', '[!S]*', '*.log', 'cache/', 'big/', '**/big', 'etc/**', 'dev/con*'];
    const all = rsyncChanges(`${src}/`, path.join(tmp.dir, 'empty'), { exclude: [], delete: false, dirTimes: true });
    for (const pattern of patterns) {
      const copied = rsyncChanges(`${src}/`, path.join(tmp.dir, 'empty'), { exclude: [pattern], delete: false, dirTimes: true });
      const matcher = excludeMatcher([pattern])!;
      // rsync lists "dir/" for directories and "link -> target" for links; an excluded directory hides its contents.
      const ours = all.filter((item) => {
        const relative = item.replace(/ -> .*$/, '').replace(/\/$/, '');
        if (relative === '.') return true;
        const parts = relative.split('/');
        return !parts.some((_, k) => matcher(parts.slice(0, k + 1).join('/'), k < parts.length - 1 || item.endsWith('/')));
      });
      assert.deepEqual(ours, copied, `pattern ${pattern}`);
    }
  });

  it('leaves patterns it does not model to rsync', () => {
    for (const pattern of ['+ keep', '- drop', 'dir/***', 'a\\*b', '[abc', '/']) assert.equal(excludeMatcher([pattern]), undefined, pattern);
    assert.equal(copyIsUnchanged(`${src}/`, path.join(tmp.dir, 'dest0'), { exclude: ['dir/***'], delete: false, dirTimes: true }), false);
  });
});

describe('agent: copies from one source in a row read it once', () => {
  const options: CopyOptions = { exclude: [], delete: false, dirTimes: false };
  let tmp: ReturnType<typeof tempDir>;
  before(() => (tmp = tempDir()));
  after(() => tmp.remove());

  it('reuses the source read by the copy just before, and reads it again once another changing request ran', () => {
    const src = path.join(tmp.dir, 'skeleton');
    makeTree(src);
    const roots = ['a', 'b', 'c'].map((r) => path.join(tmp.dir, r));
    for (const root of roots) execFileSync('rsync', ['-a', `${src}/`, `${root}/`]);
    nextDiskGeneration('copy');
    assert.equal(copyIsUnchanged(`${src}/`, `${roots[0]}/`, options), true);
    // The skeleton changes with no changing request in between (nothing the agent
    // runs does that): the next copy still compares against what was read before.
    writeFileSync(path.join(src, 'etc/fstab'), 'changed, longer than before\n');
    nextDiskGeneration('copy');
    assert.equal(copyIsUnchanged(`${src}/`, `${roots[1]}/`, options), true, 'the source was read again');
    // Another changing request ran in between (the one that wrote fstab): read again.
    nextDiskGeneration('file');
    nextDiskGeneration('copy');
    assert.equal(copyIsUnchanged(`${src}/`, `${roots[2]}/`, options), false);
    // A copy into the source itself ends what was kept: the next one reads it again
    // and finds the skeleton as the roots have it once more.
    nextDiskGeneration('copy');
    copyIsUnchanged(`${src}/`, `${src}/etc/nested/`, options);
    writeFileSync(path.join(src, 'etc/fstab'), 'proc /proc proc defaults 0 0\n');
    utimesSync(path.join(src, 'etc/fstab'), T0, T0);
    nextDiskGeneration('copy');
    assert.equal(copyIsUnchanged(`${src}/`, `${roots[0]}/`, options), true);
  });

  it('drops what an operation kept once a changing request of another operation starts, not before', () => {
    let dropped = 0;
    forgetWhenOthersRun('test-keeper', () => dropped++);
    nextDiskGeneration('test-keeper');
    assert.equal(dropped, 0);
    nextDiskGeneration('file');
    assert.equal(dropped, 1);
  });
});
