// The benchmark's inventories: one diskless inventory of M masters for the lab, the
// same masters cut down to the first K for each scaling step, and the Ansible
// inventory made from the same JSON so both tools reach the same hosts the same way.
import { writeFileSync } from 'node:fs';
import { join, posix } from 'node:path';

export interface BenchInventory {
  defaults: { ssh: { user: string; port: number; privateKey: string; knownHosts: string } };
  vars: Record<string, unknown>;
  masters: Record<string, BenchMaster>;
}

export interface BenchMaster {
  ssh: { host: string };
  lan: { interface: string; address: string; prefix: number; routers: string; dns: string[] };
  nfs: { server: string; mountOptions: string; shared: Record<string, 'ro' | 'rw' | { mode: 'ro' | 'rw'; rootSquash?: boolean }>; rootOptions?: string };
  /** Only transport tftp (the default) is translated to Ansible; the boot storm's master uses http. */
  boot?: { firmware?: Firmware; transport?: 'tftp' | 'http' };
  slaves: Record<string, BenchSlave>;
}

export type Firmware = 'auto' | 'bios' | 'uefi';

interface BenchSlave {
  mac: string;
  ip: string;
  boot?: 'pxe' | 'etherboot';
  firmware?: Firmware;
  interface?: string;
  append?: string;
}

/**
 * The firmware of a master's slave number `s` (from 0): the mix both site playbooks
 * must serve, every firmware the inventory knows and none that a Debian master
 * refuses (Etherboot needs mkelf-linux, which Debian does not package). Slave 2 is
 * the first UEFI one, so the quick mode's two slaves per master boot two ways; from 3
 * slaves on there is a BIOS-only one too.
 */
export function slaveFirmware(s: number): Firmware {
  return (['auto', 'uefi', 'bios', 'auto'] as const)[s % 4];
}

const hex = (n: number) => n.toString(16).padStart(2, '0');

/** `masters` masters on the management /24 of `gateway` (hosts .10 up), each with `slaves` slaves on its own LAN. */
export function benchInventory(gateway: string, masters: number, slaves: number): BenchInventory {
  if (masters < 1 || masters > 200) throw new Error(`the benchmark builds 1 to 200 masters, not ${masters}`);
  const network = gateway.split('.').slice(0, 3).join('.');
  const doc: BenchInventory = {
    // Relative paths: the key and known_hosts live beside the inventory, in the run's own directory.
    defaults: { ssh: { user: 'root', port: 22, privateKey: 'id_ed25519', knownHosts: 'known_hosts' } },
    vars: { domain: 'bench.diskless.test' },
    masters: {},
  };
  for (let m = 0; m < masters; m++) {
    const lan = `10.${100 + (m >> 8)}.${m & 255}`;
    doc.masters[`m${String(m + 1).padStart(2, '0')}`] = {
      ssh: { host: `${network}.${10 + m}` },
      lan: { interface: 'lan0', address: `${lan}.1`, prefix: 24, routers: `${lan}.1`, dns: [`${lan}.1`] },
      nfs: { server: 'ganesha', mountOptions: 'tcp,vers=3', shared: { '/usr': 'ro', '/home': 'rw' } },
      slaves: Object.fromEntries(
        Array.from({ length: slaves }, (_, s) => [
          `m${m + 1}s${s + 1}`,
          { mac: `02:00:be:${hex(m >> 8)}:${hex(m & 255)}:${hex(s + 1)}`, ip: `${lan}.${20 + s}`, boot: 'pxe', firmware: slaveFirmware(s) },
        ]),
      ),
    };
  }
  return doc;
}

/** The same inventory with only its first `count` masters. */
export function firstMasters(inventory: BenchInventory, count: number): BenchInventory {
  const masters = Object.fromEntries(Object.entries(inventory.masters).slice(0, count));
  return { ...inventory, masters };
}

export function writeJson(file: string, doc: unknown): string {
  writeFileSync(file, `${JSON.stringify(doc, null, 2)}\n`);
  return file;
}

const ipv4ToInt = (ip: string) => ip.split('.').reduce((n, part) => n * 256 + Number(part), 0);
const intToIpv4 = (n: number) => [24, 16, 8, 0].map((shift) => (n >>> shift) & 255).join('.');

/** A LAN as the diskless templates see it: the inventory's fields plus its netmask, network and broadcast. */
export function lanWithNetwork(lan: BenchMaster['lan']): BenchMaster['lan'] & { netmask: string; network: string; broadcast: string } {
  const mask = lan.prefix === 0 ? 0 : (0xffffffff << (32 - lan.prefix)) >>> 0;
  const address = ipv4ToInt(lan.address);
  return { ...lan, netmask: intToIpv4(mask), network: intToIpv4((address & mask) >>> 0), broadcast: intToIpv4((address | ~mask) >>> 0) };
}

/**
 * The variable `master` of bench/ansible/site.yml: the master as the diskless templates
 * see it (its name, the LAN's derived addresses, its slaves as a list sorted by name,
 * each with the controller's defaults filled in: boot pxe, firmware the master's
 * boot.firmware else auto, interface eth0, and whether the inventory named one).
 */
export function ansibleMasterVars(name: string, m: BenchMaster) {
  const slaves = Object.entries(m.slaves)
    .map(([slave, s]) => ({
      name: slave,
      ...s,
      mac: s.mac.toLowerCase(),
      boot: s.boot ?? 'pxe',
      firmware: s.firmware ?? m.boot?.firmware ?? 'auto',
      interface: s.interface ?? 'eth0',
      interfaceGiven: s.interface !== undefined,
    }))
    .sort((a, b) => a.name.localeCompare(b.name, 'en', { numeric: true }));
  return { name, lan: lanWithNetwork(m.lan), nfs: nfsWithShares(m.nfs), slaves };
}

/**
 * nfs as the diskless templates see it: `shared` a map of path to mode, and `shares`
 * the same directories as a list of { path, mode, rootSquash } in the inventory's
 * order, root squashed unless the inventory says rootSquash: false.
 */
export function nfsWithShares(nfs: BenchMaster['nfs']) {
  const shares = Object.entries(nfs.shared).map(([path, v]) => ({
    path: posix.normalize(path).replace(/(.)\/+$/, '$1'),
    mode: typeof v === 'string' ? v : v.mode,
    rootSquash: typeof v === 'string' || v.rootSquash !== false,
  }));
  return { ...nfs, shared: Object.fromEntries(shares.map((x) => [x.path, x.mode])), shares };
}

/**
 * Ansible's YAML inventory (JSON is YAML) for the same masters: the same key, and host
 * keys checked strictly against the same known_hosts file the diskless controller uses;
 * the inventory's variables and each master's data for site.yml.
 */
export function writeAnsibleInventory(inventory: BenchInventory, dir: string, file: string): string {
  const { ssh } = inventory.defaults;
  const hosts = Object.fromEntries(
    Object.entries(inventory.masters).map(([name, m]) => [
      name,
      {
        ansible_host: m.ssh.host,
        ansible_port: ssh.port,
        ansible_user: ssh.user,
        ansible_ssh_private_key_file: join(dir, ssh.privateKey),
        ansible_ssh_common_args: `-o UserKnownHostsFile=${join(dir, ssh.knownHosts)} -o StrictHostKeyChecking=yes`,
        ansible_python_interpreter: '/usr/bin/python3',
        master: ansibleMasterVars(name, m),
      },
    ]),
  );
  return writeJson(file, { all: { vars: inventory.vars, hosts } });
}
