// The boot storm: many slaves of one master boot at once, as far as the master can
// tell. Each slave's namespace runs real clients, no VMs: a DHCP request as a BIOS PXE
// ROM sends it (busybox udhcpc), the kernel and initramfs over TFTP (busybox tftp,
// without the blksize option or with the largest block the LAN's MTU carries) or over
// HTTP (busybox wget, from the master's lighttpd), then its root over NFS (libnfs:
// its whole tree walked, and the files a shell's start loads read from /usr). All
// start together at a barrier; the storm lasts until the last one has everything.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { labCommand, type Lab } from '../../test/lab/index.js';
import { watchNamespaceCpu } from './agent-memory.js';
import { summarize, type Summary } from './measure.js';

export const STORM_TRANSPORTS = ['tftp', 'tftp-blksize', 'http'] as const;
export type StormTransport = (typeof STORM_TRANSPORTS)[number];

export const STORM_TRANSPORT_TEXT: Record<StormTransport, string> = {
  tftp: 'TFTP, no blksize option (512-byte blocks)',
  'tftp-blksize': "TFTP, blksize the LAN's MTU carries (MTU − 32)",
  http: 'HTTP (lighttpd)',
};

/** What the storm's clients fetch: boot files from the master's /diskless, and /usr files read over NFS. */
export interface StormFiles {
  server: string;
  /** Names under /diskless, with their sizes in bytes. */
  boot: { name: string; bytes: number }[];
  /** Absolute paths under the master's /usr export, with their sizes. */
  usr: { path: string; bytes: number }[];
}

export interface StormClient {
  /** lab target, master/slave */
  target: string;
  ip: string;
}

/** The storm step's figures: one storm per transport. */
export interface StormResults {
  clients: number;
  /** The LAN's MTU, which sets the blksize storm's block. */
  mtu: number;
  files: StormFiles;
  runs: StormRun[];
}

/** One client's times (ms from the barrier's release) and what it got. */
export interface ClientTimes {
  dhcpMs: number;
  bootMs: number;
  rootMs: number;
  bytes: number;
  rootEntries: number;
  /** The client's own CPU (its shell and the clients it ran). */
  cpuS: number;
  /** Fetches tried again after a timeout or a short file. */
  retries: number;
}

export interface StormRun {
  transport: StormTransport;
  clients: number;
  /** Block size asked for (TFTP with blksize), else null. */
  blksize: number | null;
  /** From the barrier's release until the last client had everything. */
  lastMs: number;
  /** Each client's time until it had everything. */
  doneMs: Summary;
  /** Each client's phases: lease, kernel and initramfs, root. */
  dhcpMs: Summary;
  bootFilesMs: Summary;
  rootMs: Summary;
  /** Bytes each client fetched (boot files and /usr files over NFS). */
  bytesPerClient: number;
  /** CPU time of the master's processes (dhcpd, in.tftpd and its children, lighttpd, ganesha), sampled during the storm. */
  masterCpuS: number;
  /** The same by command name (those that used any). */
  masterCpuByCommand: Record<string, number>;
  /** CPU time of all the clients together (the lab's clients share the master's CPUs). */
  clientsCpuS: number;
  /** Entries of each client's root (its tree walked over NFS). */
  rootEntries: Summary;
  /** Fetches tried again, over all the clients. */
  retries: number;
}

/** Tries of one fetch before the client gives up. */
const ATTEMPTS = 5;

const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/**
 * The script one client runs (bash, for pipefail): it says `ready`, waits on the
 * barrier, then prints `times <dhcp> <boot> <root> <bytes> <entries> <cpu ticks> <retries>`
 * (times in ms since the release), or fails naming what failed.
 */
