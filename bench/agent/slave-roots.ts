/**
 * The agent's peak memory and time under site.json's slave-root work, on this machine,
 * in a scratch directory (nothing outside it is touched): a skeleton made from a copy
 * of /etc, then N slave roots filled from it, each slave's directories, files and
 * identity copy, the loop items sent at once as the controller sends them. Runs it
 * twice: the first run (everything created) and the no-op re-run.
 *
 *   npx tsx bench/agent/slave-roots.ts [--slaves 64] [--bundle agent.mjs] [-- NODE_FLAGS...]
 *
 * Prints the agent's VmHWM after each run and the wall time and CPU of each run; with
 * TRACE=1 in the environment, its memory after each task too (and what node prints on
 * stdout, e.g. with --trace-gc).
 */
import { spawn } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { BUNDLE, ensureBundle } from '../../test/agent/agent-process.js';

const { values, positionals } = parseArgs({ options: { slaves: { type: 'string', default: '64' }, bundle: { type: 'string' } }, allowPositionals: true });
const SLAVES = Number(values.slaves);
const nodeFlags = positionals;

const EXCLUDE_PER_SLAVE = ['/etc/hostname', '/etc/fstab', '/etc/network/interfaces', '/etc/ssh/ssh_host_*', '/etc/machine-id'];
const EXCLUDE_MASTER_ONLY = ['/etc/ssh/ssh_host_*', '/etc/machine-id', '/etc/*shadow*', '/etc/ssl/private', '.*.diskless-*.tmp'];

interface Request {
  op: string;
  args: Record<string, unknown>;
}

function kbOf(pid: number, field: string): number {
  return Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]);
}

function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime + stime, in clock ticks of 10 ms
}

async function main(): Promise<void> {
  if (!values.bundle) ensureBundle();
  const dir = mkdtempSync(path.join(tmpdir(), 'diskless-agent-slave-roots-'));
  const skeleton = path.join(dir, 'skeleton');
  const identities = path.join(dir, 'identity');
  const roots = path.join(dir, 'diskless');
  const etc = path.join(dir, 'etc');
  // A readable copy of the machine's /etc stands for the master's (its secrets left out).
  cpSync('/etc', etc, { recursive: true, verbatimSymlinks: true, filter: (p) => !/shadow|ssl\/private|ssh_host_/.test(p) });
  const slaves = Array.from({ length: SLAVES }, (_, i) => ({ name: `slave${i}`, ip: `10.0.${Math.floor(i / 250)}.${(i % 250) + 1}` }));
  for (const s of slaves) {
    mkdirSync(path.join(identities, s.name, 'etc/ssh'), { recursive: true });
    writeFileSync(path.join(identities, s.name, 'etc/machine-id'), `${s.name.padEnd(32, '0')}\n`);
    for (const type of ['rsa', 'ecdsa', 'ed25519']) writeFileSync(path.join(identities, s.name, `etc/ssh/ssh_host_${type}_key`), `key of ${s.name}\n`, { mode: 0o600 });
  }

  const agent = spawn(process.execPath, [...nodeFlags, values.bundle ?? BUNDLE, '--stdio'], { stdio: ['pipe', 'pipe', 'inherit'] });
  let id = 0;
  let waiting: { count: number; done: () => void } | null = null;
  createInterface({ input: agent.stdout }).on('line', (line) => {
    if (!line.startsWith('{')) return process.env.TRACE ? console.log(line) : undefined;
    const answer = JSON.parse(line) as { ok?: boolean; event?: string };
    if (answer.event) return;
    if (!answer.ok) throw new Error(`agent answered an error: ${line}`);
    if (waiting && --waiting.count === 0) waiting.done();
  });
  /** One task: its items sent at once, as a loop's are. */
  const task = async (requests: Request[]): Promise<void> => {
    await new Promise<void>((done) => {
      waiting = { count: requests.length, done };
      agent.stdin.write(requests.map((r) => `${JSON.stringify({ id: ++id, ...r })}\n`).join(''));
    });
    if (process.env.TRACE) console.log(`  ${requests.length} x ${requests[0].op}: anon ${(kbOf(agent.pid!, 'RssAnon') / 1024).toFixed(1)} file ${(kbOf(agent.pid!, 'RssFile') / 1024).toFixed(1)} hwm ${(kbOf(agent.pid!, 'VmHWM') / 1024).toFixed(1)}`);
  };
  const each = (make: (s: (typeof slaves)[number]) => Request) => task(slaves.map(make));

  const run = async (): Promise<void> => {
    await task(['home', 'dev', 'proc', 'sys', 'tmp', 'mnt', 'root', 'run', 'usr', 'var', 'var/log'].map((d) => ({ op: 'directory', args: { path: `${skeleton}/${d}`, mode: '0755' } })));
    await task(['bin', 'sbin', 'lib'].map((d) => ({ op: 'copy', args: { src: `/${d}`, dest: `${skeleton}/` } })));
    await task([{ op: 'copy', args: { src: etc, dest: `${skeleton}/`, exclude: EXCLUDE_MASTER_ONLY, dirTimes: false } }]);
    await each((s) => ({ op: 'directory', args: { path: `${roots}/${s.ip}`, mode: '0755' } }));
    await each((s) => ({ op: 'directory', args: { path: `${roots}/${s.ip}/etc`, mode: '0755' } }));
    await each((s) => ({ op: 'directory', args: { path: `${roots}/${s.ip}/etc/network`, mode: '0755' } }));
    await each((s) => ({ op: 'stat', args: { path: `${identities}/${s.name}/etc/machine-id`, checksum: false } }));
    await each((s) => ({ op: 'copy', args: { src: `${identities}/${s.name}/etc/`, dest: `${roots}/${s.ip}/etc/`, dirTimes: false } }));
    await each((s) => ({ op: 'file', args: { path: `${roots}/${s.ip}/etc/hostname`, content: `${s.name}\n`, mode: '0644' } }));
    await each((s) => ({ op: 'file', args: { path: `${roots}/${s.ip}/etc/fstab`, content: `10.0.0.254:/diskless/${s.ip} / nfs defaults 0 0\nproc /proc proc defaults 0 0\n`, mode: '0644' } }));
    await each((s) => ({ op: 'file', args: { path: `${roots}/${s.ip}/etc/network/interfaces`, content: `auto lo\niface lo inet loopback\niface eth0 inet manual\n# ${s.ip}\n`, mode: '0644' } }));
    await each((s) => ({ op: 'copy', args: { src: `${skeleton}/`, dest: `${roots}/${s.ip}/`, exclude: EXCLUDE_PER_SLAVE, dirTimes: false } }));
  };

  try {
    for (const name of ['first run', 'no-op']) {
      const cpu = cpuSeconds(agent.pid!);
      const start = process.hrtime.bigint();
      await run();
      const wall = Number(process.hrtime.bigint() - start) / 1e9;
      console.log(
        `${SLAVES} slaves, ${name}: ${wall.toFixed(2)} s, agent CPU ${(cpuSeconds(agent.pid!) - cpu).toFixed(2)} s, ` +
          `VmHWM ${(kbOf(agent.pid!, 'VmHWM') / 1024).toFixed(1)} MB, VmRSS ${(kbOf(agent.pid!, 'VmRSS') / 1024).toFixed(1)} MB (node ${nodeFlags.join(' ') || 'defaults'})`,
      );
    }
  } finally {
    agent.stdin.end();
    await new Promise((resolve) => agent.on('exit', resolve));
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: Error) => {
  console.error(err.message);
  process.exit(1);
});
