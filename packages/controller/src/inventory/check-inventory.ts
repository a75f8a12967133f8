// Checks the schema cannot express: names safe under /diskless, slave addresses that
// fit their master's LAN, nothing used twice, one /var/log per slave, private keys
// that can be read, MACs a NIC can have, shares that stay clear of /diskless, and
// kernel command lines that every boot loader's file can carry.
import { readFile } from 'node:fs/promises';
import type { InputError } from '../errors.js';
import { errorAt, locate, type JsonDocument } from '../json/json-document.js';
import { joinPointer } from '../json/pointer.js';
import type { Inventory, Master } from '../types.js';
import { normaliseSharePath } from './apply-defaults.js';
import type { RawInventory } from './raw-inventory.js';
import { inSubnet } from './ipv4.js';
import { ipxeProblem, kernelWords } from '../template/helpers.js';

/**
 * A name that stays one plain path component under /diskless (no "..", "/", NUL) and
 * that dhcpd takes as a host name: parts between dots start with a letter or digit.
 */
const SAFE_NAME = /^(?=.{1,63}$)[A-Za-z0-9][A-Za-z0-9_-]*(\.[A-Za-z0-9][A-Za-z0-9_-]*)*$/;

export function checkNames(doc: JsonDocument, inventory: Inventory): InputError[] {
  const errors: InputError[] = [];
  const check = (name: string, pointer: string, what: string) => {
    if (!SAFE_NAME.test(name)) {
      errors.push(
        errorAt(doc, pointer, `${what} name ${JSON.stringify(name)} would escape /diskless or is not a host name: use up to 63 letters, digits, ".", "_" and "-", each part between dots starting with a letter or digit`, true),
      );
    }
  };
  for (const master of inventory.masters) {
    check(master.name, masterPointer(master), 'master');
    for (const slave of master.slaves) check(slave.name, slavePointer(master, slave.name), 'slave');
  }
  return errors;
}

export function checkAddresses(doc: JsonDocument, inventory: Inventory): InputError[] {
  const errors: InputError[] = [];
  for (const master of inventory.masters) {
    const { lan } = master;
    const cidr = `${lan.network}/${lan.prefix}`;
    const lanPointer = joinPointer(masterPointer(master), 'lan', 'address');
    if (lan.address === lan.network || lan.address === lan.broadcast) {
      errors.push(errorAt(doc, lanPointer, `${lan.address} is the ${lan.address === lan.network ? 'network' : 'broadcast'} address of ${cidr}, not a usable host address`));
    }
    if (lan.routers && !inSubnet(lan.routers, lan.network, lan.prefix)) {
      errors.push(errorAt(doc, joinPointer(masterPointer(master), 'lan', 'routers'), `router ${lan.routers} is outside ${master.name}'s LAN ${cidr}`));
    }
    for (const slave of master.slaves) {
      const pointer = joinPointer(slavePointer(master, slave.name), 'ip');
      const problem = !inSubnet(slave.ip, lan.network, lan.prefix)
        ? `is outside ${master.name}'s LAN ${cidr}`
        : slave.ip === lan.network
          ? `is the network address of ${master.name}'s LAN ${cidr}`
          : slave.ip === lan.broadcast
            ? `is the broadcast address of ${master.name}'s LAN ${cidr}`
            : slave.ip === lan.address
              ? `is ${master.name}'s own LAN address`
              : undefined;
      if (problem) errors.push(errorAt(doc, pointer, `slave ${slave.name}: ${slave.ip} ${problem}`));
    }
  }
  return errors;
}

/** `nfs.sharedLog` mounts each slave's own /var/log; a shared /var/log would mount over it. */
export function checkSharedLog(doc: JsonDocument, inventory: Inventory): InputError[] {
  return inventory.masters
    .filter((master) => master.nfs.sharedLog === true && Object.keys(master.nfs.shared).some((dir) => dir.replace(/\/+$/, '') === '/var/log'))
    .map((master) =>
      errorAt(
        doc,
        joinPointer(masterPointer(master), 'nfs', 'sharedLog'),
        `master ${master.name}: nfs.sharedLog gives each slave its own /var/log, and nfs.shared also shares /var/log with all of them: keep one`,
      ),
    );
}

/**
 * A slave's MAC must be one a NIC can have: not all zeros, not a group address (the
 * low bit of the first octet set: multicast, and ff:ff:ff:ff:ff:ff, broadcast).
 */
export function checkMacs(doc: JsonDocument, inventory: Inventory): InputError[] {
  const errors: InputError[] = [];
  for (const master of inventory.masters) {
    for (const slave of master.slaves) {
      const pointer = joinPointer(slavePointer(master, slave.name), 'mac');
      const first = parseInt(slave.mac.slice(0, 2), 16);
      if (/^(00:){5}00$/.test(slave.mac)) errors.push(errorAt(doc, pointer, `slave ${slave.name}: ${slave.mac} is no NIC's address: give the slave's own MAC`));
      else if (slave.mac === 'ff:ff:ff:ff:ff:ff') errors.push(errorAt(doc, pointer, `slave ${slave.name}: ${slave.mac} is the broadcast address, not a NIC's: give the slave's own MAC`));
      else if (first & 1) {
        errors.push(errorAt(doc, pointer, `slave ${slave.name}: ${slave.mac} is a multicast address (its first octet is odd), not a NIC's: give the slave's own MAC, whose first octet is even`));
      }
    }
  }
  return errors;
}