export function clientScript(transport: StormTransport, client: StormClient, files: StormFiles, barrier: string, dhcpEvents: string): string {
  const fetch = (name: string) => {
    if (transport === 'http') return `busybox wget -q -O - ${q(`http://${files.server}/${name}`)}`;
    const blksize = transport === 'tftp-blksize' ? ` -b "$blksize"` : '';
    return `busybox tftp -g${blksize} -r ${q(name)} -l - ${q(files.server)}`;
  };
  const root = `nfs://${files.server}/diskless/${client.ip}`;
  return [
    'set -euo pipefail',
    'ms() { echo $(( $(date +%s%N) / 1000000 )); }',
    'fail() { echo "failed: $*" >&2; exit 1; }',
    // A fetch that times out or comes short is tried again, as firmware does, up to
    // ATTEMPTS times; each retry is counted. get <expected bytes> <what> <command...>
    `get() { local want=$1 what=$2 n; shift 2; for ((try = 1; try <= ${ATTEMPTS}; try++)); do`,
    '  if n=$("$@" | wc -c) && [ "$n" -eq "$want" ]; then bytes=$((bytes + n)); return; fi',
    '  retries=$((retries + 1)); done',
    `  fail "$what: $n of $want bytes after ${ATTEMPTS} attempts"; }`,
    // The largest block that fits the LAN's MTU unfragmented: IP 20, UDP 8 and TFTP 4 bytes of headers.
    'blksize=$(( $(cat /sys/class/net/eth0/mtu) - 32 ))',
    'ip addr flush dev eth0',
    'echo ready',
    `flock -s ${q(barrier)} true`,
    'start=$(ms); bytes=0; retries=0',
    `busybox udhcpc -i eth0 -V PXEClient:Arch:00000:UNDI:002001 -x 0x5d:0000 -n -q -t 6 -T 2 -s ${q(dhcpEvents)} >/dev/null || fail "no DHCP lease"`,
    'dhcp=$(ms)',
    ...files.boot.map((f) => `get ${f.bytes} ${q(f.name)} ${fetch(f.name)}`),
    'boot=$(ms)',
    `entries=$(nfs-ls -R ${q(root)} | wc -l) || fail "walking its root"`,
    '[ "$entries" -gt 0 ] || fail "an empty root"',
    ...files.usr.map((f) => `get ${f.bytes} ${q(f.path)} nfs-cat ${q(`nfs://${files.server}${f.path}`)}`),
    'done=$(ms)',
    // The client's CPU: this shell's and its waited-for children's (utime, stime, cutime, cstime), in ticks.
    'read -ra stat < /proc/$$/stat',
    'cpu=$(( stat[13] + stat[14] + stat[15] + stat[16] ))',
    'echo "times $((dhcp - start)) $((boot - start)) $((done - start)) $bytes $entries $cpu $retries"',
  ].join('\n');
}

/** Parses a client's last line: `times <dhcp> <boot> <root> <bytes> <entries> <cpu ticks> <retries>`. */
export function parseTimes(line: string): ClientTimes | null {
  const m = /^times (\d+) (\d+) (\d+) (\d+) (\d+) (\d+) (\d+)$/.exec(line.trim());
  if (!m) return null;
  const [dhcpMs, bootMs, rootMs, bytes, rootEntries, ticks, retries] = m.slice(1).map(Number);
  return { dhcpMs, bootMs, rootMs, bytes, rootEntries, cpuS: ticks / 100, retries };
}

interface Running {
  ready: Promise<void>;
  done: Promise<ClientTimes>;
}

/** Starts one client in its namespace; `ready` once it waits on the barrier. */
function startClient(lab: Lab, client: StormClient, script: string, timeoutMs: number): Running {
  const command = labCommand(lab, client.target, ['bash', '-c', script]);
  const child = spawn(command.argv[0], command.argv.slice(1), { env: command.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  let markReady: () => void = () => {};
  const ready = new Promise<void>((resolve) => (markReady = resolve));
  let times: ClientTimes | null = null;
  createInterface({ input: child.stdout }).on('line', (line) => {
    if (line === 'ready') markReady();
    times = parseTimes(line) ?? times;
  });
  const done = new Promise<ClientTimes>((resolve, reject) => {
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      markReady(); // a client that failed before the barrier must not hold the others
      if (code === 0 && times) resolve(times);
      else reject(new Error(`${client.target}: the boot storm's client ${signal ? `was killed (${signal}, over ${timeoutMs / 1000} s)` : `exited ${code}`}: ${stderr.trim().split('\n').slice(-3).join(' | ')}`));
    });
  });
  return { ready, done };
}

/** Holds the barrier (an exclusive flock) until `release()`. */
async function holdBarrier(file: string): Promise<{ release: () => Promise<number> }> {
  const holder = spawn('flock', ['-x', file, '-c', 'echo held; read line'], { stdio: ['pipe', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    holder.stdout.once('data', () => resolve());
    holder.once('error', reject);
    holder.once('close', (code) => reject(new Error(`flock on ${file} exited ${code} before the storm`)));
  });
  return {
    release: async () => {
      const at = Date.now();
      holder.stdin.end('\n');
      return at;
    },
  };
}

/**
 * Runs one storm: every client at once, from the barrier's release; throws when a
 * client fails (the benchmark only measures work done). `masterPid` is the master's init.
 */
export async function bootStorm(opts: {
  lab: Lab;
  masterPid: number;
  clients: StormClient[];
  files: StormFiles;
  transport: StormTransport;
  barrier: string;
  dhcpEvents: string;
  mtu: number;
  timeoutMs: number;
}): Promise<StormRun> {
  const { lab, clients, files, transport } = opts;
  const barrier = await holdBarrier(opts.barrier);
  const running = clients.map((c) => startClient(lab, c, clientScript(transport, c, files, opts.barrier, opts.dhcpEvents), opts.timeoutMs));
  await Promise.all(running.map((r) => r.ready));
  const cpu = watchNamespaceCpu(opts.masterPid);
  await barrier.release();
  const settled = await Promise.allSettled(running.map((r) => r.done));
  const used = Object.entries(cpu.stop())
    .map(([command, s]) => [command, Math.round(s * 100) / 100] as const)
    .filter(([, s]) => s > 0)
    .sort((a, b) => b[1] - a[1]);
  const failed = settled.filter((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failed.length) throw new Error(`boot storm over ${transport}: ${failed.length} of ${clients.length} clients failed; ${(failed[0].reason as Error).message}`);
  const times = settled.map((s) => (s as PromiseFulfilledResult<ClientTimes>).value);
  return {
    transport,
    clients: clients.length,
    blksize: transport === 'tftp-blksize' ? opts.mtu - 32 : null,
    lastMs: Math.max(...times.map((t) => t.rootMs)),
    doneMs: summarize(times.map((t) => t.rootMs)),
    dhcpMs: summarize(times.map((t) => t.dhcpMs)),
    bootFilesMs: summarize(times.map((t) => t.bootMs - t.dhcpMs)),
    rootMs: summarize(times.map((t) => t.rootMs - t.bootMs)),
    bytesPerClient: times[0].bytes,
    masterCpuS: Math.round(used.reduce((a, [, s]) => a + s, 0) * 100) / 100,
    masterCpuByCommand: Object.fromEntries(used),
    clientsCpuS: Math.round(times.reduce((a, t) => a + t.cpuS, 0) * 100) / 100,
    rootEntries: summarize(times.map((t) => t.rootEntries)),
    retries: times.reduce((a, t) => a + t.retries, 0),
  };
}
