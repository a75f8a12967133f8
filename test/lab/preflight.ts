// Checks made before a lab creates anything: a refusal here leaves the machine as it was.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { type Cidr, contains, formatCidr, ipv4ToNumber, overlaps } from './ipv4.js';
import type { LabMasterSpec } from './inventory.js';
import { LabError, run, runCommand } from './run.js';

/** Debian packages whose commands the lab itself runs. */
export const LAB_PACKAGES = ['iproute2', 'util-linux', 'mount', 'openssh-server', 'openssh-client', 'tini'];

export interface HostAddress {
  ifname: string;
  address: string;
  prefix: number;
}

export function checkRoot(): void {
  if (process.getuid?.() !== 0) {
    throw new LabError('the lab needs root (it makes network namespaces, bridges and mounts): run it as root, e.g. `sudo npm run lab -- up -i examples/lab/inventory.json`');
  }
}

export async function checkPackages(packages = LAB_PACKAGES): Promise<void> {
  const r = await runCommand(['dpkg-query', '-W', '-f', '${Package} ${db:Status-Status}\n', ...packages]);
  const installed = new Set(
    r.stdout.split('\n').filter((l) => l.endsWith(' installed')).map((l) => l.split(' ')[0]),
  );
  const missing = packages.filter((p) => !installed.has(p));
  if (missing.length > 0) {
    throw new LabError(`missing Debian packages: ${missing.join(' ')}; install them with:\n  apt-get install -y ${missing.join(' ')}`);
  }
  if (!readFileSync('/proc/filesystems', 'utf8').includes('\toverlay\n')) {
    throw new LabError('this kernel has no overlay filesystem (needed for the masters\' roots): load it with `modprobe overlay`');
  }
}

/** IPv4 addresses on the machine's own interfaces. */
export async function hostAddresses(): Promise<HostAddress[]> {
  const links = JSON.parse(await run(['ip', '-j', '-4', 'addr', 'show'])) as {
    ifname: string;
    addr_info?: { local: string; prefixlen: number }[];
  }[];
  return links.flatMap((l) => (l.addr_info ?? []).map((a) => ({ ifname: l.ifname, address: a.local, prefix: a.prefixlen })));
}

/**
 * Every way the inventory and the management network clash with the machine's own
 * addresses; `ownBridge` is a running lab's bridge, whose address is the lab's own.
 */
export function addressProblems(masters: LabMasterSpec[], management: Cidr, host: HostAddress[], ownBridge?: string): string[] {
  const problems: string[] = [];
  for (const h of host) {
    if (h.address.startsWith('127.') || h.ifname === ownBridge) continue;
    if (overlaps(management, h)) {
      problems.push(`the management network ${formatCidr(management)} overlaps ${h.address}/${h.prefix} on this machine's ${h.ifname} (another lab? pick another with --management)`);
    }
  }
  const used = new Map(host.map((h) => [h.address, h.ifname]));
  const gateway = management.address;
  for (const m of masters) {
    const at = `master ${m.name}`;
    if (!contains(management, m.ssh.host)) {
      problems.push(`${at}: ssh.host ${m.ssh.host} is outside the lab's management network ${formatCidr(management)}`);
    } else if (m.ssh.host === gateway) {
      problems.push(`${at}: ssh.host ${m.ssh.host} is the machine's own address on the management network`);
    } else if (ipv4ToNumber(m.ssh.host) === ((ipv4ToNumber(gateway)! | (0xffffffff >>> management.prefix)) >>> 0)) {
      problems.push(`${at}: ssh.host ${m.ssh.host} is the management network's broadcast address`);
    }
    for (const [what, address] of [['ssh.host', m.ssh.host], ['lan.address', m.lan.address]]) {
      const ifname = used.get(address);
      if (ifname) problems.push(`${at}: ${what} ${address} is already an address of this machine (${ifname})`);
    }
  }
  return problems;
}

export async function checkAddresses(masters: LabMasterSpec[], management: Cidr, ownBridge?: string): Promise<void> {
  const problems = addressProblems(masters, management, await hostAddresses(), ownBridge);
  if (problems.length > 0) throw new LabError(`refusing to build the lab:\n  ${problems.join('\n  ')}`);
}

/** Refuses when a namespace or interface the lab would make already exists. */
export async function checkNamesFree(netnsNames: string[], linkNames: string[]): Promise<void> {
  const existingNetns = new Set(existsSync('/run/netns') ? readdirSync('/run/netns') : []);
  const existingLinks = new Set(
    (JSON.parse(await run(['ip', '-j', 'link', 'show'])) as { ifname: string }[]).map((l) => l.ifname),
  );
  const taken = [
    ...netnsNames.filter((n) => existingNetns.has(n)).map((n) => `network namespace ${n}`),
    ...linkNames.filter((n) => existingLinks.has(n)).map((n) => `interface ${n}`),
  ];
  if (taken.length > 0) {
    throw new LabError(`refusing to build the lab: ${taken.join(', ')} already exist (another lab with this name? try \`npm run lab -- down\` or --name)`);
  }
}