/** Directories diskless keeps for itself on a master: no share may be, hold or lie in one. */
const DISKLESS_DIRS = [
  { dir: '/diskless', why: "every slave's root and boot files" },
  { dir: '/var/lib/diskless', why: "the slaves' SSH host keys and locked password files" },
];

/**
 * Each share of nfs.shared: a path written plainly (no "." or ".." parts), not the
 * master's whole root, clear of diskless's own directories, and named once ("/usr"
 * and "/usr/" are one share).
 */
export function checkShares(doc: JsonDocument, raw: RawInventory, inventory: Inventory): InputError[] {
  const errors: InputError[] = [];
  for (const master of inventory.masters) {
    const seen = new Map<string, string>();
    for (const key of Object.keys(raw.masters[master.name]?.nfs.shared ?? {})) {
      const pointer = joinPointer(masterPointer(master), 'nfs', 'shared', key);
      const path = normaliseSharePath(key);
      const problem = sharePathProblem(key, path);
      if (problem) {
        errors.push(errorAt(doc, pointer, `share ${JSON.stringify(key)} ${problem}`, true));
        continue;
      }
      const first = seen.get(path);
      if (first !== undefined) {
        errors.push(errorAt(doc, pointer, `share ${JSON.stringify(key)} is ${path} again: ${JSON.stringify(first)} (line ${locate(doc, joinPointer(masterPointer(master), 'nfs', 'shared', first), true).line}) names it already; keep one`, true));
      } else {
        seen.set(path, key);
      }
    }
  }
  return errors;
}

function sharePathProblem(key: string, path: string): string | undefined {
  if (key.split('/').some((part) => part === '.' || part === '..')) {
    return `has "." or ".." parts: name the directory itself${path !== '/' ? ` (${path})` : ''}, whose path the server and the slaves' fstab both read as written`;
  }
  if (path === '/') return "is the master's whole root: share the directories the slaves need, such as /usr, /opt or /home";
  for (const { dir, why } of DISKLESS_DIRS) {
    if (path === dir || path.startsWith(`${dir}/`)) return `is ${path === dir ? '' : 'inside '}${dir}, which holds ${why}: diskless exports each slave's part to that slave alone, never to the whole LAN`;
    if (dir.startsWith(`${path}/`)) return `holds ${dir}, which holds ${why}: sharing it would hand them to the whole LAN`;
  }
  return undefined;
}

/**
 * A slave's `append` goes into its PXELINUX, GRUB and iPXE files. PXELINUX reads one
 * line, GRUB hands \\ ' and stray " to the kernel escaped, iPXE reads # as a comment,
 * ;, || and && as separators and ${...} as a setting: such text is refused here, where
 * its position is known.
 */
export function checkAppend(doc: JsonDocument, inventory: Inventory): InputError[] {
  const errors: InputError[] = [];
  for (const master of inventory.masters) {
    for (const slave of master.slaves) {
      if (typeof slave.append !== 'string') continue;
      const problem = kernelCommandLineProblem(slave.append);
      if (problem) errors.push(errorAt(doc, joinPointer(slavePointer(master, slave.name), 'append'), `slave ${slave.name}: append ${problem}`));
    }
  }
  return errors;
}

/** Why a kernel command line cannot go into the boot loaders' files as it is, if it cannot. */
export function kernelCommandLineProblem(line: string): string | undefined {
  const control = /[\u0000-\u001f\u007f-\u009f]/.exec(line);
  if (control) {
    const name = control[0] === '\n' ? 'a newline' : control[0] === '\t' ? 'a tab' : `control character ${JSON.stringify(control[0])}`;
    return `holds ${name}: a kernel command line is one line of printable text (PXELINUX reads the rest of the line, and a new line is a new directive)`;
  }
  const escaped = /[\\']/.exec(line);
  if (escaped) return `holds ${escaped[0]}: GRUB would hand it to the kernel with a backslash before it`;
  for (const word of kernelWords(line)) {
    if (word.includes('"') && !/^"[^"]*"$|^[^"=]+="[^"]*"$/.test(word)) {
      return `has a double quote in ${JSON.stringify(word)}: quotes may only enclose a whole parameter or its value, as in name="a b"`;
    }
  }
  for (const word of line.split(' ')) {
    const problem = word === '' ? undefined : ipxeProblem(word);
    if (problem) return `holds ${JSON.stringify(word)}: ${problem}`;
  }
  return undefined;
}

/** Architectures whose machines have UEFI firmware only (no BIOS, no Etherboot). */
export const UEFI_ONLY_ARCHS = new Set(['arm64', 'aarch64']);

/**
 * Firmware that cannot boot the way the slave asks: Etherboot images and PXELINUX are
 * BIOS programs. The pointer is the slave's own firmware field when it has one, else
 * the master's boot.firmware that it inherits.
 */
