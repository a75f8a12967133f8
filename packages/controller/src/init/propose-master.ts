// A first inventory entry for a master, proposed from its facts: which interface
// faces the slaves, the NFS server its kernel allows, and what to check by hand.

interface InterfaceFacts {
  name: string;
  ipv4: { address: string; prefix: number }[];
  up: boolean;
  multicast: boolean;
}

export interface MasterFacts {
  hostname?: string;
  os?: { family?: string; name?: string };
  interfaces?: InterfaceFacts[];
  kernel?: { configPath?: string | null; config?: Record<string, string | null> };
}

export interface SshTarget {
  host: string;
  user?: string;
  port?: number;
}

export interface Proposal {
  name: string;
  entry: Record<string, unknown>;
  /** What the proposal rests on and what to check: shown before anything is written. */
  notes: string[];
}

const PRIVATE_RANGES: [number, number][] = [
  [0x0a000000, 8], // 10/8
  [0xac100000, 12], // 172.16/12
  [0xc0a80000, 16], // 192.168/16
];

function toNumber(address: string): number {
  return address.split('.').reduce((n, part) => n * 256 + Number(part), 0);
}

function isPrivate(address: string): boolean {
  const n = toNumber(address);
  return PRIVATE_RANGES.some(([base, bits]) => Math.floor(n / 2 ** (32 - bits)) === Math.floor(base / 2 ** (32 - bits)));
}

const isLoopback = (i: InterfaceFacts) => i.name === 'lo' || i.ipv4.every((a) => a.address.startsWith('127.'));

/** A master name from its host name: the first label, in the characters names may use. */
export function masterNameOf(hostname: string | undefined, fallback: string): string {
  const label = (hostname ?? '').split('.')[0].toLowerCase().replace(/[^a-z0-9_-]+/g, '-').replace(/^-+|-+$/g, '');
  return label || fallback.replace(/[^A-Za-z0-9_-]/g, '-');
}

/**
 * The slave LAN: an interface that is up, carries multicast and an IPv4 address and is
 * not the one we reached the master on (the guide's second NIC), private addresses first.
 * `managementAddresses` are the addresses the SSH host name resolves to.
 */
export function proposeMaster(facts: MasterFacts, target: SshTarget, managementAddresses: string[], name?: string): Proposal {
  const notes: string[] = [];
  const interfaces = (facts.interfaces ?? []).filter((i) => i.up && i.ipv4.length > 0 && !isLoopback(i));
  for (const i of facts.interfaces ?? []) {
    if (isLoopback(i)) continue;
    const addresses = i.ipv4.map((a) => `${a.address}/${a.prefix}`).join(', ') || 'no IPv4 address';
    notes.push(`interface ${i.name}: ${addresses}${i.up ? '' : ', down'}${i.multicast ? '' : ', no MULTICAST'}`);
  }
  const management = interfaces.filter((i) => i.ipv4.some((a) => managementAddresses.includes(a.address)));
  const candidates = interfaces.filter((i) => !management.includes(i) && i.multicast);
  const ranked = [...candidates].sort((a, b) => Number(isPrivate(b.ipv4[0].address)) - Number(isPrivate(a.ipv4[0].address)));
  let lan = ranked[0];
  if (lan) {
    notes.push(`slave LAN: ${lan.name}, the interface that is not the one reached over SSH${ranked.length > 1 ? ` (also possible: ${ranked.slice(1).map((i) => i.name).join(', ')})` : ''}`);
  } else {
    lan = management.find((i) => i.multicast) ?? interfaces[0];
    if (!lan) throw new Error('the master has no interface that is up with an IPv4 address: give it one on the slaves\' LAN first');
    notes.push(`slave LAN: ${lan.name}, the only interface with an address; the slaves would share the network you reach the master on (the guide gives the slaves a second NIC)`);
  }
  const address = lan.ipv4[0];
  if (address.prefix > 30) throw new Error(`${lan.name} has ${address.address}/${address.prefix}: a slave LAN needs a prefix of 30 or less`);

  const config = facts.kernel?.config ?? {};
  const kernelServer = config.CONFIG_NFSD === 'y' || config.CONFIG_NFSD === 'm';
  notes.push(
    kernelServer
      ? 'NFS server: kernel (the running kernel has CONFIG_NFSD)'
      : `NFS server: ganesha (${facts.kernel?.configPath ? 'the running kernel has no CONFIG_NFSD' : 'the kernel configuration is not readable'}; NFS-Ganesha runs in user space)`,
  );
  const family = facts.os?.family ?? 'unknown';
  notes.push(`OS: ${facts.os?.name ?? 'unknown'} (family ${family})${['debian', 'gentoo'].includes(family) ? '' : ': the playbooks know Debian and Gentoo masters only'}`);
  notes.push('slaves: none yet; add them by MAC and address, or run `diskless discover --write` once they have tried to boot');

  const ssh: Record<string, unknown> = { host: target.host };
  if (target.user && target.user !== 'root') ssh.user = target.user;
  if (target.port && target.port !== 22) ssh.port = target.port;
  return {
    name: name ?? masterNameOf(facts.hostname, target.host),
    entry: {
      ssh,
      lan: { interface: lan.name, address: address.address, prefix: address.prefix },
      nfs: { server: kernelServer ? 'kernel' : 'ganesha', shared: { '/usr': 'ro', '/home': 'rw', '/opt': 'ro' } },
      slaves: {},
    },
    notes,
  };
}
