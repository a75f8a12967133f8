// A master's SSH settings from, in order: the inventory (the master's own ssh, then
// defaults.ssh), the user's ssh config for the host name the inventory gives, then the
// built-in defaults (user root, port 22, the key from ssh-agent). Jump hosts are
// resolved the same way: a hop's own user and port, then the ssh config for its name,
// then the master's user and port 22. The keys offered: the inventory's privateKey, else
// the first IdentityFile of the ssh config that exists, else the first of
// ~/.ssh/id_ed25519, id_ecdsa, id_rsa that exists; and ssh-agent's in every case.
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { joinPointer } from '../json/pointer.js';
import type { SshHop, SshSettings } from '../types.js';
import { parseProxyJump } from './proxy-jump.js';
import type { RawInventory, RawMaster, RawSsh } from './raw-inventory.js';
import { DEFAULT_SSH_CONFIG, expandHome, NO_SSH_CONFIG, type SshConfig } from './ssh-config.js';

export const SSH_DEFAULTS = { user: 'root', port: 22, knownHosts: '~/.ssh/known_hosts' };
/** The key files OpenSSH tries when none is named, in its order (DSA and security keys aside). */
const DEFAULT_KEYS = ['id_ed25519', 'id_ecdsa', 'id_rsa'];

/** Reports a problem at a JSON pointer of the inventory. */
export type Report = (pointer: string, message: string) => void;

/** "~" is the user's home; a relative path is relative to the inventory's directory. */
export function resolveUserPath(path: string, inventoryFile: string): string {
  return path === '~' || path.startsWith('~/') ? expandHome(path) : resolve(dirname(inventoryFile), path);
}

/** The ssh config file a master reads: its ssh.configFile, defaults.ssh.configFile, else `fallback`. */
export function sshConfigFileOf(inventoryFile: string, raw: RawMaster, inv: RawInventory, fallback = DEFAULT_SSH_CONFIG): string {
  const given = raw.ssh?.configFile ?? inv.defaults?.ssh?.configFile ?? fallback;
  return given === 'none' ? 'none' : resolveUserPath(given, inventoryFile);
}

/** Where a setting of the master was written: its own ssh, else defaults.ssh. */
function pointerOf(name: string, raw: RawMaster, key: keyof RawSsh): string {
  return raw.ssh?.[key] !== undefined ? joinPointer('/masters', name, 'ssh', key) : joinPointer('/defaults/ssh', key);
}

function portOf(text: string | undefined): number | undefined | string {
  if (text === undefined) return undefined;
  const port = Number(text);
  return /^[0-9]{1,5}$/.test(text) && port >= 1 && port <= 65535 ? port : `Port ${JSON.stringify(text)} is not a TCP port`;
}

/** The first IdentityFile the ssh config names that exists, as OpenSSH skips missing ones. */
function firstExisting(files: string[]): string | undefined {
  return files.find((f) => existsSync(f));
}

export function buildSsh(
  file: string,
  name: string,
  raw: RawMaster,
  inv: RawInventory,
  config: SshConfig = NO_SSH_CONFIG,
  report: Report = () => undefined,
): SshSettings {
  const given: RawSsh = { ...inv.defaults?.ssh, ...raw.ssh };
  const alias = given.host ?? 'localhost';
  const found = raw.connection === 'local' ? { identityFiles: [] } : config.lookup(alias);
  const configPort = portOf(found.port);
  if (typeof configPort === 'string') report(pointerOf(name, raw, 'host'), `${config.file}, Host ${alias}: ${configPort}`);
  const user = given.user ?? found.user ?? SSH_DEFAULTS.user;
  const ssh: SshSettings = {
    host: found.hostName ?? alias,
    port: given.port ?? (typeof configPort === 'number' ? configPort : SSH_DEFAULTS.port),
    user,
    knownHosts: resolveUserPath(given.knownHosts ?? SSH_DEFAULTS.knownHosts, file),
    connection: raw.connection ?? 'ssh',
  };
  if (ssh.host !== alias) ssh.alias = alias;
  for (const key of ['agent', 'timeoutMs', 'keepaliveIntervalMs', 'keepaliveCountMax', 'become'] as const) {
    if (given[key] !== undefined) (ssh as unknown as Record<string, unknown>)[key] = given[key];
  }
  if (given.privateKey) {
    ssh.privateKey = resolveUserPath(given.privateKey, file);
  } else {
    const optional = firstExisting(found.identityFiles) ?? firstExisting(DEFAULT_KEYS.map((k) => expandHome(`~/.ssh/${k}`)));
    if (optional) {
      ssh.privateKey = optional;
      ssh.privateKeyOptional = true;
    }
  }

  const jumpText = given.proxyJump ?? found.proxyJump;
  if (jumpText !== undefined && ssh.connection !== 'local') {
    const where = given.proxyJump !== undefined ? pointerOf(name, raw, 'proxyJump') : pointerOf(name, raw, 'host');
    const from = given.proxyJump !== undefined ? '' : `${config.file}, Host ${alias}: ProxyJump: `;
    const hops = parseProxyJump(jumpText);
    if (typeof hops === 'string') {
      report(where, `${from}${hops}`);
    } else if (hops.length > 0) {
      ssh.proxyJump = hops.map((hop) => buildHop(hop, ssh, config, (message) => report(where, `${from}${message}`)));
    }
  }
  return ssh;
}

function buildHop(hop: { user?: string; host: string; port?: number; text: string }, master: SshSettings, config: SshConfig, report: (message: string) => void): SshHop {
  const found = config.lookup(hop.host);
  const configPort = portOf(found.port);
  if (typeof configPort === 'string') report(`${config.file}, Host ${hop.host}: ${configPort}`);
  const result: SshHop = {
    name: hop.text,
    host: found.hostName ?? hop.host,
    port: hop.port ?? (typeof configPort === 'number' ? configPort : SSH_DEFAULTS.port),
    user: hop.user ?? found.user ?? master.user,
  };
  const key = firstExisting(found.identityFiles);
  if (key) result.privateKey = key;
  return result;
}