export function checkFirmware(doc: JsonDocument, raw: RawInventory, inventory: Inventory): InputError[] {
  const errors: InputError[] = [];
  for (const master of inventory.masters) {
    for (const slave of master.slaves) {
      const own = raw.masters[master.name]?.slaves?.[slave.name]?.firmware !== undefined;
      const pointer = own ? joinPointer(slavePointer(master, slave.name), 'firmware') : joinPointer(masterPointer(master), 'boot', 'firmware');
      const from = own ? '' : ` (from ${master.name}'s boot.firmware)`;
      if (slave.boot === 'etherboot' && slave.firmware === 'uefi') {
        errors.push(errorAt(doc, pointer, `slave ${slave.name}: boot etherboot needs BIOS firmware, and its firmware is uefi${from}: use boot pxe for a UEFI slave, or firmware bios`));
      }
      const uefiOnly = slave.arch !== undefined && UEFI_ONLY_ARCHS.has(slave.arch);
      if (uefiOnly && (slave.firmware === 'bios' || slave.boot === 'etherboot')) {
        const what = slave.boot === 'etherboot' ? 'boot etherboot' : `firmware bios${from}`;
        errors.push(errorAt(doc, slave.boot === 'etherboot' ? joinPointer(slavePointer(master, slave.name), 'boot') : pointer, `slave ${slave.name}: ${slave.arch} machines boot UEFI only, not ${what}`));
      }
    }
  }
  return errors;
}

/** Each slave MAC and IP, and each master's SSH endpoint, is used once in the whole inventory. */
export function checkDuplicates(doc: JsonDocument, inventory: Inventory): InputError[] {
  const errors: InputError[] = [];
  const macs = new Map<string, { pointer: string; label: string }>();
  const ips = new Map<string, { pointer: string; label: string }>();
  const endpoints = new Map<string, { pointer: string; label: string }>();

  const claim = (seen: Map<string, { pointer: string; label: string }>, key: string, pointer: string, label: string, what: string) => {
    const first = seen.get(key);
    if (!first) {
      seen.set(key, { pointer, label });
      return;
    }
    const { line } = locate(doc, first.pointer);
    errors.push(errorAt(doc, pointer, `duplicate ${what} ${key}: ${label} uses it, and so does ${first.label} (line ${line}, ${first.pointer})`));
  };

  for (const master of inventory.masters) {
    if (master.ssh.connection !== 'local') {
      // The same address behind different jump hosts may be different machines.
      const via = (master.ssh.proxyJump ?? []).map((hop) => ` via ${hop.user}@${hop.host}:${hop.port}`).join('');
      const endpoint = `${master.ssh.host}:${master.ssh.port}${via}`;
      claim(endpoints, endpoint, joinPointer(masterPointer(master), 'ssh', 'host'), `master ${master.name}`, 'SSH host and port');
    }
    for (const slave of master.slaves) {
      const label = `slave ${slave.name} of ${master.name}`;
      claim(macs, slave.mac, joinPointer(slavePointer(master, slave.name), 'mac'), label, 'MAC');
      claim(ips, slave.ip, joinPointer(slavePointer(master, slave.name), 'ip'), label, 'IP');
    }
  }
  return errors;
}

/** A private key that is named must be readable now, not at connection time on one master. */
export async function checkPrivateKeys(doc: JsonDocument, raw: RawInventory, inventory: Inventory): Promise<InputError[]> {
  const checked = new Map<string, string | undefined>();
  const errors: InputError[] = [];
  for (const master of inventory.masters) {
    const key = master.ssh.privateKey;
    // An IdentityFile of the ssh config that cannot be used is skipped at connection time, as OpenSSH does.
    if (!key || master.ssh.connection === 'local' || master.ssh.privateKeyOptional) continue;
    const pointer = raw.masters[master.name]?.ssh?.privateKey
      ? joinPointer(masterPointer(master), 'ssh', 'privateKey')
      : '/defaults/ssh/privateKey';
    if (checked.has(pointer)) continue;
    const reason = await unreadableReason(key);
    checked.set(pointer, reason);
    if (reason) errors.push(errorAt(doc, pointer, `private key ${key} cannot be read: ${reason}`));
  }
  return errors;
}

async function unreadableReason(path: string): Promise<string | undefined> {
  let content: Buffer;
  try {
    content = await readFile(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return 'no such file';
    if (code === 'EACCES') return 'permission denied';
    if (code === 'EISDIR') return 'it is a directory';
    return code ?? String(error);
  }
  const parsed = (await import('ssh2')).default.utils.parseKey(content);
  if (!(parsed instanceof Error)) return undefined;
  // No passphrase can be given: an encrypted key is used through ssh-agent instead.
  if (/encrypted/i.test(parsed.message)) return 'it is encrypted; add it to ssh-agent (ssh-add) and leave privateKey out, or use a key without a passphrase';
  return `it is not a private key ssh can use (${parsed.message})`;
}

function masterPointer(master: Master): string {
  return joinPointer('/masters', master.name);
}

function slavePointer(master: Master, slave: string): string {
  return joinPointer('/masters', master.name, 'slaves', slave);
}
