// Bringing a lab up, down, reporting on it and running commands inside it.
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { resolve } from 'node:path';
import { type LabInventory, readLabInventory } from './inventory.js';
import { formatCidr, parseCidr } from './ipv4.js';
import { createMaster } from './master.js';
import { isMounted } from './mounts.js';
import { checkLabName, DEFAULT_LAB_NAME, DEFAULT_MANAGEMENT_CIDR, defaultLabDir, labNames } from './names.js';
import { checkAddresses, checkNamesFree, checkPackages, checkRoot } from './preflight.js';
import { isAlive, waitFor } from './processes.js';
import { LabError, run, type RunResult, runCommand } from './run.js';
import { ensureClientKey, knownHostsName, updateKnownHosts } from './ssh-keys.js';
import { createSlave } from './slave.js';
import { type Lab, type LabMaster, type LabSlave, readState, record, writeState } from './state.js';
import { plugMachine, reconcile, removeSlave } from './reconcile.js';
import { teardown } from './teardown.js';

export interface LabLocation {
  name?: string;
  dir?: string;
}

export interface LabUpOptions extends LabLocation {
  inventoryFile: string;
  managementCidr?: string;
  /** Receives one line per thing made; silent by default. */
  log?: (line: string) => void;
}

const quiet = () => {};

function locate(opts: LabLocation): { name: string; dir: string } {
  const name = checkLabName(opts.name ?? DEFAULT_LAB_NAME);
  const dir = resolve(opts.dir ?? defaultLabDir(name));
  // The directory ends up in mount options, where these characters are separators.
  if (/[,:\s\\]/.test(dir)) throw new LabError(`lab directory ${dir} must not contain commas, colons, spaces or backslashes`);
  return { name, dir };
}

/** Whether every namespace, root and master process the record names is still there. */
export function labHealth(lab: Lab): string[] {
  const problems: string[] = [];
  for (const m of lab.masters) {
    if (!existsSync(`/run/netns/${m.netns}`)) problems.push(`${m.name}: network namespace ${m.netns} is gone`);
    if (!isMounted(m.root)) problems.push(`${m.name}: root ${m.root} is not mounted`);
    const init = lab.created.find((r) => r.kind === 'process' && r.pid === m.pid);
    if (!init || init.kind !== 'process' || !isAlive(init.pid, init.startTime)) problems.push(`${m.name}: its init process (PID ${m.pid}) is gone`);
  }
  for (const s of lab.slaves) {
    if (!existsSync(`/run/netns/${s.netns}`)) problems.push(`${s.name}: network namespace ${s.netns} is gone`);
  }
  return problems;
}

function tcpOpen(host: string, port: number): Promise<boolean> {
  return new Promise((done) => {
    const socket = connect({ host, port, timeout: 500 });
    const finish = (ok: boolean) => {
      socket.destroy();
      done(ok);
    };
    socket.once('connect', () => finish(true));
    socket.once('error', () => finish(false));
    socket.once('timeout', () => finish(false));
  });
}

async function waitForSsh(master: LabMaster): Promise<void> {
  if (!(await waitFor(() => tcpOpen(master.sshHost, master.sshPort), 10000))) {
    throw new LabError(`master ${master.name}: sshd does not answer on ${master.sshHost}:${master.sshPort}`);
  }
}

/**
 * Builds the lab described by the inventory, finds it already running, or makes a
 * running lab follow a changed inventory (masters and slaves added, removed or made
 * again, the rest left running). Refuses before making anything when the machine or
 * the inventory cannot host it; a failure halfway through a first build undoes it.
 */
