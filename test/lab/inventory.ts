// Reads the parts of a diskless inventory that the lab builds from. The controller
// validates the whole inventory; the lab checks only what it needs to build safely.
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, resolve } from 'node:path';
import { ipv4ToNumber } from './ipv4.js';
import { LabError } from './run.js';

export interface LabSlaveSpec {
  name: string;
  mac: string; // lowercase
}

export interface LabMasterSpec {
  name: string;
  ssh: { host: string; port: number; user: string; privateKey: string; knownHosts: string };
  lan: { interface: string; address: string; prefix: number };
  slaves: LabSlaveSpec[];
}

export interface LabInventory {
  file: string;
  text: string;
  masters: LabMasterSpec[];
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;
const MAC = /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/i;
const IFNAME = /^[A-Za-z0-9_.-]{1,15}$/;

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** "~" is the user's home; a relative path is relative to the inventory's directory. */
export function resolveInventoryPath(path: string, inventoryFile: string): string {
  if (path === '~' || path.startsWith('~/')) return resolve(homedir(), path.slice(2));
  return resolve(dirname(inventoryFile), path);
}

export function readLabInventory(file: string): LabInventory {
  const abs = resolve(file);
  let text: string;
  try {
    text = readFileSync(abs, 'utf8');
  } catch (e) {
    throw new LabError(`${abs}: cannot read the inventory (${(e as NodeJS.ErrnoException).code ?? e})`);
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new LabError(`${abs}: not valid JSON: ${(e as Error).message}`);
  }
  return { file: abs, text, masters: parseMasters(doc, abs) };
}

export function parseMasters(doc: unknown, file: string): LabMasterSpec[] {
  const fail = (pointer: string, message: string): never => {
    throw new LabError(`${file} at ${pointer}: ${message}`);
  };
  if (!isObject(doc)) fail('/', 'the inventory must be a JSON object');
  const root = doc as Json;
  const defaults = isObject(root.defaults) && isObject(root.defaults.ssh) ? root.defaults.ssh : {};
  if (!isObject(root.masters) || Object.keys(root.masters).length === 0) fail('/masters', 'no masters');
  const masters: LabMasterSpec[] = [];
  for (const [name, raw] of Object.entries(root.masters as Json)) {
    const at = `/masters/${name}`;
    if (!NAME.test(name)) fail(at, `master name "${name}" may hold only letters, digits, ".", "_" and "-"`);
    if (!isObject(raw)) fail(at, 'must be an object');
    const m = raw as Json;
    const ssh = { ...defaults, ...(isObject(m.ssh) ? m.ssh : {}) } as Json;
    const host = ssh.host;
    if (typeof host !== 'string' || ipv4ToNumber(host) === null) fail(`${at}/ssh/host`, `must be an IPv4 address, got ${JSON.stringify(host)}`);
    const port = ssh.port ?? 22;
    if (!Number.isInteger(port) || (port as number) < 1 || (port as number) > 65535) fail(`${at}/ssh/port`, `must be a TCP port, got ${JSON.stringify(port)}`);
    const lan = isObject(m.lan) ? m.lan : fail(`${at}/lan`, 'missing');
    if (typeof lan.interface !== 'string' || !IFNAME.test(lan.interface)) fail(`${at}/lan/interface`, 'must be an interface name of at most 15 characters');
    if (typeof lan.address !== 'string' || ipv4ToNumber(lan.address) === null) fail(`${at}/lan/address`, `must be an IPv4 address, got ${JSON.stringify(lan.address)}`);
    if (!Number.isInteger(lan.prefix) || (lan.prefix as number) < 1 || (lan.prefix as number) > 30) fail(`${at}/lan/prefix`, 'must be a prefix length from 1 to 30');
    const slaves: LabSlaveSpec[] = [];
    for (const [slaveName, s] of Object.entries(isObject(m.slaves) ? m.slaves : {})) {
      const sat = `${at}/slaves/${slaveName}`;
      if (!NAME.test(slaveName)) fail(sat, `slave name "${slaveName}" may hold only letters, digits, ".", "_" and "-"`);
      const mac = isObject(s) ? s.mac : undefined;
      if (typeof mac !== 'string' || !MAC.test(mac)) fail(`${sat}/mac`, `must look like aa:bb:cc:dd:ee:ff, got ${JSON.stringify(mac)}`);
      slaves.push({ name: slaveName, mac: (mac as string).toLowerCase() });
    }
    masters.push({
      name,
      ssh: {
        host: host as string,
        port: port as number,
        user: typeof ssh.user === 'string' ? ssh.user : 'root',
        privateKey: resolveInventoryPath(typeof ssh.privateKey === 'string' ? ssh.privateKey : '~/.ssh/id_ed25519', file),
        knownHosts: resolveInventoryPath(typeof ssh.knownHosts === 'string' ? ssh.knownHosts : '~/.ssh/known_hosts', file),
      },
      lan: { interface: lan.interface as string, address: lan.address as string, prefix: lan.prefix as number },
      slaves,
    });
  }
  checkUnique(masters, file);
  return masters;
}

function checkUnique(masters: LabMasterSpec[], file: string): void {
  const seen = new Map<string, string>();
  const claim = (key: string, pointer: string, what: string) => {
    const first = seen.get(key);
    if (first) throw new LabError(`${file} at ${pointer}: ${what} is also used at ${first}`);
    seen.set(key, pointer);
  };
  for (const m of masters) {
    if (m.ssh.user !== 'root') throw new LabError(`${file} at /masters/${m.name}/ssh/user: the lab's masters accept only root, got "${m.ssh.user}"`);
    claim(`host ${m.ssh.host}`, `/masters/${m.name}/ssh/host`, `ssh host ${m.ssh.host}`);
    for (const s of m.slaves) claim(`mac ${s.mac}`, `/masters/${m.name}/slaves/${s.name}/mac`, `MAC ${s.mac}`);
  }
}
