// The boot storm's table, for the terminal and its own section of bench/README.md.
import type { BenchResults } from './report.js';
import { measured, replaceBetween } from './readme-section.js';
import { STORM_TRANSPORT_TEXT, type StormResults } from './boot-storm.js';
import type { Summary } from './measure.js';

const STORM_BEGIN = '<!-- bench:storm:begin -->';
const STORM_END = '<!-- bench:storm:end -->';

const sec = (x: Summary) => `${(x.median / 1000).toFixed(2)} (${(x.max / 1000).toFixed(2)})`;
const mb = (bytes: number) => (bytes / 1e6).toFixed(1);

/** One row per transport: when the last client had everything, each phase's median (and slowest), the master's CPU. */
export function stormTable(storm: StormResults): string {
  const boot = storm.files.boot.map((f) => `${f.name} ${mb(f.bytes)} MB`).join(', ');
  const usr = storm.files.usr.reduce((a, f) => a + f.bytes, 0);
  return [
    `Boot storm: ${storm.clients} slaves of one master boot at once (real clients in each slave's namespace, from one barrier): a DHCP lease, ${boot}, then the root over NFS (its whole tree walked, and ${storm.files.usr.length} files under /usr, ${mb(usr)} MB: bash and the libraries it loads). LAN MTU ${storm.mtu}. A fetch that times out or comes short is tried again (up to 5 times), as firmware does. Times in s: median over the clients (slowest)`,
    '',
    "| kernel and initramfs over | last client done (s) | each client done | DHCP | kernel and initramfs | root over NFS | per client (MB) | master CPU (s) | clients' CPU (s) | fetches tried again |",
    '|---|---|---|---|---|---|---|---|---|---|',
    ...storm.runs.map(
      (x) =>
        `| ${STORM_TRANSPORT_TEXT[x.transport]}${x.blksize ? `: ${x.blksize}` : ''} | ${(x.lastMs / 1000).toFixed(2)} | ${sec(x.doneMs)} | ${sec(x.dhcpMs)} | ${sec(x.bootFilesMs)} | ${sec(x.rootMs)} | ${mb(x.bytesPerClient)} | ${x.masterCpuS.toFixed(2)} | ${x.clientsCpuS.toFixed(2)} | ${x.retries ?? 0} |`,
    ),
    '',
    "The master's CPU by process (s):",
    '',
    ...storm.runs.map((x) => `- ${STORM_TRANSPORT_TEXT[x.transport]}: ${Object.entries(x.masterCpuByCommand ?? {}).map(([command, s]) => `${command} ${s.toFixed(2)}`).join(', ') || 'n/a'}`),
  ].join('\n');
}

/** Replaces the README's boot storm section. */
export function updateStormReadme(file: string, r: BenchResults): void {
  if (!r.bootStorm) return;
  replaceBetween(file, STORM_BEGIN, STORM_END, [measured(r), '', stormTable(r.bootStorm)].join('\n'));
}