export async function labUp(opts: LabUpOptions): Promise<Lab> {
  const log = opts.log ?? quiet;
  const { name, dir } = locate(opts);
  checkRoot();
  const inventory = readLabInventory(opts.inventoryFile);
  const managementCidr = opts.managementCidr ?? DEFAULT_MANAGEMENT_CIDR;
  const management = parseCidr(managementCidr);
  if (!management) throw new LabError(`management network "${managementCidr}" must look like 10.231.0.1/24`);

  const existing = readState(dir);
  if (existing) {
    const problems = labHealth(existing);
    const same = existing.inventoryFile === inventory.file && existing.inventoryText === inventory.text && existing.managementCidr === managementCidr;
    if (problems.length === 0 && same) {
      log(`lab ${name} is already up`);
      refreshKnownHosts(existing, inventory);
      return existing;
    }
    if (problems.length === 0 && existing.managementCidr !== managementCidr) {
      throw new LabError(`lab ${name} runs on management network ${existing.managementCidr}, not ${managementCidr}; run \`npm run lab -- down${name === DEFAULT_LAB_NAME ? '' : ` --name ${name}`}\` first`);
    }
    if (problems.length === 0) {
      // The inventory changed: follow it, leaving what did not change running.
      const made = await reconcile(existing, inventory, log);
      await Promise.all(made.map(waitForSsh));
      refreshKnownHosts(existing, inventory);
      return existing;
    }
    log(`lab ${name} is broken (${problems.join('; ')}): removing what is left of it`);
    await teardown(existing, log);
  }

  await checkPackages();
  await checkAddresses(inventory.masters, management);
  const names = labNames(name);
  await checkNamesFree(
    inventory.masters.flatMap((m) => [names.masterNetns(m.name), ...m.slaves.map((s) => names.slaveNetns(m.name, s.name))]),
    [names.bridge, ...inventory.masters.map((_, i) => names.masterVeth(i))],
  );

  mkdirSync(dir, { recursive: true });
  const lab: Lab = {
    name,
    dir,
    inventoryFile: inventory.file,
    inventoryText: inventory.text,
    managementCidr,
    bridge: names.bridge,
    masters: [],
    slaves: [],
    created: [],
  };
  writeState(lab);
  try {
    await build(lab, inventory, log);
  } catch (e) {
    log(`lab ${name} failed: ${(e as Error).message}; undoing what was made`);
    const undone = await teardown(lab, log).then(
      () => 'everything it made was removed',
      (t: Error) => `undoing it failed too (${t.message}); run \`npm run lab -- down --name ${name}\``,
    );
    throw new LabError(`lab ${name} could not be built: ${(e as Error).message}; ${undone}`);
  }
  return lab;
}

async function build(lab: Lab, inventory: LabInventory, log: (line: string) => void): Promise<void> {
  const management = parseCidr(lab.managementCidr)!;
  record(lab, { kind: 'link', name: lab.bridge });
  await run(['ip', 'link', 'add', lab.bridge, 'type', 'bridge']);
  await run(['ip', 'addr', 'add', formatCidr(management), 'dev', lab.bridge]);
  await run(['ip', 'link', 'set', lab.bridge, 'up']);
  log(`bridge ${lab.bridge} ${formatCidr(management)} (management network)`);

  const hostKeys: { file: string; name: string; publicKey: string }[] = [];
  let slaveIndex = 0;
  for (const [index, spec] of inventory.masters.entries()) {
    const client = await ensureClientKey(spec.ssh.privateKey);
    if (client.created) log(`created SSH key ${spec.ssh.privateKey}`);
    const { master, hostKey } = await createMaster(lab, spec, index, management, client.publicKey);
    hostKeys.push({ file: spec.ssh.knownHosts, name: knownHostsName(spec.ssh.host, spec.ssh.port), publicKey: hostKey });
    log(`master ${master.name}: netns ${master.netns}, ssh root@${master.sshHost}:${master.sshPort}, ${master.lan.interface} ${master.lan.address}/${master.lan.prefix}, root ${master.root}`);
    for (const s of spec.slaves) {
      const slave = await createSlave(lab, master, s, slaveIndex++);
      log(`  slave ${slave.name}: netns ${slave.netns}, eth0 ${slave.mac} on ${master.lan.interface}`);
    }
  }
  await Promise.all(lab.masters.map(waitForSsh));
  for (const file of new Set(hostKeys.map((k) => k.file))) {
    updateKnownHosts(file, hostKeys.filter((k) => k.file === file));
    log(`host keys written to ${file}`);
  }
}

/** Rewrites the masters' host keys into known_hosts, in case the file changed meanwhile. */
function refreshKnownHosts(lab: Lab, inventory: LabInventory): void {
  for (const spec of inventory.masters) {
    const master = lab.masters.find((m) => m.name === spec.name);
    if (!master) continue;
    const key = readHostKey(master);
    updateKnownHosts(spec.ssh.knownHosts, [{ name: knownHostsName(spec.ssh.host, spec.ssh.port), publicKey: key }]);
  }
}

function readHostKey(master: LabMaster): string {
  const file = `${master.root}/etc/ssh/ssh_host_ed25519_key.pub`;
  try {
    return readFileSync(file, 'utf8').trim();
  } catch {
    throw new LabError(`master ${master.name}: cannot read its host key ${file}`);
  }
}

/** Tears the lab down from its record on disk; a lab that is not there is fine. */
export async function labDown(opts: LabLocation & { log?: (line: string) => void } = {}): Promise<void> {
  const log = opts.log ?? quiet;
  const { name, dir } = locate(opts);
  checkRoot();
  const lab = readState(dir);
  if (!lab) {
    log(`lab ${name} is not up (no ${dir}/state.json)`);
    return;
  }
  await teardown(lab, log);
}

export interface LabStatus {
  up: boolean;
  lab: Lab | null;
  problems: string[];
}

export async function labStatus(opts: LabLocation = {}): Promise<LabStatus> {
  const { dir } = locate(opts);
  const lab = readState(dir);
  if (!lab) return { up: false, lab: null, problems: [] };
  const problems = labHealth(lab);
  for (const m of lab.masters) {
    if (!(await tcpOpen(m.sshHost, m.sshPort))) problems.push(`${m.name}: sshd does not answer on ${m.sshHost}:${m.sshPort}`);
  }
  return { up: problems.length === 0, lab, problems };
}

/** Host path of the master's merged root, for reading the files it holds. */
export function masterRootPath(lab: Lab, master: string): string {
  return findMaster(lab, master).root;
}

function findMaster(lab: Lab, name: string): LabMaster {
  const master = lab.masters.find((m) => m.name === name);
  if (!master) throw new LabError(`lab ${lab.name} has no master ${name} (masters: ${lab.masters.map((m) => m.name).join(', ')})`);
  return master;
}

// What a command sees on a master: the environment a root login would have.
const MASTER_ENV = {
  PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
  HOME: '/root',
  USER: 'root',
  LANG: 'C.UTF-8',
};

/**
 * The argv that runs `argv` on a target: on a master, as a process of that master
 * (its network, mount, UTS and PID namespaces and its root); on a slave, in the
 * slave's network namespace. A slave may be named "master/slave" when names repeat.
 */
export function labCommand(lab: Lab, target: string, argv: string[]): { argv: string[]; env?: NodeJS.ProcessEnv } {
  if (argv.length === 0) throw new LabError('no command given');
  const master = lab.masters.find((m) => m.name === target);
  if (master) {
    return { argv: ['nsenter', '-t', String(master.pid), '-m', '-u', '-n', '-p', '-r', '-w', '--', ...argv], env: MASTER_ENV };
  }
  const [masterName, slaveName] = target.includes('/') ? target.split('/', 2) : [undefined, target];
  const slaves = lab.slaves.filter((s) => s.name === slaveName && (masterName === undefined || s.master === masterName));
  if (slaves.length > 1) throw new LabError(`${target} names a slave of several masters: write master/slave`);
  if (slaves.length === 0) {
    const all = new Set([...lab.masters.map((m) => m.name), ...lab.slaves.map((s) => s.name)]);
    throw new LabError(`lab ${lab.name} has no master or slave ${target} (it has: ${[...all].join(', ')})`);
  }
  return { argv: ['ip', 'netns', 'exec', slaves[0].netns, ...argv] };
}

/** Runs a command on a master or slave of the lab (a Lab, or where to find one). */
export async function labExec(
  where: Lab | LabLocation,
  target: string,
  argv: string[],
  opts: { input?: string; timeoutMs?: number } = {},
): Promise<RunResult> {
  const lab = runningLab(where);
  const command = labCommand(lab, target, argv);
  return runCommand(command.argv, { ...opts, env: command.env });
}

/** Puts a machine that is in no inventory on a master's LAN (`reconcile` leaves it alone). */
export async function labPlug(where: Lab | LabLocation, master: string, name: string, mac: string): Promise<LabSlave> {
  const lab = runningLab(where);
  return plugMachine(lab, master, name, mac);
}

/** Takes a machine plugged in by hand off its master's LAN. */
export async function labUnplug(where: Lab | LabLocation, target: string): Promise<void> {
  const lab = runningLab(where);
  const [master, name] = target.split('/', 2);
  const machine = lab.slaves.find((s) => s.unlisted && s.master === master && s.name === name);
  if (!machine) throw new LabError(`lab ${lab.name} has no machine ${target} plugged in by hand`);
  await removeSlave(lab, machine, quiet);
}

function runningLab(where: Lab | LabLocation): Lab {
  const lab = 'created' in where ? (where as Lab) : readState(locate(where).dir);
  if (!lab) throw new LabError(`lab ${where.name ?? DEFAULT_LAB_NAME} is not up`);
  return lab;
}

/** A few lines saying what the lab holds. */
export function describeLab(lab: Lab): string {
  const lines = [`lab ${lab.name} in ${lab.dir}, management bridge ${lab.bridge} ${lab.managementCidr}, inventory ${lab.inventoryFile}`];
  for (const m of lab.masters) {
    lines.push(`  master ${m.name}: ssh root@${m.sshHost}${m.sshPort === 22 ? '' : `:${m.sshPort}`}, netns ${m.netns}, LAN ${m.lan.interface} ${m.lan.address}/${m.lan.prefix}, PID ${m.pid}, root ${m.root}`);
    for (const s of lab.slaves.filter((x) => x.master === m.name)) {
      lines.push(`    ${s.unlisted ? 'unlisted machine' : 'slave'} ${s.name}: netns ${s.netns}, eth0 ${s.mac}, port ${s.bridgePort}`);
    }
  }
  return lines.join('\n');
}
